"""Text for people: Unicode math, no SymPy internals, the answer first, lines wrapped, steps chosen by --steps."""

from __future__ import annotations

import json
import re

import pytest
import sympy

from symconv import variants
from symconv.cli import main
from symconv.compare import compare
from symconv.derive import derive
from symconv.printing import render
from symconv.printing.unicode import unicode_expr
from symconv.printing.wrap import wrap_equation
from symconv.symbols import new_symbol, sym

#: What SymPy's own printer leaves in text that a reader would not paste.
INTERNALS = re.compile(r"Subs\(|Sum\(|Max\(|Min\(|floor\(|ceiling\(|\*\*|ValidPairs|Covered\(|Hit\(|PaddedTaps")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
@pytest.mark.parametrize("steps", ["brief", "full"])
def test_no_sympy_internals_in_text(variant, steps):
    for convention in ("exact", "performed"):
        text = render(derive(variants.make(variant, 2), convention), "text", steps=steps)
        assert not INTERNALS.findall(text), text
        assert max(len(line) for line in text.splitlines()) <= 100


def test_unicode_math_reads_as_the_article_writes():
    k = new_symbol("k")
    assert unicode_expr(sym("C_in") / sym("g")) == "C_in/g"
    assert unicode_expr(1 / sym("C_out") + 1 / k**2) == "1/C_out + 1/k²"
    assert unicode_expr(2 * k**2 * sym("C_in")) == "2C_in·k²"
    assert unicode_expr(sym("C_out") * (k**2 + sym("C_in"))) == "C_out·(k² + C_in)"
    assert unicode_expr(sympy.floor(sym("H_in") / 2)) == "⌊H_in/2⌋"
    assert unicode_expr(sympy.Rational(3, 4) * sym("C_in")) == "3C_in/4"
    assert unicode_expr(sym("H_in") - 1) == "H_in − 1"
    assert unicode_expr(sympy.Ge(sym("H_in"), 3)) == "H_in ≥ 3"


def test_quick_start_fits_one_screen_and_gives_the_answer_first(capsys):
    out = _run(capsys, "compare", "separable", "standard", "--set", "k_h=k", "--set", "k_w=k", "--set", "m=1")
    lines = out.splitlines()
    assert len(lines) <= 30 and max(len(line) for line in lines) <= 100
    assert lines[3] == "Ratios:" and lines[7] == "  mults = 1/C_out + 1/k²"
    assert "    at b = 0: 1/C_out + 1/k²" in lines
    assert not INTERNALS.findall(out)


def test_substitutions_read_at_b(capsys):
    out = _run(capsys, "derive", "standard", "--steps", "full")
    assert "  at b = 1: flops = 2C_in·k_h·k_w" in out


def test_brief_shows_padding_aware_counts_only_when_flops_skip_the_padding(capsys):
    brief = _run(capsys, "derive", "standard")
    full = _run(capsys, "derive", "standard", "--steps", "full")
    performed = _run(capsys, "derive", "standard", "--convention", "performed")
    assert "Padding-aware counts:" not in brief
    assert "Padding-aware counts:" in full and "Padding-aware counts:" in performed
    assert "Σ[j < k_h] max(0" in full and "Σ[j < k_h]" not in performed  # brief: V as the count it is
    assert len(brief.splitlines()) < len(full.splitlines())


def test_steps_none_prints_the_closed_forms_alone(capsys):
    out = _run(capsys, "derive", "pointwise", "--dims", "1", "--no-bias", "--steps", "none")
    assert out.splitlines()[3:] == ["Closed forms:", "  params = C_in·C_out", "  mults = N·C_in·L_out·C_out",
                                    "  adds = N·L_out·C_out·(C_in − 1)", "  flops = N·L_out·C_out·(2C_in − 1)",
                                    "  macs = N·C_in·L_out·C_out"]


def test_quantity_prints_one_count_in_every_format(capsys):
    args = ["derive", "separable", "--bias", "--set", "m=1", "--quantity", "flops"]
    assert _run(capsys, *args) == "  flops = 2N·C_in·H_out·W_out·(k_h·k_w + C_out)\n"
    data = json.loads(_run(capsys, *args, "--format", "json"))
    assert list(data) == ["flops"] and data["flops"]["expr"] == "2*N*C_in*H_out*W_out*(k_h*k_w + C_out)"
    assert _run(capsys, *args, "--format", "latex").count(r"\mathrm{flops} &=") == 1
    assert _run(capsys, *args, "--quantity", "performed_mults").count(" = ") == 2


def test_json_keeps_parseable_text(capsys):
    data = json.loads(_run(capsys, "derive", "standard", "--format", "json", "--steps", "none"))
    assert data["quantities"]["flops"]["expr"] == "N*H_out*W_out*C_out*(2*C_in*k_h*k_w + b - 1)"
    assert data["steps"]  # JSON has every step whatever --steps says


def test_lines_wrap_at_operators_under_the_right_side():
    text = wrap_equation("adds = ", "a + b + c + (d + e)", width=40)
    assert text == "adds = a + b + c + (d + e)"
    narrow = wrap_equation("x = ", " + ".join(f"term{i}" for i in range(20)), width=40).splitlines()
    assert all(len(line) <= 40 for line in narrow) and all(line.startswith("    + ") for line in narrow[1:])


def test_comparison_brief_keeps_the_quotients(capsys):
    c = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)), quantities=["mults"])
    text = render(c, "text", steps="brief")
    assert "Ratios of the closed forms:" in text and "at b" not in text
