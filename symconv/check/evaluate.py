"""Exact evaluation of an expression at a point, in Python integers and fractions: no floats, no printing, no
code generation. The counterexample search and the grid identity evaluate with it.

>>> from symconv.symbols import sym
>>> C_in = sym("C_in")
>>> evaluator(C_in / 2 + sympy.floor(C_in / 3))({C_in: 7})
Fraction(11, 2)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy

__all__ = ["Evaluator", "Inexact", "evaluator"]

#: A function from the values of the symbols to the value of an expression.
Evaluator = Callable[[Mapping[sympy.Symbol, int]], Fraction]

_FUNCTIONS: dict[type, Callable[..., Fraction]] = {
    sympy.floor: lambda x: Fraction(math.floor(x)),
    sympy.ceiling: lambda x: Fraction(math.ceil(x)),
    sympy.Abs: abs,
    sympy.Min: min,
    sympy.Max: max,
}


class Inexact(Exception):
    """A value the exact evaluator cannot compute in rationals (an irrational root)."""


def evaluator(expr: sympy.Basic) -> Evaluator:
    """A function computing ``expr`` exactly in Python fractions: no printing, no code generation."""
    # Python ints where the values are integers (faster), Fractions where a division makes them rational.
    if isinstance(expr, sympy.Integer):
        integer = int(expr)
        return lambda point: integer  # type: ignore[return-value]
    if isinstance(expr, sympy.Rational):
        value = Fraction(int(expr.p), int(expr.q))
        return lambda point: value
    if isinstance(expr, sympy.Symbol):
        return lambda point: point[expr]  # type: ignore[return-value]
    args = [evaluator(a) for a in expr.args]
    if isinstance(expr, sympy.Add):
        return lambda point: sum(f(point) for f in args)  # type: ignore[return-value]
    if isinstance(expr, sympy.Mul):
        return lambda point: math.prod(f(point) for f in args)  # type: ignore[return-value]
    if isinstance(expr, sympy.Pow):
        base = args[0]
        if isinstance(expr.exp, sympy.Integer):
            n = int(expr.exp)
            if n < 0:
                return lambda point: Fraction(base(point)) ** n
            return lambda point: base(point) ** n
        if isinstance(expr.exp, sympy.Rational):
            p, q = int(expr.exp.p), int(expr.exp.q)
            return lambda point: _root(base(point), q) ** p
    for kind, function in _FUNCTIONS.items():
        if isinstance(expr, kind):
            return lambda point: function(*(f(point) for f in args))
    raise Inexact(type(expr).__name__)


def _root(value: Fraction, q: int) -> Fraction:
    """The ``q``-th root of ``value``, when it is rational."""
    value = Fraction(value)
    if value < 0:
        raise Inexact("root of a negative number")
    num, den = round(value.numerator ** (1 / q)), round(value.denominator ** (1 / q))
    if num**q != value.numerator or den**q != value.denominator:
        raise Inexact("irrational root")
    return Fraction(num, den)

