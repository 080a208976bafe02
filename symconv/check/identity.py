"""The grid identity: two polynomials too large to expand, proven equal by agreeing on a small grid.

A polynomial of degree at most ``t_i`` in variable ``i`` that vanishes on a grid of ``t_i + 1`` values per
variable is zero (Alon, Combinatorial Nullstellensatz, Lemma 2.1; docs/grid-proof.md). The degrees are read
from the structure of each side, without expanding:

>>> from symconv.symbols import sym
>>> C_in = sym("C_in")
>>> grid_identity((C_in + 1) ** 2, C_in**2 + 2 * C_in + 1, time.monotonic() + 1)
3
"""

from __future__ import annotations

import itertools
import math
import time

import sympy

from symconv.check.domain import B, low
from symconv.check.evaluate import Inexact, evaluator

__all__ = ["MAX_GRID", "grid_identity"]

#: The most points of a grid identity, the proof used when the normal form is out of reach.
MAX_GRID = 50_000


def _degree(expr: sympy.Basic, variable: sympy.Symbol) -> int | None:
    """A bound on the degree of ``expr`` in ``variable``, read from its structure without expanding; None
    when ``expr`` is not a polynomial in it."""
    if variable not in expr.free_symbols:
        return 0
    if isinstance(expr, sympy.Symbol):
        return 1
    if isinstance(expr, sympy.Add):
        degrees = [_degree(a, variable) for a in expr.args]
        return None if None in degrees else max(d for d in degrees if d is not None)
    if isinstance(expr, sympy.Mul):
        degrees = [_degree(a, variable) for a in expr.args]
        return None if None in degrees else sum(d for d in degrees if d is not None)
    if isinstance(expr, sympy.Pow) and isinstance(expr.exp, sympy.Integer) and expr.exp >= 0:
        base = _degree(expr.base, variable)
        return None if base is None else base * int(expr.exp)
    return None


def grid_identity(claimed: sympy.Expr, derived: sympy.Expr, deadline: float) -> int | None:
    """The points of a grid on which two polynomials agree, proving them equal; None when they are not
    both polynomials, the grid is too large, they differ somewhere on it, or time runs out.

    A polynomial of degree at most ``t_i`` in variable ``i`` that vanishes on a grid of ``t_i + 1`` values per
    variable is zero (Alon, Lemma 2.1). ``b`` takes its two values, its whole domain.
    """
    variables = sorted(claimed.free_symbols | derived.free_symbols, key=lambda s: s.name)
    axes_values = []
    for v in variables:
        degrees = (_degree(claimed, v), _degree(derived, v))
        if None in degrees:
            return None
        top = max(d for d in degrees if d is not None)
        axes_values.append((0, 1) if v == B else tuple(range(low(v), low(v) + top + 1)))
    if math.prod(len(a) for a in axes_values) > MAX_GRID:
        return None
    try:
        left, right = evaluator(claimed), evaluator(derived)
    except Inexact:
        return None
    points = 0
    for combo in itertools.product(*axes_values):
        point = dict(zip(variables, combo, strict=True))
        if left(point) != right(point):
            return None
        points += 1
        if points % 256 == 0 and time.monotonic() > deadline:
            return None
    return points

