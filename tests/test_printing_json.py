"""symconv.printing.json: the JSON of a derivation, of the documented shape."""

from __future__ import annotations

import json

import sympy

from symconv import variants
from symconv.derive import derive
from symconv.printing import render
from symconv.quantities import LAYER
from symconv.symbols import sym


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
