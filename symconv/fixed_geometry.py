"""Closed forms of the padding-aware counts ``V``, ``Z`` and ``H`` (:mod:`symconv.geometry`) once the kernel,
stride, padding and dilation of an axis are numbers: polynomials in the size, derived by SymPy from the taps'
ranges, where they hold for every size.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from symconv.geometry import TapCount

__all__ = ["fixed_count"]

#: Taps a fixed geometry's closed form walks through at the most.
_FIXED_TAPS = 256


def _bounds(n_a: sympy.Expr, n_b: sympy.Expr, s: int, p: int, d: int, j: int) -> tuple[sympy.Expr, sympy.Expr]:
    """Tap ``j``'s range of positions ``a``, as the exact counts of :mod:`symconv.geometry` take it, with symbolic
    sizes: from the first position whose read is at or past 0 to the last before ``n_b``, cut to ``[0, n_a)``."""
    return (sympy.Max(0, sympy.ceiling(sympy.Rational(p - d * j, s))),
            sympy.Min(n_a - 1, sympy.floor((n_b - 1 + p - d * j) / s)))


def _union(intervals: list[tuple[sympy.Expr, sympy.Expr]]) -> sympy.Expr | None:
    """The integers in a union of intervals with numeric starts, when the assumptions show it one interval: from
    the least start of an interval that is not empty, each next start at most one past the reach of those
    before (an empty interval there adds nothing); else None."""
    filled = [lo for lo, hi in intervals if (hi - lo).is_nonnegative]
    if not filled:
        return None
    first = min(filled)
    if any(lo < first for lo, _ in intervals):
        return None  # an interval that starts earlier is empty at some sizes only: no one closed form
    reach: sympy.Expr = first - 1
    for lo, hi in sorted(intervals, key=lambda interval: int(interval[0])):
        if (reach + 1 - lo).is_nonnegative is not True:
            return None
        reach = sympy.Max(reach, hi)
    return reach - first + 1


def _closed(letter: str, n_a: sympy.Expr, n_b: sympy.Expr, k: int, s: int, p: int, d: int) -> sympy.Expr | None:
    ranges = [_bounds(n_a, n_b, s, p, d, j) for j in range(k)]
    if letter == "V":
        return sympy.Add(*(sympy.Max(0, hi - lo + 1) for lo, hi in ranges))
    if letter == "Z":
        return _union(ranges)
    by_residue: dict[int, list[tuple[sympy.Expr, sympy.Expr]]] = {}
    for j, (lo, hi) in enumerate(ranges):  # H: tap j hits s a + d j - p, one progression of step s per residue
        offset = d * j - p
        residue = offset % s
        by_residue.setdefault(residue, []).append(((s * lo + offset - residue) / s, (s * hi + offset - residue) / s))
    parts = [_union(intervals) for intervals in by_residue.values()]
    return None if any(part is None for part in parts) else sympy.Add(*parts)  # type: ignore[arg-type]


def fixed_count(count: type[TapCount], args: Sequence[sympy.Expr],
                sizes: dict[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """``count(*args)`` (``V``, ``Z`` or ``H``) as a polynomial when the geometry is fixed, else unevaluated.

    With ``k, s, p, d`` integers and one size given by the other through ``sizes`` (the layer's relation: a
    transposed convolution's output size by its input size, or, at stride 1, a convolution's input size by its
    output size), each tap's range of positions has a fixed start and an end that moves with the size; SymPy
    resolves every ``max`` and ``min`` of the sum over the taps at the least size where both sizes are at least
    1, plus ``t`` for a nonnegative integer ``t``, or the count keeps its function form. The closed form so
    found holds for every size (tests/test_fixed_geometry.py checks it against the exact count on a range of
    sizes).

    >>> from symconv.geometry import ValidPairs, transposed_output_size
    >>> from symconv.symbols import sym
    >>> l_in, l_out = sym("L_in"), sym("L_out")
    >>> fixed_count(ValidPairs, (l_in, l_out, 4, 2, 1, 1), {l_out: transposed_output_size(l_in, 4, 2, 1, 1, 0)})
    4*L_in - 2
    """
    n_a, n_b, *geometry = (sympy.Integer(arg) if isinstance(arg, int) else arg.xreplace(sizes) for arg in args)
    values = [int(g) for g in geometry] if all(isinstance(g, sympy.Integer) for g in geometry) else None
    free = n_a.free_symbols | n_b.free_symbols
    if values is None or len(free) != 1 or not all(sympy.Poly(n, *free).degree() <= 1 for n in (n_a, n_b)):
        return count(*args)
    (size,) = free
    k, s, p, d = values
    least = _least(size, (n_a, n_b))
    if k > _FIXED_TAPS or least is None:
        return count(*args)
    t = sympy.Dummy("t", integer=True, nonnegative=True)
    at = {size: least + t}
    closed = _closed(count.letter, n_a.xreplace(at), n_b.xreplace(at), k, s, p, d)
    if closed is None or closed.has(sympy.Max, sympy.Min, sympy.floor, sympy.ceiling):
        return count(*args)
    return sympy.expand(closed.xreplace({t: size - least}))


def _least(size: sympy.Symbol, sizes: Sequence[sympy.Expr]) -> int | None:
    """The least value of ``size`` at which every one of ``sizes`` (each ``a size + c``) is at least 1."""
    least = 1
    for n in sizes:
        slope, offset = sympy.Poly(n, size).all_coeffs() if n.has(size) else (0, n)
        if slope <= 0:
            return None
        least = max(least, int(sympy.ceiling((1 - offset) / slope)))
    return least
