"""Geometry: every per-axis relation of a convolution, once, and the counts of the pairs that touch real input.

**The relations.** One axis has an input size, a kernel ``k``, a stride ``s``, padding ``p`` at the start and
``pe`` at the end (``pe = p`` unless given), a dilation ``d`` and, for a transposed convolution, an output
padding ``op``. :func:`span`, :func:`slack`, :func:`output_size`, :func:`input_size`,
:func:`transposed_output_size`, :func:`transposed_input_size` and :func:`padding_for` are the only places
where these relations are written; the specs, the variants, the networks, the verifier and the documents call
them. Each takes Python ints (and returns an int) or SymPy expressions (and returns one).

>>> output_size(56, 3, 2, 1, 1), input_size(28, 3, 2, 1, 1), transposed_output_size(4, 3, 2, 1, 1, 1)
(28, 55, 8)

**The counts.** Tap ``j`` of output position ``a`` of a convolution reads input position ``s a + d j - p``. It
is a real input when ``0 <= s a + d j - p < n_b``; otherwise it falls on the implicit zeros of the padding. The
same index map read the other way is a transposed convolution: input ``a`` and tap ``j`` land at
``s a + d j - p`` of the output, and the padding crops what lands outside ``[0, n_b)``. Three counts of that
map, per axis, carry everything the padding changes:

* :class:`ValidPairs` ``V(n_a, n_b, k, s, p, d)``: the pairs ``(a < n_a, j < k)`` inside;
* :class:`Covered` ``Z(n_a, n_b, k, s, p, d)``: the positions ``a`` with at least one pair inside (an output
  element of a padded convolution with at least one real term);
* :class:`Hit` ``H(n_a, n_b, k, s, p, d)``: the positions ``u < n_b`` some pair lands on (an output element of
  a transposed convolution that receives at least one product).

Each is a SymPy function that evaluates itself exactly once its arguments are integers, so that a closed form
containing it is exact everywhere; :func:`valid_pairs_sum` writes ``V`` as the sum over the taps it is, and
:func:`valid_pairs_regimes` derives its closed forms where the ``max``/``min`` of that sum resolve
(:mod:`symconv.fixed_geometry`: those of a fixed kernel, stride, padding and dilation).

>>> ValidPairs(3, 3, 3, 1, 1, 1)  # a 3x3 'same' kernel on a 3-wide map: 9 pairs, 2 on the padding
7
>>> Covered(2, 1, 2, 1, 0, 3), Hit(2, 5, 2, 3, 0, 1)
(1, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import sympy

from symconv.errors import SpecError
from symconv.symbols import index, new_symbol, position_index, tap_index

__all__ = [
    "PADDING_MODES",
    "Covered",
    "Hit",
    "PaddedTaps",
    "Regime",
    "Relation",
    "TapCount",
    "ValidPairs",
    "adaptive_window",
    "geometric_atoms",
    "input_size",
    "is_polynomial",
    "output_size",
    "output_size_relations",
    "padding_for",
    "pooled_output_size",
    "slack",
    "span",
    "transposed_input_size",
    "transposed_output_size",
    "valid_pairs_regimes",
    "valid_pairs_sum",
]

#: A size: a Python int, or a SymPy expression.
Size = TypeVar("Size", int, sympy.Expr)

#: The padding modes: no padding, PyTorch's ``same`` (stride 1) and full padding.
PADDING_MODES = ("valid", "same", "full")


def _floor_div(a: Size, b: Size) -> Size:
    """``floor(a / b)``: ``//`` on ints, SymPy's floor otherwise."""
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    return sympy.floor((sympy.Integer(a) if isinstance(a, int) else a) / b)


def span(kernel: Size, dilation: Size) -> Size:
    """The inputs a kernel of ``k`` taps dilated by ``d`` spans: its first tap at 0, its last at ``d(k - 1)``.

    >>> span(3, 2)
    5
    """
    return dilation * (kernel - 1) + 1


def slack(size: Size, kernel: Size, padding: Size, dilation: Size, padding_end: Size | None = None) -> Size:
    """The positions past the first where the kernel still fits in the padded input: ``size + p + pe - span``.
    Negative when the kernel is wider than the padded input (no layer has it).

    >>> slack(5, 3, 0, 1), slack(2, 5, 0, 1)
    (2, -3)
    """
    end = padding if padding_end is None else padding_end
    return size + padding + end - span(kernel, dilation)


def output_size(size: Size, kernel: Size, stride: Size, padding: Size, dilation: Size,
                padding_end: Size | None = None) -> Size:
    """The output size of one axis: ``floor((size + 2p - d(k - 1) - 1)/s) + 1``.

    The kernel fits at :func:`slack` positions past its first, of which every ``s``-th is an output.

    >>> from symconv.symbols import sym
    >>> output_size(*(sym(n) for n in ("H_in", "k_h", "s_h", "p_h", "d_h")))
    floor((H_in - d_h*(k_h - 1) + 2*p_h - 1)/s_h) + 1
    >>> output_size(7, 4, 1, 1, 1, padding_end=2)  # PyTorch's 'same' for k = 4
    7
    """
    return _floor_div(slack(size, kernel, padding, dilation, padding_end), stride) + 1


def _ceil_div_any(a: Size, b: Size) -> Size:
    """``ceil(a / b)``: on ints exactly, SymPy's ceiling otherwise."""
    if isinstance(a, int) and isinstance(b, int):
        return -((-a) // b)
    return sympy.ceiling((sympy.Integer(a) if isinstance(a, int) else a) / b)


def pooled_output_size(size: Size, kernel: Size, stride: Size, padding: Size, dilation: Size,
                       ceil_mode: bool = False) -> Size:
    """The output size of one axis of a pooling window: :func:`output_size`, or with ``ceil_mode`` the
    ceiling of the same quotient — a last, partial window is kept — unless that window would start in the
    padding at the end (PyTorch's ``pooling_output_shape``), then it is dropped.

    >>> pooled_output_size(112, 3, 2, 0, 1), pooled_output_size(112, 3, 2, 0, 1, ceil_mode=True)
    (55, 56)
    >>> pooled_output_size(5, 2, 2, 1, 1, ceil_mode=True)  # a fourth window would start at the end padding
    3
    """
    if not ceil_mode:
        return output_size(size, kernel, stride, padding, dilation)
    out = _ceil_div_any(slack(size, kernel, padding, dilation), stride) + 1
    past_input = (out - 1) * stride - (size + padding)  # where the last window starts, past the input
    if isinstance(past_input, int) or past_input.is_number:
        return out - 1 if past_input >= 0 else out
    return sympy.Piecewise((out - 1, sympy.Ge(past_input, 0)), (out, True))


def adaptive_window(position: Size, size: Size, out: Size) -> tuple[Size, Size]:
    """The window ``[start, end)`` of output ``position`` of an adaptive pooling from ``size`` inputs to
    ``out`` outputs: ``start = floor(position·size/out)``, ``end = ceil((position + 1)·size/out)`` (PyTorch's
    ``start_index`` and ``end_index``). Windows overlap when ``out`` does not divide ``size``.

    >>> [adaptive_window(i, 7, 3) for i in range(3)]
    [(0, 3), (2, 5), (4, 7)]
    """
    return _floor_div(position * size, out), _ceil_div_any((position + 1) * size, out)


def input_size(out: Size, kernel: Size, stride: Size, padding: Size, dilation: Size,
               padding_end: Size | None = None) -> Size:
    """The smallest input size whose output size is ``out`` (:func:`output_size` inverted): the last output
    position starts at ``(out - 1) s`` of the padded input and spans the kernel. Every size from it to ``s - 1``
    more gives the same output. It can be below 1 when the padding alone holds the kernel.

    >>> input_size(28, 3, 2, 1, 1), output_size(55, 3, 2, 1, 1), output_size(56, 3, 2, 1, 1)
    (55, 28, 28)
    """
    end = padding if padding_end is None else padding_end
    return (out - 1) * stride + span(kernel, dilation) - padding - end


def transposed_output_size(size: Size, kernel: Size, stride: Size, padding: Size, dilation: Size,
                           output_padding: Size, padding_end: Size | None = None) -> Size:
    """The output size of one axis of a transposed convolution, from where its scatter lands.

    Input position ``t`` and tap ``i`` land at ``s t + d i`` of the uncropped result; the last lands at the
    largest ``t`` and ``i``. The uncropped result ends one past it, the output padding adds positions at the end,
    and the padding crops ``p`` at the start and ``p`` (or ``padding_end``) at the end.

    >>> from symconv.symbols import sym
    >>> transposed_output_size(*(sym(n) for n in ("H_in", "k_h", "s_h", "p_h", "d_h", "op_h")))
    d_h*(k_h - 1) + op_h - 2*p_h + s_h*(H_in - 1) + 1
    >>> transposed_output_size(4, 3, 2, 1, 1, 1)
    8
    """
    end = padding if padding_end is None else padding_end
    if isinstance(size, int) and isinstance(kernel, int):
        last = stride * (size - 1) + dilation * (kernel - 1)
    else:
        t, i = position_index("h"), tap_index("h")
        lands = stride * t + dilation * i
        last = lands.xreplace({t: size - 1, i: kernel - 1})  # s, d >= 1: the largest indices land last
    return last + 1 + output_padding - padding - end


def transposed_input_size(out: Size, kernel: Size, stride: Size, padding: Size, dilation: Size,
                          output_padding: Size, padding_end: Size | None = None) -> Size | None:
    """The input size whose transposed output size is ``out`` (:func:`transposed_output_size` inverted), or
    None when no input size gives it.

    >>> transposed_input_size(8, 3, 2, 1, 1, 1), transposed_input_size(9, 3, 2, 1, 1, 1)
    (4, None)
    """
    zero = transposed_output_size(1, kernel, stride, padding, dilation, output_padding, padding_end)
    steps, rest = divmod(out - zero, stride)
    if rest != 0 or steps < 0:
        return None
    return steps + 1


def padding_for(mode: str, kernel: Size, dilation: Size, stride: Size) -> tuple[Size, Size, Size]:
    """``(start, end, stride)`` of one axis in a padding mode.

    * ``valid``: no padding;
    * ``same``: PyTorch's rule (``padding='same'``): the stride must be 1, the total padding is the kernel's
      reach ``d(k - 1)``, ``floor(d(k - 1)/2)`` at the start and the rest, one more for an odd total, at the end;
    * ``full``: ``d(k - 1)`` on both sides, every partial overlap an output.

    >>> padding_for("same", 4, 1, 1)
    (1, 2, 1)
    """
    reach = span(kernel, dilation) - 1
    zero = 0 if isinstance(reach, int) else sympy.Integer(0)
    if mode == "valid":
        return zero, zero, stride
    if mode == "same":
        if (isinstance(stride, int) or stride.is_number) and stride != 1:
            raise SpecError(f"padding 'same' needs stride 1 (PyTorch's rule), not {stride}")
        start = _floor_div(reach, 2)
        return start, reach - start, (1 if isinstance(reach, int) else sympy.Integer(1))
    if mode == "full":
        return reach, reach, stride
    raise SpecError(f"unknown padding mode {mode!r} (known: {', '.join(PADDING_MODES)})")


def geometric_atoms(expr: sympy.Basic) -> list[sympy.Basic]:
    """The applications of ``V``, ``Z``, ``H`` and ``F`` in ``expr``: the parts of a count that are piecewise in
    the geometry, sorted by their text.

    >>> geometric_atoms(3 * ValidPairs(*sympy.symbols("a b c d e f")) + 1)
    [ValidPairs(a, b, c, d, e, f)]
    """
    return sorted(expr.atoms(ValidPairs, Covered, Hit, PaddedTaps), key=str)


_PIECEWISE = (sympy.floor, sympy.ceiling, sympy.Max, sympy.Min, sympy.Mod, sympy.Piecewise, sympy.Sum)


def is_polynomial(expr: sympy.Basic) -> bool:
    """True when ``expr`` is a polynomial in its symbols: no ``V``, ``Z``, ``H``, ``F``, no floor, ceiling,
    max, min or mod.

    >>> from symconv.symbols import sym
    >>> is_polynomial(sym("k_h") ** 2 + 1), is_polynomial(sympy.floor(sym("H_in") / 2))
    (True, False)
    """
    return not geometric_atoms(expr) and not any(expr.atoms(kind) for kind in _PIECEWISE)


def _ints(args: Sequence[sympy.Basic]) -> list[int] | None:
    return [int(a) for a in args] if all(isinstance(a, sympy.Integer) for a in args) else None


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _tap_range(n_a: int, n_b: int, s: int, p: int, d: int, j: int) -> tuple[int, int]:
    """The positions ``a`` whose tap ``j`` is inside: ``ceil((p - d j)/s) <= a <= floor((n_b - 1 + p - d j)/s)``,
    cut to ``[0, n_a - 1]``."""
    return max(0, _ceil_div(p - j * d, s)), min(n_a - 1, (n_b - 1 + p - j * d) // s)


#: Taps an exact count walks through at the most; beyond, it stays unevaluated rather than take minutes.
TAP_LIMIT = 10**6


def _taps(n_b: int, k: int, p: int, d: int) -> range:
    """The taps that can reach the input at all (``d j <= n_b - 1 + p``): later ones count nothing."""
    return range(min(k, max(0, (n_b - 1 + p) // d + 1)))


def _merged_length(intervals: Sequence[tuple[int, int]]) -> int:
    """The number of integers in a union of closed intervals."""
    total, reach = 0, None
    for lo, hi in sorted(i for i in intervals if i[0] <= i[1]):
        if reach is None or lo > reach:
            total += hi - lo + 1
            reach = hi
        elif hi > reach:
            total += hi - reach
            reach = hi
    return total


class _ExactCount(sympy.Function):
    """A count that evaluates itself, exactly, as soon as every argument is an integer (in time linear in the
    taps that reach the input; past :data:`TAP_LIMIT` of them it stays unevaluated)."""

    is_integer = True
    is_nonnegative = True
    letter = ""

    @classmethod
    def eval(cls, *args: sympy.Basic) -> sympy.Integer | None:  # type: ignore[override]
        values = _ints(args)
        if values is None:
            return None
        result = cls.count(*values)
        return None if result is None else sympy.Integer(result)

    @staticmethod
    def count(*values: int) -> int | None:
        raise NotImplementedError

    def _latex(self, printer: sympy.printing.latex.LatexPrinter) -> str:
        return self.letter + r"\left(" + ", ".join(printer._print(a) for a in self.args) + r"\right)"


class _TapCount(_ExactCount):
    """A count over the taps of one axis, ``(n_a, n_b, k, s, p, d)``: positions ``a < n_a`` of one side, ``n_b``
    of the other, kernel ``k``, stride, padding and dilation; only the taps that reach the input are walked."""

    nargs = 6

    @classmethod
    def count(cls, *values: int) -> int | None:
        n_a, n_b, k, s, p, d = values
        taps = _taps(n_b, k, p, d)
        if len(taps) > TAP_LIMIT:
            return None
        return cls.over_taps(n_a, n_b, s, p, d, [_tap_range(n_a, n_b, s, p, d, j) for j in taps], taps)

    @staticmethod
    def over_taps(n_a: int, n_b: int, s: int, p: int, d: int, ranges: list[tuple[int, int]], taps: range) -> int:
        raise NotImplementedError


#: The base of the counts over the taps of one axis (``V``, ``Z``, ``H``), for the modules that take one.
TapCount = _TapCount


class ValidPairs(_TapCount):
    """``V(n_a, n_b, k, s, p, d)``: pairs ``(a < n_a, j < k)`` with ``0 <= s a + d j - p < n_b``."""

    letter = "V"

    @staticmethod
    def over_taps(n_a: int, n_b: int, s: int, p: int, d: int, ranges: list[tuple[int, int]], taps: range) -> int:
        return sum(max(0, hi - lo + 1) for lo, hi in ranges)


class Covered(_TapCount):
    """``Z(n_a, n_b, k, s, p, d)``: positions ``a < n_a`` with at least one tap ``j < k`` inside — the union of
    the taps' ranges of positions."""

    letter = "Z"

    @staticmethod
    def over_taps(n_a: int, n_b: int, s: int, p: int, d: int, ranges: list[tuple[int, int]], taps: range) -> int:
        return _merged_length(ranges)


class Hit(_TapCount):
    """``H(n_a, n_b, k, s, p, d)``: positions ``u < n_b`` equal to ``s a + d j - p`` for some ``a < n_a``,
    ``j < k``. Tap ``j`` hits the progression ``s a + d j - p`` of step ``s``; progressions of one residue
    modulo ``s`` are intervals in ``(u - residue)/s``, whose union is counted."""

    letter = "H"

    @staticmethod
    def over_taps(n_a: int, n_b: int, s: int, p: int, d: int, ranges: list[tuple[int, int]], taps: range) -> int:
        by_residue: dict[int, list[tuple[int, int]]] = {}
        for j, (lo, hi) in zip(taps, ranges, strict=True):
            if lo > hi:
                continue
            offset = d * j - p
            residue = offset % s
            by_residue.setdefault(residue, []).append(((s * lo + offset - residue) // s,
                                                       (s * hi + offset - residue) // s))
        return sum(_merged_length(intervals) for intervals in by_residue.values())


class PaddedTaps(_ExactCount):
    """``F(q, k, s, d) = Σ_{j<k} max(0, ceil((q - d j)/s))``: the pairs an edge padded by ``q`` loses."""

    nargs = 4
    letter = "F"

    @staticmethod
    def count(*values: int) -> int | None:
        q, k, s, d = values
        # taps with d j >= q lose nothing
        taps = range(min(k, max(0, _ceil_div(q, d))))
        if len(taps) > TAP_LIMIT:
            return None
        return sum(max(0, _ceil_div(q - d * j, s)) for j in taps)


@cache
def valid_pairs_sum(n_a: sympy.Expr, n_b: sympy.Expr, k: sympy.Expr, s: sympy.Expr, p: sympy.Expr,
                    d: sympy.Expr) -> sympy.Sum:
    """``V`` as the sum over the taps it is: tap ``j`` is inside for the positions between the solutions of
    ``s a + d j - p >= 0`` and ``s a + d j - p <= n_b - 1``, cut to ``[0, n_a - 1]``.

    >>> from symconv.symbols import sym
    >>> e = valid_pairs_sum(*(sym(n) for n in ("H_out", "H_in", "k_h", "s_h", "p_h", "d_h")))
    >>> e.xreplace({sym("H_out"): 3, sym("H_in"): 3, sym("k_h"): 3, sym("s_h"): 1, sym("p_h"): 1,
    ...             sym("d_h"): 1}).doit()
    7
    """
    j = index("j")
    a = sympy.Symbol("a")  # solved over the rationals; the ceiling and floor make the range integer
    reads = s * a + d * j - p
    slope, offset = reads.coeff(a), reads.xreplace({a: 0})  # reads = slope a + offset, slope = s >= 1
    first = sympy.ceiling((0 - offset) / slope)
    last = sympy.floor((n_b - 1 - offset) / slope)
    # Unevaluated: SymPy would otherwise compare the symbolic bounds under every assumption, to no effect.
    lo, hi = sympy.Max(0, first, evaluate=False), sympy.Min(n_a - 1, last, evaluate=False)
    return sympy.Sum(sympy.Max(0, hi - lo + 1, evaluate=False), (j, 0, k - 1))


@dataclass(frozen=True)
class Regime:
    """A closed form of ``V`` valid under ``conditions``, with the steps that derive it."""

    name: str
    conditions: str
    value: sympy.Expr
    steps: tuple[tuple[str, sympy.Expr], ...]


@cache
def valid_pairs_regimes() -> tuple[Regime, ...]:
    """The closed forms of ``V`` for a convolution with padding ``p`` at both ends, derived by SymPy.

    ``H_out``, ``H_in``, ``k, s, p, d`` are one axis; ``r = (H_in + 2p - d(k - 1) - 1) mod s`` is what the
    stride leaves over. Writing ``U_j - L_j + 1`` for tap ``j``'s range, ``V = Σ_j max(0, U_j - L_j + 1)``;
    where no range is empty the outer ``max`` goes and ``V = k H_out - Σ_j L_j - Σ_j (H_out - 1 - U_j)``. The
    first sum is ``F(p)`` by definition; in the second, ``H_in - 1 + p - d j = (H_out - 1) s + r - p + d (k - 1
    - j)``, the integer ``H_out - 1`` leaves the floor and, with ``j' = k - 1 - j``, it is ``F(p - r)``.

    >>> [r.name for r in valid_pairs_regimes()]
    ['no padding', 'every tap range non-empty', 's = d = 1, p <= k - 1']
    >>> valid_pairs_regimes()[2].value
    H_out*k - p*(p + 1)
    """
    n, k, s, p, d, r = (new_symbol(name) for name in ("H_out", "k", "s", "p", "d", "r"))
    j = index("j")
    regimes = []

    # No padding: every read s a + d j lies in [0, (H_out - 1) s + d (k - 1)], inside the input by the
    # output-size relation, so every one of the k H_out pairs is inside.
    full = sympy.summation(sympy.summation(1, (index("t"), 0, n - 1)), (j, 0, k - 1))
    regimes.append(Regime("no padding", "p = 0 (both ends)", full, (("V", full),)))

    # General: H_in is the smallest input of H_out outputs plus r, the rest the stride leaves over; SymPy takes
    # the integer out of the floor.
    m_of_r = input_size(n, k, s, p, d) + r
    upper = sympy.floor((m_of_r - 1 + p - d * j) / s)
    excess = sympy.simplify(n - 1 - upper)
    jp = index("i")
    excess_reindexed = sympy.simplify(excess.xreplace({j: k - 1 - jp}))
    general = k * n - PaddedTaps(p, k, s, d) - PaddedTaps(p - r, k, s, d)
    regimes.append(Regime(
        "every tap range non-empty", "H_out >= ceil(p/s), so that no tap's range U_j - L_j + 1 is negative",
        general,
        (("H_out - 1 - U_j", excess), ("H_out - 1 - U_{k-1-i}", excess_reindexed), ("V", general)),
    ))

    # s = d = 1: r = 0 and F(p) = Σ_{j<p} (p - j), the taps past p reading no padding.
    f_unit = sympy.summation(p - j, (j, 0, p - 1))
    unit = k * n - sympy.factor(2 * f_unit)
    regimes.append(Regime("s = d = 1, p <= k - 1", "s = d = 1, p <= k - 1, H_out >= p", unit,
                          (("F(p)", f_unit), ("V", unit))))
    return tuple(regimes)


@dataclass(frozen=True)
class Relation:
    """One output-size relation of Dumoulin and Visin's guide, derived from symconv's general relations."""

    number: int
    name: str
    conditions: str
    lhs: sympy.Symbol
    value: sympy.Expr


@cache
def output_size_relations() -> tuple[Relation, ...]:
    """The relations of Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016),
    each the general relation (:func:`output_size`, :func:`transposed_output_size`) under the relation's
    conditions, simplified.

    ``i, k, s, p, d`` are the input size, kernel, stride, padding, dilation; ``i'`` and ``o'`` the input and
    output of the transposed convolution, ``a`` its output padding (``(i + 2p - k) mod s`` recovers ``i``).

    >>> {r.number: r.value for r in output_size_relations()}[6]
    floor((i - k + 2*p)/s) + 1
    """
    i, k, s, p, d, n, ip, a = (new_symbol(name) for name in ("i", "k", "s", "p", "d", "n", "i_t", "a"))
    o, ot = new_symbol("o"), new_symbol("o_t")
    one, zero = sympy.Integer(1), sympy.Integer(0)

    def fwd(pad: sympy.Expr, stride: sympy.Expr, dil: sympy.Expr = one, kernel: sympy.Expr = k) -> sympy.Expr:
        return sympy.simplify(output_size(i, kernel, stride, pad, dil))

    def tr(pad: sympy.Expr, stride: sympy.Expr, extra: sympy.Expr = zero, kernel: sympy.Expr = k) -> sympy.Expr:
        return sympy.expand(transposed_output_size(ip, kernel, stride, pad, one, extra))

    return (
        Relation(1, "no zero padding, unit strides", "s = 1, p = 0", o, fwd(zero, one)),
        Relation(2, "zero padding, unit strides", "s = 1", o, fwd(p, one)),
        Relation(3, "half (same) padding", "s = 1, k = 2n + 1, p = n", o, fwd(n, one, kernel=2 * n + 1)),
        Relation(4, "full padding", "s = 1, p = k - 1", o, fwd(k - 1, one)),
        Relation(5, "no zero padding, non-unit strides", "p = 0", o, fwd(zero, s)),
        Relation(6, "zero padding, non-unit strides", "", o, fwd(p, s)),
        Relation(7, "transposed: no zero padding, unit strides", "s = 1, p = 0", ot, tr(zero, one)),
        Relation(8, "transposed: zero padding, unit strides", "s = 1", ot, tr(p, one)),
        Relation(9, "transposed: half (same) padding", "s = 1, k = 2n + 1, p = n", ot, tr(n, one, kernel=2 * n + 1)),
        Relation(10, "transposed: full padding", "s = 1, p = k - 1", ot, tr(k - 1, one)),
        Relation(11, "transposed: no zero padding, non-unit strides", "p = 0, (i - k) mod s = 0", ot, tr(zero, s)),
        Relation(12, "transposed: zero padding, non-unit strides", "(i + 2p - k) mod s = 0", ot, tr(p, s)),
        Relation(13, "transposed: zero padding, non-unit strides, any input",
                 "a = (i + 2p - k) mod s (output padding)", ot, tr(p, s, a)),
        Relation(14, "dilated convolution", "", o, fwd(p, s, d)),
    )
