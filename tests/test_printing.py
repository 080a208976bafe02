"""Printers: the same bytes on every run and hash seed, paper notation, and JSON of the documented shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sympy

from symconv import variants
from symconv.compare import compare
from symconv.derive import derive
from symconv.printing import FORMATS, render
from symconv.printing.exprs import latex_expr, text_expr
from symconv.printing.sections import latex_text
from symconv.quantities import LAYER
from symconv.symbols import sym

_SCRIPT = (
    "import sys; from symconv import variants; from symconv.derive import derive; "
    "from symconv.printing import render; "
    "sys.stdout.write(''.join(render(derive(variants.make(v, 2)), f) for v in variants.VARIANTS "
    "for f in ('latex', 'markdown', 'text', 'json')))"
)


def test_output_is_identical_across_hash_seeds():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, check=True)
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_paper_notation_and_order():
    d = derive(variants.standard(2, {"N": 1}, bias=True))
    assert latex_expr(d.quantities["flops"]) == (
        r"2 C_{\mathrm{in}} k_{h} k_{w} H_{\mathrm{out}} W_{\mathrm{out}} C_{\mathrm{out}}")
    assert text_expr(d.quantities["params"]) == "C_out*(C_in*k_h*k_w + 1)"
    # The relation of the output size reads as it is written in papers.
    assert text_expr(d.steps[0].rhs[0]) == "floor((H_in + 2*p_h - d_h*(k_h - 1) - 1)/s_h) + 1"


def test_element_is_printed_as_nested_sums():
    latex = render(derive(variants.standard(2)), "latex")
    assert r"\sum_{c=0}^{C_{\mathrm{in}} - 1} \sum_{i=0}^{k_{h} - 1} \sum_{j=0}^{k_{w} - 1}" in latex
    assert r"{x}_{n,c,s_{h} u + d_{h} i - p_{h},s_{w} v + d_{w} j - p_{w}}" in latex
    assert latex.count(r"\begin{align*}") == latex.count(r"\end{align*}") and latex.rstrip().endswith(r"\end{align*}")
    assert r"\intertext" not in latex


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_every_format_renders_every_variant(variant, fmt):
    text = render(derive(variants.make(variant, 3)), fmt)
    assert text.endswith("\n") and "flops" in text


def test_json_shape_and_values():
    values = {"N": 1, "C_in": 3, "C_out": 8, "k_h": 3, "k_w": 3, "H_in": 5, "W_in": 5, "s_h": 1, "s_w": 1,
              "p_h": 0, "p_w": 0, "d_h": 1, "d_w": 1}
    data = json.loads(render(derive(variants.standard(2, values, bias=False)), "json"))
    assert data["variant"] == "standard" and data["convention"] == "exact"
    assert set(data["quantities"]) == set(LAYER)
    assert data["quantities"]["mults"] == {"expr": str(8 * 9 * 3 * 9), "latex": "1944", "value": 1944}
    assert data["quantities"]["adds"]["value"] == 8 * 9 * (27 - 1)
    assert data["sizes"]["H_out"]["value"] == 3
    symbolic = json.loads(render(derive(variants.grouped(2)), "json"))
    flops = symbolic["quantities"]["flops"]
    assert flops["value"] is None
    # expr is SymPy-parseable text in the documented names.
    parsed = sympy.parse_expr(flops["expr"], local_dict={n: sym(n) for n in ("N", "C_in", "C_out", "H_out",
                                                                             "W_out", "k_h", "k_w", "g", "b")})
    assert sympy.expand(parsed - derive(variants.grouped(2)).quantities["flops"]) == 0
    assert all({"title", "rule", "lhs", "rhs", "latex"} <= set(step) for step in symbolic["steps"])


def test_comparison_renders():
    c = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)))
    text = render(c, "text")
    assert "1/C_out" in text
    assert "versus standard convolution" in render(c, "markdown")


def test_latex_text_escapes_prose():
    assert latex_text("C_out & 50% #1 {x}") == r"C\_out \& 50\% \#1 \{x\}"


def test_jupyter_display():
    assert derive(variants.pointwise(1))._repr_latex_().startswith("$$")
