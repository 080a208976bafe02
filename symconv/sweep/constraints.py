"""The constraints a sweep keeps its points by: comparisons of counts and symbols, read safely and decided
exactly.

A constraint is ``LEFT OP RIGHT`` (``OP`` one of ``<= < >= > == !=``, chains such as ``1e8 <= macs <= 3e8``
allowed), each side a formula of :mod:`symconv.parsing` in the counts and the symbols of the space: sums,
products, quotients and integer powers of them and of numbers, a number possibly in scientific notation
(``300e6``, exactly 300,000,000).

>>> macs = read_constraints("macs <= 300e6", {"macs": 1})[0]
>>> macs.holds({"macs": np.array([299_999_999, 300_000_000, 300_000_001])})
array([ True,  True, False])

Deciding it is exact, never rounded: ``LEFT - RIGHT`` is brought to one quotient of polynomials, and each is
multiplied by the positive integer that makes its coefficients integers and its variables integers (an axis
of fractions with denominator ``d`` gives its numerators ``d*value``). The sign of an integer polynomial is
then computed in int64 when a bound on its terms from the variables' largest values proves it fits, else in
Python ints. A polynomial of one variable, to the first degree, is one comparison of that variable with an
exact threshold:

>>> ratio = read_constraints("4*alpha/3 > 1", {"alpha": 8})[0]  # alpha's values are numerators over 8
>>> ratio.holds({"alpha": np.array([6, 7])})  # 4*(6/8)/3 = 1 is not > 1; 4*(7/8)/3 is
array([False,  True])
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import sympy

from symconv.errors import FormulaError, SymconvError, did_you_mean
from symconv.parsing import LIMITS, parse_text

__all__ = ["OPERATORS", "Constraint", "IntegerPolynomial", "read_constraints"]

#: The comparisons a constraint may make, as it writes them.
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq, "!=": operator.ne}

_SPLIT = re.compile(r"(<=|>=|==|!=|<|>)")
_SCIENTIFIC = re.compile(r"(?<![\w.])([0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE]([+-]?[0-9]+)(?![\w.])")
_FLIPPED = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "==", "!=": "!="}
_INT64 = 2**63 - 1


def _scientific(text: str) -> str:
    """``300e6`` as ``300000000``, ``2.5e-3`` as ``(1/400)``: exact numbers the formula reader takes."""
    def exact(match: re.Match[str]) -> str:
        exponent = int(match.group(2))
        if abs(exponent) > LIMITS.max_digits:
            raise FormulaError(f"{match.group()}: an exponent of at most {LIMITS.max_digits} digits' worth, please")
        value = Fraction(match.group(1)) * Fraction(10) ** exponent
        return str(value.numerator) if value.denominator == 1 else f"({value.numerator}/{value.denominator})"

    return _SCIENTIFIC.sub(exact, text)


@dataclass(frozen=True)
class IntegerPolynomial:
    """An integer polynomial in named integer columns: ``terms`` pairs each coefficient with its powers."""

    terms: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for _, powers in self.terms for name, _ in powers)

    def linear(self) -> tuple[str, int, int] | None:
        """``(x, a, b)`` when the polynomial is ``a*x + b`` with ``a != 0``, else None."""
        if len(self.names) != 1:
            return None
        a = b = 0
        for coefficient, powers in self.terms:
            if not powers:
                b += coefficient
            elif powers[0][1] == 1:
                a += coefficient
            else:
                return None
        return (next(iter(self.names)), a, b) if a else None

    def evaluate(self, columns: Mapping[str, np.ndarray], length: int) -> np.ndarray:
        """The exact value at every row: int64 when the terms' bound fits, else Python ints."""
        largest = {name: _largest(columns[name]) for name in self.names}
        bound = sum(abs(c) * math.prod(largest[n] ** k for n, k in powers) for c, powers in self.terms)
        dtype = np.int64 if bound <= _INT64 else object
        total = np.zeros(length, dtype=dtype)
        for coefficient, powers in self.terms:
            term = np.full(length, coefficient, dtype=dtype)
            for name, power in powers:
                column = np.asarray(columns[name]).astype(dtype, copy=False)
                for _ in range(power):
                    term *= column
            total += term
        return total


def _largest(column: np.ndarray) -> int:
    column = np.asarray(column)
    if column.size == 0:
        return 0
    if column.dtype == object:
        return max(abs(int(v)) for v in column.flat)
    return max(abs(int(column.max())), abs(int(column.min())))


@dataclass(frozen=True)
class Constraint:
    """One comparison ``left OP right``: ``holds`` decides it at every row of integer columns, each variable
    ``v`` given as ``scales[v] * v`` (its numerators)."""

    text: str
    left: sympy.Expr
    op: str
    right: sympy.Expr
    numerator: IntegerPolynomial
    denominator: IntegerPolynomial

    @property
    def names(self) -> frozenset[str]:
        return self.numerator.names | self.denominator.names

    def holds(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        length = len(next(iter(columns.values()))) if columns else 1
        op = self.op
        if not self.denominator.names:  # a constant denominator: its sign turns the comparison around
            (constant, _), = self.denominator.terms
            if constant < 0:
                op = _FLIPPED[op]
            linear = self.numerator.linear()
            if linear is not None:
                return _threshold(columns[linear[0]], *linear[1:], op)
            value = np.sign(self.numerator.evaluate(columns, length))
        else:
            denominator = self.denominator.evaluate(columns, length)
            if (denominator == 0).any():
                raise SymconvError(f"{self.text}: divides by zero")
            value = np.sign(self.numerator.evaluate(columns, length)) * np.sign(denominator)
        return np.asarray(OPERATORS[op](value.astype(np.int64), 0), dtype=bool)


def _threshold(column: np.ndarray, a: int, b: int, op: str) -> np.ndarray:
    """``a*x + b OP 0`` as one comparison of ``x`` with an exact integer threshold."""
    if a < 0:
        a, b, op = -a, -b, _FLIPPED[op]
    bound = Fraction(-b, a)  # x OP bound
    floor, ceil = math.floor(bound), math.ceil(bound)
    column = np.asarray(column)
    if op == "==" or op == "!=":
        if bound.denominator != 1:
            return np.full(column.shape, op == "!=")
        return np.asarray(OPERATORS[op](column, _clamped(column, floor)), dtype=bool)
    least = {"<=": None, "<": None, ">=": ceil, ">": floor + 1}[op]
    most = {"<=": floor, "<": ceil - 1, ">=": None, ">": None}[op]
    if least is not None:
        return np.asarray(column >= _clamped(column, least), dtype=bool)
    return np.asarray(column <= _clamped(column, most), dtype=bool)


def _clamped(column: np.ndarray, value: int | None) -> object:
    # An int64 column compared with a threshold beyond int64 compares with the nearest int64 instead: the same
    # answer at every value the column can hold.
    assert value is not None
    if column.dtype == object:
        return value
    return max(-_INT64 - 1, min(_INT64, value))


def read_constraints(text: str, scales: Mapping[str, int],
                     fixed: Mapping[str, Fraction] | None = None) -> tuple[Constraint, ...]:
    """The comparisons of ``text`` in the variables of ``scales`` (each its denominator: 1 for a count or an
    integer symbol) and the ``fixed`` symbols, which are replaced by their values.

    >>> [(c.op, c.numerator.linear()) for c in read_constraints("1 < k <= 5", {"k": 1})]
    [('<', ('k', -1, 1)), ('<=', ('k', 1, -5))]
    """
    fixed = dict(fixed or {})
    parts = _SPLIT.split(text)
    if len(parts) < 3:
        hint = " (equality is ==)" if "=" in text else ""
        raise SymconvError(f"{text!r}: a constraint compares two sides with <=, <, >=, >, == or !={hint}")
    sides = [_side(text, part, scales, fixed) for part in parts[::2]]
    return tuple(_constraint(text, left, op, right, scales)
                 for left, op, right in zip(sides, parts[1::2], sides[1:], strict=False))


def _side(text: str, part: str, scales: Mapping[str, int], fixed: Mapping[str, Fraction]) -> sympy.Expr:
    if "=" in part:
        raise SymconvError(f"{text!r}: '=' is not a comparison; equality is ==")
    if not part.strip():
        raise SymconvError(f"{text!r}: a comparison needs a formula on each side")
    expr = parse_text(_scientific(part))
    known = [*scales, *fixed]
    for symbol in sorted(expr.free_symbols, key=str):
        if symbol.name not in known:
            raise SymconvError(f"{text!r}: {symbol.name} is neither a count nor a symbol of the sweep"
                               f"{did_you_mean(symbol.name, known)}")
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow) and not node.exp.is_Integer:
            raise SymconvError(f"{text!r}: a constraint takes integer powers only, not {node}")
        if not isinstance(node, sympy.Add | sympy.Mul | sympy.Pow | sympy.Symbol | sympy.Rational):
            raise SymconvError(f"{text!r}: a constraint is made of + - * / and integer powers; "
                               f"{type(node).__name__.lower()} is not allowed")
    values = {s: sympy.Rational(fixed[s.name].numerator, fixed[s.name].denominator)
              for s in expr.free_symbols if s.name in fixed}
    return expr.xreplace(values)


def _constraint(text: str, left: sympy.Expr, op: str, right: sympy.Expr, scales: Mapping[str, int]) -> Constraint:
    numerator, denominator = sympy.fraction(sympy.together(left - right))
    return Constraint(text, left, op, right, _integral(numerator, scales), _integral(denominator, scales))


def _integral(expr: sympy.Expr, scales: Mapping[str, int]) -> IntegerPolynomial:
    """``expr`` times the positive integer that makes it an integer polynomial in the numerators
    ``scales[v] * v``."""
    symbols = sorted(expr.free_symbols, key=str)
    poly = sympy.Poly(sympy.expand(expr), *symbols) if symbols else None
    if poly is None:
        # a constant p/q, q > 0, has the sign of p
        return IntegerPolynomial(((int(sympy.numer(expr)), ()),))
    degrees = {s: poly.degree(s) for s in symbols}
    terms = []
    for monomial, coefficient in poly.terms():
        value = Fraction(int(sympy.numer(coefficient)), int(sympy.denom(coefficient)))
        for s, k in zip(symbols, monomial, strict=True):
            # v = n/d, so v**k = n**k / d**k; times d**degree, n**k * d**(degree - k): an integer.
            value *= scales[s.name] ** (degrees[s] - k)
        terms.append((value, tuple((s.name, k) for s, k in zip(symbols, monomial, strict=True) if k)))
    common = math.lcm(*(value.denominator for value, _ in terms))
    return IntegerPolynomial(tuple((int(value * common), powers) for value, powers in terms))
