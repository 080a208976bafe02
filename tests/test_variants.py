"""symconv.variants: the layers of each variant, their stages and how values reach every stage."""

from __future__ import annotations

import pytest

from symconv import variants
from symconv.errors import SpecError, UnknownVariantError
from symconv.symbols import axes, sym


def test_depthwise_and_separable_structure():
    dw = variants.depthwise(2).stages[0].conv
    assert dw.groups == sym("C_in") and dw.out_channels == sym("m") * sym("C_in")
    assert (dw.in_per_group, dw.out_per_group) == (1, sym("m"))
    first, second = (s.conv for s in variants.separable(2, bias=True, pointwise_bias=False).stages)
    assert second.in_channels == first.out_channels and second.in_size == first.out_size
    assert (first.bias, second.bias) == (1, 0)
    assert second.kernel == (1, 1) and second.stride == (1, 1)


def test_substitute_carries_computed_output_sizes_to_later_stages():
    layer = variants.separable(2).substitute({sym("H_in"): 9, sym("k_h"): 3, sym("s_h"): 2, sym("p_h"): 0,
                                              sym("d_h"): 1})
    assert layer.stages[0].conv.out_size[0] == 4 == layer.stages[1].conv.out_size[0]


# --- each variant's stage structure -------------------------------------------------------------------------

#: The stages of each variant, in order, and how each stage's groups, kernel and direction read.
STAGES = {
    "standard": ["standard"],
    "grouped": ["grouped"],
    "depthwise": ["depthwise"],
    "pointwise": ["pointwise"],
    "separable": ["depthwise", "pointwise"],
    "transposed": ["transposed"],
    "spatial-separable": ["{a}-axis"],  # one stage per axis
}


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_each_variant_has_its_stages(variant, dims):
    layer = variants.make(variant, dims)
    names = STAGES[variant]
    if names == ["{a}-axis"]:
        names = [f"{a}-axis" for a in axes(dims)]
    assert [stage.name for stage in layer.stages] == names
    assert layer.variant == variant and layer.dims == dims and layer.title.endswith("convolution")
    assert [stage.conv.transposed for stage in layer.stages] == [variant == "transposed"] * len(names)
    assert all(stage.conv.dims == dims for stage in layer.stages)
    # Each stage reads what the one before wrote.
    for before, after in zip(layer.stages[:-1], layer.stages[1:], strict=True):
        assert after.conv.in_channels == before.conv.out_channels


@pytest.mark.parametrize(("variant", "groups", "out_channels"), [
    ("standard", 1, sym("C_out")),
    ("grouped", sym("g"), sym("C_out")),
    ("depthwise", sym("C_in"), sym("m") * sym("C_in")),
    ("pointwise", 1, sym("C_out")),
    ("transposed", sym("g"), sym("C_out")),
])
def test_the_groups_and_output_channels_of_each_one_stage_variant(variant, groups, out_channels):
    (stage,) = variants.make(variant, 2).stages
    assert (stage.conv.groups, stage.conv.out_channels, stage.conv.in_channels) == (groups, out_channels, sym("C_in"))


def test_a_pointwise_convolution_is_one_tap_without_padding_and_keeps_its_stride():
    conv = variants.pointwise(2).stages[0].conv
    assert conv.kernel == (1, 1) and conv.padding == (0, 0) and conv.dilation == (1, 1)
    assert conv.stride == (sym("s_h"), sym("s_w"))


def test_a_spatially_separable_convolution_takes_one_axis_per_stage():
    first, second = (stage.conv for stage in variants.spatial_separable(2).stages)
    assert first.kernel == (sym("k_h"), 1) and second.kernel == (1, sym("k_w"))
    assert first.stride == (sym("s_h"), 1) and second.stride == (1, sym("s_w"))
    assert first.padding == (sym("p_h"), 0) and second.padding == (0, sym("p_w"))
    assert (first.in_channels, first.out_channels, second.out_channels) == (sym("C_in"), sym("C_out"), sym("C_out"))
    # The first stage shrinks the height alone, the second the width.
    assert first.in_size == (sym("H_in"), sym("W_in")) and first.out_size == (sym("H_out"), sym("W_in"))
    assert second.in_size == (sym("H_out"), sym("W_in")) and second.out_size == (sym("H_out"), sym("W_out"))


@pytest.mark.parametrize(("bias", "flag"), [(None, sym("b")), (True, 1), (False, 0)])
@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_the_bias_flag_of_every_stage(variant, bias, flag):
    assert [stage.conv.bias for stage in variants.make(variant, 1, bias=bias).stages] == \
        [flag] * len(variants.make(variant, 1).stages)


def test_values_reach_every_stage():
    first, second = (stage.conv for stage in variants.separable(2, {"C_in": 8, "m": 2, "C_out": 5}).stages)
    assert (first.groups, first.out_channels, second.in_channels, second.out_channels) == (8, 16, 16, 5)
    layer = variants.separable(1).substitute({sym("C_in"): 3, sym("m"): 2})
    assert layer.stages[1].conv.in_channels == 6 and sym("C_in") not in layer.free_symbols


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: variants.make("dense"), UnknownVariantError,
     "unknown variant 'dense' (known: standard, grouped, depthwise, pointwise, separable, transposed, "
     "spatial-separable)"),
    (lambda: variants.make("standard", 4), SpecError, "dims must be 1, 2 or 3, not 4"),
    (lambda: variants.make("pointwise", 2, padding="same"), SpecError, "a pointwise convolution has no padding"),
    (lambda: variants.make("transposed", 2, padding="valid"), SpecError, "a padding mode applies to a forward"),
    (lambda: variants.standard(2, {"p_h": 1}, padding="same"), SpecError,
     "the padding mode 'same' sets the padding; do not also give p_h"),
])
def test_bad_layers_are_refused_in_one_sentence(call, error, message):
    with pytest.raises(error) as refused:
        call()
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


def test_make_builds_what_the_constructor_builds():
    for name, constructor in variants.VARIANTS.items():
        assert variants.make(name, 2, {"N": 1}, True) == constructor(2, {"N": 1}, True)
    assert variants.make("standard", 1, padding="same") == variants.standard(1, padding="same")
