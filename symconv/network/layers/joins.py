"""Layers that join or reorder activations: the residual sum, concatenation and the channel shuffle.

>>> from symconv.network.layers.base import Shape
>>> x = Shape(4, (2, 2))
>>> Add().counts((x, x), x, 1).adds, Concat().output((x, x))
(16, Shape(channels=8, size=(2, 2)))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy

from symconv.counting import count_ops
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, fail, int_field
from symconv.symbols import index

__all__ = ["Add", "Concat", "Shuffle"]


def _same(shapes: Sequence[Shape], what: str, channels: bool) -> None:
    first = shapes[0]
    for shape in shapes[1:]:
        differ = sympy.expand(shape.channels - first.channels) != 0 if channels else False
        if differ or len(shape.size) != len(first.size) or any(
                sympy.expand(a - b) != 0 for a, b in zip(shape.size, first.size, strict=True)):
            raise fail(f"{what} needs inputs of the same {'shape' if channels else 'spatial size'}, "
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
    """Inputs of one spatial size stacked along the channels: data movement, no operation."""

    kind = "concat"
    arity = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        _same(inputs, "concat", channels=False)
        return Shape(sympy.Add(*(s.channels for s in inputs)), inputs[0].size)

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
        quotient = inputs[0].channels / self.groups
        if quotient.is_number and not quotient.is_integer:
            raise fail(f"channels {inputs[0].channels} are not divisible by groups = {self.groups}")
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()
