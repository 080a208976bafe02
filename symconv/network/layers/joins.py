"""Layers that join, split or reorder activations: the residual sum, concatenation, slicing and the channel
shuffle.

>>> from symconv.network.layers.base import Shape
>>> x = Shape(4, (2, 2))
>>> Add().counts((x, x), x, 1).adds, Concat().output((x, x))
(16, Shape(channels=8, size=(2, 2)))
>>> Slice(dim=0, start=2, stop=4).output((x,))  # ShuffleNetV2's channel split: the second half
Shape(channels=2, size=(2, 2))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy

from symconv.counting import count_ops
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, as_expr, fail, grouped, int_field
from symconv.symbols import index

__all__ = ["Add", "Concat", "Shuffle", "Slice"]


def _same(shapes: Sequence[Shape], what: str, channels: bool, dim: int = 0) -> None:
    first = shapes[0]
    for shape in shapes[1:]:
        kept = [i for i in range(first.rank) if channels or i != dim]
        if shape.rank != first.rank or any(sympy.expand(shape.dims[i] - first.dims[i]) != 0 for i in kept):
            along = "spatial size" if dim == 0 else f"sizes but along dimension {dim}"
            raise fail(f"{what} needs inputs of the same {'shape' if channels else along}, "
                        f"not {' and '.join(str(s) for s in shapes)}")


@dataclass(frozen=True)
class Add(LayerSpec):
    """The elementwise sum of two or more inputs of one shape (a residual connection)."""

    kind = "add"
    arity = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        _same(inputs, "add", channels=True)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        terms = sympy.Add(*(sympy.IndexedBase(f"x{i}")[index("n")] for i in range(len(inputs))))
        return Counts(adds=batch * output.elements * count_ops(terms).adds)


@dataclass(frozen=True)
class Concat(LayerSpec):
    """Inputs of one spatial size stacked along the channels (or along dimension ``dim`` of one sample):
    data movement, no operation."""

    dim: int = 0

    kind = "concat"
    arity = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        dim = inputs[0].axis(self.dim)
        _same(inputs, "concat", channels=False, dim=dim)
        dims = list(inputs[0].dims)
        dims[dim] = sympy.Add(*(s.dims[dim] for s in inputs))
        return Shape.of(dims)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()


@dataclass(frozen=True)
class Shuffle(LayerSpec):
    """ShuffleNet's channel shuffle with ``groups`` groups: a permutation, no operation."""

    groups: int | Expr = 1

    kind = "shuffle"

    def __post_init__(self) -> None:
        if isinstance(self.groups, sympy.Expr) and self.groups.is_number:
            object.__setattr__(self, "groups", int(self.groups))
        if not isinstance(self.groups, sympy.Expr):
            int_field("groups", self.groups, 1)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return grouped(inputs[0], self.groups)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()


@dataclass(frozen=True)
class Slice(LayerSpec):
    """The entries ``start``, ``start + step``, ... before ``stop`` along dimension ``dim`` of one sample
    (``stop`` None: to the end): a piece of ``split`` or ``chunk``, or ``x[:, a:b]``. Data movement, no
    operation."""

    dim: int = 0
    start: Expr | int = 0
    stop: Expr | int | None = None
    step: int = 1

    kind = "slice"

    def __post_init__(self) -> None:
        int_field("step", self.step, 1)
        object.__setattr__(self, "start", as_expr(self.start, "start"))
        if self.stop is not None:
            object.__setattr__(self, "stop", as_expr(self.stop, "stop"))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        dim = inputs[0].axis(self.dim)
        size = inputs[0].dims[dim]
        stop = size if self.stop is None else self.stop
        if (stop - size).is_positive:
            raise fail(f"slice stops at {stop}, past the {size} entries of dimension {self.dim}")
        taken = sympy.ceiling((stop - self.start) / self.step) if self.step > 1 else stop - self.start
        taken = sympy.expand(taken)
        if taken.is_number and taken < 1:
            raise fail(f"slice {self.start}:{stop} of dimension {self.dim} is empty")
        dims = list(inputs[0].dims)
        dims[dim] = taken
        return Shape.of(dims)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()
