"""symconv.verify.bounds: the degree bounds of the grid proof, read from the loop nest."""

from __future__ import annotations

import sympy

from symconv import variants
from symconv.direct import loop_nest
from symconv.verify import degree_bounds


def test_degree_bounds_come_from_the_loop_nest():
    bounds = degree_bounds(variants.standard(2))
    assert set(loop_nest(2)) >= {"N", "H_out", "W_out", "k_h", "k_w"}
    assert {str(v): d for v, d in bounds.items()} == {
        "N": 1, "C_in": 1, "C_out": 1, "H_out": 1, "W_out": 1, "k_h": 1, "k_w": 1, "b": 1}
    # A kernel written as k x k puts k in two loops: degree 2, so the grid takes three values of k.
    k = sympy.Symbol("k", integer=True, positive=True)
    square = degree_bounds(variants.standard(2, {"k_h": k, "k_w": k}))
    assert square[k] == 2
