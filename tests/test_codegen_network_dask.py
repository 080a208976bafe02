"""A network's module given dask arrays: every total a dask array, block by block, equal to the module on
NumPy arrays; refusals and totals beyond int64 named at their index in the whole."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from symconv.codegen.network import TOTALS, network_functions
from symconv.network import builtin

da = pytest.importorskip("dask.array", reason="dask arrays need dask: pip install 'symconv[sweep]'")


@pytest.fixture(scope="module")
def mobilenet():
    return network_functions(builtin("mobilenet_v1"))


def test_dask_arrays_give_dask_arrays_of_the_same_totals(mobilenet):
    alphas = np.array([0.25, 0.5, 0.75, 1.0] * 3)
    rhos = np.repeat([4 / 7, 6 / 7, 1.0], 4)
    lazy = mobilenet(alpha=da.from_array(alphas, chunks=5), rho=da.from_array(rhos, chunks=5))
    eager = mobilenet(alpha=alphas, rho=rhos)
    assert set(lazy) == set(TOTALS)
    for total in TOTALS:
        assert isinstance(lazy[total], da.Array) and lazy[total].dtype == np.int64
        assert lazy[total].chunks == ((5, 5, 2),)
        assert lazy[total].compute().tolist() == eager[total].tolist()


def test_a_dask_grid_beside_a_number_and_a_numpy_array(mobilenet):
    alphas = da.from_array(np.array([[0.5], [1.0]]), chunks=1)
    got = mobilenet(alpha=alphas, rho=np.array([[4 / 7, 1.0]]))
    eager = mobilenet(alpha=np.array([[0.5], [1.0]]), rho=np.array([[4 / 7, 1.0]]))
    assert {t: got[t].compute().tolist() for t in TOTALS} == {t: eager[t].tolist() for t in TOTALS}
    one = mobilenet(alpha=da.from_array(np.array([1.0]), chunks=1), rho=1)
    assert one["macs"].compute().tolist() == [mobilenet(alpha=1, rho=1)["macs"]]


def test_a_refusal_in_a_later_block_is_named_at_its_index_in_the_whole(mobilenet):
    alphas = da.from_array(np.array([0.25, 0.5, 0.75, 0.3]), chunks=2)
    lazy = mobilenet(alpha=alphas, rho=1)
    with pytest.raises(ValueError, match=r"alpha = 0\.3 is not within 1e-9 of a multiple of 1/32 at index 3"):
        lazy["params"].compute()


def test_totals_beyond_int64_need_arrays_of_objects(mobilenet):
    huge = 2.0**19  # channels of 2**29: the multiplications pass 2**63
    lazy = mobilenet(alpha=da.from_array(np.array([1.0, huge]), chunks=1), rho=1)
    with pytest.raises(OverflowError, match=r"mults\(\): the exact value \d+ at index 1 does not fit in int64"):
        lazy["mults"].compute()
    exact = mobilenet(alpha=da.from_array(np.array([Fraction(1), Fraction(2**19)], dtype=object), chunks=1), rho=1)
    assert exact["mults"].dtype == object
    assert exact["mults"].compute().tolist() == [mobilenet(alpha=1, rho=1)["mults"],
                                                 mobilenet(alpha=2**19, rho=1)["mults"]]


def test_dask_arrays_that_do_not_broadcast_are_refused_as_numpy_arrays_are(mobilenet):
    from symconv.errors import SymconvError

    with pytest.raises(SymconvError, match="shape mismatch"):
        mobilenet(alpha=da.from_array(np.ones(3)), rho=da.from_array(np.ones(4)))
    with pytest.raises(SymconvError, match="shape mismatch"):
        mobilenet(alpha=np.ones(3), rho=np.ones(4))
