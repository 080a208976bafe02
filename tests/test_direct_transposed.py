"""symconv.direct.transposed: the scatter of a transposed convolution counts the contributions that land."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from strategies import transposed_cases, unit_stride_transposed_axes

from symconv.direct import conv_transpose_direct, conv_transpose_reference


@settings(max_examples=40)
@given(transposed_cases(dims=1))
def test_transposed_additions_count_contributions_per_output_element(case):
    _, values = case
    x = np.ones((1, values["C_in"], values["L_in"]), dtype=int)
    w = np.ones((values["C_in"], values["C_out"] // values["g"], values["k_l"]), dtype=int)
    bias = np.zeros(values["C_out"], dtype=int) if values["b"] else None
    options = {"stride": values["s_l"], "padding": values["p_l"], "dilation": values["d_l"],
               "output_padding": values["op_l"], "groups": values["g"]}
    r = conv_transpose_direct(x, w, bias, **options)
    # With ones everywhere the output is the number of contributions of each element.
    contributions = conv_transpose_reference(x, w, **options).ravel()
    expected = sum(c - 1 + values["b"] for c in contributions if c > 0)
    assert r.adds == expected and r.mults == contributions.sum()


@settings(max_examples=60)
@given(unit_stride_transposed_axes())
def test_landed_products_of_a_unit_stride_transposed_convolution(axis):
    """By the symmetry, the regime s = d = 1, p <= k - 1 of V holds for the landed products: k A_in - p(p + 1)
    per axis, while A_in >= p."""
    size, k, p = axis
    x, w = np.ones((1, 1, size), dtype=int), np.ones((1, 1, k), dtype=int)
    assert conv_transpose_direct(x, w, padding=p).mults == k * size - p * (p + 1)
