"""The printers of derivations and comparisons (symconv.printing): every format renders every variant."""

from __future__ import annotations

import pytest

from symconv import variants
from symconv.compare import compare
from symconv.derive import derive
from symconv.printing import FORMATS, render


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_every_format_renders_every_variant(variant, fmt):
    text = render(derive(variants.make(variant, 3)), fmt)
    assert text.endswith("\n") and "flops" in text


def test_comparison_renders():
    c = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)))
    text = render(c, "text")
    assert "1/C_out" in text
    assert "versus standard convolution" in render(c, "markdown")
