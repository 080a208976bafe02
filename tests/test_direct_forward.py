"""symconv.direct.forward: the convolution that computes and counts, its values against an independent
computation (symconv.direct.reference) and its counts against a claim."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Conv, convs
from test_direct_shapes import W, X

from symconv.direct import DirectCount, conv_direct, conv_reference
from symconv.errors import SpecError

# --- the worked example -------------------------------------------------------------------------------------


X5 = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
K3 = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
Y3 = np.array([[12, 12, 17], [10, 17, 19], [9, 6, 14]])


@pytest.mark.parametrize("mode", ["scalar", "vectorized"])
def test_worked_example(mode: str) -> None:
    result = conv_direct(X5[None, None], K3[None, None], mode=mode)
    assert isinstance(result, DirectCount)
    np.testing.assert_array_equal(result.output[0, 0], Y3)
    assert result.output.dtype == np.int64
    assert (result.mults, result.adds) == (9 * 9, 9 * 8)
    assert type(result.mults) is int and type(result.adds) is int


def test_padded_zeros_are_multiplied() -> None:
    # padding 1 makes a 5x5 output; every element still costs the full 9 taps, zeros included
    result = conv_direct(X5[None, None], K3[None, None], padding=1, mode="scalar")
    assert result.output.shape == (1, 1, 5, 5)
    np.testing.assert_array_equal(result.output[0, 0, 1:4, 1:4], Y3)
    assert (result.mults, result.adds) == (25 * 9, 25 * 8)


# --- values -------------------------------------------------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(convs())
def test_scalar_equals_vectorized_equals_reference(conv: Conv) -> None:
    scalar = conv_direct(conv.x, conv.weight, conv.bias, **conv.kwargs, mode="scalar")
    vectorized = conv_direct(conv.x, conv.weight, conv.bias, **conv.kwargs, mode="vectorized")
    reference = conv_reference(conv.x, conv.weight, conv.bias, **conv.kwargs)
    assert scalar.output.dtype == vectorized.output.dtype == reference.dtype == np.int64
    np.testing.assert_array_equal(scalar.output, reference)
    np.testing.assert_array_equal(vectorized.output, reference)


@settings(max_examples=40, deadline=None)
@given(convs(floats=True))
def test_float_modes_agree_bit_for_bit(conv: Conv) -> None:
    # both modes add the terms in the same order, so they round identically
    scalar = conv_direct(conv.x, conv.weight, conv.bias, **conv.kwargs, mode="scalar")
    vectorized = conv_direct(conv.x, conv.weight, conv.bias, **conv.kwargs)
    assert scalar.output.dtype == vectorized.output.dtype == np.float64
    np.testing.assert_array_equal(scalar.output, vectorized.output)
    reference = conv_reference(conv.x, conv.weight, conv.bias, **conv.kwargs)
    np.testing.assert_allclose(vectorized.output, reference)


def test_integer_types_stay_exact() -> None:
    # 100·100 overflows int8; integer data is computed in int64, so the sum 2·100·100 is exact
    x = np.full((1, 2, 3), 100, dtype=np.int8)
    w = np.full((1, 2, 1), 100, dtype=np.int8)
    for mode in ("scalar", "vectorized"):
        out = conv_direct(x, w, mode=mode).output
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out, np.full((1, 1, 3), 20000))


def test_float32_is_computed_in_float64() -> None:
    x = np.ones((1, 1, 4), dtype=np.float32)
    assert conv_direct(x, np.ones((1, 1, 2), dtype=np.int64)).output.dtype == np.float64


def test_lists_are_accepted() -> None:
    result = conv_direct([[[1, 2, 3]]], [[[1, 1]]], [10], mode="scalar")
    np.testing.assert_array_equal(result.output, [[[13, 15]]])


# --- counts -------------------------------------------------------------------------------------------------


def claimed_counts(conv: Conv, out_spatial: tuple[int, ...]) -> tuple[int, int]:
    """The claim: K = C_in/g · ∏k terms per element, K mults and K - 1 + b adds, times the elements."""
    n, c_in = conv.x.shape[:2]
    c_out, _, *kernel = conv.weight.shape
    terms = (c_in // conv.groups) * math.prod(kernel)
    elements = n * c_out * math.prod(out_spatial)
    return elements * terms, elements * (terms - 1 + (conv.bias is not None))


@settings(max_examples=80, deadline=None)
@given(convs(), st.sampled_from(["scalar", "vectorized"]))
def test_counts_match_the_per_element_claim(conv: Conv, mode: str) -> None:
    result = conv_direct(conv.x, conv.weight, conv.bias, **conv.kwargs, mode=mode)
    assert (result.mults, result.adds) == claimed_counts(conv, result.output.shape[2:])


# --- modes and speed ----------------------------------------------------------------------------------------


def test_unknown_mode() -> None:
    with pytest.raises(SpecError, match="mode"):
        conv_direct(X, W, mode="fast")  # type: ignore[arg-type]


def test_resnet_layer_counts_and_speed() -> None:
    # 64 -> 64 channels, 56x56, 3x3, padding 1: 64·56·56·64·9 ≈ 1.2e8 mults and as many adds
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 64, 56, 56))
    w = rng.standard_normal((64, 64, 3, 3))
    start = time.perf_counter()
    result = conv_direct(x, w, padding=1)
    seconds = time.perf_counter() - start
    elements = 64 * 56 * 56
    assert result.mults == elements * 64 * 9 == 115_605_504
    assert result.adds == elements * (64 * 9 - 1) == 115_404_800
    np.testing.assert_allclose(result.output, conv_reference(x, w, padding=1))
    # the real target is well under a second (measured ≈ 0.07 s); this bound only catches a pathology
    assert seconds < 10
