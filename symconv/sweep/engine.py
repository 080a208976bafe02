"""A sweep, chunk by chunk: the points of a chunk, the constraints on the symbols alone, the counts, the
constraints on the counts, and the chunk's Pareto front; then the chunks in order, in this process or on
dask (:mod:`symconv.sweep.cluster`).

>>> from symconv import derive, variants
>>> from symconv.sweep.evaluators import LayerEvaluator
>>> from symconv.sweep.space import Space, read_axis
>>> layer = LayerEvaluator.of(derive(variants.pointwise(1, {"N": 1, "L_out": 10}, bias=False)))
>>> space = Space((read_axis("C_in=1:64:1"), read_axis("C_out=1:64:1")))
>>> plan = Sweep.build(layer, space, where=["C_in <= C_out", "macs == 1000"])
>>> [rows] = run(plan)

The layers of 1,000 multiply-accumulates (C_in·C_out·10) with C_in ≤ C_out, the axes' indices counting from
C_in = 1 and C_out = 1:

>>> rows.indices[0] + 1, rows.indices[1] + 1, rows.totals["params"]
(array([ 2,  4,  5, 10]), array([50, 25, 20, 10]), array([100, 100, 100, 100]))

Memory stays bounded whatever the space's size: one chunk of :data:`~symconv.sweep.space.CHUNK` points at a
time per worker (its axes' values and its counts, 8 bytes each a point), the rows a writer has not yet
written, and, for a Pareto front, the front so far. Every engine cuts the space into the same chunks and
hands their rows back in order, so every engine gives the same rows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from symconv.errors import SymconvError, did_you_mean
from symconv.sweep.constraints import Constraint, read_constraints
from symconv.sweep.evaluators import Evaluator
from symconv.sweep.pareto import front
from symconv.sweep.space import Space, exact

__all__ = ["ENGINES", "Rows", "Sweep", "choose_engine", "run"]

#: The engines a sweep may run on: ``auto`` takes dask when a scheduler is given or the space's rows would
#: not fit in memory together (the chunks of this process would, one at a time, but dask runs several).
ENGINES = ("auto", "local", "dask")


@dataclass(frozen=True)
class Rows:
    """Points a sweep kept: their numbers in the space, each axis's index, every count; and how many points
    were evaluated to find them."""

    positions: np.ndarray
    indices: tuple[np.ndarray, ...]
    totals: dict[str, np.ndarray]
    evaluated: int = 0

    def __len__(self) -> int:
        return len(self.positions)

    def take(self, which: np.ndarray) -> Rows:
        return Rows(self.positions[which], tuple(i[which] for i in self.indices),
                    {name: total[which] for name, total in self.totals.items()}, self.evaluated)

    @staticmethod
    def joined(parts: Sequence[Rows]) -> Rows:
        first = parts[0]
        return Rows(_joined([p.positions for p in parts]),
                    tuple(_joined([p.indices[i] for p in parts]) for i in range(len(first.indices))),
                    {name: _joined([p.totals[name] for p in parts]) for name in first.totals},
                    sum(p.evaluated for p in parts))


@dataclass(frozen=True)
class Sweep:
    """What to evaluate (an :class:`~symconv.sweep.evaluators.Evaluator`), where (a
    :class:`~symconv.sweep.space.Space` and ``fixed`` values of the other symbols), which points to keep
    (``where``, each constraint on counts and symbols) and, with ``pareto``, only the front of two counts."""

    evaluator: Evaluator
    space: Space
    fixed: Mapping[str, Fraction] = field(default_factory=dict)
    where: tuple[Constraint, ...] = ()
    pareto: tuple[str, str] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, evaluator: Evaluator, space: Space, *, fixed: Mapping[str, object] | None = None,
              where: Iterable[str] = (), pareto: Sequence[str] | None = None) -> Sweep:
        """A sweep whose constraints are read from text (:func:`~symconv.sweep.constraints.read_constraints`)."""
        exact_fixed = {name: exact(value, name) for name, value in (fixed or {}).items()}
        scales = {**{axis.name: axis.denominator for axis in space.axes}, **dict.fromkeys(evaluator.totals, 1)}
        constraints = tuple(c for text in where for c in read_constraints(text, scales, exact_fixed))
        return cls(evaluator, space, exact_fixed, constraints, None if pareto is None else tuple(pareto))  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        symbols, given = self.evaluator.symbols, [*self.space.names, *self.fixed]
        for name in given:
            if name not in symbols:
                raise SymconvError(f"{name} is not a symbol of the target{did_you_mean(name, symbols)}; its "
                                   f"symbols: {', '.join(symbols) or 'none'}")
        both = sorted(set(self.space.names) & set(self.fixed))
        if both:
            raise SymconvError(f"{both[0]} is given both an axis and a fixed value")
        missing = [name for name in symbols if name not in given]
        if missing:
            raise SymconvError(f"the target needs a value of {', '.join(missing)}: give each an axis or a fixed value")
        if self.pareto is not None:
            if len(self.pareto) != 2 or self.pareto[0] == self.pareto[1]:
                raise SymconvError("a Pareto front is of two different counts")
            for name in self.pareto:
                if name not in self.evaluator.totals:
                    raise SymconvError(f"{name} is not a count{did_you_mean(name, self.evaluator.totals)}; the "
                                       f"counts: {', '.join(self.evaluator.totals)}")

    @property
    def columns(self) -> tuple[str, ...]:
        """The names of a row's values: the axes', then the counts'."""
        return (*self.space.names, *self.evaluator.totals)

    def chunk(self, number: int) -> Rows:
        """The rows chunk ``number`` keeps.

        Random points of a grid with fewer settings than a chunk and than the points drawn come from the
        table of its counts, each setting evaluated once. Without a constraint on the axes alone (which keeps
        points from being evaluated at all), a grid's chunk is evaluated block by block of the grid, each
        axis's values along an axis of their own (the evaluator computes what depends on one axis once per
        value), each block's rows kept before the next. Else, and where the evaluator refuses a setting (the
        points' own evaluation names it), each point is evaluated on its own column of arguments."""
        on_axes = [c for c in self.where if c.names <= set(self.space.names)]
        if self.space.samples is None and not on_axes:
            rows = self._on_grid(number)
            if rows is not None:
                return rows
        return self._at_points(number, on_axes)

    def _at_points(self, number: int, on_axes: list[Constraint]) -> Rows:
        space = self.space
        start, stop = space.bounds(number)
        named = {name for c in self.where for name in c.names}
        drawn = space.indices(number) if space.samples is not None else None
        if drawn is not None:  # a table only where no setting is refused, kept out by a constraint or not
            table = self._table()
            if table is not None:
                return self._from_table(start, stop, drawn, table)
        part = self._part(start, stop, drawn, named, values=True)
        part.keep(on_axes, part.named("n"))
        totals: dict[str, np.ndarray] = dict.fromkeys(self.evaluator.totals, part.positions)
        if len(part.positions):
            settings: dict[str, Any] = self._fixed()
            settings.update(part.named("v"))
            try:
                computed = self.evaluator(**settings)
            except (ValueError, OverflowError) as error:
                raise self._refused(error, part, settings) from None
            totals = {t: np.broadcast_to(np.asarray(computed[t]), part.positions.shape) for t in self.evaluator.totals}
        part.columns.update(_prefixed("t", totals))
        return self._kept(part, [c for c in self.where if c not in on_axes], stop - start)

    def _from_table(self, start: int, stop: int, drawn: tuple[np.ndarray, ...], table: dict[str, np.ndarray]) -> Rows:
        """The rows of random points from the table of the grid's counts: the constraints decided once per
        setting, the front found among the settings drawn (a point is on the front exactly when its setting
        is, every draw of it), each kept point's counts looked up."""
        dims = tuple(len(axis.values) for axis in self.space.axes)
        flat = np.ravel_multi_index(drawn, dims)
        positions = np.arange(start, stop, dtype=np.int64)
        if "held" in self._cache:  # read once: another thread may be storing it
            held = self._cache["held"]
        else:
            held = self._cache["held"] = self._held_on_table(table, dims)
        if held is not None:
            keep = held[flat]
            positions, flat = positions[keep], flat[keep]
        if self.pareto is not None and len(flat):
            a, b = (table[name] for name in self.pareto)
            present = np.flatnonzero(np.bincount(flat, minlength=len(a)))
            on = np.zeros(len(a), dtype=bool)
            on[present[front(a[present], b[present])]] = True
            keep = on[flat]
            positions, flat = positions[keep], flat[keep]
            ranked = front(a[flat], b[flat], positions)  # every point is on it: the front's order
            positions, flat = positions[ranked], flat[ranked]
        indices = tuple(index.astype(np.int64) for index in np.unravel_index(flat, dims))
        return Rows(positions, indices, {name: counts[flat] for name, counts in table.items()}, stop - start)

    def _held_on_table(self, table: dict[str, np.ndarray], dims: tuple[int, ...]) -> np.ndarray | None:
        """Where the constraints hold, setting by setting of the grid; None where they hold everywhere."""
        if not self.where:
            return None
        named = {name for c in self.where for name in c.names}
        every = np.unravel_index(np.arange(math.prod(dims)), dims)
        columns = {a.name: a.numerators[every[i]] for i, a in enumerate(self.space.axes) if a.name in named}
        return _held(self.where, {**columns, **table}, math.prod(dims))

    def _on_grid(self, number: int) -> Rows | None:
        """The rows of a grid's chunk, block by block; None where the evaluator refuses a setting."""
        named = {name for c in self.where for name in c.names}
        pieces, first = [], self.space.bounds(number)[0]
        for block in self.space.blocks(number):
            try:
                totals = self._on_block(block)
            except (ValueError, OverflowError):
                return None
            size = math.prod(high - low for low, high in block)
            part = self._part(first, first + size, None, named, values=False)
            part.columns.update(_prefixed("t", totals))
            pieces.append(self._kept(part, self.where, size))
            first += size
        rows = pieces[0] if len(pieces) == 1 else Rows.joined(pieces)
        if self.pareto is not None and len(pieces) > 1 and len(rows):
            a, b = (rows.totals[name] for name in self.pareto)
            rows = rows.take(front(a, b, rows.positions))
        return rows

    def _kept(self, part: _Part, constraints: Sequence[Constraint], evaluated: int) -> Rows:
        """The rows of ``part`` where ``constraints`` hold, only the Pareto front of them with one."""
        kept = part.held(constraints, {**part.named("n"), **part.named("t")})
        if self.pareto is not None and len(part.positions):
            a, b = (part.columns[f"t:{name}"] for name in self.pareto)
            positions = part.positions
            if kept is not None:
                kept = np.flatnonzero(kept)
                a, b, positions = a[kept], b[kept], positions[kept]
            on_front = front(a, b, positions)
            kept = on_front if kept is None else kept[on_front]
        if kept is not None:
            part.take(kept)
        indices = part.drawn if part.drawn is not None else self.space.indices_at(part.positions)
        return Rows(part.positions, indices, part.named("t"), evaluated)

    def _fixed(self) -> dict[str, Any]:
        return {name: _argument(value) for name, value in self.fixed.items()}

    def _part(self, start: int, stop: int, drawn: tuple[np.ndarray, ...] | None, named: set[str], *,
              values: bool) -> _Part:
        """The points ``start`` to ``stop - 1`` with each axis's argument (``values``) and the numerators the
        constraints need of an axis of fractions (an axis of integers is its own numerators), at every point:
        from the points' indices when they are random, else straight from the grid's runs."""
        space, n = self.space, len(self.space.axes)
        tables = [a.arguments if values or (a.name in named and a.integral) else None for a in space.axes]
        tables += [a.numerators if a.name in named and not a.integral else None for a in space.axes]
        if drawn is not None:
            columns = [None if t is None else t[i] for t, i in zip(tables, drawn * 2, strict=True)]
        else:
            columns = [None] * (2 * n)
            if any(t is not None for t in tables):
                columns = [*space.gather_range(start, stop, tables[:n]), *space.gather_range(start, stop, tables[n:])]
        arguments = {a.name: columns[i] for i, a in enumerate(space.axes)}
        numerators = {a.name: arguments[a.name] if a.integral else columns[n + i] for i, a in enumerate(space.axes)
                      if a.name in named}
        return _Part(np.arange(start, stop, dtype=np.int64), drawn,
                     {**_prefixed("v", arguments), **_prefixed("n", numerators)})

    def _table(self) -> dict[str, np.ndarray] | None:
        """The counts at every setting of the grid, in its order, for random points: when the grid has fewer
        settings than a chunk and than the points drawn, and none is refused."""
        space = self.space
        if space.samples is None or space.size > min(space.samples, space.chunk):
            return None
        if "table" not in self._cache:  # once per process: a sweep sent to a worker computes its own
            try:
                self._cache["table"] = self._on_block(tuple((0, len(axis.values)) for axis in space.axes))
            except (ValueError, OverflowError):
                self._cache["table"] = None  # a setting is refused: the points drawn are evaluated themselves
        return self._cache["table"]

    def _on_block(self, block: tuple[tuple[int, int], ...]) -> dict[str, np.ndarray]:
        """Every count at the points of a block of the grid, in order: each axis's values along an axis of
        their own, the counts as the evaluator gives them (not copied where they have the block's shape)."""
        axes = self.space.axes
        settings = self._fixed()
        for j, (axis, (low, high)) in enumerate(zip(axes, block, strict=True)):
            settings[axis.name] = axis.arguments[low:high].reshape([-1 if i == j else 1 for i in range(len(axes))])
        computed = self.evaluator(**settings)
        shape = tuple(high - low for low, high in block)
        return {t: _flat(np.asarray(computed[t]), shape) for t in self.evaluator.totals}

    def _refused(self, error: Exception, rows: _Part, settings: Mapping[str, Any]) -> SymconvError:
        """The evaluator's refusal, naming the first point it refuses, found by halving the rows (an
        evaluator names a point by its index in the arrays it was given, or not at all)."""
        low, high = 0, len(rows.positions)
        while high - low > 1:
            middle = (low + high) // 2
            try:
                self.evaluator(**_sliced(settings, low, middle))
            except (ValueError, OverflowError):
                high = middle
            else:
                low = middle
        try:
            self.evaluator(**{name: np.asarray(value)[low].item() if np.ndim(value) else value
                              for name, value in settings.items()})
        except (ValueError, OverflowError) as single:
            error = single
        at = rows.positions[low : low + 1]
        indices = self.space.indices_at(at) if rows.drawn is None else [i[low : low + 1] for i in rows.drawn]
        point = self.space.point([int(index[0]) for index in indices])
        return SymconvError(f"at {point}: {error}")

    def reduce(self, chunks: Iterable[Rows]) -> Iterator[Rows]:
        """The rows of the chunks, in order; with a Pareto front, the front of them all, once, at the end (each
        setting once, however often random points drew it)."""
        if self.pareto is None:
            yield from chunks
            return
        kept: Rows | None = None
        for rows in chunks:
            kept = rows if kept is None else Rows.joined([kept, rows])
            a, b = self.pareto
            kept = kept.take(front(kept.totals[a], kept.totals[b], kept.positions))
            if self.space.samples is not None and len(kept):
                # a setting drawn twice is one point of the front: its first draw stands for it, at every merge,
                # so that the front so far stays as small as the settings on it
                _, first = np.unique(np.stack(kept.indices, axis=1), axis=0, return_index=True)
                kept = kept.take(np.sort(first))
        if kept is not None:
            yield kept


def _flat(value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` broadcast to ``shape``, as one row: itself, not a copy, where it has that shape."""
    if value.shape == shape:
        return value.reshape(-1)
    return np.broadcast_to(value, shape).reshape(-1)


def _joined(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """The arrays one after the other; Python ints if any holds them."""
    if len(arrays) == 1:
        return arrays[0]
    dtype = object if any(a.dtype == object for a in arrays) else None
    return np.concatenate([a.astype(dtype) if dtype else a for a in arrays])


def _sliced(settings: Mapping[str, Any], start: int, stop: int) -> dict[str, Any]:
    return {name: value[start:stop] if np.ndim(value) else value for name, value in settings.items()}


def _argument(value: Fraction) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


def _prefixed(prefix: str, arrays: Mapping[str, np.ndarray | None]) -> dict[str, np.ndarray]:
    return {f"{prefix}:{name}": array for name, array in arrays.items() if array is not None}


@dataclass
class _Part:
    """The points of a chunk still kept, and their columns (``v:NAME`` an axis's arguments, ``n:NAME`` its
    numerators, ``t:NAME`` a count), each row one point; ``drawn`` the axes' indices of random points."""

    positions: np.ndarray
    drawn: tuple[np.ndarray, ...] | None
    columns: dict[str, np.ndarray]

    def named(self, prefix: str) -> dict[str, np.ndarray]:
        return {key[len(prefix) + 1:]: v for key, v in self.columns.items() if key.startswith(prefix + ":")}

    def take(self, which: np.ndarray) -> None:
        self.positions = self.positions[which]
        self.drawn = None if self.drawn is None else tuple(i[which] for i in self.drawn)
        self.columns = {key: column[which] for key, column in self.columns.items()}

    def keep(self, constraints: Sequence[Constraint], columns: Mapping[str, np.ndarray]) -> None:
        """Keep the points where every constraint holds."""
        kept = self.held(constraints, columns)
        if kept is not None:
            self.take(kept)

    def held(self, constraints: Sequence[Constraint], columns: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """Where every constraint holds, None where it holds at every point."""
        return _held(constraints, columns, len(self.positions))


def _held(constraints: Sequence[Constraint], columns: Mapping[str, np.ndarray], size: int) -> np.ndarray | None:
    """Where every constraint holds among ``size`` points (``columns`` their values), None where it holds
    at every one."""
    if not constraints or size == 0:
        return None
    mask = np.ones(size, dtype=bool)
    for constraint in constraints:
        mask &= constraint.holds({name: columns[name] for name in constraint.names})
    return None if mask.all() else mask


def choose_engine(sweep: Sweep, engine: str = "auto", scheduler: str | None = None) -> str:
    """``local`` or ``dask``: the engine asked for, or, for ``auto``, dask when a scheduler is given or when
    the rows of the whole space (8 bytes a value) would outgrow the memory available, and dask is
    installed."""
    if engine not in ENGINES:
        raise SymconvError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine != "auto":
        return engine
    if scheduler is not None:
        return "dask"
    table = sweep.space.points * len(sweep.columns) * 8
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return "local"
    if table <= available:
        return "local"
    try:
        import dask  # noqa: F401
    except ImportError:
        return "local"
    return "dask"


def run(sweep: Sweep, *, engine: str = "auto", scheduler: str | None = None,
        progress: Callable[[int], Any] | None = None) -> Iterator[Rows]:
    """The rows ``sweep`` keeps, in order of the points (a Pareto front once, sorted by its counts), on the
    engine :func:`choose_engine` picks; ``progress`` is told the points of each chunk once it is done."""
    chosen = choose_engine(sweep, engine, scheduler)
    if chosen == "dask":
        from symconv.sweep.cluster import dask_map

        chunks = dask_map(_chunk, sweep, sweep.space.chunks, scheduler)
    else:
        chunks = (sweep.chunk(number) for number in range(sweep.space.chunks))
    if progress is not None:
        chunks = _told(chunks, progress)
    return sweep.reduce(chunks)


def _chunk(sweep: Sweep, number: int) -> Rows:
    return sweep.chunk(number)


def _told(chunks: Iterable[Rows], progress: Callable[[int], Any]) -> Iterator[Rows]:
    for rows in chunks:
        progress(rows.evaluated)
        yield rows
