"""Network analyses and verification reports show a one-line summary as their repr, not a dump of their fields;
a network's rounding rule is printed in the Unicode conventions of the rest of the text output."""

from __future__ import annotations

from symconv import variants
from symconv.network import Rounding, analyse, builtin
from symconv.printing.network import render, rounding_text
from symconv.printing.sections import latex_text
from symconv.verify import verify_layer


def test_an_analysis_repr_is_one_short_line():
    text = repr(analyse(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}))
    assert text == "<Analysis mobilenet_v1, exact convention: macs = 568740352>"
    symbolic = repr(analyse(builtin("resnet50"), {}))
    assert symbolic.startswith("<Analysis resnet50, exact convention: macs = ") and len(symbolic) <= 160


def test_a_report_repr_is_one_short_line():
    assert repr(verify_layer(variants.standard(1, bias=False), samples=2)) == "<Report standard 1-D: VERIFIED>"


def test_the_floor_rounding_is_printed_with_floor_brackets():
    out = render(analyse(builtin("mobilenet_v1"), {"alpha": "1/2"}), "table")
    assert "max(⌊c·α⌋, 8)" in out and "floor(" not in out
    assert rounding_text(Rounding("floor", minimum=4)) == "channels max(⌊c·α⌋, 4) (TF-slim MobileNetV1's depth rule)"
    assert latex_text("⌊c⌋ ⌈c⌉") == r"$\lfloor$c$\rfloor$ $\lceil$c$\rceil$"
