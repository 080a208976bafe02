"""The equivalence engine: a claimed expression against a derived one, for every value of their symbols.

The steps, each in its own module, run in this order until one decides:

1. the symbolic normal form of ``derived − claimed`` (:mod:`~symconv.check.normal_form`), unless its expansion
   would be too large; with the channels written per group when floors of ``C/g`` keep it from vanishing;
2. the grid identity (:mod:`~symconv.check.identity`), when the normal form was out of reach;
3. the smallest counterexample (:mod:`~symconv.check.search`), and for a rational difference the condition
   under which the claim does hold (:mod:`~symconv.check.condition`).

All of it within ``timeout`` seconds (:mod:`~symconv.check.timing`); :mod:`symconv.check` says what each
verdict means.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy

from symconv.check.condition import condition
from symconv.check.domain import per_group
from symconv.check.identity import grid_identity
from symconv.check.normal_form import MAX_TERMS, b_reduced, expansion_bound, is_rational_function, normal, tidy
from symconv.check.search import counterexample
from symconv.check.timing import DEFAULT_TIMEOUT, TimeUp, time_limit
from symconv.check.verdict import Counterexample, Verdict

__all__ = ["equivalent"]

_BY_NORMAL_FORM = "symbolic normal form: derived − claimed simplifies to 0"
_BY_NORMAL_FORM_PER_GROUP = (
    "symbolic normal form, with the channels written per group (C_in = g*C_in_g, C_out = g*C_out_g, as "
    "divisibility by g allows): derived − claimed simplifies to 0")
_BY_GRID_IDENTITY = (
    "grid identity: both sides are polynomials, equal at all {points:,} points of a grid with more values per "
    "variable than either side's degree in it, hence everywhere (Alon, Combinatorial Nullstellensatz, Lemma 2.1; "
    "docs/grid-proof.md)")


def equivalent(claimed: sympy.Expr, derived: sympy.Expr, *, timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    """Check ``claimed`` against ``derived`` for every value of their symbols (see :mod:`symconv.check`).

    >>> from symconv.symbols import sym
    >>> k = sympy.Symbol("k", integer=True, positive=True)
    >>> v = equivalent(2 * k * sym("C_in"), 2 * k**2 * sym("C_in"))
    >>> v.summary, str(v.counterexample), v.difference
    ('holds exactly when k = 1', 'at C_in = 1, k = 2: claimed 4, derived 8', 2*C_in*k*(k - 1))
    """
    start = time.monotonic()
    difference = _difference(claimed, derived, timeout)
    method, nonzero_per_group = _proof(claimed, derived, difference, timeout, start + timeout)
    if method is not None:
        return Verdict("holds", claimed, derived, sympy.Integer(0), method=method, notes=difference.notes)
    return _unproven(claimed, derived, difference, nonzero_per_group, start, timeout)


@dataclass(frozen=True)
class _Difference:
    """``derived − claimed``, as far as the normal form took it."""

    shown: sympy.Expr  # factored when the normal form was reached, else as subtracted
    reduced: sympy.Expr  # with b at its two values, where b**2 = b
    zero: bool | None  # whether it vanishes; None when the normal form was not reached
    rational: bool  # a rational function of the symbols, where the normal form decides
    notes: tuple[str, ...] = ()


def _difference(claimed: sympy.Expr, derived: sympy.Expr, timeout: float) -> _Difference:
    """The difference in normal form, when its expansion is small enough and the time allows."""
    raw = derived - claimed
    reduced = b_reduced(raw)
    rational = is_rational_function(reduced)
    terms = expansion_bound(reduced)
    if terms > MAX_TERMS:
        return _Difference(raw, reduced, None, rational, (
            f"the difference would expand to up to {terms:,} terms (limit {MAX_TERMS:,}): no normal form attempted",))
    shown = raw
    try:
        with time_limit(0.6 * timeout):
            # The difference is shown as derived − claimed, factored; whether it vanishes is decided with b at
            # its two values, where b**2 = b.
            shown = tidy(raw)
            zero = shown == 0 or normal(reduced) == 0
    except TimeUp:
        return _Difference(shown, reduced, None, rational,
                           (f"the normal form was not reached within {0.6 * timeout:g} s",))
    return _Difference(shown, reduced, zero, rational)


def _proof(claimed: sympy.Expr, derived: sympy.Expr, difference: _Difference, timeout: float,
           deadline: float) -> tuple[str | None, bool]:
    """How the two sides were proven equal (None when they were not); and whether, with the channels written
    per group, their difference is a nonzero rational function, which disproves the claim."""
    if difference.zero:
        return _BY_NORMAL_FORM, False
    if difference.zero is None:
        points = grid_identity(claimed, derived, deadline)
        return (_BY_GRID_IDENTITY.format(points=points) if points else None), False
    grouped = _per_group_normal(difference, timeout)
    if grouped == 0:
        return _BY_NORMAL_FORM_PER_GROUP, False
    return None, grouped is not None and is_rational_function(grouped)


def _per_group_normal(difference: _Difference, timeout: float) -> sympy.Expr | None:
    """The normal form with ``C_in = g*C_in_g``, ``C_out = g*C_out_g``; None when it does not apply or takes
    too long. ``floor(C_in/g)`` is ``C_in/g`` when ``g`` divides ``C_in``: written per group it simplifies."""
    channels = per_group(difference.reduced)
    if difference.rational or not channels:
        return None
    try:
        with time_limit(max(0.3 * timeout, 0.05)):
            return normal(difference.reduced.xreplace(channels))
    except TimeUp:
        return None


def _unproven(claimed: sympy.Expr, derived: sympy.Expr, difference: _Difference, nonzero_per_group: bool,
              start: float, timeout: float) -> Verdict:
    """The verdict on a claim not proven: it fails when shown to, else it is undecided."""
    deadline = start + timeout
    example = counterexample(claimed, derived, deadline)
    if difference.zero is False and difference.rational:
        return _failure(claimed, derived, difference, example, deadline)
    notes = list(difference.notes)
    if example is not None or nonzero_per_group:
        if example is None:
            notes.append("no counterexample found within the time bound, but with the channels written per group "
                         "the difference is a nonzero rational function")
        return Verdict("fails", claimed, derived, difference.shown, counterexample=example, notes=tuple(notes))
    if difference.zero is False:
        notes.append("the difference involves floor, ceiling, min, max, abs or a root, where the normal form "
                     "decides nothing, and no counterexample was found")
    notes.append(f"undecided after {time.monotonic() - start:.1f} s (time bound {timeout:g} s)")
    return Verdict("undecided", claimed, derived, difference.shown, notes=tuple(notes))


def _failure(claimed: sympy.Expr, derived: sympy.Expr, difference: _Difference, example: Counterexample | None,
             deadline: float) -> Verdict:
    """A claim whose difference is a nonzero rational function, which vanishes on no grid of positive integers:
    it fails, with the condition under which it does hold when that can be worked out in time."""
    notes = list(difference.notes)
    where: str | None = None
    nowhere = False
    try:
        with time_limit(max(deadline - time.monotonic(), 0.05)):
            where, nowhere = condition(difference.reduced)
    except TimeUp:
        notes.append("the condition was not worked out within the time bound")
    if example is None:
        notes.append("no counterexample found within the time bound, but the difference is a nonzero "
                     "rational function, which vanishes on no grid of positive integers")
    return Verdict("fails", claimed, derived, difference.shown, counterexample=example, condition=where,
                   nowhere=nowhere, notes=tuple(notes))
