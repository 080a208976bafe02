"""symconv.verify.run: every variant, convention and geometry verified (samples and grid proof against the
direct count), and a wrong closed form caught."""

from __future__ import annotations

import dataclasses

import pytest
import sympy
from commandline import run

from symconv import variants
from symconv.derive import derive
from symconv.printing.verify import verification_dict, verification_text
from symconv.symbols import sym
from symconv.verify import verify, verify_layer


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


def test_verify_passes_for_the_new_variants_and_conventions():
    for layer, convention in [(variants.transposed(1, {"g": 1}), "input-grid"),
                              (variants.transposed(1), "output-grid"),
                              (variants.spatial_separable(2, {"N": 1}), "exact"),
                              (variants.separable(1, {"d_l": 2}), "performed"),
                              (variants.standard(1, {"s_l": 1}, padding="same"), "performed"),
                              (variants.separable(2, {"N": 1}, padding="same"), "performed"),
                              (variants.separable(1, {"pe_l": 1}), "exact"),
                              (variants.spatial_separable(2, {"N": 1, "pe_h": 2, "pe_w": 0}), "performed")]:
        report = verify_layer(layer, convention, samples=6)
        assert report.ok, convention
    report = verify_layer(variants.standard(1), "performed", samples=4)
    assert set(report.grid.piecewise) >= {"performed_mults", "performed_adds", "flops"}


@pytest.mark.parametrize(("variant", "values"), [
    ("standard", {"k_h": 1, "k_w": 7}),  # an asymmetric kernel
    ("grouped", {"k_d": 3, "k_h": 1, "k_w": 5, "pe_w": 1}),  # asymmetric kernel and padding, 3-D
    ("separable", {"d_h": 2, "d_w": 3}),  # dilated depthwise separable
])
def test_asymmetric_kernels_and_dilated_separable_derive_generate_and_verify(capsys, variant, values):
    dims = 3 if "k_d" in values else 2
    layer = variants.make(variant, dims, {"N": 1, **values})
    assert verify_layer(layer, samples=4).ok
    argv = ["codegen", variant, "--dims", str(dims), "--set", "N=1"]
    for name, value in values.items():
        argv += ["--set", f"{name}={value}"]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "def flops(" in out


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
