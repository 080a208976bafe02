"""Verification: direct count vs closed form on samples, and the grid proof, for every variant; and a
wrong closed form is caught."""

from __future__ import annotations

import dataclasses

import pytest
import sympy

from symconv import variants
from symconv.derive import derive
from symconv.direct import loop_nest
from symconv.printing.verify import verification_dict, verification_text
from symconv.symbols import sym
from symconv.verify import degree_bounds, verify, verify_layer


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_every_variant_verifies(variant, dims):
    # The 3-D layers of the multi-program variants have 12 to 14 grid variables; a batch of 1 (and, transposed,
    # one group) halves their grids, and the 1-D and 2-D cases keep every variable.
    values = {"N": 1, "g": 1} if dims == 3 and variant in ("transposed", "spatial-separable") else None
    report = verify_layer(variants.make(variant, dims, values), samples=8)
    assert report.ok, verification_text(report)
    assert report.samples == 8
    # The grid has degree + 1 values for every variable, so its size is their product.
    expected = 1
    for values in report.grid.values.values():
        expected *= len(values)
    assert report.grid.points == expected


@pytest.mark.parametrize("bias", [True, False])
def test_verifies_with_bias_fixed_and_with_user_values(bias):
    k = sympy.Symbol("k", integer=True, positive=True)
    report = verify_layer(variants.separable(2, {"k_h": k, "k_w": k, "N": 1}, bias), samples=5)
    assert report.ok
    assert "k" in report.grid.variables and "b" not in report.grid.variables


def test_degree_bounds_come_from_the_loop_nest():
    bounds = degree_bounds(variants.standard(2))
    assert set(loop_nest(2)) >= {"N", "H_out", "W_out", "k_h", "k_w"}
    assert {str(v): d for v, d in bounds.items()} == {
        "N": 1, "C_in": 1, "C_out": 1, "H_out": 1, "W_out": 1, "k_h": 1, "k_w": 1, "b": 1}
    # A kernel written as k x k puts k in two loops: degree 2, so the grid takes three values of k.
    k = sympy.Symbol("k", integer=True, positive=True)
    square = degree_bounds(variants.standard(2, {"k_h": k, "k_w": k}))
    assert square[k] == 2


@pytest.mark.parametrize(("quantity", "wrong"), [
    ("flops", lambda e: e + sym("b") * sym("H_out")),           # an extra term that the samples may miss
    ("adds", lambda e: e + 1 - sym("b")),                       # the bias taken to cancel the -1 always
    ("mults", lambda e: e.subs(sym("k_w"), sym("k_h"))),       # k_h k_w taken for k_h^2
    ("params", lambda e: e - sym("b") * sym("C_out")),          # the bias forgotten
])
def test_a_wrong_closed_form_fails(quantity, wrong):
    d = derive(variants.standard(2))
    bad = dataclasses.replace(
        d,
        quantities={**d.quantities, quantity: wrong(d.quantities[quantity])},
        polynomials={**d.polynomials, quantity: sympy.expand(wrong(d.polynomials[quantity]))},
    )
    report = verify(bad, samples=10)
    assert not report.ok
    assert not report.grid.proven
    assert {m.quantity for m in report.grid.mismatches} == {quantity}
    assert "FAILED" in verification_text(report)
    assert verification_dict(report)["ok"] is False


def test_report_dict_shape():
    data = verification_dict(verify_layer(variants.pointwise(1), samples=2))
    assert data["ok"] is True
    assert set(data) == {"variant", "dims", "convention", "ok", "samples", "grid", "notes"}
    assert data["grid"]["proven"] is True


@pytest.mark.parametrize("tie", ["C_out=C_in", "C_out=2*C_in", "C_in=3*C_out"])
def test_channels_tied_to_each_other_stay_tied_per_group(tie):
    from symconv.parsing import parse_assignment

    name, value = parse_assignment(tie)
    layer = variants.grouped(2, {name: value})
    conv = layer.stages[0].conv
    # One per-group symbol carries both counts: the grid cannot vary them independently.
    per_group = (conv.in_per_group.free_symbols | conv.out_per_group.free_symbols) - {sym("g")}
    assert len(per_group) == 1
    assert verify_layer(layer, samples=4).ok


@pytest.mark.parametrize("fixed", [{"p_h": 1, "s_h": 1}, {"p_h": 3, "s_h": 1, "d_h": 1}])
def test_fixed_padding_moves_the_grid_to_sizes_that_exist(fixed):
    # Padding 1 and a 1-wide kernel cannot give one output: the grid's sizes start where every point is a layer.
    report = verify_layer(variants.standard(2, fixed), samples=4)
    assert report.ok, verification_text(report)
    assert min(report.grid.values["H_out"]) > 1


@pytest.mark.parametrize("values", [{"H_out": 10**5, "W_out": 10**5}, {"N": 10**12}, {"C_in": 10**5},
                                    {"k_h": 10**12}])
def test_layers_too_large_to_compute_are_refused_with_one_sentence(values):
    from symconv.errors import SymconvError

    with pytest.raises(SymconvError, match="would need"):
        verify_layer(variants.standard(2, values), samples=2)
