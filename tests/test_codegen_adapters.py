"""symconv.codegen.adapters: generated functions on arrays other than NumPy's: dask arrays lazily, torch tensors,
masked arrays, anything with ``__array__`` or ``__dlpack__``; each with the exactness, overflow and checks of NumPy
arrays, or one TypeError sentence. The reference is the same function called with NumPy arrays; a generated module
never imports dask or torch itself."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from symconv import variants
from symconv.codegen import compile_functions, functions_for, module_for
from symconv.codegen.runtime import _BLOCK
from symconv.derive import derive

PARAMS = {"C_in": np.array([4, 8, 12, 16]), "C_out": 8, "k_h": 3, "k_w": 3, "g": 4, "b": 1}


@pytest.fixture(scope="module")
def grouped():
    return compile_functions(functions_for(derive(variants.grouped(2))))


# --- dask: a dask array in, a dask array out -----------------------------------------------------------------


def test_a_dask_array_gives_a_dask_array_computed_block_by_block(grouped):
    da = pytest.importorskip("dask.array")
    c_in = da.from_array(PARAMS["C_in"], chunks=2)
    result = grouped["params"](**{**PARAMS, "C_in": c_in})
    assert isinstance(result, da.Array) and result.dtype == np.int64 and result.chunks == ((2, 2),)
    assert result.compute().tolist() == grouped["params"](**PARAMS).tolist()


def test_dask_arrays_broadcast_with_numpy_arrays_and_ints(grouped):
    da = pytest.importorskip("dask.array")
    rows = np.array([[4], [8]])
    result = grouped["params"](**{**PARAMS, "C_in": da.from_array(rows, chunks=1), "C_out": np.array([4, 8, 12])})
    assert result.shape == (2, 3)
    expected = grouped["params"](**{**PARAMS, "C_in": rows, "C_out": np.array([4, 8, 12])})
    assert np.array_equal(result.compute(), expected)


def test_nothing_is_computed_until_asked_and_errors_name_the_index_in_the_whole(grouped):
    da = pytest.importorskip("dask.array")
    h_in = np.full(3 * _BLOCK, 9)
    h_in[2 * _BLOCK + 5] = 2
    lazy = grouped["H_out"](H_in=da.from_array(h_in, chunks=_BLOCK), k_h=5, s_h=1, p_h=0, d_h=1)  # no error yet
    with pytest.raises(ValueError, match=f"but it is -3 for H_in = 2, .* at index {2 * _BLOCK + 5}$"):
        lazy.compute()
    c_in = da.from_array(np.array([[4, 8], [12, 7]]), chunks=1)
    with pytest.raises(ValueError, match=r"C_in = 7 is not divisible by g = 4 at index \(1, 1\)$"):
        grouped["params"](**{**PARAMS, "C_in": c_in}).compute()


def test_a_dask_block_beyond_int64_raises_overflow_and_object_blocks_stay_exact(grouped):
    da = pytest.importorskip("dask.array")
    c_in = da.from_array(np.array([4, 2**40]), chunks=1)
    with pytest.raises(OverflowError, match=r"params\(\): the exact value \d+ at index 1 does not fit in int64"):
        grouped["params"](**{**PARAMS, "C_in": c_in, "C_out": 2**40}).compute()
    exact = grouped["params"](**{**PARAMS, "C_in": c_in.astype(object), "C_out": 2**40})
    assert exact.dtype == object
    assert exact.compute().tolist() == [2**40 * (9 * 4 // 4 + 1), 2**40 * (9 * 2**40 // 4 + 1)]


def test_a_dask_array_of_floats_is_refused_at_once(grouped):
    da = pytest.importorskip("dask.array")
    with pytest.raises(TypeError, match=r"C_in must be an int or an integer array, not an array of float64"):
        grouped["params"](**{**PARAMS, "C_in": da.ones(3)})


# --- torch --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_an_integer_tensor_gives_an_int64_tensor(grouped, dtype):
    torch = pytest.importorskip("torch")
    result = grouped["params"](**{**PARAMS, "C_in": torch.tensor([4, 8, 12, 16], dtype=getattr(torch, dtype))})
    assert isinstance(result, torch.Tensor) and result.dtype == torch.int64
    assert result.tolist() == grouped["params"](**PARAMS).tolist()


def test_a_tensor_is_checked_and_refused_in_one_sentence(grouped):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"C_in = 6 is not divisible by g = 4 at index 1$"):
        grouped["params"](**{**PARAMS, "C_in": torch.tensor([4, 6])})
    with pytest.raises(TypeError, match=r"C_in must be an int or an integer NumPy array, not an array of float32$"):
        grouped["params"](**{**PARAMS, "C_in": torch.tensor([4.0], requires_grad=True)})
    with pytest.raises(TypeError, match=r"not an array of bool$"):
        grouped["params"](**{**PARAMS, "C_in": torch.tensor([True])})
    with pytest.raises(TypeError, match=r"C_in is a torch tensor on meta: move it to the CPU first$"):
        grouped["params"](**{**PARAMS, "C_in": torch.zeros(2, dtype=torch.int64, device="meta")})
    with pytest.raises(OverflowError, match=r"at index 1 does not fit in int64, all that a torch tensor holds"):
        grouped["params"](**{**PARAMS, "C_in": torch.tensor([4, 2**40]), "C_out": 2**40})


# --- masked arrays and other array-likes ---------------------------------------------------------------------


def test_a_masked_array_gives_a_masked_array_its_masked_configurations_left_out(grouped):
    c_in = np.ma.array([4, 7, 2**62, 8], mask=[False, True, True, False])  # 7 and 2**62 would be refused
    result = grouped["params"](**{**PARAMS, "C_in": c_in})
    assert isinstance(result, np.ma.MaskedArray) and result.dtype == np.int64
    assert result.mask.tolist() == [False, True, True, False]
    assert result.compressed().tolist() == [8 * (9 + 1), 8 * (18 + 1)]
    with pytest.raises(ValueError, match=r"C_in = 6 is not divisible by g = 4 at index 3$"):
        grouped["params"](**{**PARAMS, "C_in": np.ma.array([4, 7, 8, 6], mask=[False, True, False, False])})
    rows = grouped["params"](**{**PARAMS, "C_in": np.array([[4], [8]]), "C_out": np.ma.array([4, 5], mask=[0, 1])})
    assert rows.mask.tolist() == [[False, True], [False, True]] and rows[1, 0] == 4 * (18 + 1)


class Exported:
    """An array that only exports its data through DLPack, as array-API libraries do."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __dlpack__(self, **options):
        return self.array.__dlpack__(**options)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


class Wrapped:
    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return self.array


@pytest.mark.parametrize("kind", [Exported, Wrapped])
def test_array_likes_are_read_as_numpy_arrays(grouped, kind):
    result = grouped["params"](**{**PARAMS, "C_in": kind(PARAMS["C_in"])})
    assert type(result) is np.ndarray and result.tolist() == grouped["params"](**PARAMS).tolist()
    with pytest.raises(TypeError, match=r"not an array of float64"):
        grouped["params"](**{**PARAMS, "C_in": kind(np.ones(2))})


@pytest.mark.parametrize("value", [[4, 8], (4,), {4}, range(4)])
def test_python_containers_stay_refused(grouped, value):
    with pytest.raises(TypeError, match=r"C_in must be an int or an integer NumPy array, not"):
        grouped["params"](**{**PARAMS, "C_in": value})


# --- standalone ---------------------------------------------------------------------------------------------


def test_a_generated_module_imports_and_runs_without_dask_or_torch(tmp_path):
    path = tmp_path / "grouped_counts.py"
    path.write_text(module_for(derive(variants.grouped(2))))
    script = "; ".join([
        "import runpy, sys",
        "sys.modules.update(dict.fromkeys(['dask', 'dask.array', 'torch', 'symconv'], None))",
        f"m = runpy.run_path({str(path)!r})",
        "import numpy as np",
        "print(m['params'](C_in=np.array([4, 8]), C_out=8, k_h=3, k_w=3, g=4, b=1).tolist())",
    ])
    run = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout == "[80, 152]\n"


def test_calling_with_numpy_arrays_imports_neither_dask_nor_torch(tmp_path):
    path = tmp_path / "grouped_counts.py"
    path.write_text(module_for(derive(variants.grouped(2))))
    script = "; ".join([
        "import runpy, sys, numpy as np",
        f"m = runpy.run_path({str(path)!r})",
        "m['params'](C_in=np.array([4, 8]), C_out=8, k_h=3, k_w=3, g=4, b=1)",
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('dask', 'torch')))",
    ])
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout == "[]\n"
