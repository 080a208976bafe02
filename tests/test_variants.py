"""symconv.variants: the layers of each variant, their stages and how values reach every stage."""

from __future__ import annotations

from symconv import variants
from symconv.symbols import sym


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
