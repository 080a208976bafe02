"""symconv.verify.realise: the grid proof when the geometry given ties the sizes together: realised by the variant with
its geometry free, and still catching a wrong closed form."""

from __future__ import annotations

import dataclasses

import pytest

from symconv import variants
from symconv.cli import main
from symconv.derive import derive
from symconv.symbols import sym
from symconv.verify import verify, verify_layer


@pytest.mark.parametrize("argv", [
    ["spatial-separable", "--padding", "same", "--samples", "0"],
    ["standard", "--padding", "valid", "--set", "H_in=2"],
    ["standard", "--set", "s_w=max(k,3)"],
])
def test_valid_layers_with_pinned_geometry_verify(capsys, argv):
    assert main(["verify", *argv]) == 0
    assert "verdict: VERIFIED" in capsys.readouterr().out


def test_a_wrong_closed_form_still_fails_when_the_geometry_is_freed():
    layer = variants.standard(2, {"H_in": 2, "p_h": 0, "p_w": 0})
    derivation = derive(layer)
    report = verify(derivation, samples=0)
    assert report.ok and report.grid.free_geometry
    wrong = dict(derivation.polynomials)
    wrong["mults"] = wrong["mults"] + sym("k_h") * (sym("k_h") - 1)  # zero at k_h = 1 only
    planted = dataclasses.replace(derivation, polynomials=wrong)
    failed = verify(planted, samples=0)
    assert not failed.ok and any(m.quantity == "mults" for m in failed.grid.mismatches)


def test_a_layer_made_without_a_recipe_has_no_free_geometry():
    layer = variants.standard(2, {"H_in": 2})
    assert layer.with_free_geometry() is not None
    assert variants.Layer(layer.variant, layer.title, layer.stages).with_free_geometry() is None
    # The freed layer keeps the kernel and channels and frees the rest.
    freed = variants.standard(2, {"H_in": 2, "k_h": 3, "s_h": 2}).with_free_geometry()
    conv = freed.stages[0].conv
    assert conv.kernel[0] == 3 and conv.in_size[0] == sym("H_in") and conv.stride[0] == sym("s_h")
    assert verify_layer(variants.standard(1, {"L_in": 3, "p_l": 0}, bias=False), samples=2).ok
