"""``symconv explain``: for a number reported for a model — by a paper, a README or a tool — the conventions
and tool presets that reproduce it, at the model's input or, where none does, at another batch or input size
(a tool run at a smaller size, ptflops' per-sample count), or with one layer left out; else the nearest count
and by how much. For two numbers, the gap between them layer type by layer type.

A :class:`Subject` is a network with a setting of its symbols, the batch a symbol of its own (so that it can
vary) and, where the input's sizes are one symbol, that symbol (:func:`subject`).

>>> from symconv.network import builtin
>>> s = subject(builtin("resnet50"), {"alpha": 1, "rho": 1})
>>> e = explain(s, ["4.089G", "8178368512"])
>>> [m.reading.name for m in e.numbers[1].matches]
['2macs', 'flopcounter']
>>> [(row.label, row.difference) for row in e.gap.by_type][:2]
[('conv 7×7', 118013952), ('batchnorm', 0)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import sympy

from symconv.errors import SymconvError
from symconv.network.graph import Analysis, Network, analyse
from symconv.network.layers.base import Expr, as_expr
from symconv.presets.base import PRESETS
from symconv.presets.count import Comparison, compare_facts
from symconv.presets.facts import network_facts
from symconv.presets.numbers import UNITS, Reported, reported

__all__ = ["READINGS", "Explained", "Explanation", "Gap", "GapRow", "Match", "Nearest", "Reading", "Subject",
           "explain", "subject"]


@dataclass(frozen=True)
class Reading:
    """A way to count: a convention, a tool's preset, or a quantity (``params``), and what it counts."""

    name: str
    kind: str
    says: str


_CONVENTIONS = (
    Reading("exact", "convention", "every multiplication, addition and other operation"),
    Reading("macs", "convention", "the multiply-accumulates of convolutions and matrix products"),
    Reading("2macs", "convention", "2 × the multiply-accumulates"),
    Reading("output-grid", "convention", "the multiply-accumulates, a transposed convolution's on its output grid"),
)
_QUANTITIES = (
    Reading("params", "quantity", "the learnable parameters, sum(p.numel())"),
    Reading("weights", "quantity", "the weights of convolutions and linear layers (no bias, no batch norm)"),
)

#: Every reading a number is tried against, in order.
READINGS: tuple[Reading, ...] = (*_CONVENTIONS, *(Reading(p.name, "preset", f"{p.tool}: {p.call}")
                                                  for p in PRESETS.values()), *_QUANTITIES)


@dataclass(frozen=True)
class Match:
    """A reading that gives the number: its exact count, how it gives it (``exact``, ``rounded``,
    ``truncated``) in which unit, at which setting, and what differs from the setting asked about (another
    batch or input size, or a layer left out)."""

    reading: Reading
    count: Expr
    fit: str
    unit: str
    setting: str
    moved: str = ""
    without: str = ""


@dataclass(frozen=True)
class Nearest:
    """The reading nearest a number that none reproduces, and the number minus its count."""

    reading: Reading
    count: Expr
    difference: Expr
    setting: str


@dataclass(frozen=True)
class Explained:
    number: Reported
    matches: tuple[Match, ...]
    nearest: Nearest | None


@dataclass(frozen=True)
class GapRow:
    """One layer type of a gap: each reading's count of it, and why a tool counts it so."""

    label: str
    first: Expr
    second: Expr
    first_why: str = ""
    second_why: str = ""

    @property
    def difference(self) -> Expr:
        return sympy.expand(self.second - self.first)


@dataclass(frozen=True)
class Gap:
    """The gap between two numbers: the readings that give them, the difference of their counts layer type by
    layer type, and what the printed numbers' rounding adds."""

    first: Reading
    second: Reading
    difference: Expr
    by_type: tuple[GapRow, ...]
    rounding: Expr


@dataclass(frozen=True)
class Explanation:
    title: str
    setting: str
    numbers: tuple[Explained, ...]
    gap: Gap | None


@dataclass(frozen=True)
class Subject:
    """A network at a setting (``given``, by symbol name); ``batch`` the symbol of its batch; ``size`` the
    symbol of its input's sizes and the factor that makes a size of it (``224*rho``: ``("rho", 224)``);
    ``describe`` writes a setting as the user gave it (an input shape, or the symbols)."""

    network: Network
    given: Mapping[str, Expr]
    batch: str
    size: tuple[str, Expr] | None
    shape: str = ""

    def describe(self, setting: Mapping[str, Expr]) -> str:
        if self.shape:
            text = self.shape
            for name, value in setting.items():
                text = "x".join(str(value) if part == name else part for part in text.split("x"))
            return text
        return ", ".join(f"{k} = {v}" for k, v in setting.items())

    @cached_property
    def closed(self) -> Analysis:
        return analyse(self.network, None, "exact")

    def counts(self, setting: Mapping[str, Expr] | None) -> tuple[Analysis, Comparison, Expr]:
        """The network's analysis, every tool's count and the output-grid count at a setting (symbolic at
        None)."""
        values = dict(setting) if setting is not None else None
        layers = [(node.name, facts) for node, facts in network_facts(self.network, values)]
        grid = sympy.expand(sympy.Add(*(f.counts.get("output_grid", f.counts["macs"]) for _, f in layers)))
        analysis = self.closed.evaluate(values) if values is not None else self.closed
        return analysis, compare_facts(self.network.title or self.network.name, layers), grid

    def holds(self, setting: Mapping[str, Expr]) -> bool:
        try:
            return self.closed.holds_at(dict(setting))
        except SymconvError:
            return False


def _values(counts: tuple[Analysis, Comparison, Expr]) -> dict[str, Expr]:
    """Every reading's count, from the network's analysis, every tool's count and the output-grid count."""
    analysis, comparison, grid = counts
    totals = analysis.totals
    out = {"exact": totals.flops("exact"), "macs": totals.macs, "2macs": 2 * totals.macs,
           "params": totals.params, "weights": totals.weights}
    if sympy.expand(grid - totals.macs) != 0:  # the output grid is the macs but for transposed convolutions
        out["output-grid"] = grid
    return {**out, **{t.preset.name: t.total for t in comparison.counts}}


def subject(network: Network, values: Mapping[str, Expr | int], shape: str = "") -> Subject:
    """The network at ``values`` (every symbol given), its batch made a symbol where it is a number."""
    given = {k: as_expr(v, k) for k, v in values.items()}
    batch = next((name for name, s in network.symbols.items() if s == network.batch), None)
    if batch is None:
        batch = next(n for n in ("N", "batch", "N_batch") if n not in network.symbols)
        symbol = sympy.Symbol(batch, integer=True, positive=True)
        given[batch] = as_expr(network.batch, "batch").xreplace(network.resolve(values))
        network = replace(network, batch=symbol, symbols={**network.symbols, batch: symbol},
                          meanings={**network.meanings, batch: "the batch"})
    missing = sorted(set(network.symbols) - set(given))
    if missing:
        raise SymconvError(f"give every symbol of {network.name} a value to explain a number: {', '.join(missing)}")
    return Subject(network, given, batch, _size(network, batch), shape)


def _size(network: Network, batch: str) -> tuple[str, Expr] | None:
    """The one symbol of the input's sizes, and its factor, when the sizes are all one multiple of it."""
    free = {s for size in network.input.size for s in size.free_symbols}
    names = [n for n, s in network.symbols.items() if s in free and n != batch]
    if len(names) != 1:
        return None
    symbol = network.symbols[names[0]]
    factors = {sympy.cancel(size / symbol) for size in network.input.size}
    factor = factors.pop() if len(factors) == 1 else None
    return (names[0], factor) if factor is not None and factor.is_number else None


def _fits(number: Reported, readings: Mapping[str, Expr], setting: str, moved: str = "") -> list[Match]:
    found = []
    for reading in READINGS:
        count = readings.get(reading.name)
        fit = number.fit(count) if count is not None else None
        if fit is not None:
            found.append(Match(reading, count, fit, number.unit_of(count), setting, moved))  # type: ignore[arg-type]
    return found


#: How far another setting may be from the one asked about: a batch a power of two up to this, an input size
#: this many times larger or smaller; and how far (as a ratio) a number may be from a count for its unit to be
#: tried.
MOST_BATCH, SIZE_FACTOR, UNIT_FACTOR = 1024, 8, 100


def _units(number: Reported, count: Expr) -> list[int]:
    """The units the number may be in, beside a count of the same reading at the setting asked about."""
    if not count.is_number or count <= 0:
        return []
    return [u for u in number.units if 1 / UNIT_FACTOR <= float(number.value * u / count) <= UNIT_FACTOR]


def _candidates(number: Reported, closed: Expr, symbol: sympy.Symbol, step: Expr, units: list[int],
                bounds: tuple[float, float]) -> list[Expr]:
    """Values ``n·step`` of ``symbol`` within ``bounds`` where the closed form can print as ``number``."""
    if closed.free_symbols != {symbol}:
        return []
    found: list[Expr] = []
    for unit in units:
        low, high = number.interval(unit)
        for target in (low, high):
            try:
                roots = sympy.Poly(sympy.expand(closed - target), symbol).nroots(n=15, maxsteps=100)
            except (sympy.PolynomialError, sympy.polys.polyerrors.NoConvergence):
                continue
            for root in roots:
                if root.is_real and bounds[0] <= root <= bounds[1]:
                    middle = float(root / step)
                    found += [sympy.Integer(n) * step for n in range(max(1, math.floor(middle) - 1),
                                                                      math.ceil(middle) + 2)]
    return list(dict.fromkeys(found))


def _moved(subject: Subject, number: Reported, closed: Mapping[str, Expr], given: Mapping[str, Expr]
           ) -> list[Match]:
    """Matches at another batch or input size, where the closed forms hold."""
    found: list[Match] = []
    searches = [(subject.batch, sympy.Integer(1), "batch", (1.0, float(MOST_BATCH)))]
    if subject.size is not None:
        here = float(subject.given[subject.size[0]])
        searches.append((subject.size[0], 1 / subject.size[1], "input", (here / SIZE_FACTOR, here * SIZE_FACTOR)))
    for name, step, what, bounds in searches:
        symbol = subject.network.symbols[name]
        others = {subject.network.symbols[k]: v for k, v in subject.given.items() if k != name}
        for reading in READINGS:
            if reading.name not in closed or reading.name not in given:
                continue
            form = sympy.expand(closed[reading.name].xreplace(others))
            units = _units(number, given[reading.name])
            for value in _candidates(number, form, symbol, step, units, bounds):
                if what == "batch" and int(value) & (int(value) - 1):
                    continue  # batches are powers of two: any other fits a count linear in it too easily
                setting = {**subject.given, name: value}
                count = form.xreplace({symbol: value})
                fit = number.fit(count)
                if fit is not None and value != subject.given[name] and subject.holds(setting):
                    moved = f"{what} {subject.describe(setting)}" if subject.shape else f"{name} = {value}"
                    found.append(Match(reading, count, fit, number.unit_of(count), subject.describe(setting),
                                       moved))
    return found


def _without(number: Reported, analysis: Analysis, readings: Mapping[str, Expr], setting: str) -> list[Match]:
    """Matches of a reading with one layer, or every layer of one type, left out."""
    found = []
    for reading in (r for r in READINGS if r.name in ("exact", "macs", "2macs")):
        for label, part in _parts(analysis, reading.name):
            count = sympy.expand(readings[reading.name] - part)
            fit = number.fit(count) if part != 0 else None
            if fit is not None:
                found.append(Match(reading, count, fit, number.unit_of(count), setting, without=label))
    return found


def _parts(analysis: Analysis, name: str) -> list[tuple[str, Expr]]:
    def of(counts) -> Expr:  # type: ignore[no-untyped-def]
        return {"exact": counts.flops("exact"), "macs": counts.macs, "2macs": 2 * counts.macs}[name]

    layers = [(row.name, of(row.counts)) for row in analysis.rows]
    types = [(f"every {label}", of(counts)) for label, n, counts in analysis.by_type() if n > 1]
    return layers + types


def _nearest(number: Reported, readings: Mapping[str, Expr], setting: str) -> Nearest | None:
    best: Nearest | None = None
    for reading in READINGS:
        count = readings.get(reading.name)
        if count is None or not count.is_number or count <= 0:
            continue
        unit = min(number.units, key=lambda u: abs(math.log10(float(count) / float(number.value * u or 1))))
        difference = number.value * unit - count
        if best is None or abs(difference) / count < abs(best.difference) / best.count:
            best = Nearest(reading, count, difference, setting)
    return best


def _gap(first: Match | Nearest, second: Match | Nearest, numbers: Sequence[Reported], analysis: Analysis,
         comparison: Comparison) -> Gap:
    rows = []
    by_reading = {reading.name: _by_type(reading.name, analysis, comparison) for reading in
                  (first.reading, second.reading)}
    a, b = by_reading[first.reading.name], by_reading[second.reading.name]
    zero = (sympy.Integer(0), "")
    for label in dict.fromkeys([*a, *b]):
        (x, x_why), (y, y_why) = a.get(label, zero), b.get(label, zero)
        rows.append(GapRow(label, x, y, x_why, y_why))
    difference = sympy.expand(second.count - first.count)
    printed = [n.value * (n.units[0] if n.unit is not None else _unit(n, m.count)) for n, m in
               zip(numbers, (first, second), strict=True)]
    return Gap(first.reading, second.reading, difference, tuple(rows), sympy.expand(printed[1] - printed[0]
                                                                                      - difference))


def _unit(number: Reported, count: Expr) -> int:
    return UNITS[number.unit_of(count)]


def _by_type(name: str, analysis: Analysis, comparison: Comparison) -> dict[str, tuple[Expr, str]]:
    """A reading's count of each layer type, and (for a tool) why it counts it so."""
    tools = {t.preset.name: t for t in comparison.counts}
    if name in tools:
        return {g.label: (g.value, "; ".join(g.why)) for g in tools[name].by_type()}
    if name == "output-grid":
        return {}
    pick = {"exact": lambda c: c.flops("exact"), "macs": lambda c: c.macs, "2macs": lambda c: 2 * c.macs,
            "params": lambda c: c.params, "weights": lambda c: c.weights}[name]
    return {label: (pick(counts), "") for label, _, counts in analysis.by_type()}


def _comparable(ends: Sequence[Match | Nearest | None], setting: str) -> bool:
    """Whether a gap by layer type says something: two readings, both of FLOPs or both of parameters, at the
    setting asked about, none with a layer left out."""
    if any(end is None or end.setting != setting or getattr(end, "without", "") for end in ends):
        return False
    first, second = (end.reading for end in ends if end is not None)
    return first != second and (first.kind == "quantity") == (second.kind == "quantity")


def _representative(explained: Explained) -> Match | Nearest | None:
    """The reading a gap compares: a tool's where one reproduces the number, else the first match."""
    presets = [m for m in explained.matches if m.reading.kind == "preset"]
    chosen: list[Match | Nearest | None] = [*(presets or explained.matches), explained.nearest]
    return chosen[0]


def explain(subject: Subject, numbers: Sequence[str | Reported], search: bool = True) -> Explanation:
    """Which readings reproduce each number (:class:`Explained`), and for two or more, the gap between the
    first two; ``search=False`` tries no other batch or input size (the slow part)."""
    read = [n if isinstance(n, Reported) else reported(n) for n in numbers]
    counts = subject.counts(subject.given)
    analysis, comparison, _ = counts
    readings = _values(counts)
    setting = subject.describe(subject.given)
    explained = []
    closed: dict[str, Expr] | None = None
    for number in read:
        matches = _fits(number, readings, setting)
        if not matches and search:
            closed = closed if closed is not None else _values(subject.counts(None))
            matches = _moved(subject, number, closed, readings)
        if not matches:
            matches = _without(number, analysis, readings, setting)
        nearest = None if matches else _nearest(number, readings, setting)
        explained.append(Explained(number, tuple(matches), nearest))
    gap = None
    if len(explained) >= 2:
        ends = [_representative(e) for e in explained[:2]]
        if _comparable(ends, setting):
            gap = _gap(ends[0], ends[1], read[:2], analysis, comparison)  # type: ignore[arg-type]
    return Explanation(subject.network.title or subject.network.name, setting, tuple(explained), gap)
