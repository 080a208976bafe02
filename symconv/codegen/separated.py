"""A network's total written for a grid of settings: what depends on fewer settings computed on their values
alone, and only the last sum on the whole grid.

A total is a polynomial in the layers' values (channels, sizes), each depending on some of the settings
(the channels on ``alpha``, the heights on ``H``). On a grid given as one axis per setting (``alpha`` of
shape ``(n, 1)``, ``H`` of shape ``(1, m)``), NumPy computes an expression on the shape of the settings it
reads; so the total is collected setting by setting, the setting with the most distinct parts first: the
part of each term in the first setting's values becomes a value of that setting's shape, then the part in
the first two settings' values one of theirs, and so on, until the last sum, whose terms are each one
value of the settings before the last times one product of the last's values:

>>> import sympy
>>> c, h, w = sympy.symbols("c h w", positive=True, integer=True)
>>> deps = {c: frozenset({"alpha"}), h: frozenset({"H"}), w: frozenset({"W"})}
>>> form = separated("macs", 3 * c**2 * h * w + c * h * w + 5 * c, deps, ("alpha", "H", "W"))
>>> print("\\n".join(form.lines))
u1 = c * (3 * c + 1)
u2 = 5 * c
u3 = h * u1
return _summed(u2, (u3, w))
>>> form.bound
('return c * w * (3 * c * h + h) + 5 * c',)

The last sum is computed in place (:func:`symconv.codegen.settings._summed`): two arrays of the grid's
shape, whatever the number of terms. Everything is int64 arithmetic: ``+``, ``-`` and ``*`` are exact modulo
2**64, so the total is exact wherever the bound, the total with every coefficient's magnitude, at the values'
largest values, is below 2**63 (the values are at least 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy

from symconv.codegen.convert import Converter
from symconv.codegen.layout import WIDTH, layout, return_lines, wrap_call
from symconv.codegen.tree import Node, code

__all__ = ["Separated", "separated"]

_Monomial = tuple[tuple[sympy.Symbol, int], ...]  # (a value, its power), in a fixed order


@dataclass(frozen=True)
class Separated:
    """One total's separated form: its parameters (the values it reads, sorted by name), the lines of its
    function's body, and those of its bound's."""

    name: str
    parameters: tuple[str, ...]
    lines: tuple[str, ...]
    bound: tuple[str, ...]


def separated(name: str, expr: sympy.Expr, deps: Mapping[sympy.Symbol, frozenset[str]],
              settings: Sequence[str], parameters: Sequence[str] | None = None) -> Separated:
    """The separated form of the polynomial ``expr`` in values whose settings are ``deps``; ``settings``
    gives the order in which ties are broken, ``parameters`` the order of the values it reads (by name, by
    default)."""
    expr = sympy.expand(expr)
    gens = sorted(expr.free_symbols, key=lambda s: s.name)
    if parameters is not None:
        if sorted(parameters) != [g.name for g in gens]:
            raise ValueError(f"{name}(): the parameters {parameters} are not the values the total reads")
        gens.sort(key=lambda g: list(parameters).index(g.name))
    if not gens:
        return Separated(name, (), (f"return {int(expr)}",), (f"return {abs(int(expr))}",))
    writer = _Writer(Converter(f"{name}()"), dict(deps))
    terms = [(tuple((g, e) for g, e in zip(gens, powers, strict=True) if e), int(c))
             for powers, c in sympy.Poly(expr, *gens).terms()]
    magnitude = sum((abs(c) * _product(m) for m, c in terms), sympy.Integer(0))
    bound = tuple(return_lines([writer.convert(sympy.horner(magnitude))], tuple_=False))
    order = _order(terms, writer.dep, frozenset().union(*(deps[g] for g in gens)), settings)
    if len(order) == 1:  # on one setting's values: nothing to separate
        lines = return_lines([writer.convert(sympy.horner(expr))], tuple_=False)
        return Separated(name, tuple(g.name for g in gens), tuple(lines), bound)
    absorbed: set[str] = set()
    for setting in order[:-1]:
        absorbed.add(setting)
        terms = writer.collected(terms, absorbed)
    writer.last(terms, absorbed)
    return Separated(name, tuple(g.name for g in gens), tuple(writer.lines), bound)


class _Writer:
    """The lines of a separated form: each value it names (``u1 = ...``) once, with the settings it reads."""

    def __init__(self, convert: Converter, dep: dict[sympy.Symbol, frozenset[str]]) -> None:
        self.convert, self.dep = convert, dep
        self.lines: list[str] = []
        self.known: dict[sympy.Expr, sympy.Symbol] = {}

    def value(self, part: sympy.Expr) -> sympy.Expr:
        """A name for ``part`` (a number or one value stays itself)."""
        if part.is_number or part.is_Symbol:
            return part
        if part not in self.known:
            symbol = sympy.Symbol(f"u{len(self.known) + 1}", integer=True)
            self.known[part] = symbol
            self.dep[symbol] = frozenset().union(*(self.dep[s] for s in part.free_symbols))
            self.lines.extend(_assigned(symbol.name, self.convert(sympy.horner(part))))
        return self.known[part]

    def collected(self, terms: list[tuple[_Monomial, int]], absorbed: set[str]) -> list[tuple[_Monomial, int]]:
        """The terms collected by their parts in values of settings not ``absorbed``, each coefficient (in
        values of the ``absorbed`` settings) one value."""
        groups: dict[_Monomial, sympy.Expr] = {}
        for monomial, c in terms:
            inner = [(g, e) for g, e in monomial if self.dep[g] <= absorbed]
            rest = tuple((g, e) for g, e in monomial if not self.dep[g] <= absorbed)
            groups[rest] = groups.get(rest, sympy.Integer(0)) + c * _product(inner)
        found = []
        for rest, part in groups.items():
            named = self.value(sympy.expand(part))
            if named.is_number:
                found.append((rest, int(named)))
            else:
                found.append((((named, 1), *rest), 1))
        return found

    def last(self, terms: list[tuple[_Monomial, int]], absorbed: set[str]) -> None:
        """The last sum: each term a value of the ``absorbed`` settings times one of the last's values."""
        constant, products = sympy.Integer(0), []
        for monomial, c in terms:
            inner = c * _product([(g, e) for g, e in monomial if self.dep[g] <= absorbed])
            last = [(g, e) for g, e in monomial if not self.dep[g] <= absorbed]
            if not last:
                constant += inner
                continue
            products.append([*([] if inner == 1 else [self.value(inner)]), self.value(_product(last))])
        arguments = [code(self.convert(self.value(sympy.expand(constant))))]
        arguments += [f"({', '.join(code(self.convert(f)) for f in factors)}{',' if len(factors) == 1 else ''})"
                      for factors in products]
        self.lines.extend(wrap_call("return _summed(", arguments, ")", offset=4).split("\n"))


def _assigned(name: str, node: Node) -> list[str]:
    line = f"{name} = {code(node)}"
    if 4 + len(line) <= WIDTH:
        return [line]
    return [f"{name} = (", *("    " + text for text in layout(node, 8)), ")"]


def _product(monomial: Sequence[tuple[sympy.Symbol, int]]) -> sympy.Expr:
    return sympy.Mul(*(g**e for g, e in monomial))


def _order(terms: Sequence[tuple[_Monomial, int]], dep: Mapping[sympy.Symbol, frozenset[str]],
           used: frozenset[str], settings: Sequence[str]) -> list[str]:
    """The settings in the order they are collected: the one whose values make the most distinct parts of
    the terms first, the fewest last (the last sum has a term per part of the last setting)."""
    parts = {s: len({tuple((g, e) for g, e in monomial if s in dep[g]) for monomial, _ in terms}) for s in used}
    rank = {s: i for i, s in enumerate(settings)}
    return sorted(used, key=lambda s: (-parts[s], rank.get(s, len(rank)), s))
