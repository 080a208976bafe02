"""The design space of a sweep: named axes of exact values, and the points taken from their product, every
point of the grid or random ones, chunk by chunk.

>>> alpha = read_axis("alpha=1/4:1:1/4")
>>> [str(v) for v in alpha.values]
['1/4', '1/2', '3/4', '1']
>>> space = Space((alpha, read_axis("k=1,3,5")))
>>> space.points, space.chunks
(12, 1)
>>> [[int(i) for i in index] for index in space.indices(0)]
[[0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]]

Points are numbered as the grid is read, the last axis fastest; a space is cut into chunks of ``chunk``
points, and chunk ``c`` holds the points ``c*chunk`` to ``(c+1)*chunk - 1`` whichever engine evaluates it.
Random points (``samples``) are drawn uniformly from the grid, with replacement, each axis's index from its
own stream of chunk ``c``'s generator, ``numpy.random.default_rng([seed, c])``: the same seed gives the same
points in every engine and in every order of the chunks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy

from symconv.errors import SymconvError
from symconv.limits import MAX_AXIS_VALUES, MAX_SWEEP_POINTS
from symconv.parsing import parse_text

__all__ = ["CHUNK", "Axis", "Space", "exact", "read_axis", "shown_value"]

#: Points per chunk: a chunk's columns (each axis's value and each count, 8 bytes a point) stay a few MB.
CHUNK = 2**18

_INT64 = 2**63 - 1


def exact(value: object, what: str) -> Fraction:
    """An exact rational from an int, a Fraction or a SymPy rational; anything else (a float, a symbol) is
    refused."""
    if isinstance(value, bool):
        raise SymconvError(f"{what}: {value!r} is not a number")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, sympy.Rational):
        return Fraction(int(value.p), int(value.q))
    raise SymconvError(f"{what}: {value} is not an exact number (an integer or a fraction such as 3/4)")


def shown_value(value: Fraction) -> str:
    """``3/4``, ``1``: how a point's value is written."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class Axis:
    """One symbol of the design space and the exact values it takes, in order."""

    name: str
    values: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise SymconvError(f"an axis needs a symbol's name, not {self.name!r}")
        values = tuple(exact(v, self.name) for v in self.values)
        if not values:
            raise SymconvError(f"{self.name}: an axis needs at least one value")
        if len(values) > MAX_AXIS_VALUES:
            raise SymconvError(f"{self.name}: {len(values):,} values, over the limit of {MAX_AXIS_VALUES:,} an axis "
                               "may take")
        object.__setattr__(self, "values", values)

    @classmethod
    def range(cls, name: str, start: object, stop: object, step: object) -> Axis:
        """``start, start + step, ...`` up to ``stop`` included when the steps reach it exactly."""
        start, stop, step = (exact(v, name) for v in (start, stop, step))
        if step <= 0:
            raise SymconvError(f"{name}: the step must be positive, not {shown_value(step)}")
        if stop < start:
            raise SymconvError(f"{name}: the range ends at {shown_value(stop)}, before its start {shown_value(start)}")
        count = math.floor((stop - start) / step) + 1
        if count > MAX_AXIS_VALUES:
            raise SymconvError(f"{name}: {count:,} values, over the limit of {MAX_AXIS_VALUES:,} an axis may take")
        return cls(name, tuple(start + i * step for i in range(count)))

    @cached_property
    def denominator(self) -> int:
        """The least common denominator of the values: ``denominator * value`` is an integer for each."""
        return math.lcm(*(v.denominator for v in self.values))

    @cached_property
    def integral(self) -> bool:
        return self.denominator == 1

    @cached_property
    def numerators(self) -> np.ndarray:
        """``denominator * value`` for each value: int64 where every one fits, else Python ints."""
        scaled = [int(v * self.denominator) for v in self.values]
        fits = all(abs(n) <= _INT64 for n in scaled)
        return np.array(scaled, dtype=np.int64 if fits else object)

    @cached_property
    def arguments(self) -> np.ndarray:
        """The values as an evaluator takes them: integers exactly (int64 or Python ints); other rationals as
        the nearest floats, which an evaluator reads back as the nearest rational with its own denominator."""
        if self.integral:
            return self.numerators
        return np.array([float(v) for v in self.values], dtype=np.float64)


def read_axis(text: str) -> Axis:
    """An axis from ``NAME=START:STOP:STEP`` (inclusive) or ``NAME=V1,V2,...``, each value an integer, a
    decimal or a fraction read by :mod:`symconv.parsing` (never evaluated)."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise SymconvError(f"{text!r}: expected NAME=START:STOP:STEP or NAME=V1,V2,...")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise SymconvError(f"{name}={spec}: a range is START:STOP:STEP, three numbers")
        return Axis.range(name, *(_number(name, part) for part in parts))
    return Axis(name, tuple(_number(name, part) for part in spec.split(",")))


def _number(name: str, text: str) -> Fraction:
    if not text.strip():
        raise SymconvError(f"{name}: an empty value")
    value = parse_text(text, allow_new=False)
    if not isinstance(value, sympy.Rational):
        raise SymconvError(f"{name}: {text.strip()!r} is not a number (an integer, a decimal or a fraction)")
    return exact(value, name)


@dataclass(frozen=True)
class Space:
    """The points of a sweep: every point of the axes' grid, or ``samples`` random points of it.

    Refused (:class:`~symconv.errors.SymconvError`) above ``limit`` points, by default
    :data:`symconv.limits.MAX_SWEEP_POINTS`; two axes of one name, too.
    """

    axes: tuple[Axis, ...]
    samples: int | None = None
    seed: int = 0
    limit: int = MAX_SWEEP_POINTS
    chunk: int = field(default=CHUNK, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "axes", tuple(self.axes))
        names = [axis.name for axis in self.axes]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise SymconvError(f"{twice[0]} has two axes; give each symbol one")
        for what, value in (("samples", self.samples), ("seed", self.seed), ("limit", self.limit),
                            ("chunk", self.chunk)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise SymconvError(f"{what} must be a non-negative integer, not {value!r}")
        if self.chunk < 1:
            raise SymconvError("chunk must be at least 1")
        if self.samples is None and self.size > 2**62:
            raise SymconvError(f"a grid of {self.size:,} points is more than its points can be numbered by")
        if self.points > self.limit:
            raise SymconvError(f"the space has {self.points:,} points, over the limit of {self.limit:,}; raise the "
                               "limit to sweep it")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes)

    @cached_property
    def size(self) -> int:
        """The points of the grid."""
        return math.prod(len(axis.values) for axis in self.axes)

    @property
    def points(self) -> int:
        """The points the sweep evaluates."""
        return self.size if self.samples is None else self.samples

    @property
    def chunks(self) -> int:
        return -(-self.points // self.chunk)

    def bounds(self, number: int) -> tuple[int, int]:
        """The first point of chunk ``number`` and the one after its last."""
        start = number * self.chunk
        return start, min(start + self.chunk, self.points)

    def indices(self, number: int) -> tuple[np.ndarray, ...]:
        """Each axis's index of every point of chunk ``number``."""
        start, stop = self.bounds(number)
        if self.samples is not None:
            rng = np.random.default_rng([self.seed, number])
            return tuple(rng.integers(0, len(axis.values), stop - start) for axis in self.axes)
        return _unravel(start, stop, [len(axis.values) for axis in self.axes])  # type: ignore[return-value]

    def gather(self, number: int, tables: Sequence[np.ndarray | None]) -> tuple[np.ndarray | None, ...]:
        """Each axis's table (its values as some array) at every point of chunk ``number`` of the grid,
        without the points' indices (None for an axis whose table is None)."""
        if self.samples is not None:
            raise SymconvError("random points are gathered from their indices")
        return self.gather_range(*self.bounds(number), tables)

    def gather_range(self, start: int, stop: int, tables: Sequence[np.ndarray | None]) -> tuple[np.ndarray | None, ...]:
        """Each axis's table at the grid's points ``start`` to ``stop - 1``, as :meth:`gather`."""
        if self.samples is not None:
            raise SymconvError("random points are gathered from their indices")
        return _unravel(start, stop, [len(axis.values) for axis in self.axes], tables)

    def blocks(self, number: int) -> list[tuple[tuple[int, int], ...]]:
        """The points of chunk ``number`` of the grid as blocks of it, in order: each block a range of indices
        per axis (``(start, stop)``), the points of their product, the last axis fastest. At most
        ``2·len(axes) - 1`` blocks, however the chunk falls on the grid."""
        if self.samples is not None:
            raise SymconvError("random points are no blocks of the grid")
        start, stop = self.bounds(number)
        return _blocks(start, stop, tuple(len(axis.values) for axis in self.axes))

    def indices_at(self, positions: np.ndarray) -> tuple[np.ndarray, ...]:
        """Each axis's index of the grid's points at ``positions``."""
        flat = np.asarray(positions, dtype=np.int64)
        indices = []
        for axis in reversed(self.axes):
            flat, index = np.divmod(flat, len(axis.values))
            indices.append(index)
        return tuple(reversed(indices))

    def point(self, indices: Sequence[int]) -> str:
        """``alpha=3/4, k=5``: a point as messages name it."""
        return ", ".join(f"{a.name}={shown_value(a.values[int(i)])}" for a, i in zip(self.axes, indices, strict=True))


def _unravel(start: int, stop: int, shape: Sequence[int],
             tables: Sequence[np.ndarray | None] | None = None) -> tuple[np.ndarray | None, ...]:
    """The grid indices of the points ``start`` to ``stop - 1``, the last axis fastest; with ``tables``, each
    axis's table at them instead (None for an axis whose table is None).

    An axis whose next axes hold ``stride`` points repeats each index ``stride`` times: one run per index,
    written by ``numpy.repeat`` from the table's values at the runs, and the last axis repeats its whole
    table (``numpy.tile``): no division and no look-up per point.
    """
    columns: list[np.ndarray | None] = []
    stride = 1
    for axis in reversed(range(len(shape))):
        length = shape[axis]
        table = None if tables is None else tables[axis]
        if tables is not None and table is None:
            columns.append(None)
        else:
            if stride == 1:  # the table over and over, from the start's place in it
                whole = np.arange(length, dtype=np.int64) if table is None else table
                offset, count = start % length, stop - start
                rest = max(0, count - (length - offset))
                columns.append(np.concatenate([whole[offset:offset + count], np.tile(whole, -(-rest // length))])
                               [:count])
            else:
                runs = np.arange(start // stride, (stop - 1) // stride + 1, dtype=np.int64)
                index = runs % length
                values = index if table is None else table[index]
                counts = np.minimum(stop, (runs + 1) * stride) - np.maximum(start, runs * stride)
                columns.append(np.repeat(values, counts))
        stride *= length
    return tuple(reversed(columns))


def _blocks(start: int, stop: int, shape: tuple[int, ...]) -> list[tuple[tuple[int, int], ...]]:
    """The points ``start`` to ``stop - 1`` of a grid of ``shape`` (the last axis fastest) as blocks: a
    partial block of rows before the whole ones, the whole ones, a partial one after, each cut the same way
    along the next axes."""
    if start >= stop:
        return []
    if not shape:
        return [()]
    inner = math.prod(shape[1:])
    first, offset = divmod(start, inner)
    last, rest = divmod(stop, inner)
    if first == last:
        return [((first, first + 1), *block) for block in _blocks(offset, rest, shape[1:])]
    found = []
    if offset:
        found += [((first, first + 1), *block) for block in _blocks(offset, inner, shape[1:])]
        first += 1
    if last > first:
        found.append(((first, last), *((0, size) for size in shape[1:])))
    if rest:
        found += [((last, last + 1), *block) for block in _blocks(0, rest, shape[1:])]
    return found
