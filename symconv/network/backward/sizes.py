"""The counts of an index map at a network's symbolic sizes: ``V``, ``Z`` and ``H`` (:mod:`symconv.geometry`)
as affine closed forms, where they hold.

In a network a size is symbolic on a multiple: a convolution of stride ``s`` reads ``s X`` inputs and writes
``X + c`` outputs, ``X`` an integer by the network's conditions. A count of its index map is then a function
of ``X`` alone. Once the map is longer than its two boundary regions — every position within reach of one
end at most — a further unit of ``X`` adds ``s`` interior inputs and one interior output, and the pattern of
reads repeats with period ``s``; so from there the count is affine in ``X``. Two exact values past that
length give the line, a third confirms it, and the line holds down to the smallest ``X`` at which the exact
count still equals it: a condition the analysis records.

>>> from symconv.geometry import Hit, ValidPairs
>>> H = sympy.Symbol("H", integer=True, positive=True)
>>> affine(ValidPairs(H / 2, H, 3, 2, 1, 1) + Hit(H / 2, H, 3, 2, 1, 1))  # 3×3, stride 2, padding 1
(5*H/2 - 1, ())
>>> affine(ValidPairs(H / 3 - 1, H, 7, 3, 1, 1))  # 7 taps of stride 3, padding 1: the line from X = 2 on
(7*H/3 - 8, ((H/3, 2),))
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from symconv.geometry import Covered, Hit, ValidPairs, geometric_atoms

__all__ = ["affine"]

_COUNTS = (ValidPairs, Covered, Hit)

Condition = tuple[sympy.Expr, int]


def affine(expr: sympy.Expr) -> tuple[sympy.Expr, tuple[Condition, ...]]:
    """``expr`` with every count of an index map at symbolic sizes written as its affine closed form, and
    the conditions ``(X, m)`` (``X`` an integer of at least ``m``) where those forms hold. A count whose
    sizes do not grow together with its stride is left as it is (it is exact, evaluated once its sizes are
    numbers)."""
    subs, conditions = {}, []
    for atom in geometric_atoms(expr):
        found = _line(atom) if isinstance(atom, _COUNTS) else None
        if found is not None:
            subs[atom], condition = found
            if condition is not None and condition not in conditions:
                conditions.append(condition)
    if not subs:
        return expr, ()
    return sympy.expand(expr.xreplace(subs)), tuple(conditions)


def _constant(expr: sympy.Expr) -> sympy.Expr:
    return expr.xreplace({s: sympy.Integer(0) for s in expr.free_symbols})


@lru_cache(maxsize=4096)
def _line(atom: sympy.Function) -> tuple[sympy.Expr, Condition | None] | None:
    n_a, n_b, k, s, p, d = atom.args
    if not all(v.is_Integer for v in (k, s, p, d)) or n_a.is_number or n_b.is_number:
        return None
    c_a, c_b = _constant(n_a), _constant(n_b)
    x = sympy.expand(n_a - c_a)
    ratio = sympy.cancel((n_b - c_b) / x)
    if not (c_a.is_Integer and c_b.is_Integer and ratio == s):
        return None
    kind = type(atom)

    def at(q: int) -> int:
        return int(kind(q + c_a, int(s) * q + c_b, k, s, p, d))

    # Past twice the reach of a tap from either end, the two boundary regions are apart.
    start = 2 * (int(d) * (int(k) - 1) + int(p) + int(s) + abs(int(c_a)) + abs(int(c_b)) + 2)
    slope = at(start + 1) - at(start)
    if at(start + 2) - at(start + 1) != slope:
        return None
    intercept = at(start) - slope * start
    first = start
    while first > 1 and min(first - 1 + c_a, int(s) * (first - 1) + c_b) >= 1 and \
            at(first - 1) == slope * (first - 1) + intercept:
        first -= 1
    return sympy.expand(slope * x + intercept), ((x, first) if first > 1 else None)
