"""The smallest counterexample: points of the domain enumerated by increasing size until the sides differ.

>>> from symconv.symbols import sym
>>> C_in, C_out = sym("C_in"), sym("C_out")
>>> str(counterexample(C_in * C_out, C_in * C_out + C_in - C_out, time.monotonic() + 1))
'at C_in = 1, C_out = 2: claimed 2, derived 1'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction

import sympy

from symconv.check.domain import points
from symconv.check.evaluate import Inexact, evaluator
from symconv.check.verdict import Counterexample
from symconv.symbols import canonical_order

__all__ = ["MAX_POINTS", "counterexample"]

#: The most points the counterexample search evaluates.
MAX_POINTS = 200_000


def _search(claimed: sympy.Expr, derived: sympy.Expr, deadline: float,
            predicate: Callable[[Fraction, Fraction], bool]) -> tuple[dict[sympy.Symbol, int] | None, int]:
    """The first point (smallest first) where ``predicate(claimed, derived)``; and how many were tried."""
    variables = sorted(claimed.free_symbols | derived.free_symbols, key=lambda s: s.name)
    try:
        left, right = evaluator(claimed), evaluator(derived)
    except Inexact:
        return None, 0
    tried = 0
    for point in (points(variables) if variables else iter([{}])):
        tried += 1
        if tried > MAX_POINTS or (tried % 256 == 0 and time.monotonic() > deadline):
            break
        try:
            a, b = left(point), right(point)
        except (ZeroDivisionError, Inexact, ValueError):
            continue
        if predicate(a, b):
            return point, tried
        if not variables:
            break
    return None, tried


def counterexample(claimed: sympy.Expr, derived: sympy.Expr, deadline: float) -> Counterexample | None:
    """The smallest point where ``claimed`` and ``derived`` differ, found by ``deadline``; None if none was."""
    point, _ = _search(claimed, derived, deadline, lambda a, b: a != b)
    if point is None:
        return None
    left, right = Fraction(evaluator(claimed)(point)), Fraction(evaluator(derived)(point))
    order = {name: i for i, name in enumerate(canonical_order())}
    names = sorted(point, key=lambda s: (order.get(s.name, len(order)), s.name))
    return Counterexample({s.name: point[s] for s in names}, sympy.Rational(left.numerator, left.denominator),
                          sympy.Rational(right.numerator, right.denominator))

