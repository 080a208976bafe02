"""The symbolic normal form, where a claim is decided exactly: ``cancel(together(...))``, with ``b`` at its two
values, and a bound on the size of an expansion computed before attempting it.

>>> from symconv.symbols import sym
>>> C_out, b = sym("C_out"), sym("b")
>>> normal(b_reduced(b**2 * C_out - b * C_out))
0
"""

from __future__ import annotations

import sympy

from symconv.check.domain import B
from symconv.limits import expansion_bound

__all__ = ["MAX_TERMS", "b_reduced", "expansion_bound", "is_rational_function", "normal", "tidy"]

#: The most terms the expansion of a difference may have before the normal form is given up.
MAX_TERMS = 20_000


def normal(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` as one fraction, common factors cancelled: 0 exactly when ``expr`` is 0 as a rational function."""
    return sympy.cancel(sympy.together(expr))


def is_rational_function(expr: sympy.Expr) -> bool:
    """Sums, products and integer powers of symbols and rationals only: where the normal form decides."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            if not isinstance(node.exp, sympy.Integer):
                return False
        elif not isinstance(node, sympy.Add | sympy.Mul | sympy.Symbol | sympy.Rational):
            return False
    return True


def b_reduced(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` as ``e0 + b (e1 − e0)``: its values at ``b = 0`` and ``b = 1``, the only ones ``b`` takes."""
    if B not in expr.free_symbols:
        return expr
    at0, at1 = expr.xreplace({B: 0}), expr.xreplace({B: 1})
    return at0 + B * (at1 - at0)


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` in normal form, factored: how a difference is shown."""
    return sympy.factor(normal(expr))

