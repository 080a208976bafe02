"""symconv.derive: the article's claims checked under the bias settings that make them exact, the counts of
each variant, and closed form == direct count for every variant, every geometry and the padding-aware counts."""

from __future__ import annotations

import functools
import math

import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import numeric_layers, padded_cases, transposed_cases

from symconv import variants
from symconv.derive import derive
from symconv.quantities import FURTHER, LAYER
from symconv.symbols import new_symbol, sym
from symconv.verify import direct_counts

k = new_symbol("k")
N, C_in, C_out, H, W, b, m, g = (sym(n) for n in ("N", "C_in", "C_out", "H_out", "W_out", "b", "m", "g"))
ARTICLE = {"k_h": k, "k_w": k, "N": 1}


def quantities(variant: str, bias: bool | None = None, convention: str = "exact", **values: object):
    return derive(variants.make(variant, 2, {**ARTICLE, **values}, bias), convention).quantities


# --- the reference article's four formulas (claims, typed in from the article) ------------------------------


def test_article_standard_params_hold_without_bias_and_with_the_bias_term():
    assert quantities("standard", bias=False)["params"] == k**2 * C_in * C_out
    assert sympy.expand(quantities("standard", bias=True)["params"] - (C_in * k * k + 1) * C_out) == 0


def test_article_standard_flops_hold_exactly_with_a_bias():
    claim = 2 * k**2 * H * W * C_in * C_out
    assert sympy.expand(quantities("standard", bias=True)["flops"] - claim) == 0
    # Without a bias each output element has one addition fewer: the article's "-1".
    assert sympy.expand(quantities("standard", bias=False)["flops"] - claim) == -H * W * C_out


def test_article_per_element_counts_show_the_minus_one_and_its_cancellation():
    d = derive(variants.standard(2, ARTICLE))
    stage = d.stages[0]
    assert stage.per_element.mults == C_in * k**2
    assert sympy.expand(stage.per_element.adds - (C_in * k**2 - 1 + b)) == 0
    assert sympy.expand((stage.per_element.mults + stage.per_element.adds).subs(b, 1) - 2 * C_in * k**2) == 0


def test_article_separable_params_hold_only_without_bias():
    claim = (k**2 + C_out) * C_in
    assert sympy.expand(quantities("separable", bias=False, m=1)["params"] - claim) == 0
    # "with bias", as the article labels it, the count is larger by one bias per channel of each stage.
    gap = sympy.expand(quantities("separable", bias=True, m=1)["params"] - claim)
    assert gap == C_in + C_out


def test_article_separable_flops_hold_exactly_when_both_stages_have_a_bias():
    claim = 2 * (k**2 + C_out) * H * W * C_in
    assert sympy.expand(quantities("separable", bias=True, m=1)["flops"] - claim) == 0
    gap = sympy.expand(quantities("separable", m=1)["flops"] - claim)
    assert sympy.factor(gap) == (b - 1) * H * W * (C_in + C_out)


# --- the counts of each variant -----------------------------------------------------------------------------


def test_grouped_counts_divide_by_g_and_keep_per_group_polynomials():
    d = derive(variants.grouped(2, {"N": 1}, bias=False))
    assert sympy.expand(d.quantities["params"] - C_in * C_out * sym("k_h") * sym("k_w") / g) == 0
    assert d.polynomials["params"] == sympy.expand(C_out * sym("C_in_g") * sym("k_h") * sym("k_w"))
    assert [(x.symbol, x.numerator, x.denominator) for x in d.definitions] == [
        (sym("C_in_g"), C_in, g), (sym("C_out_g"), C_out, g)]


def test_depthwise_is_grouped_with_one_channel_per_group():
    d = derive(variants.depthwise(2, {"N": 1, "m": 1}, bias=False))
    assert d.quantities["params"] == C_in * sym("k_h") * sym("k_w")
    assert d.quantities["mults"] == C_in * sym("k_h") * sym("k_w") * H * W


def test_numeric_values_and_output_sizes():
    values = {"N": 1, "C_in": 64, "C_out": 64, "k_h": 3, "k_w": 3, "H_in": 56, "W_in": 56, "s_h": 1, "s_w": 1,
              "p_h": 1, "p_w": 1, "d_h": 1, "d_w": 1}
    d = derive(variants.standard(2, values, bias=False))
    assert d.sizes == {"H_out": 56, "W_out": 56}
    assert d.value("mults") == 64 * 64 * 9 * 56 * 56
    assert d.value("adds") == 64 * 56 * 56 * (64 * 9 - 1)
    assert d.value("H_out") == 56
    assert derive(variants.standard(2)).value("flops") is None


def test_the_symmetry_holds_symbolically_without_padding():
    t = derive(variants.transposed(2, {"p_h": 0, "p_w": 0, "g": 1}, bias=False))
    f = derive(variants.standard(2, {"p_h": 0, "p_w": 0}, bias=False))
    swap = {sym("C_in"): sym("C_out"), sym("C_out"): sym("C_in"), sym("H_in"): sym("H_out"),
            sym("W_in"): sym("W_out")}
    assert sympy.expand(t.quantities["mults"].xreplace(swap) - f.quantities["mults"]) == 0
    assert sympy.expand(t.counts["input_grid"].xreplace(swap) - f.quantities["macs"]) == 0


def test_the_3x3_same_convolution_on_a_7x7_map():
    """derivations/padding-aware.md: the nominal count multiplies 2·7 + 2·7 - 4 = 24 border taps by zeros."""
    values = {"N": 1, "C_in": 1, "C_out": 1, "H_in": 7, "W_in": 7, "k_h": 3, "k_w": 3, "d_h": 1, "d_w": 1}
    d = derive(variants.standard(2, values, bias=False, padding="same"))
    assert d.value("mults") == 441 and d.counts["performed_mults"] == 25 * 9 + 4 * 5 * 6 + 4 * 4 == 361
    assert d.value("flops") == 833 and d.counts["flops_performed"] == 673


def test_jupyter_display():
    assert derive(variants.pointwise(1))._repr_latex_().startswith("$$")


# --- closed form == direct count, every variant, bias on and off, every geometry ----------------------------


@functools.cache
def _symbolic(variant, dims):
    return derive(variants.make(variant, dims))


def _closed(derivation, values: dict[str, int], layer) -> dict[str, int]:
    subs = {sym(name): sympy.Integer(v) for name, v in values.items()}
    for before, after in zip(derivation.layer.stages, layer.stages, strict=True):
        subs |= {s: v for s, v in zip(before.conv.out_size, after.conv.out_size, strict=True)
                 if isinstance(s, sympy.Symbol)}
    exprs = {**derivation.quantities, **{n: derivation.counts[n] for n in FURTHER}}
    return {name: int(expr.xreplace(subs).doit()) for name, expr in exprs.items()}


@settings(max_examples=60)
@given(numeric_layers())
def test_closed_forms_equal_the_direct_count(case):
    """Closed form == direct count for every variant: the derivation (symbolic, and numeric at the drawn values)
    against the counts of symconv.direct's real computation, as symconv.verify.direct_counts runs it. It lives
    here, with the derivation it checks."""
    variant, dims, values, layer = case
    symbolic = _symbolic(variant, dims)
    numeric = derive(layer)
    counts, values_agree = direct_counts(layer)
    assert values_agree
    counts["flops"] = counts["mults"] + counts["adds"]
    # The symbolic closed form, evaluated at the values (output sizes from the numeric layer).
    subs = {sym(name): v for name, v in values.items()}
    for before, after in zip(symbolic.layer.stages, layer.stages, strict=True):
        subs |= {s: v for s, v in zip(before.conv.out_size, after.conv.out_size, strict=True)
                 if isinstance(s, sympy.Symbol)}
    for name in LAYER:
        assert numeric.value(name) == counts[name], name
        assert symbolic.quantities[name].xreplace(subs) == counts[name], name


@settings(max_examples=60)
@given(transposed_cases())
def test_transposed_closed_forms_equal_the_direct_count(case):
    """Closed form == direct count for the transposed convolution in every geometry: the derived counts, the
    input-grid and output-grid products among them, against symconv.direct's scatter and dense counters."""
    dims, values = case
    layer = variants.transposed(dims, values)
    counts, agree = direct_counts(layer)
    assert agree  # scatter, uncropped scatter and dense convolution all equal the adjoint of the forward one
    closed = _closed(_symbolic("transposed", dims), values, layer)
    for name in ("params", "mults", "adds", "macs", *FURTHER):
        assert closed[name] == counts[name], name
    # The products of the scatter, and the dense count on the output grid, as the issue states them.
    conv = layer.stages[0].conv
    cout_g = values["C_out"] // values["g"]
    assert counts["input_grid"] == values["N"] * values["C_in"] * math.prod(map(int, conv.in_size)) * \
        math.prod(map(int, conv.kernel)) * cout_g
    assert counts["output_grid"] == values["N"] * values["C_out"] * math.prod(map(int, conv.out_size)) * \
        values["C_in"] // values["g"] * math.prod(map(int, conv.kernel))


@settings(max_examples=40)
@given(transposed_cases())
def test_a_transposed_convolution_costs_what_its_forward_adjoint_multiplies(case):
    """The forward convolution the transposed one is the adjoint of: input the transposed output, output the
    transposed input, the channels swapped. Its nominal products are the scatter's, its performed products the
    ones that land."""
    dims, values = case
    t = variants.transposed(dims, values).stages[0].conv
    axes = ("l",) if dims == 1 else ("h", "w")
    forward_values = {"N": values["N"], "g": values["g"], "C_in": values["C_out"], "C_out": values["C_in"],
                      "b": 0}
    for j, a in enumerate(axes):
        forward_values |= {f"k_{a}": values[f"k_{a}"], f"s_{a}": values[f"s_{a}"], f"p_{a}": values[f"p_{a}"],
                           f"d_{a}": values[f"d_{a}"], f"{a.upper()}_in": int(t.out_size[j])}
    f = variants.grouped(dims, forward_values).stages[0].conv
    assume(all(int(fo) >= int(ti) for fo, ti in zip(f.out_size, t.in_size, strict=True)))
    transposed_counts = _closed(_symbolic("transposed", dims), values, variants.transposed(dims, values))
    if f.out_size == t.in_size:  # op < s: the forward output is exactly the transposed input
        forward = _closed(_symbolic("grouped", dims), forward_values, variants.grouped(dims, forward_values))
        assert transposed_counts["input_grid"] == forward["macs"]
        assert transposed_counts["mults"] == forward["performed_mults"]


@settings(max_examples=80)
@given(st.one_of(padded_cases(), padded_cases(variant="separable"), padded_cases(variant="depthwise")))
def test_performed_counts_equal_the_direct_count_that_skips_the_padding(case):
    """Closed form == direct count for the padding-aware counts: the derived performed products and additions
    against symconv.direct's count that skips the products with padded zeros."""
    dims, values, variant = case
    layer = variants.make(variant, dims, values)
    counts, agree = direct_counts(layer, performed=True)
    assert agree
    closed = _closed(_symbolic(variant, dims), values, layer)
    assert closed["performed_mults"] == counts["performed_mults"]
    assert closed["performed_adds"] == counts["performed_adds"]
    assert derive(layer, "performed").value("flops") == counts["performed_mults"] + counts["performed_adds"]
