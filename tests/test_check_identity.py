"""symconv.check.identity: polynomials too large to expand, proven equal or unequal on a grid."""

from __future__ import annotations

import sympy

from symconv.check import MAX_TERMS, equivalent, expansion_bound
from symconv.symbols import new_symbol


def test_polynomials_too_large_to_expand_are_proven_on_a_grid():
    xs = [new_symbol(f"x{i}") for i in range(15)]
    claimed = sympy.Mul(*(x + 1 for x in xs))
    derived = sympy.expand((xs[0] + 1) * (xs[1] + 1)) * sympy.Mul(*(x + 1 for x in xs[2:]))
    assert expansion_bound(derived - claimed) > MAX_TERMS
    v = equivalent(claimed, derived)
    assert v.status == "holds" and v.method.startswith("grid identity: both sides are polynomials, equal at all "
                                                       "32,768 points")
    v = equivalent(claimed + xs[3] * xs[7], derived)
    assert v.status == "fails" and v.counterexample.claimed - v.counterexample.derived == 1
