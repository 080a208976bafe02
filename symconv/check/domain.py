"""The domain every claim is checked on: positive integers (naturals for the symbols that may be 0), the
bias flag ``b`` in {0, 1}, and channel counts divisible by the groups ``g``.

>>> from symconv.symbols import sym
>>> [{s.name: v for s, v in p.items()} for p in itertools.islice(points([B, sym("C_in")]), 4)]
[{'b': 0, 'C_in': 1}, {'b': 0, 'C_in': 2}, {'b': 1, 'C_in': 1}, {'b': 0, 'C_in': 3}]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import sympy

from symconv.symbols import sym

__all__ = ["B", "low", "per_group", "points"]

#: The bias flag: 0 or 1, its whole domain.
B = sym("b")


def low(symbol: sympy.Symbol) -> int:
    """The least value of ``symbol``: 1 for a positive one, else 0."""
    return 1 if symbol.is_positive else 0


def points(variables: list[sympy.Symbol]) -> Iterator[dict[sympy.Symbol, int]]:
    """Every point of the domain, by increasing total distance from the smallest point, then in order."""
    n = len(variables)
    lows = [low(v) for v in variables]
    g, cin, cout = sym("g"), sym("C_in"), sym("C_out")
    divisible = [c for c in (cin, cout) if c in variables] if g in variables else []
    for total in itertools.count():
        # Stars and bars: the ways to share ``total`` extra units among the variables.
        for bars in itertools.combinations(range(total + n - 1), n - 1):
            parts = [b - a - 1 for a, b in zip((-1, *bars), (*bars, total + n - 1), strict=True)]
            point = {v: least + extra for v, least, extra in zip(variables, lows, parts, strict=True)}
            if B in point and point[B] > 1:
                continue
            if any(point[c] % point[g] for c in divisible):
                continue
            yield point


def per_group(expr: sympy.Expr) -> dict[sympy.Symbol, sympy.Expr]:
    """``C_in = g*C_in_g`` and ``C_out = g*C_out_g`` for the channel totals in ``expr``, when it has ``g``."""
    g = sym("g")
    if g not in expr.free_symbols:
        return {}
    return {sym(name): g * sym(f"{name}_g") for name in ("C_in", "C_out") if sym(name) in expr.free_symbols}

