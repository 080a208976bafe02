"""The conditions a generated function checks before it counts: that its arguments describe a layer.

A function's ``requires`` holds :class:`Requirement` s, expressions that must be at least 0 (an output size
minus 1), and :class:`~symconv.spec.Definition` s, exact quotients that must be whole even where the closed
form does not use them (``C_out/g`` of a grouped layer's parameters). An inequality is put in the form that
costs the least to check:

* ``floor(n/d) + c >= 0`` with ``d`` positive is ``n + c*d >= 0``: for an integer ``c``, ``floor(x) >= -c``
  exactly when ``x >= -c``. So an output size of at least 1, ``floor(slack/s) + 1 - 1 >= 0``, is ``slack >= 0``;
* one that SymPy proves for every value of its symbols goes (a positive symbol is read as ``x' + 1`` with
  ``x' >= 0``, so that ``W_in - 1 >= 0`` is proven), and so does one equal to an earlier one;
* one that equals, up to a constant, the closed form or the dividend of one of its floors is checked where the
  kernel computes that value: one reduction over a block while it is in cache, and no operation of its own.

An argument that must be at least 1 is checked for zeros by a reduction of its own, unless a zero shows in the
result (:func:`zeros_shown`): where the closed form is at least 1 for every argument in its domain and at most
0 whenever that argument is 0, whatever the others are, one reduction of the result finds every zero of all
such arguments at once. The counts of a layer are products of sizes: ``N*C_out*H_out*W_out*(2*C_in*k_h*k_w +
b - 1)`` checks seven arguments with one reduction instead of seven.

>>> from symconv.symbols import sym
>>> H_in, k_h, p_h, s_h, W_in = map(sym, ["H_in", "k_h", "p_h", "s_h", "W_in"])
>>> normal(sympy.floor((H_in + 2*p_h - k_h)/s_h) + 1 - 1)
H_in - k_h + 2*p_h
>>> proven(W_in + 2*p_h - 1), proven(H_in - k_h)
(True, False)
>>> N, C_in, C_out, b = map(sym, ["N", "C_in", "C_out", "b"])
>>> zeros_shown(N*C_out*(2*C_in*k_h - 1), {"N": "positive", "C_out": "positive", "C_in": "positive",
...                                        "k_h": "positive"})
('N', 'C_out', 'C_in', 'k_h')
>>> zeros_shown(C_out*(C_in*k_h + b), {"C_out": "positive", "C_in": "positive", "k_h": "positive", "b": "flag"})
('C_out',)
>>> g, C_in_g = sym("g"), sym("C_in_g")
>>> domains = {"C_in": "positive", "C_out": "positive", "g": "positive"}
>>> zeros_shown(C_out*C_in_g, domains, (Definition(C_in_g, C_in, g),))  # g divides: a zero there does not show
('C_in', 'C_out')
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.codegen.convert import Converter, read_expr, to_sympy
from symconv.codegen.tree import FloorDiv, Node, is_leaf, nodes, plain
from symconv.spec import Definition

__all__ = ["AtLeastZero", "Requirement", "at_least_zero", "normal", "proven", "zeros_shown"]


@dataclass(frozen=True)
class Requirement:
    """A condition every configuration must meet, ``expr >= 0``, and what it means in words.

    ``expr`` is a SymPy expression in the function's arguments (an int, or a formula read by
    :func:`symconv.parsing.parse_text`), integer arithmetic as a closed form is; ``meaning`` completes the
    error message: ``H_in - d_h*(k_h - 1) + 2*p_h - 1 must be >= 0 (the output height is at least 1)``.
    """

    expr: sympy.Expr
    meaning: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "expr", read_expr("a Requirement", self.expr))
        if not isinstance(self.meaning, str):
            raise TypeError(f"a Requirement's meaning must be a str, not {type(self.meaning).__name__}")
        object.__setattr__(self, "meaning", " ".join(self.meaning.split()))


@dataclass(frozen=True)
class AtLeastZero:
    """One inequality as the generated code checks it: ``node >= 0``; computed by the kernel as ``watch``,
    a part of the closed form, plus ``offset``, or on its own when ``watch`` is None."""

    node: Node
    meaning: str
    watch: Node | None
    offset: int

    @property
    def text(self) -> str:
        return plain(self.node)


def normal(expr: sympy.Expr) -> sympy.Expr:
    """``expr >= 0`` without a floor at its top: ``floor(n/d) + c`` becomes ``n + c*d`` while ``d > 0``."""
    while True:
        floors = [term for term in sympy.Add.make_args(expr) if isinstance(term, sympy.floor)]
        rest = expr - floors[0] if len(floors) == 1 else None
        if rest is None or not rest.is_Integer:
            return expr
        num, den = floors[0].args[0].as_numer_denom()
        if den.is_positive is not True:
            return expr
        expr = sympy.expand(num + rest * den) if rest else num


def proven(expr: sympy.Expr) -> bool:
    """True when ``expr >= 0`` for every value of its symbols, as SymPy's sign rules show it."""
    shifted = expr.xreplace({x: sympy.Dummy(x.name, integer=True, nonnegative=True) + 1
                             for x in expr.free_symbols if x.is_positive})
    return bool(expr.is_nonnegative) or bool(sympy.expand(shifted).is_nonnegative)


def at_least_zero(requirements: tuple[Requirement, ...], form: Node, convert: Converter) -> tuple[AtLeastZero, ...]:
    """The inequalities to check, normalised, each matched to the part of ``form`` that computes it."""
    candidates = [form, *(n.num for n in nodes(form) if isinstance(n, FloorDiv) and not is_leaf(n.num))]
    seen: set[sympy.Expr] = set()  # the expanded forms: a repeat is found in one look-up, not by comparisons
    found: list[AtLeastZero] = []
    for requirement in requirements:
        expr = normal(requirement.expr)
        if expr.is_Integer and expr < 0:
            raise convert.fail(f"the requirement {requirement.expr} >= 0 holds for no arguments")
        expanded = sympy.expand(expr)
        if expanded in seen or proven(expr):
            continue
        seen.add(expanded)
        node = convert(expr)
        watch, offset = None, 0
        for candidate in candidates:
            difference = sympy.expand(expr - to_sympy(candidate, convert.symbols))
            if difference.is_Integer:
                watch, offset = candidate, int(difference)
                break
        found.append(AtLeastZero(node, requirement.meaning, watch, offset))
    return tuple(found)


#: Flags a closed form may have for :func:`zeros_shown` to try each of their values: 2**4 substitutions.
_FLAGS = 4


def zeros_shown(expr: sympy.Expr, domains: dict[str, str], definitions: tuple[Definition, ...] = ()) -> tuple[str, ...]:
    """The arguments (``domains``: name -> ``"positive"``, ``"nonnegative"`` or ``"flag"``) that must be at
    least 1 and whose 0 makes ``expr`` at most 0 for any values of the others at least 0 (each flag 0 or 1),
    while ``expr`` is at least 1 wherever every argument is in its domain; () unless that holds.

    A defined symbol (``definitions``, whole quotients, each of two products of positive values) is at least 1
    where its operands are, and 0 where a zero argument makes its dividend 0; an argument in a divisor is not
    counted. A closed form with a floor, or with another definition, counts none.
    """
    symbols = {s.name: s for e in (expr, *(x for d in definitions for x in (d.numerator, d.denominator)))
               for s in e.free_symbols}
    defined = {d.symbol.name for d in definitions}
    flags = [symbols[name] for name, domain in domains.items() if domain == "flag" and name in symbols]
    if expr.atoms(sympy.floor) or set(symbols) - set(domains) - defined or len(flags) > _FLAGS:
        return ()
    positive = {symbols[name] for name, domain in domains.items() if domain == "positive" and name in symbols}
    for d in definitions:  # a whole quotient of products of positive values is a positive value
        if not all(_monomial(part, positive) for part in (d.numerator, d.denominator)):
            return ()
        positive.add(d.symbol)
    if not _holds(expr - 1, flags, relaxed=False):
        return ()
    shown = []
    for name, domain in domains.items():
        zeroed = _zeroed(symbols[name], definitions) if domain == "positive" and name in symbols else None
        if zeroed is not None and _holds(-expr.xreplace(zeroed), flags, relaxed=True):
            shown.append(name)
    return tuple(shown)


def _monomial(expr: sympy.Expr, positive: set[sympy.Basic]) -> bool:
    """``expr`` is a positive integer times a product of ``positive`` values."""
    coefficient, factors = expr.as_coeff_mul()
    return coefficient.is_Integer and coefficient > 0 and all(
        factor in positive or (isinstance(factor, sympy.Pow) and factor.base in positive) for factor in factors
    )


def _zeroed(symbol: sympy.Symbol, definitions: tuple[Definition, ...]) -> dict[sympy.Basic, sympy.Basic] | None:
    """What an argument's 0 makes 0: the argument, and each defined symbol whose dividend it makes 0; None when
    it is in a divisor, or in a dividend it leaves other than 0."""
    zeroed: dict[sympy.Basic, sympy.Basic] = {symbol: sympy.Integer(0)}
    for d in definitions:
        if d.denominator.free_symbols & set(zeroed):
            return None
        if sympy.expand(d.numerator.xreplace(zeroed)) == 0:
            zeroed[d.symbol] = sympy.Integer(0)
        elif d.numerator.free_symbols & set(zeroed):
            return None
    return zeroed


def _holds(expr: sympy.Expr, flags: list[sympy.Symbol], *, relaxed: bool) -> bool:
    """``expr >= 0`` for each value 0 or 1 of the flags, every other symbol in its domain (``relaxed``: at
    least 0, whatever its domain)."""
    for values in range(2 ** len(flags)):
        at = expr.xreplace({flag: sympy.Integer((values >> i) & 1) for i, flag in enumerate(flags)})
        if relaxed:
            at = at.xreplace({x: sympy.Dummy(x.name, integer=True, nonnegative=True) for x in at.free_symbols})
        if not proven(sympy.expand(at)):
            return False
    return True
