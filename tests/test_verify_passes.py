"""symconv.verify.passes: property tests of the backward pass and the training step: for every variant and geometry,
each closed form (the pass's, its padding-aware counts and every part's) equals the direct count of the backward
counters, in both modes; and the grid proves the polynomial ones for all sizes."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from strategies import GRAD_CHOICES, numeric_passes, symbolic_geometry

from symconv import variants
from symconv.passes import derive_pass
from symconv.verify import verify_layer
from symconv.verify.passes import check_pass, pass_exprs


@settings(max_examples=80)
@given(numeric_passes())
def test_every_closed_form_equals_the_direct_count(case):
    _, _, _, layer, chosen, grads = case
    derivation = derive_pass(layer, pass_=chosen, grad=grads)
    exprs = pass_exprs(derivation)
    assert all(e.is_Integer for e in exprs.values())
    for mode in ("vectorized", "scalar"):
        assert check_pass(exprs, derivation, {}, layer, "test", {}, mode) == []


@settings(max_examples=25)
@given(numeric_passes())
def test_every_convention_of_a_pass_is_counted(case):
    _, _, _, layer, chosen, grads = case
    for convention in ("macs", "2macs", "performed"):
        derivation = derive_pass(layer, convention, pass_=chosen, grad=grads)
        assert check_pass(pass_exprs(derivation), derivation, {}, layer, "test", {}, "vectorized") == []


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
@pytest.mark.parametrize("chosen", ["backward", "training"])
def test_every_variant_verifies_on_samples_and_grid(variant, chosen):
    report = verify_layer(variants.make(variant, 1), pass_=chosen, samples=6)
    assert report.ok, report.sample_mismatches or report.grid.mismatches


@settings(max_examples=8, deadline=None)
@given(symbolic_geometry())
def test_with_fixed_geometry_the_grid_proves_more(case):
    variant, dims, fixed = case
    # With the geometry fixed, the grid cannot realise every point of a layer whose grid variables include an
    # input size tied to an output size (a transposed convolution's, a spatially separable one's second axis);
    # the forward grid proof has the same limit, which the default symbolic geometry avoids.
    assume(variant != "transposed" and (variant != "spatial-separable" or dims == 1))
    layer = variants.make(variant, dims, fixed)
    for grads in (GRAD_CHOICES[-1], ("weight", "bias")):
        report = verify_layer(layer, pass_="backward", grad=grads, samples=3)
        assert report.ok
        axes = {1: "l", 2: "hw"}[dims]
        if variant != "pointwise" and all(fixed.get(f"s_{a}") == 1 for a in axes):
            assert "grad_input.adds" not in report.grid.piecewise  # every input read: a polynomial


def test_counts_in_the_input_sizes_verify_on_the_samples():
    report = verify_layer(variants.grouped(1), pass_="backward", sizes="input", samples=8)
    assert report.ok and any("input sizes" in note for note in report.notes)
