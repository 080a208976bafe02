"""symconv.printing.exprs: expressions in paper notation and order."""

from __future__ import annotations

from symconv import variants
from symconv.derive import derive
from symconv.printing.exprs import latex_expr, text_expr


def test_paper_notation_and_order():
    d = derive(variants.standard(2, {"N": 1}, bias=True))
    assert latex_expr(d.quantities["flops"]) == (
        r"2 C_{\mathrm{in}} k_{h} k_{w} H_{\mathrm{out}} W_{\mathrm{out}} C_{\mathrm{out}}")
    assert text_expr(d.quantities["params"]) == "C_out*(C_in*k_h*k_w + 1)"
    # The relation of the output size reads as it is written in papers.
    assert text_expr(d.steps[0].rhs[0]) == "floor((H_in + 2*p_h - d_h*(k_h - 1) - 1)/s_h) + 1"
