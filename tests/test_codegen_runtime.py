"""symconv.codegen.runtime and its entry in symconv.codegen.adapters: the runtime of generated modules,
helper by helper (the copy of it that every generated module embeds is tested in test_codegen_embed.py), and
large results computed by several threads, each taking its own blocks: the result is the one thread's, and an
error names the first offending configuration whichever thread meets it first.

The reference is plain Python arithmetic on ints; the kernels below are written by hand, as a generated
module would write them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from symconv import variants
from symconv.codegen import compile_functions, functions_for
from symconv.codegen.adapters import _evaluate
from symconv.codegen.runtime import (
    _BLOCK,
    _INT64_MAX,
    _THREADED,
    _array,
    _at,
    _call,
    _divide,
    _first,
    _Function,
    _in_threads,
    _int64_blocks,
    _integer,
    _largest,
    _require,
)
from symconv.derive import derive

PRODUCT = _Function(  # C_in * C_out, as a generated module writes it
    "product",
    (("C_in", "positive"), ("C_out", "positive")),
    lambda c_in, c_out: c_in * c_out,
    lambda c_in, c_out: (c_in * c_out,),
    lambda out, c_in, c_out: np.multiply(c_in, c_out, out=out),
)
RATIO = _Function(  # floor(C_in / g): the dividend and the divisor are bounded too
    "ratio",
    (("C_in", "positive"), ("g", "positive")),
    lambda c_in, g: c_in // g,
    lambda c_in, g: (c_in, g),
    lambda out, c_in, g: np.floor_divide(c_in, g, out=out),
)
GATED = _Function("gated", (("b", "flag"), ("C_in", "nonnegative")), lambda b, c: b * c, lambda b, c: (b * c,),
                  lambda out, b, c: np.multiply(b, c, out=out))
EXACT_ONLY = _Function("exact_only", (("C_in", "positive"),), lambda c: c * 2**70, lambda c: (c * 2**70,), None)


# --- _integer: one int argument ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [3, np.int8(3), np.uint64(3), np.int64(3)])
def test_an_integer_is_a_python_int(value):
    result = _integer("f", "C_in", "positive", value)
    assert type(result) is int and result == 3


@pytest.mark.parametrize("value", [True, np.bool_(False), 3.0, np.float32(3), 3 + 0j, "3", None, [3], b"3"])
def test_a_non_integer_is_a_type_error(value):
    message = f"f(): C_in must be an int or an integer NumPy array, not {type(value).__name__}"
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        _integer("f", "C_in", "positive", value)


@pytest.mark.parametrize(
    ("domain", "value", "message"),
    [("positive", 0, "must be >= 1, got 0"), ("nonnegative", -1, "must be >= 0, got -1"),
     ("flag", 2, "must be 0 or 1, got 2"), ("flag", -1, "must be 0 or 1, got -1")],
)
def test_an_integer_out_of_its_domain_is_a_value_error(domain, value, message):
    with pytest.raises(ValueError, match=f"^f\\(\\): x {message}$"):
        _integer("f", "x", domain, value)
    with pytest.raises(ValueError, match=f"{message} at index \\(1, 2\\)$"):
        _integer("f", "x", domain, value, (1, 2))


def test_the_lowest_values_are_accepted():
    assert [_integer("f", "x", d, v) for d, v in [("positive", 1), ("nonnegative", 0), ("flag", 0), ("flag", 1)]] == [
        1, 0, 0, 1]
    assert _integer("f", "x", "positive", 10**40) == 10**40  # no upper limit on ints


# --- _array, _largest, _first, _at: arrays ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32])
def test_an_integer_array_is_int64_and_not_scanned_yet(dtype):
    value, largest = _array("f", "x", "positive", np.array([1, 2, 3], dtype=dtype))
    assert value.dtype == np.int64 and value.tolist() == [1, 2, 3] and largest is None


def test_an_int64_array_is_not_copied():
    given = np.array([1, 2, 3])
    assert _array("f", "x", "positive", given)[0] is given


def test_uint64_is_scanned_at_once_and_kept_exact_beyond_int64():
    value, largest = _array("f", "x", "positive", np.array([1, 2**63 - 1], dtype=np.uint64))
    assert value.dtype == np.int64 and largest == _INT64_MAX
    value, largest = _array("f", "x", "positive", np.array([1, 2**64 - 1], dtype=np.uint64))
    assert value.dtype == np.uint64 and largest == 2**64 - 1
    with pytest.raises(ValueError, match=r"b must be 0 or 1, got 2 at index 1$"):
        _array("f", "b", "flag", np.array([1, 2], dtype=np.uint64))


def test_an_object_array_is_checked_element_by_element():
    value, largest = _array("f", "x", "positive", np.array([3, 2**63 - 1], dtype=object))
    assert value.dtype == np.int64 and largest == _INT64_MAX
    value, largest = _array("f", "x", "positive", np.array([3, 10**30], dtype=object))
    assert value.dtype == object and value.tolist() == [3, 10**30] and largest == 10**30
    with pytest.raises(TypeError, match=r"x must be an int or an integer NumPy array, not float at index 1$"):
        _array("f", "x", "positive", np.array([3, 1.5], dtype=object))
    with pytest.raises(ValueError, match=r"x must be >= 1, got 0 at index \(1, 0\)$"):
        _array("f", "x", "positive", np.array([[3], [0]], dtype=object))
    assert _array("f", "x", "positive", np.array([], dtype=object))[1] == 0


@pytest.mark.parametrize("dtype", [np.float64, np.bool_, np.complex128, np.str_, "datetime64[s]"])
def test_an_array_of_another_kind_is_a_type_error(dtype):
    with pytest.raises(TypeError, match="x must be an int or an integer NumPy array, not an array of"):
        _array("f", "x", "positive", np.zeros(2, dtype=dtype))


def test_the_largest_value_of_an_int64_array_finds_negative_values_too():
    assert _largest("f", "x", "nonnegative", np.array([[0, 7], [3, 1]])) == 7
    with pytest.raises(ValueError, match=r"x must be >= 1, got 0 at index \(0, 0\)$"):
        _largest("f", "x", "positive", np.array([[0, 7], [3, 1]]))
    assert _largest("f", "x", "positive", np.array([], dtype=np.int64)) == 0
    with pytest.raises(ValueError, match=r"x must not be negative, got -3 at index \(1, 0\)$"):
        _largest("f", "x", "positive", np.array([[1, 7], [-3, 1]]))
    with pytest.raises(ValueError, match=f"x must not be negative, got {-(2**63)}"):
        _largest("f", "x", "positive", np.array([-(2**63)]))
    with pytest.raises(ValueError, match=r"b must be 0 or 1, got 5 at index 2$"):
        _largest("f", "b", "flag", np.array([0, 1, 5]))


def test_the_first_bad_element_is_named_by_its_index():
    assert _first(np.array([4, 5, 6]), np.array([False, True, True])) == (5, (1,))
    assert _first(np.array([[4], [5]]), np.array([[False, False], [False, True]])) == (5, (1, 1))  # broadcast
    assert [_at(None), _at(()), _at((2,)), _at((np.intp(1), 2))] == ["", "", " at index 2", " at index (1, 2)"]


def test_another_array_subclass_is_read_as_a_plain_array():
    with pytest.warns(PendingDeprecationWarning):
        matrix = np.matrix([[2**40, 2], [3, 4]])  # its * is a matrix product: the exact path must not use it
    value, _ = _array("f", "x", "positive", matrix)
    assert type(value) is np.ndarray
    result = _evaluate(PRODUCT, (matrix, matrix))
    assert type(result) is np.ndarray and result.tolist() == [[2**80, 4], [9, 16]]


# --- _call, _divide and _require ---------------------------------------------------------------------------

GROUPS = _Function(  # C_in/g * C_out, with C_in/g and C_out/g whole and C_out - 2 >= 0
    "groups",
    (("C_in", "positive"), ("C_out", "positive"), ("g", "positive")),
    lambda c_in, c_out, g: c_in // g * c_out,
    lambda c_in, c_out, g: (c_in * c_out, c_in, g, c_out),
    lambda out, c_in, c_out, g: (np.multiply(_divide(c_in, g)[0], c_out, out=out), _divide(c_in, g)[1],
                                 _divide(c_out, g)[1], int(np.min(c_out)) - 2)[1:],
    lambda c_in, c_out, g: (c_in, g, c_out, g, c_out - 2),
    (("whole", "C_in_g = C_in/g", "C_in", "g"), ("whole", "C_out_g = C_out/g", "C_out", "g"),
     ("at least 0", "C_out - 2", "two outputs at least")),
)


def test_a_kernels_zero_divisor_names_the_function():
    with pytest.raises(ValueError, match=r"^ratio\(\): a divisor in the closed form is 0 for these arguments$"):
        _call(RATIO, RATIO.exact, [3, 0])


def test_divide_returns_the_quotient_and_whether_every_division_is_exact():
    quotient, low = _divide(np.array([12, 8]), np.array([4, 2]))
    assert quotient.tolist() == [3, 4] and low == 0
    assert _divide(np.array([12, 7]), 2)[1] == -1


def test_the_conditions_name_the_first_configuration_that_fails_one():
    _require(GROUPS, [12, 8, 4])
    message = "groups(): C_out_g = C_out/g must be a whole number, but C_out = 6 is not divisible by g = 4"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        _require(GROUPS, [12, 6, 4])
    with pytest.raises(ValueError, match=r"C_in = 7 is not divisible by g = 2 at index \(1, 0\)$"):
        _require(GROUPS, [np.array([[4], [7]], dtype=object), np.array([2, 2], dtype=object), 2])
    # The configuration at index 1 fails the last condition, the one at index 2 the first: index 1 is named.
    c_out = np.array([4, 1, 5], dtype=object)
    message = ("groups(): C_out - 2 must be >= 0 (two outputs at least), but it is -1 for C_in = 4, C_out = 1, g = 1 "
               "at index 1")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        _require(GROUPS, [np.array([4, 4, 5], dtype=object), c_out, np.array([1, 1, 2], dtype=object)])
    with pytest.raises(ValueError, match="a divisor in the closed form is 0"):
        _require(GROUPS, [4, 4, 0])


def test_a_condition_failing_in_a_block_is_named_by_its_index_in_the_whole():
    n = 2 * _BLOCK + 7
    c_out = np.full(n, 8)
    c_out[_BLOCK + 3] = 6
    with pytest.raises(ValueError, match=f"C_out = 6 is not divisible by g = 4 at index {_BLOCK + 3}$"):
        _evaluate(GROUPS, (np.full(n, 12), c_out, 4))
    assert _evaluate(GROUPS, (np.full(n, 12), np.full(n, 8), 4)).tolist() == [24] * n


# --- _evaluate and _int64_blocks: int64 while provably exact, else exact ---------------------------------


def test_ints_are_evaluated_exactly():
    assert _evaluate(PRODUCT, (2**40, 2**40)) == 2**80
    assert _evaluate(EXACT_ONLY, (3,)) == 3 * 2**70


@pytest.mark.parametrize(
    ("c_in", "c_out", "dtype"),
    [([2**62 - 1], [2], np.int64), ([2**63 - 1], [1], np.int64), ([2**62], [2], object), ([2**32], [2**31], object)],
)
def test_the_bound_decides_between_int64_and_exact(c_in, c_out, dtype):
    result = _evaluate(PRODUCT, (np.array(c_in), np.array(c_out)))
    assert result.dtype == dtype and result.tolist() == [c_in[0] * c_out[0]]


def test_a_closed_form_without_an_int64_kernel_gives_an_exact_object_array():
    result = _evaluate(EXACT_ONLY, (np.array([1, 2]),))
    assert result.dtype == object and result.tolist() == [2**70, 2**71]


def test_a_dividend_beyond_int64_is_divided_exactly():
    result = _evaluate(RATIO, (np.array([2**63 - 1, 2**64]), np.array([2**32, 2**32])))
    assert result.dtype == object and result.tolist() == [(2**63 - 1) // 2**32, 2**32]


def test_a_zero_divisor_in_an_array_is_reported_by_the_exact_evaluation():
    shifted = _Function("shifted", (("C_in", "positive"), ("k", "positive")), lambda c, k: c // (k - 1),
                        lambda c, k: (c, k + 1), lambda out, c, k: np.floor_divide(c, np.subtract(k, 1), out=out))
    with pytest.raises(ValueError, match="shifted\\(\\): a divisor in the closed form is 0"):
        _evaluate(shifted, (np.array([4, 4]), np.array([2, 1])))
    with pytest.raises(ValueError, match=r"ratio\(\): g must be >= 1, got 0 at index 1$"):
        _evaluate(RATIO, (np.array([4, 4]), np.array([2, 0])))


def test_a_wrapped_partial_product_does_not_matter_when_the_result_fits():
    result = _evaluate(GATED, (np.array([0, 0]), np.array([2**62, 2**62])))
    assert result.dtype == np.int64 and result.tolist() == [0, 0]


def test_blocks_of_rows_see_each_bad_value_and_each_large_one():
    n = 3 * _BLOCK + 5
    c_in = np.full(n, 3)
    c_in[-1] = 2**62  # only the last block does not fit: the whole result is exact instead
    result = _evaluate(PRODUCT, (c_in, np.full(n, 2)))
    assert result.dtype == object and result[0] == 6 and result[-1] == 2**63
    c_in[-1] = -1
    with pytest.raises(ValueError, match=f"C_in must not be negative, got -1 at index {n - 1}$"):
        _evaluate(PRODUCT, (c_in, 2))
    flags = np.zeros(n, dtype=np.int64)
    flags[_BLOCK + 1] = 2
    with pytest.raises(ValueError, match=f"b must be 0 or 1, got 2 at index {_BLOCK + 1}$"):
        _evaluate(GATED, (flags, np.full(n, 7)))


def test_int64_blocks_fills_the_result_block_by_block():
    rows = 2 * _BLOCK + 3
    c_in = np.arange(1, rows + 1).reshape(rows, 1)
    maxima = [None, 5]
    result = _int64_blocks(PRODUCT, [c_in, 5], maxima, (rows, 1), 1)
    assert result.dtype == np.int64 and np.array_equal(result, c_in * 5)
    assert _int64_blocks(PRODUCT, [np.array([2**62]), 4], [None, 4], (1,), 1) is None


def test_broadcasting_mixes_arrays_and_ints():
    result = _evaluate(PRODUCT, (np.array([[1], [2]]), np.array([3, 4, 5], dtype=np.uint8)))
    assert result.shape == (2, 3) and result.tolist() == [[3, 4, 5], [6, 8, 10]]
    assert _evaluate(PRODUCT, (np.array(7), 6)).shape == ()
    assert _evaluate(PRODUCT, (np.array([], dtype=np.int64), 6)).shape == (0,)


def test_object_arrays_are_checked_and_stay_exact():
    result = _evaluate(PRODUCT, (np.array([3, 10**20], dtype=object), 2))
    assert result.dtype == object and result.tolist() == [6, 2 * 10**20]
    with pytest.raises(TypeError, match="C_in must be an int or an integer NumPy array, not str at index 0"):
        _evaluate(PRODUCT, (np.array(["3"], dtype=object), 2))


# --- several threads: each takes its own blocks, the first offending configuration named -------------------


N = _THREADED + 3 * _BLOCK + 5  # threads for 19 blocks and a part


@pytest.fixture(scope="module")
def grouped():
    return compile_functions(functions_for(derive(variants.grouped(2))))


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_every_thread_count_gives_the_same_result(grouped, workers):
    rng = np.random.default_rng(0)
    values = {"N": rng.integers(1, 9, N), "C_in": 4 * rng.integers(1, 64, N), "C_out": 8, "H_out": 7,
              "W_out": rng.integers(1, 99, N), "k_h": 3, "k_w": 3, "g": 4, "b": 1}
    flops = grouped["flops"]
    flops.__globals__["_WORKERS"] = workers
    try:
        result = flops(**values)
    finally:
        flops.__globals__["_WORKERS"] = 1
    expected = values["N"] * 8 * 7 * values["W_out"] * (2 * values["C_in"] // 4 * 9 + 1 - 1)
    assert result.dtype == np.int64 and np.array_equal(result, expected)


@pytest.mark.parametrize("workers", [2, 5])
def test_the_first_offending_configuration_is_named_whichever_thread_meets_it(grouped, workers):
    c_in = np.full(N, 8)
    c_in[[N - 1, 4 * _BLOCK + 2, 9 * _BLOCK + 1]] = 6  # blocks 4 and 9 go to different threads
    flops = grouped["flops"]
    flops.__globals__["_WORKERS"] = workers
    try:
        with pytest.raises(ValueError, match=f"C_in = 6 is not divisible by g = 4 at index {4 * _BLOCK + 2}$"):
            flops(N=1, C_in=c_in, C_out=8, H_out=7, W_out=7, k_h=3, k_w=3, g=4, b=1)
    finally:
        flops.__globals__["_WORKERS"] = 1


def test_in_threads_reports_the_lowest_item_that_fails():
    seen = []

    def work(item):
        seen.append(item)
        if item in (3, 6):
            raise ValueError(f"item {item}")
        return item != 8

    with pytest.raises(ValueError, match="item 3"):
        _in_threads(work, (), list(range(10)), 3)
    assert _in_threads(lambda item: item != 8, (), list(range(10)), 4) is False
    assert _in_threads(lambda item: True, (), list(range(10)), 4) is True
    assert {0, 1, 2, 3} <= set(seen)
