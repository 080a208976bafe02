"""symconv.compare: the ratio or the difference of each count of two derivations."""

from __future__ import annotations

import pytest
import sympy

from symconv import variants
from symconv.compare import compare, simplify_ratio
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.errors import SymconvError
from symconv.quantities import LAYER
from symconv.symbols import new_symbol, sym

k = new_symbol("k")
C_out, m = sym("C_out"), sym("m")
ARTICLE = {"k_h": k, "k_w": k, "N": 1}


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


def test_a_variant_against_itself_is_one_and_differs_by_nothing():
    d = derive(variants.grouped(2))
    assert all(value == 1 for value in compare(d, d).quantities.values())
    assert all(value == 0 for value in compare(d, d, kind="difference").quantities.values())
    assert compare(d, d).at_bias == {name: (1, 1) for name in LAYER}


def test_the_difference_is_left_minus_right_expanded():
    C_in, k_h, k_w = sym("C_in"), sym("k_h"), sym("k_w")
    left = derive(variants.separable(2, {"m": 1}, bias=False))
    right = derive(variants.standard(2, bias=False))
    c = compare(left, right, kind="difference")
    assert sympy.expand(c.quantities["params"] - (C_in * k_h * k_w + C_in * C_out - C_in * C_out * k_h * k_w)) == 0
    assert c.kind == "difference" and c.steps[0].rule.startswith("Depthwise separable convolution minus standard")


def test_the_counts_at_each_bias_are_the_counts_of_the_layers_with_that_bias():
    # A symbolic flag compared once gives the comparison of the layers without and with a bias.
    general = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)))
    for b, bias in ((0, False), (1, True)):
        fixed = compare(derive(variants.separable(2, {"m": 1}, bias)), derive(variants.standard(2, bias=bias)))
        for name in LAYER:
            assert sympy.simplify(general.at_bias[name][b] - fixed.quantities[name]) == 0, (name, bias)


def test_only_the_quantities_asked_for_are_compared():
    c = compare(derive(variants.separable(2)), derive(variants.standard(2)), quantities=["mults"])
    assert list(c.quantities) == ["mults"] == list(c.at_bias)
    assert {step.title for step in c.steps} == {"multiplications"}


def test_a_comparison_is_named_after_both_layers():
    c = compare(derive(variants.separable(1)), derive(variants.standard(1)))
    assert c.title == "Depthwise separable convolution versus standard convolution"
    assert (c.variant, c.dims, c.convention) == ("separable/standard", 1, Convention.EXACT)
    assert c.subtitle.startswith("ratio of each count, 1-D, FLOPs in the exact convention")


@pytest.mark.parametrize(("ratio", "simplified"), [
    ((sym("k_h") + sym("C_out")) / (sym("C_out") * sym("k_h")), 1 / sym("k_h") + 1 / sym("C_out")),
    (2 * sym("C_in") / (2 * sym("C_in") + 2 * sym("C_out")), sym("C_in") / (sym("C_in") + sym("C_out"))),
    (sym("C_in") ** 2 / sym("C_in"), sym("C_in")),
])
def test_a_ratio_reads_as_simple_fractions_or_one_factored_fraction(ratio, simplified):
    assert simplify_ratio(ratio) == simplified


def test_bad_comparisons_are_refused():
    d = derive(variants.standard(2))
    with pytest.raises(SymconvError, match="kind must be 'ratio' or 'difference', not 'product'"):
        compare(d, d, kind="product")
    with pytest.raises(SymconvError, match="same convention"):
        compare(d, derive(variants.standard(2), "macs"))
