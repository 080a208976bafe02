"""symconv.conventions: what ``flops`` counts in each convention, from the counts of a derivation."""

from __future__ import annotations

import pytest
import sympy

from symconv import variants
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.errors import SymconvError
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


# --- each convention's FLOPs from a mapping of counts ----------------------------------------------------------

#: The counts of a layer with everything a convention may read: 2 other operations, a scatter of 12 products
#: whose dense form on the output grid takes 48, and 5 + 4 operations once the padding is skipped.
COUNTS = {"mults": 9, "adds": 8, "macs": 9, "others": 2, "input_grid": 12, "output_grid": 48,
          "performed_mults": 5, "performed_adds": 4}


@pytest.mark.parametrize(("convention", "flops"), [
    ("exact", 9 + 8 + 2),
    ("macs", 9),
    ("2macs", 2 * 9),
    ("input-grid", 12),
    ("output-grid", 48),
    ("performed", 5 + 4 + 2),
])
def test_each_convention_counts_from_a_mapping_of_counts(convention, flops):
    result = Convention(convention).of(COUNTS)
    assert result == flops and isinstance(result, sympy.Integer)


@pytest.mark.parametrize(("convention", "flops"), [
    ("exact", 17), ("macs", 9), ("2macs", 18), ("input-grid", 9), ("output-grid", 9), ("performed", 17),
])
def test_without_the_further_counts_a_convention_counts_an_ordinary_convolution(convention, flops):
    # No scatter: both grids are the macs; no padding skipped: the performed count is the exact one.
    assert Convention(convention).of({"mults": 9, "adds": 8, "macs": 9}) == flops


def test_symbolic_counts_give_symbolic_flops():
    mults, adds, others = (sympy.Symbol(n, positive=True) for n in ("M", "A", "O"))
    counts = {"mults": mults, "adds": adds, "macs": mults, "others": others}
    assert Convention.EXACT.of(counts) == mults + adds + others
    assert Convention.TWO_MACS.of(counts) == 2 * mults
    assert Convention.PERFORMED.of(counts) == mults + adds + others
    assert Convention.MACS.flops(mults, adds, mults, others=others) == mults  # macs count products alone


def test_a_convention_is_read_by_its_name_and_an_unknown_one_refused():
    assert [Convention.parse(c.value) for c in Convention] == list(Convention)
    assert Convention.parse(Convention.MACS) is Convention.MACS and Convention("2macs") is Convention.TWO_MACS
    with pytest.raises(SymconvError, match=r"unknown convention 'flops' \(known: exact, macs, 2macs, input-grid, "
                                           r"output-grid, performed\)"):
        Convention.parse("flops")


def test_each_convention_says_what_it_counts_and_a_derivation_says_which_it_used():
    assert len({c.description for c in Convention}) == len({c.latex for c in Convention}) == len(Convention)
    for convention in Convention:
        d = derive(variants.pointwise(1), convention)
        assert d.subtitle == f"1-D, FLOPs in the {convention.value} convention ({convention.description})"
