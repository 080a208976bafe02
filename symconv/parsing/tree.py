"""The tree both syntaxes are read into: sums, products, powers, names, numbers and calls, and no more.

The text reader (:mod:`symconv.parsing.text`) and the LaTeX reader (:mod:`symconv.parsing.latex`) each build
this tree; :mod:`symconv.parsing.build` turns it into SymPy. ``pos`` is the 0-based offset in the user's text
where a node starts, for error messages. Numbers are exact from the start:

>>> number("0.25", 0)
1/4
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from symconv.errors import FormulaError
from symconv.parsing.limits import LIMITS, clip

__all__ = ["Call", "Name", "Node", "Num", "Power", "Product", "Sum", "negated", "number"]


@dataclass(frozen=True, slots=True)
class Num:
    value: sympy.Rational
    pos: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Sum:
    terms: tuple[tuple[int, Node], ...]  # (sign +1 or -1, term)
    pos: int


@dataclass(frozen=True, slots=True)
class Product:
    factors: tuple[tuple[bool, Node], ...]  # (divides, factor), applied left to right
    pos: int


@dataclass(frozen=True, slots=True)
class Power:
    """``base ** (s1 * (x1 ** (s2 * (x2 ** ...))))``: a whole tower, so it is evaluated without recursion."""

    base: Node
    exponents: tuple[tuple[int, Node], ...]  # (sign, x) from the outermost exponent in
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    function: str  # a key of symconv.parsing.build.SYMPY_FUNCTIONS
    args: tuple[Node, ...]
    pos: int


Node = Num | Name | Sum | Product | Power | Call


def negated(node: Node) -> Node:
    """``-node``, as a one-term sum."""
    return Sum(((-1, node),), node.pos)


_DECIMAL = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def number(text: str, pos: int) -> sympy.Rational:
    """An integer or decimal literal as an exact rational: ``0.5`` is ``1/2``."""
    match = _DECIMAL.fullmatch(text)
    if match is None or not (match.group(1) or match.group(2)):
        raise FormulaError(f"unsupported number {clip(text)!r}: write an integer or a decimal like 0.5", pos)
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole) + len(fraction) > LIMITS.max_digits:
        raise FormulaError(f"number {clip(text, 16)!r} has more than {LIMITS.max_digits} digits", pos)
    return sympy.Rational(int(whole + fraction or "0"), 10 ** len(fraction))

