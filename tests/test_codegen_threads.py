"""Large results are computed by several threads, each taking its own blocks: the result is the one thread's,
and an error names the first offending configuration whichever thread meets it first."""

from __future__ import annotations

import numpy as np
import pytest

from symconv import variants
from symconv.codegen import compile_functions, functions_for
from symconv.codegen.runtime import _BLOCK, _THREADED, _in_threads
from symconv.derive import derive

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
