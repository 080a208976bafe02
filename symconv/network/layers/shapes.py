"""Layers that change only how one sample's entries are laid out: flatten, reshape and permute. They move
data and compute nothing.

>>> from symconv.network.layers.base import Shape
>>> x = Shape(96, (56, 56))
>>> Permute(order=(1, 2, 0)).output((x,))  # to channels-last, as ConvNeXt's x.permute(0, 2, 3, 1)
Shape(channels=56, size=(56, 96))
>>> Flatten().output((x,)), Reshape(shape=(2, 48, -1)).output((x,))
(Shape(channels=301056, size=()), Shape(channels=2, size=(48, 3136)))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, as_expr, fail

__all__ = ["Flatten", "Permute", "Reshape"]


class _Layout(LayerSpec):
    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()


@dataclass(frozen=True)
class Flatten(_Layout):
    """Dimensions ``start`` to ``end`` of one sample (both included, negative from the end) made one."""

    start: int = 0
    end: int = -1

    kind = "flatten"

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", int(self.start))
        object.__setattr__(self, "end", int(self.end))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        first, last = inputs[0].axis(self.start), inputs[0].axis(self.end)
        if first > last:
            raise fail(f"flatten's start {self.start} comes after its end {self.end} in {inputs[0]}")
        dims = inputs[0].dims
        return Shape.of((*dims[:first], sympy.Mul(*dims[first:last + 1]), *dims[last + 1:]))


@dataclass(frozen=True)
class Reshape(_Layout):
    """One sample's entries in the dimensions ``shape`` (one of them may be -1: what the others leave)."""

    shape: tuple[Expr | int, ...] = (-1,)

    kind = "reshape"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(as_expr(v, "a size") for v in self.shape))
        if sum(1 for v in self.shape if v == -1) > 1:
            raise fail("reshape takes at most one -1")
        if any(v.is_number and v != -1 and v < 1 for v in self.shape):  # type: ignore[union-attr]
            raise fail(f"reshape's sizes must be positive (or one -1), not {self.shape}")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        known = sympy.Mul(*(v for v in self.shape if v != -1))
        rest = sympy.cancel(inputs[0].elements / known)
        if -1 not in self.shape and sympy.expand(rest - 1) != 0:
            raise fail(f"cannot reshape {inputs[0]} ({inputs[0].elements} entries) to "
                       f"{'×'.join(map(str, self.shape))}")
        if rest.is_number and not rest.is_integer:
            raise fail(f"cannot reshape {inputs[0]} to {'×'.join(map(str, self.shape))}: the sizes do not divide")
        return Shape.of(tuple(rest if v == -1 else v for v in self.shape))


@dataclass(frozen=True)
class Permute(_Layout):
    """One sample's dimensions in the order ``order`` (a permutation of ``0 .. rank − 1``)."""

    order: tuple[int, ...] = (0,)

    kind = "permute"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        if sorted(inputs[0].axis(d) for d in self.order) != list(range(inputs[0].rank)):
            raise fail(f"permute's order {list(self.order)} is not a permutation of the dimensions of {inputs[0]}")
        return Shape.of(tuple(inputs[0].dims[inputs[0].axis(d)] for d in self.order))
