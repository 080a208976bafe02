r"""Decide whether a claimed formula equals a derived count, and when it does not, show why and where.

A verdict is one of three, and says how it was reached:

* **holds** — the difference ``derived − claimed`` is 0 in normal form (``cancel(together(...))``, exactly,
  with ``b`` evaluated at 0 and at 1, its only values); or, when the difference is too large to expand, both
  sides are polynomials that agree on a grid with more values per variable than their degree in it (Alon's
  Lemma 2.1, as in :mod:`symconv.verify`). Never from sampling alone.
* **fails** — the difference is a nonzero rational function, which cannot vanish on every point of the
  domain (positive integers, ``b ∈ {0, 1}``, channels divisible by ``g``: a nonzero polynomial vanishes on no
  infinite grid). The smallest counterexample is found by enumerating points by increasing size; the
  condition under which the claim *does* hold is read from the factors of the difference.
* **undecided** — the difference involves ``floor``, ``min``, ``max``, ``abs`` or a root, on which the
  normal form proves nothing, and no counterexample turned up; or the time bound ran out.

>>> from symconv.symbols import sym
>>> C_in, C_out, b = sym("C_in"), sym("C_out"), sym("b")
>>> v = equivalent(C_in * C_out, C_out * (C_in + b))
>>> v.status, v.condition, v.counterexample.values, v.counterexample.claimed, v.counterexample.derived
('fails', 'b = 0', {'C_in': 1, 'C_out': 1, 'b': 1}, 1, 2)
>>> equivalent(C_out * (C_in + 1), C_in * C_out + C_out).method
'symbolic normal form: derived − claimed simplifies to 0'

Every call is bounded in time (``timeout`` seconds, :data:`DEFAULT_TIMEOUT` by default): symbolic work runs
under an interval timer where the platform allows it (the main thread of a POSIX process), expansion is
refused up front when it would create more than :data:`MAX_TERMS` terms, and the counterexample search stops
at its deadline. A check that runs out of time says so; it does not hang.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import TypeAlias

import sympy

from symconv import variants
from symconv.compare import compare
from symconv.derive import Derivation, derive
from symconv.errors import SymconvError, UnknownSymbolError
from symconv.parsing import notation as find_notation
from symconv.parsing import parse_formula, parse_text
from symconv.printing.exprs import text_expr
from symconv.quantities import LAYER
from symconv.spec import resolve_values
from symconv.symbols import TABLE, canonical_order, new_symbol, sym

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_GRID",
    "MAX_POINTS",
    "MAX_TERMS",
    "Counterexample",
    "Part",
    "Verdict",
    "check_count",
    "claim_expr",
    "derived_count",
    "equivalent",
    "expansion_bound",
]

#: Seconds a check may take by default.
DEFAULT_TIMEOUT = 5.0
#: The most terms the expansion of a difference may have before the normal form is given up.
MAX_TERMS = 20_000
#: The most points the counterexample search evaluates.
MAX_POINTS = 200_000
#: The most points of a grid identity, the proof used when the normal form is out of reach.
MAX_GRID = 50_000

_B = sym("b")

#: A value or alias as the library takes it: an int, a formula in text syntax, or a SymPy expression.
Value: TypeAlias = int | str | sympy.Expr


@dataclass(frozen=True)
class Counterexample:
    """Values of the free symbols where the two sides differ, and the value of each side there."""

    values: Mapping[str, int]
    claimed: sympy.Rational
    derived: sympy.Rational

    def __str__(self) -> str:
        where = ", ".join(f"{name} = {value}" for name, value in self.values.items())
        return f"at {where}: claimed {self.claimed}, derived {self.derived}"


@dataclass(frozen=True)
class Verdict:
    """What a check found.

    ``status`` is ``"holds"``, ``"fails"`` or ``"undecided"``; ``difference`` is ``derived − claimed``,
    factored; ``method`` says how a verdict of "holds" was proven; ``counterexample`` is the smallest point
    found where the sides differ; ``condition`` is where a failing claim does hold (``"b = 1"``, ``"k = 1 or
    k = 3"``, ``"C_out = C_in"``), ``None`` when it holds nowhere (``nowhere`` is then True, proven) or when
    that could not be worked out.
    """

    status: str
    claimed: sympy.Expr
    derived: sympy.Expr
    difference: sympy.Expr
    method: str | None = None
    counterexample: Counterexample | None = None
    condition: str | None = None
    nowhere: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def holds(self) -> bool | None:
        """True, False, or None when undecided."""
        return {"holds": True, "fails": False}.get(self.status)

    @property
    def summary(self) -> str:
        """One phrase: ``holds``, ``holds exactly when b = 1``, ``does not hold`` or ``undecided``."""
        if self.status == "holds":
            return "holds"
        if self.status == "undecided":
            return "undecided"
        if self.condition:
            return f"holds exactly when {self.condition}"
        return "does not hold"

    def explain(self) -> str:
        """The verdict in a few lines, as ``symconv check`` and the test helpers print it."""
        verdict = "does not hold" if self.status == "fails" else self.summary
        lines = [f"claimed:    {text_expr(self.claimed)}", f"derived:    {text_expr(self.derived)}",
                 f"difference: derived - claimed = {text_expr(self.difference)}", f"verdict:    {verdict}"]
        if self.method:
            lines.append(f"proof:      {self.method}")
        if self.counterexample is not None:
            lines.append(f"counterexample: {self.counterexample}")
        if self.status == "fails":
            if self.condition:
                lines.append(f"condition:  holds exactly when {self.condition}")
            elif self.nowhere:
                lines.append("condition:  holds for no values of the symbols")
        lines += [f"note:       {note}" for note in self.notes]
        return "\n".join(lines)


class _TimeUp(BaseException):
    """Raised inside SymPy by the interval timer; a BaseException so that no ``except Exception`` eats it."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` where an interval timer can (POSIX, main thread, none running)."""
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- Symbolic normal form ------------------------------------------------------------------------------------

def expansion_bound(expr: sympy.Expr) -> int:
    """An upper bound on the terms of ``expand(expr)``, computed without expanding.

    >>> from symconv.symbols import sym
    >>> expansion_bound((sym("C_in") + sym("C_out") + 1) ** 3)
    10
    """
    cache: dict[sympy.Basic, int] = {}

    def bound(e: sympy.Basic) -> int:
        if e in cache:
            return cache[e]
        if isinstance(e, sympy.Add):
            result = sum(bound(a) for a in e.args)
        elif isinstance(e, sympy.Mul):
            result = math.prod(bound(a) for a in e.args)
        elif isinstance(e, sympy.Pow) and isinstance(e.exp, sympy.Integer):
            n, t = abs(int(e.exp)), bound(e.base)
            result = math.comb(t + n - 1, n) if t > 1 else 1
        else:
            result = 1
        cache[e] = min(result, 10**12)
        return cache[e]

    return bound(expr)


def _normal(expr: sympy.Expr) -> sympy.Expr:
    return sympy.cancel(sympy.together(expr))


def _is_rational_function(expr: sympy.Expr) -> bool:
    """Sums, products and integer powers of symbols and rationals only: where the normal form decides."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            if not isinstance(node.exp, sympy.Integer):
                return False
        elif not isinstance(node, sympy.Add | sympy.Mul | sympy.Symbol | sympy.Rational):
            return False
    return True


def _b_reduced(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` as ``e0 + b (e1 − e0)``: its values at ``b = 0`` and ``b = 1``, the only ones ``b`` takes."""
    if _B not in expr.free_symbols:
        return expr
    at0, at1 = expr.xreplace({_B: 0}), expr.xreplace({_B: 1})
    return at0 + _B * (at1 - at0)


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    return sympy.factor(_normal(expr))


# --- Exact evaluation and the counterexample search ------------------------------------------------------

_Evaluator = Callable[[Mapping[sympy.Symbol, int]], Fraction]
_FUNCTIONS: dict[type, Callable[..., Fraction]] = {
    sympy.floor: lambda x: Fraction(math.floor(x)),
    sympy.ceiling: lambda x: Fraction(math.ceil(x)),
    sympy.Abs: abs,
    sympy.Min: min,
    sympy.Max: max,
}


class _Inexact(Exception):
    """A value the exact evaluator cannot compute in rationals (an irrational root)."""


def _evaluator(expr: sympy.Basic) -> _Evaluator:
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
    args = [_evaluator(a) for a in expr.args]
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
    raise _Inexact(type(expr).__name__)


def _root(value: Fraction, q: int) -> Fraction:
    value = Fraction(value)
    if value < 0:
        raise _Inexact("root of a negative number")
    num, den = round(value.numerator ** (1 / q)), round(value.denominator ** (1 / q))
    if num**q != value.numerator or den**q != value.denominator:
        raise _Inexact("irrational root")
    return Fraction(num, den)


def _low(symbol: sympy.Symbol) -> int:
    return 1 if symbol.is_positive else 0


def _points(variables: list[sympy.Symbol]) -> Iterator[dict[sympy.Symbol, int]]:
    """Every point of the domain, by increasing total distance from the smallest point, then in order."""
    n = len(variables)
    lows = [_low(v) for v in variables]
    g, cin, cout = sym("g"), sym("C_in"), sym("C_out")
    divisible = [c for c in (cin, cout) if c in variables] if g in variables else []
    for total in itertools.count():
        # Stars and bars: the ways to share ``total`` extra units among the variables.
        for bars in itertools.combinations(range(total + n - 1), n - 1):
            parts = [b - a - 1 for a, b in zip((-1, *bars), (*bars, total + n - 1), strict=True)]
            point = {v: low + extra for v, low, extra in zip(variables, lows, parts, strict=True)}
            if _B in point and point[_B] > 1:
                continue
            if any(point[c] % point[g] for c in divisible):
                continue
            yield point


def _search(claimed: sympy.Expr, derived: sympy.Expr, deadline: float,
            predicate: Callable[[Fraction, Fraction], bool]) -> tuple[dict[sympy.Symbol, int] | None, int]:
    """The first point (smallest first) where ``predicate(claimed, derived)``; and how many were tried."""
    variables = sorted(claimed.free_symbols | derived.free_symbols, key=lambda s: s.name)
    try:
        left, right = _evaluator(claimed), _evaluator(derived)
    except _Inexact:
        return None, 0
    if not variables:
        variables = []
    tried = 0
    for point in (_points(variables) if variables else iter([{}])):
        tried += 1
        if tried > MAX_POINTS or (tried % 256 == 0 and time.monotonic() > deadline):
            break
        try:
            a, b = left(point), right(point)
        except (ZeroDivisionError, _Inexact, ValueError):
            continue
        if predicate(a, b):
            return point, tried
        if not variables:
            break
    return None, tried


def _counterexample(claimed: sympy.Expr, derived: sympy.Expr, deadline: float) -> Counterexample | None:
    point, _ = _search(claimed, derived, deadline, lambda a, b: a != b)
    if point is None:
        return None
    left, right = Fraction(_evaluator(claimed)(point)), Fraction(_evaluator(derived)(point))
    order = {name: i for i, name in enumerate(canonical_order())}
    names = sorted(point, key=lambda s: (order.get(s.name, len(order)), s.name))
    return Counterexample({s.name: point[s] for s in names}, sympy.Rational(left.numerator, left.denominator),
                          sympy.Rational(right.numerator, right.denominator))


def _degree(expr: sympy.Basic, variable: sympy.Symbol) -> int | None:
    """A bound on the degree of ``expr`` in ``variable``, read from its structure without expanding; None
    when ``expr`` is not a polynomial in it."""
    if variable not in expr.free_symbols:
        return 0
    if isinstance(expr, sympy.Symbol):
        return 1
    if isinstance(expr, sympy.Add):
        degrees = [_degree(a, variable) for a in expr.args]
        return None if None in degrees else max(d for d in degrees if d is not None)
    if isinstance(expr, sympy.Mul):
        degrees = [_degree(a, variable) for a in expr.args]
        return None if None in degrees else sum(d for d in degrees if d is not None)
    if isinstance(expr, sympy.Pow) and isinstance(expr.exp, sympy.Integer) and expr.exp >= 0:
        base = _degree(expr.base, variable)
        return None if base is None else base * int(expr.exp)
    return None


def _grid_identity(claimed: sympy.Expr, derived: sympy.Expr, deadline: float) -> int | None:
    """The points of a grid on which two polynomials agree, proving them equal; None when they are not
    both polynomials, the grid is too large, they differ somewhere on it, or time runs out.

    A polynomial of degree at most ``t_i`` in variable ``i`` that vanishes on a grid of ``t_i + 1`` values per
    variable is zero (Alon, Lemma 2.1). ``b`` takes its two values, its whole domain.
    """
    variables = sorted(claimed.free_symbols | derived.free_symbols, key=lambda s: s.name)
    axes_values = []
    for v in variables:
        degrees = (_degree(claimed, v), _degree(derived, v))
        if None in degrees:
            return None
        top = max(d for d in degrees if d is not None)
        axes_values.append((0, 1) if v == _B else tuple(range(_low(v), _low(v) + top + 1)))
    if math.prod(len(a) for a in axes_values) > MAX_GRID:
        return None
    try:
        left, right = _evaluator(claimed), _evaluator(derived)
    except _Inexact:
        return None
    points = 0
    for combo in itertools.product(*axes_values):
        point = dict(zip(variables, combo, strict=True))
        if left(point) != right(point):
            return None
        points += 1
        if points % 256 == 0 and time.monotonic() > deadline:
            return None
    return points


# --- Where a failing claim holds ------------------------------------------------------------------------------

def _zero_set(factor: sympy.Expr) -> str | None:
    """Where ``factor`` vanishes on the domain, when its shape shows it: ``""`` for nowhere, ``"C_in = 1 and
    k = 1"`` for a single point of some variables, ``None`` when the shape shows nothing.

    Written in ``u = v − low ≥ 0`` (each variable minus its least value), a polynomial whose coefficients all
    have one sign is a sum of terms of that sign: it vanishes only if every term does. With a nonzero
    constant term it never does; otherwise it does exactly when every monomial has a variable at 0, which is
    the case when the variables that form a monomial alone are all at their least value and every other
    monomial contains one of them.
    """
    if factor.is_positive or factor.is_negative:
        return ""
    variables = sorted(factor.free_symbols, key=lambda s: s.name)
    shifted = sympy.Poly(sympy.expand(factor.xreplace({v: v + _low(v) for v in variables})), *variables)
    terms = shifted.terms()
    if len({sympy.sign(c) for _, c in terms}) != 1:
        return None
    constant = any(not any(m) for m, _ in terms)
    if constant:
        return ""
    forced = {i for m, _ in terms if sum(1 for e in m if e) == 1 for i, e in enumerate(m) if e}
    if all(any(m[i] for i in forced) for m, _ in terms):
        return " and ".join(f"{variables[i]} = {_low(variables[i])}" for i in sorted(forced))
    return None


def _roots(factor: sympy.Expr, variable: sympy.Symbol) -> list[int]:
    """The integer roots of a one-variable factor that lie in its variable's domain."""
    roots = sympy.Poly(factor, variable).ground_roots()
    top = 1 if variable == _B else None
    return sorted(int(r) for r in roots if r.is_integer and r >= _low(variable) and (top is None or r <= top))


def _equation(factor: sympy.Expr) -> str:
    """``factor = 0`` written with positive terms on both sides: ``C_out = C_in*k``."""
    plus = [t for t in sympy.Add.make_args(sympy.expand(factor)) if not t.could_extract_minus_sign()]
    minus = [-t for t in sympy.Add.make_args(sympy.expand(factor)) if t.could_extract_minus_sign()]
    return f"{sympy.Add(*plus)} = {sympy.Add(*minus)}"


def _alternatives(expr: sympy.Expr) -> list[str]:
    """The ways a polynomial vanishes on the domain, one clause per way (``"k = 3"``, ``"C_in = 1 and
    b = 1"``, ``"C_out = C_in*k"``); empty when it provably never does."""
    if expr.is_number:
        return ["always"] if expr == 0 else []
    _, factors = sympy.factor_list(expr)
    clauses: list[str] = []
    for factor, _ in factors:
        variables = sorted(factor.free_symbols, key=lambda s: s.name)
        if len(variables) == 1:
            (variable,) = variables
            clauses += [f"{variable} = {r}" for r in _roots(factor, variable)]
        elif _B in factor.free_symbols:
            # b is 0 or 1: where the factor vanishes is where it does at b = 0, and where it does at b = 1.
            for value in (0, 1):
                for clause in _alternatives(sympy.expand(factor.xreplace({_B: value}))):
                    clauses.append(f"b = {value}" if clause == "always" else
                                   " and ".join(sorted([*clause.split(" and "), f"b = {value}"])))
        else:
            zeros = _zero_set(factor)
            if zeros != "":
                clauses.append(zeros or _equation(factor))
    return list(dict.fromkeys(clauses))


def _condition(difference: sympy.Expr) -> tuple[str | None, bool]:
    """Where ``difference`` vanishes: a condition, or (None, True) when provably nowhere."""
    numerator, _ = sympy.fraction(_normal(difference))
    if not _is_rational_function(numerator) or numerator.is_number:
        return None, bool(numerator.is_number and numerator != 0)
    clauses = _alternatives(numerator)
    if not clauses:
        return None, True

    def order(clause: str) -> tuple[int, str]:
        # Single values first, then joint conditions, then equations.
        return (2 if " and " in clause else 3 if clause.count("=") == 1 and not _single(clause) else 1, clause)

    clauses.sort(key=order)
    if len(clauses) == 1:
        return clauses[0], False
    return " or ".join(f"({c})" if " and " in c else c for c in clauses), False


def _single(clause: str) -> bool:
    """``"k = 3"``: a name equal to an integer."""
    _, _, value = clause.partition(" = ")
    return value.lstrip("-").isdigit()


def _per_group(expr: sympy.Expr) -> dict[sympy.Symbol, sympy.Expr]:
    """``C_in = g*C_in_g`` and ``C_out = g*C_out_g`` for the channel totals in ``expr``, when it has ``g``."""
    g = sym("g")
    if g not in expr.free_symbols:
        return {}
    return {sym(name): g * sym(f"{name}_g") for name in ("C_in", "C_out") if sym(name) in expr.free_symbols}


# --- The verdict ---------------------------------------------------------------------------------------------

def equivalent(claimed: sympy.Expr, derived: sympy.Expr, *, timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    """Check ``claimed`` against ``derived`` for every value of their symbols (see the module docstring).

    >>> from symconv.symbols import sym
    >>> k = sympy.Symbol("k", integer=True, positive=True)
    >>> v = equivalent(2 * k * sym("C_in"), 2 * k**2 * sym("C_in"))
    >>> v.summary, str(v.counterexample), v.difference
    ('holds exactly when k = 1', 'at C_in = 1, k = 2: claimed 4, derived 8', 2*C_in*k*(k - 1))
    """
    start = time.monotonic()
    deadline = start + timeout
    notes: list[str] = []
    raw = derived - claimed
    reduced = _b_reduced(raw)
    difference: sympy.Expr = raw
    zero: bool | None = None
    rational = _is_rational_function(reduced)
    terms = expansion_bound(reduced)
    if terms > MAX_TERMS:
        notes.append(f"the difference would expand to up to {terms:,} terms (limit {MAX_TERMS:,}): "
                     "no normal form attempted")
    else:
        try:
            with _time_limit(0.6 * timeout):
                # The difference is shown as derived − claimed, factored; whether it vanishes is decided
                # with b at its two values, where b**2 = b.
                difference = _tidy(raw)
                zero = difference == 0 or _normal(reduced) == 0
        except _TimeUp:
            notes.append(f"the normal form was not reached within {0.6 * timeout:g} s")
    if zero:
        return Verdict("holds", claimed, derived, sympy.Integer(0),
                       method="symbolic normal form: derived − claimed simplifies to 0", notes=tuple(notes))
    per_group = _per_group(reduced)
    nonzero_per_group = False
    if zero is False and not rational and per_group:
        # floor(C_in/g) is C_in/g when g divides C_in: with the channels written per group it simplifies away.
        try:
            with _time_limit(max(0.3 * timeout, 0.05)):
                grouped = _normal(reduced.xreplace(per_group))
        except _TimeUp:
            grouped = None
        if grouped == 0:
            return Verdict("holds", claimed, derived, sympy.Integer(0), notes=tuple(notes), method=(
                "symbolic normal form, with the channels written per group (C_in = g*C_in_g, C_out = g*C_out_g, "
                "as divisibility by g allows): derived − claimed simplifies to 0"))
        nonzero_per_group = grouped is not None and _is_rational_function(grouped)
    if zero is None:
        points = _grid_identity(claimed, derived, deadline)
        if points:
            return Verdict("holds", claimed, derived, sympy.Integer(0), notes=tuple(notes), method=(
                f"grid identity: both sides are polynomials, equal at all {points:,} points of a grid with more "
                "values per variable than either side's degree in it, hence everywhere (Alon, Combinatorial "
                "Nullstellensatz, Lemma 2.1; docs/grid-proof.md)"))

    counterexample = _counterexample(claimed, derived, deadline)
    condition: str | None = None
    nowhere = False
    if zero is False and rational:
        try:
            with _time_limit(max(deadline - time.monotonic(), 0.05)):
                condition, nowhere = _condition(reduced)
        except _TimeUp:
            notes.append("the condition was not worked out within the time bound")
        if counterexample is None:
            notes.append("no counterexample found within the time bound, but the difference is a nonzero "
                         "rational function, which vanishes on no grid of positive integers")
        return Verdict("fails", claimed, derived, difference, counterexample=counterexample,
                       condition=condition, nowhere=nowhere, notes=tuple(notes))
    if counterexample is not None or nonzero_per_group:
        if counterexample is None:
            notes.append("no counterexample found within the time bound, but with the channels written per group "
                         "the difference is a nonzero rational function")
        return Verdict("fails", claimed, derived, difference, counterexample=counterexample, notes=tuple(notes))
    if zero is False:
        notes.append("the difference involves floor, ceiling, min, max, abs or a root, where the normal form "
                     "decides nothing, and no counterexample was found")
    notes.append(f"undecided after {time.monotonic() - start:.1f} s (time bound {timeout:g} s)")
    return Verdict("undecided", claimed, derived, difference, notes=tuple(notes))


# --- Claims about a layer ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """One layer of a composition: a variant and its own substitutions (``{"C_in": "c", "k_h": 3}``)."""

    variant: str
    values: Mapping[str, Value] = field(default_factory=dict)


def _expr(value: Value, what: str) -> sympy.Expr:
    if isinstance(value, str):
        return parse_text(value)
    if isinstance(value, bool) or not isinstance(value, int | sympy.Expr):
        raise SymconvError(f"{what} must be an int, a formula or a SymPy expression, not {value!r}")
    return sympy.Integer(value) if isinstance(value, int) else value


def _split_values(values: Mapping[str, Value]) -> tuple[dict[str, sympy.Expr], dict[sympy.Symbol, sympy.Expr]]:
    """Table names go into the layer; names of the user's own (``k``) are put in after deriving."""
    table: dict[str, sympy.Expr] = {}
    own: dict[sympy.Symbol, sympy.Expr] = {}
    for name, value in values.items():
        expr = _expr(value, f"the value of {name}")
        if name in ("C_in_g", "C_out_g"):
            raise UnknownSymbolError(f"{name} cannot be set: it follows from C_in, C_out and g")
        if name in TABLE:
            table[name] = expr
        else:
            own[new_symbol(name)] = expr
    return table, own


def derived_count(quantity: str, variant: str | None = None, *, versus: str | None = None,
                  parts: tuple[Part, ...] = (), convention: str = "exact", bias: bool | None = None,
                  dims: int = 2, values: Mapping[str, Value] | None = None) -> tuple[sympy.Expr, list]:
    """The count a claim is about, and the derivations it came from (each with the values and bias setting
    its layer was made with).

    One variant's ``quantity``; or the ratio ``variant / versus``; or, with ``parts``, the sum of the parts'
    derived counts (a unit built of several layers, each derived, none typed in).
    """
    if quantity not in LAYER:
        raise SymconvError(f"unknown quantity {quantity!r} (known: {', '.join(LAYER)})")
    table, own = _split_values(values or {})
    if parts:
        derivations = []
        for part in parts:
            part_table, part_own = _split_values(part.values)
            if part_own:
                raise SymconvError(f"a part sets {', '.join(map(str, part_own))}: only symconv's names can be set "
                                   "in a part")
            layer_values = {**table, **part_table}
            derivations.append((derive(variants.make(part.variant, dims, layer_values, bias), convention),
                                layer_values, bias))
        total = sympy.Add(*(d.quantities[quantity] for d, _, _ in derivations))
        return sympy.factor_terms(total).xreplace(own), derivations
    if variant is None:
        raise SymconvError("a claim needs a variant, or parts")
    left = derive(variants.make(variant, dims, table, bias), convention)
    if versus is None:
        return left.quantities[quantity].xreplace(own), [(left, table, bias)]
    right = derive(variants.make(versus, dims, table, bias), convention)
    ratio = compare(left, right, quantities=[quantity]).quantities[quantity]
    return ratio.xreplace(own), [(left, table, bias), (right, table, bias)]


def claim_expr(formula: str | sympy.Expr, *, aliases: Mapping[str, Value] | None = None,
               notation: str | None = None, values: Mapping[str, Value] | None = None,
               syntax: str = "auto") -> sympy.Expr:
    """A claimed formula read with the aliases (a notation's, then ``aliases``), and ``values`` put in."""
    merged: dict[str, sympy.Expr] = {}
    if notation is not None:
        merged.update(find_notation(notation).alias_exprs())
    merged.update({name: _expr(value, f"alias {name}") for name, value in (aliases or {}).items()})
    claimed = formula if isinstance(formula, sympy.Expr) else parse_formula(formula, syntax=syntax, aliases=merged)
    subs = {sym(name) if name in TABLE else new_symbol(name): _expr(value, f"the value of {name}")
            for name, value in (values or {}).items()}
    return claimed.xreplace(subs)


def check_count(formula: str | sympy.Expr, variant: str | None = None, quantity: str = "flops", *,
                versus: str | None = None, parts: tuple[Part, ...] = (), convention: str = "exact",
                bias: bool | None = None, dims: int = 2, values: Mapping[str, Value] | None = None,
                aliases: Mapping[str, Value] | None = None, notation: str | None = None, syntax: str = "auto",
                timeout: float = DEFAULT_TIMEOUT, grid: bool = False) -> Verdict:
    r"""Check a claimed count of a layer: ``formula`` against ``quantity`` of ``variant`` (or of ``parts``, or
    the ratio to ``versus``), in ``convention``, with ``values`` put in on both sides.

    ``notation`` names a built-in table of a paper's names (:data:`symconv.parsing.NOTATIONS`), whose
    aliases and values apply first; ``aliases`` and ``values`` override them. With ``grid``, a claim that
    holds has the derived counts also proven against the direct count (:func:`symconv.verify.verify`).

    >>> v = check_count(r"D_K \cdot D_K \cdot M \cdot N \cdot D_F \cdot D_F", "standard", "macs",
    ...                 notation="mobilenet")
    >>> v.summary, v.derived
    ('holds', C_in*C_out*H_out**2*k**2)
    >>> check_count("2 k^2 H_out W_out C_in C_out", "standard", "flops", bias=False,
    ...             values={"k_h": "k", "k_w": "k", "N": 1}).summary
    'does not hold'
    """
    merged_values: dict[str, Value] = {}
    if notation is not None:
        merged_values.update(find_notation(notation).values)
    merged_values.update(values or {})
    claimed = claim_expr(formula, aliases=aliases, notation=notation, values=merged_values, syntax=syntax)
    start = time.monotonic()
    try:
        with _time_limit(timeout):
            derived, derivations = derived_count(quantity, variant, versus=versus, parts=parts,
                                                 convention=convention, bias=bias, dims=dims, values=merged_values)
    except _TimeUp:
        return Verdict("undecided", claimed, sympy.nan, sympy.nan, notes=(
            f"the count was not derived within the time bound ({timeout:g} s): the values given make it too large",))
    remaining = max(timeout - (time.monotonic() - start), 0.1)
    verdict = equivalent(claimed, derived, timeout=remaining)
    if grid and verdict.status == "holds":
        verdict = _with_grid(verdict, derivations, max(timeout - (time.monotonic() - start), 0.1))
    return verdict


def _with_grid(verdict: Verdict, derivations: list, seconds: float) -> Verdict:
    points = 0
    try:
        with _time_limit(seconds):
            for derivation, values, bias in derivations:
                proven = _grid_points(derivation, values, bias)
                if proven is None:
                    return replace(verdict, notes=(*verdict.notes, "the grid proof did not confirm the derived "
                                                   f"{derivation.variant} count; the verdict rests on the normal "
                                                   "form"))
                points += proven
    except _TimeUp:
        return replace(verdict, notes=(*verdict.notes, "the grid proof did not finish within the time bound"))
    method = (f"{verdict.method}; and the derived count is proven against the direct count for all sizes "
              f"(grid proof, {points:,} points, docs/grid-proof.md)")
    return replace(verdict, method=method)


def _grid_points(derivation: Derivation, values: Mapping[str, sympy.Expr], bias: bool | None) -> int | None:
    """Prove a derived count against the direct count on a grid; the points it took, or None.

    When the layer ties symbols together (``C_in = C_out = m``, which the grid cannot vary apart), the count
    is proven instead as an instance of the general variant's: the general closed forms are proven on their
    grid, and the layer's are those with the values put in, which the normal form checks.
    """
    # The direct counter and numpy load only when a grid proof is asked for.
    from symconv.verify import verify

    report = verify(derivation, samples=0)
    if report.ok:
        return report.grid.points
    general = derive(variants.make(derivation.variant, derivation.dims, bias=bias), derivation.convention)
    subs = resolve_values(values)
    for name in LAYER:
        if _normal(general.quantities[name].xreplace(subs) - derivation.quantities[name]) != 0:
            return None
    report = verify(general, samples=0)
    return report.grid.points if report.ok else None
