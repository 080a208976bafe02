"""Derivation: the article's claims checked under the bias settings that make them exact, counting rules,
and closed form == direct count for every variant."""

from __future__ import annotations

import functools

import pytest
import sympy
from hypothesis import given, settings
from strategies import numeric_layers

from symconv import variants
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.quantities import LAYER
from symconv.symbols import new_symbol, sym
from symconv.verify import direct_counts

k = new_symbol("k")
N, C_in, C_out, H, W, b, m, g = (sym(n) for n in ("N", "C_in", "C_out", "H_out", "W_out", "b", "m", "g"))
ARTICLE = {"k_h": k, "k_w": k, "N": 1}


def quantities(variant: str, bias: bool | None = None, convention: str = "exact", **values: object):
    return derive(variants.make(variant, 2, {**ARTICLE, **values}, bias), convention).quantities


# --- the reference article's four formulas (claims, typed in from the article) -------------------------------

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


def test_separable_over_standard_is_one_over_c_out_plus_one_over_k_squared():
    from symconv.compare import compare

    left = derive(variants.separable(2, {**ARTICLE, "m": 1}))
    right = derive(variants.standard(2, ARTICLE))
    c = compare(left, right)
    assert c.quantities["mults"] == 1 / C_out + 1 / k**2
    assert c.at_bias["params"][0] == 1 / C_out + 1 / k**2
    assert c.at_bias["flops"][1] == 1 / C_out + 1 / k**2  # with a bias in both stages FLOPs too
    assert c.at_bias["flops"][0] != 1 / C_out + 1 / k**2
    # With a multiplier m the saving scales: m/C_out + m/k^2.
    general = compare(derive(variants.separable(2, ARTICLE)), right)
    assert general.quantities["mults"] == m / C_out + m / k**2


# --- conventions ----------------------------------------------------------------------------------------------

def test_two_macs_is_exact_precisely_with_a_bias():
    for variant in variants.VARIANTS:
        d = derive(variants.make(variant, 2))
        exact = d.polynomials["mults"] + d.polynomials["adds"]
        gap = sympy.expand(2 * d.polynomials["macs"] - exact)
        assert gap != 0 and gap.subs(b, 1) == 0 and gap.subs(b, 0) != 0, variant


@pytest.mark.parametrize("convention", list(Convention))
def test_flops_follow_the_convention(convention):
    d = derive(variants.standard(2), convention)
    c = d.counts
    expected = convention.flops(d.polynomials["mults"], d.polynomials["adds"], d.polynomials["macs"],
                                input_grid=c["input_grid"], output_grid=c["output_grid"],
                                performed=c["performed_mults"] + c["performed_adds"])
    assert sympy.expand(d.quantities["flops"] - expected) == 0
    assert sympy.expand(d.counts[f"flops_{convention.value}"] - expected) == 0
    assert d.convention is convention


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


@functools.cache
def _symbolic(variant, dims):
    return derive(variants.make(variant, dims))


# --- closed form == direct count, every variant, bias on and off ----------------------------------------------

@settings(max_examples=60)
@given(numeric_layers())
def test_closed_forms_equal_the_direct_count(case):
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
