"""symconv.conventions: what ``flops`` counts in each convention, from the counts of a derivation."""

from __future__ import annotations

import pytest
import sympy

from symconv import variants
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.symbols import sym
from symconv.verify import direct_counts

b = sym("b")


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


def test_the_worked_example_of_the_docs():
    """docs/conventions.md: a 2-D transposed convolution, 16 → 32 channels, 4×4 → 8×8, k 3, s 2, p 1, op 1."""
    values = {"N": 1, "C_in": 16, "C_out": 32, "g": 1, "H_in": 4, "W_in": 4, "k_h": 3, "k_w": 3, "s_h": 2,
              "s_w": 2, "p_h": 1, "p_w": 1, "d_h": 1, "d_w": 1, "op_h": 1, "op_w": 1}
    d = derive(variants.transposed(2, values, bias=True))
    assert (d.value("H_out"), d.value("params")) == (8, 4640)
    # Per axis 11 of the 4·3 = 12 (input, tap) pairs land: input 0's tap 0 lands at -1, cropped.
    assert (d.value("mults"), d.value("adds"), d.value("flops")) == (61952, 61952, 123904)
    assert (d.counts["input_grid"], d.counts["output_grid"]) == (73728, 294912)
    assert d.counts["flops_input-grid"] - d.value("flops") == -50176
    assert d.counts["flops_output-grid"] - d.value("flops") == 171008
    assert d.counts["output_grid"] / d.counts["input_grid"] == 4  # about ∏ s
    counts, agree = direct_counts(d.layer)
    assert agree and (counts["mults"], counts["adds"], counts["input_grid"], counts["output_grid"]) == (
        61952, 61952, 73728, 294912)
    without = derive(variants.transposed(2, values, bias=False))
    assert (without.value("adds"), without.value("flops")) == (59904, 121856)  # 61952 - 32·8·8
