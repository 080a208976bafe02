"""Generated functions given a dask array beside a NumPy array of objects: a dask array back, exact (dask cannot
size the chunks of objects itself, so the object array is one block)."""

from __future__ import annotations

import numpy as np
import pytest

from symconv import derive, variants
from symconv.codegen import compile_functions, functions_for


def test_a_dask_array_beside_an_object_array_gives_a_dask_array():
    da = pytest.importorskip("dask.array")
    params = compile_functions(functions_for(derive(variants.grouped(2), sizes="input")))["params"]
    names = params.__code__.co_varnames[: params.__code__.co_kwonlyargcount]
    call = dict.fromkeys(names, 2) | {"b": 1}
    call["C_in"], call["C_out"] = da.from_array(np.array([2, 4]), chunks=1), np.array([2, 10**30], object)
    result = params(**call)
    assert type(result).__module__.startswith("dask.")
    assert result.compute().tolist() == [params(**{**call, "C_in": 2, "C_out": 2}),
                                         params(**{**call, "C_in": 4, "C_out": 10**30})]
