"""symconv.direct.shapes: the arguments checked, the output sizes found by enumeration and the loops named."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import Conv, convs

from symconv.direct import conv_direct, conv_reference, loop_nest, output_size
from symconv.errors import SpecError

# --- output sizes -------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(convs())
def test_output_size_matches_the_actual_shape(conv: Conv) -> None:
    expected = tuple(
        output_size(size, k, s, p, d)
        for size, k, s, p, d in zip(
            conv.x.shape[2:], conv.weight.shape[2:], conv.stride, conv.padding, conv.dilation, strict=True
        )
    )
    n, c_out = conv.x.shape[0], conv.weight.shape[0]
    assert conv_reference(conv.x, conv.weight, conv.bias, **conv.kwargs).shape == (n, c_out, *expected)
    assert conv_direct(conv.x, conv.weight, conv.bias, **conv.kwargs).output.shape == (n, c_out, *expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, 3, 1, 0, 1), 3),
        ((56, 3, 1, 1, 1), 56),
        ((224, 7, 2, 3, 1), 112),
        ((7, 3, 2, 0, 2), 2),  # span 5: positions 0 and 2
        ((1, 1, 5, 0, 1), 1),
        ((1, 3, 1, 1, 1), 1),  # the kernel sees only padding and one real value
        ((10, 3, 3, 0, 1), 3),  # floor((10 - 3) / 3) + 1
    ],
)
def test_output_size_table(args: tuple[int, ...], expected: int) -> None:
    assert output_size(*args) == expected


# --- loop nest ----------------------------------------------------------------------------------------------


def test_loop_nest_names() -> None:
    assert loop_nest(1) == ("N", "g", "C_out_g", "L_out", "C_in_g", "k_l")
    assert loop_nest(2) == ("N", "g", "C_out_g", "H_out", "W_out", "C_in_g", "k_h", "k_w")
    assert loop_nest(3) == ("N", "g", "C_out_g", "D_out", "H_out", "W_out", "C_in_g", "k_d", "k_h", "k_w")


def test_loop_nest_names_are_table_symbols() -> None:
    from symconv.symbols import sym

    for dims in (1, 2, 3):
        assert all(sym(name).is_positive for name in loop_nest(dims))


@pytest.mark.parametrize("dims", [0, 4])
def test_loop_nest_rejects_other_dims(dims: int) -> None:
    with pytest.raises(SpecError):
        loop_nest(dims)


@settings(max_examples=60, deadline=None)
@given(convs())
def test_product_of_trip_counts_is_the_scalar_mults(conv: Conv) -> None:
    result = conv_direct(conv.x, conv.weight, conv.bias, **conv.kwargs, mode="scalar")
    dims = conv.x.ndim - 2
    n, c_in = conv.x.shape[:2]
    c_out = conv.weight.shape[0]
    per_axis = dict(zip(loop_nest(dims)[3 : 3 + dims], result.output.shape[2:], strict=True))
    per_axis |= dict(zip(loop_nest(dims)[4 + dims :], conv.weight.shape[2:], strict=True))
    trips = {"N": n, "g": conv.groups, "C_out_g": c_out // conv.groups, "C_in_g": c_in // conv.groups}
    trips |= per_axis
    assert set(trips) == set(loop_nest(dims))
    assert math.prod(trips[name] for name in loop_nest(dims)) == result.mults


# --- bad input ----------------------------------------------------------------------------------------------


X = np.zeros((1, 4, 5, 5))
W = np.zeros((2, 4, 3, 3))


BAD = [
    ("x without channels", dict(x=np.zeros((5, 5)), weight=W)),
    ("x with 4 spatial axes", dict(x=np.zeros((1, 1, 2, 2, 2, 2)), weight=np.zeros((1, 1, 1, 1, 1, 1)))),
    ("weight with the wrong rank", dict(x=X, weight=np.zeros((2, 4, 3)))),
    ("C_in not divisible by groups", dict(x=X, weight=np.zeros((3, 1, 3, 3)), groups=3)),
    ("C_out not divisible by groups", dict(x=X, weight=np.zeros((3, 2, 3, 3)), groups=2)),
    ("weight channels inconsistent", dict(x=X, weight=np.zeros((2, 3, 3, 3)))),
    ("weight channels ignore groups", dict(x=X, weight=W, groups=2)),
    ("kernel wider than the padded input", dict(x=X, weight=np.zeros((2, 4, 7, 3)))),
    ("dilated kernel too wide", dict(x=X, weight=W, dilation=3)),
    ("empty batch", dict(x=np.zeros((0, 4, 5, 5)), weight=W)),
    ("empty spatial axis", dict(x=np.zeros((1, 4, 0, 5)), weight=np.zeros((2, 4, 1, 1)))),
    ("empty kernel", dict(x=X, weight=np.zeros((2, 4, 0, 3)))),
    ("no output channels", dict(x=X, weight=np.zeros((0, 4, 3, 3)))),
    ("negative padding", dict(x=X, weight=W, padding=-1)),
    ("negative padding on one axis", dict(x=X, weight=W, padding=(1, -1))),
    ("zero stride", dict(x=X, weight=W, stride=0)),
    ("zero dilation", dict(x=X, weight=W, dilation=(1, 0))),
    ("zero groups", dict(x=X, weight=W, groups=0)),
    ("float stride", dict(x=X, weight=W, stride=1.5)),
    ("bool padding", dict(x=X, weight=W, padding=True)),
    ("too few per-axis values", dict(x=X, weight=W, stride=(1,))),
    ("too many per-axis values", dict(x=X, weight=W, padding=(0, 0, 0))),
    ("bias of the wrong length", dict(x=X, weight=W, bias=np.zeros(3))),
    ("bias of the wrong rank", dict(x=X, weight=W, bias=np.zeros((2, 1)))),
    ("boolean data", dict(x=X.astype(bool), weight=W)),
    ("complex data", dict(x=X, weight=W.astype(complex))),
]


@pytest.mark.parametrize(("why", "kwargs"), BAD, ids=[why for why, _ in BAD])
@pytest.mark.parametrize("func", [conv_direct, conv_reference])
def test_bad_input_raises(func, why: str, kwargs: dict) -> None:
    with pytest.raises(SpecError):
        func(**kwargs)


def test_spec_error_is_a_value_error_with_one_sentence() -> None:
    with pytest.raises(ValueError, match=r"divisible by groups=3") as info:
        conv_direct(X, np.zeros((3, 1, 3, 3)), groups=3)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "args",
    [(0, 1, 1, 0, 1), (5, 0, 1, 0, 1), (5, 3, 0, 0, 1), (5, 3, 1, -1, 1), (5, 3, 1, 0, 0), (2, 3, 1, 0, 1),
     (5, 3, 1, 0, 3), (5.0, 3, 1, 0, 1)],
)
def test_output_size_bad_input(args: tuple) -> None:
    with pytest.raises(SpecError):
        output_size(*args)
