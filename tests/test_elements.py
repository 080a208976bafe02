"""symconv.elements: the expressions a convolution's counts come from, their tensors' shapes and their indices."""

from __future__ import annotations

import math

import pytest
import sympy

from symconv import variants
from symconv.counting import count_ops, tensors_read
from symconv.elements import dense, element, partial_element, scatter, tensors
from symconv.spec import Conv
from symconv.symbols import index, sym

n, o, c, t, u, v, i, j = (index(name) for name in "noctuvij")
N, C_in, C_out, C_in_g, C_out_g, b = (sym(name) for name in ("N", "C_in", "C_out", "C_in_g", "C_out_g", "b"))
x, w, beta, y = (sympy.IndexedBase(name) for name in ("x", "w", "beta", "y"))


def _same(a: sympy.Basic, e: sympy.Basic) -> bool:
    """Equal up to the shapes the IndexedBases carry (the expected expressions are written without them)."""
    strip = {base: sympy.IndexedBase(base.label) for base in a.atoms(sympy.IndexedBase)}
    return a.xreplace(strip) == e


# --- tensors --------------------------------------------------------------------------------------------------


def test_the_tensors_have_pytorchs_shapes():
    conv = Conv.make(2)
    T = tensors(conv)
    assert T.x.shape == (N, C_in, sym("H_in"), sym("W_in"))
    assert T.w.shape == (C_out, C_in_g, sym("k_h"), sym("k_w"))
    assert T.beta.shape == (C_out,) and T.y.shape == (N, C_out, sym("H_out"), sym("W_out"))
    assert T.parameters == (T.w, T.beta)
    # ConvTranspose's weight is (C_in, C_out/g, *kernel).
    assert tensors(Conv.make(1, transposed=True)).w.shape == (C_in, C_out_g, sym("k_l"))


def test_the_tensors_of_a_later_stage_are_named_apart():
    T = tensors(Conv.make(1), stage=2)
    assert [base.label.name for base in (T.x, T.w, T.beta, T.y)] == ["x2", "w2", "beta2", "y2"]


# --- one output element ---------------------------------------------------------------------------------------


def test_the_element_of_a_standard_convolution_sums_every_channel_and_tap():
    conv = Conv.make(2, {"g": 1, "b": 1})
    lhs, rhs = element(conv, tensors(conv))
    row = sym("s_h") * u + sym("d_h") * i - sym("p_h")
    column = sym("s_w") * v + sym("d_w") * j - sym("p_w")
    expected = beta[o] + sympy.Sum(w[o, c, i, j] * x[n, c, row, column], (c, 0, C_in - 1), (i, 0, sym("k_h") - 1),
                                   (j, 0, sym("k_w") - 1))
    assert _same(lhs, y[n, o, u, v]) and _same(rhs, expected)


def test_the_element_of_a_grouped_convolution_reads_its_groups_channels():
    conv = Conv.make(1)
    lhs, rhs = element(conv, tensors(conv))
    channel = sympy.floor(o / C_out_g) * C_in_g + c
    where = sym("s_l") * t + sym("d_l") * i - sym("p_l")
    expected = b * beta[o] + sympy.Sum(w[o, c, i] * x[n, channel, where], (c, 0, C_in_g - 1), (i, 0, sym("k_l") - 1))
    assert _same(lhs, y[n, o, t]) and _same(rhs, expected)


def test_one_channel_per_group_and_a_one_tap_kernel_leave_no_sum():
    conv = variants.depthwise(1, {"k_l": 1}).stages[0].conv
    _, rhs = element(conv, tensors(conv))
    # Output channel o of a depthwise layer with multiplier m reads input channel floor(o/m), tap 0.
    expected = b * beta[o] + w[o, 0, 0] * x[n, sympy.floor(o / sym("m")), sym("s_l") * t - sym("p_l")]
    assert _same(rhs, expected) and not rhs.has(sympy.Sum)
    pointwise = variants.pointwise(2).stages[0].conv
    _, rhs = element(pointwise, tensors(pointwise))
    expected = b * beta[o] + sympy.Sum(w[o, c, 0, 0] * x[n, c, sym("s_h") * u, sym("s_w") * v], (c, 0, C_in - 1))
    assert _same(rhs, expected)


@pytest.mark.parametrize("variant", ["standard", "grouped", "depthwise", "pointwise"])
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_an_element_costs_one_product_per_term_and_reads_every_parameter(variant, dims):
    conv = variants.make(variant, dims).stages[0].conv
    T = tensors(conv)
    _, rhs = element(conv, T)
    terms = conv.in_per_group * math.prod(conv.kernel)
    ops = count_ops(rhs)
    assert sympy.expand(ops.mults - terms) == 0 and sympy.expand(ops.adds - (terms - 1 + b)) == 0
    assert sympy.expand(tensors_read(rhs, T.parameters) - conv.out_channels * (terms + b)) == 0


# --- a transposed convolution: the scatter and the dense form ---------------------------------------------------


def test_the_scatter_of_one_input_element():
    conv = Conv.make(1, transposed=True)
    lands, products = scatter(conv, tensors(conv))
    assert _same(lands, y[n, sympy.Symbol("o'"), sym("s_l") * t + sym("d_l") * i - sym("p_l")])
    assert _same(products, sympy.Sum(w[c, o, i] * x[n, c, t], (o, 0, C_out_g - 1), (i, 0, sym("k_l") - 1)))


def test_the_dense_form_sums_the_zero_spread_input_on_the_output_grid():
    conv = Conv.make(1, transposed=True)
    expected = sympy.Sum(w[c, o, i] * sympy.IndexedBase("x_spread")[n, c, t], (c, 0, C_in_g - 1),
                         (i, 0, sym("k_l") - 1))
    assert _same(dense(conv, tensors(conv)), expected)
    assert count_ops(dense(conv, tensors(conv))).mults == C_in_g * sym("k_l")


@pytest.mark.parametrize("transposed", [False, True])
def test_a_partial_element_sums_the_products_that_reach_it(transposed):
    conv = Conv.make(2, {"b": 1}, transposed=transposed)
    r = sympy.Symbol("r", integer=True, positive=True)
    element_ = partial_element(conv, tensors(conv), r)
    ops = count_ops(element_)
    assert (ops.mults, ops.adds) == (r, r)  # r products, r - 1 sums and the bias
    (total,) = element_.atoms(sympy.Sum)
    assert total.limits == ((index("j"), 0, r - 1),)
