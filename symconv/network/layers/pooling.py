"""Pooling: max and average windows and the global average, counted from the expression of one output.

>>> from symconv.network.layers.base import Shape
>>> x = Shape(8, (4, 4))
>>> pool = MaxPool(kernel=2)
>>> pool.counts((x,), pool.output((x,)), 1).others  # 8·2·2 windows of 4 entries: 3 comparisons each
96
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.counting import count_ops
from symconv.geometry import slack
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, fail, pair, spatial
from symconv.network.layers.conv import spatial_out
from symconv.symbols import index

__all__ = ["AvgPool", "GlobalAvgPool", "MaxPool", "average_element", "max_element"]


@dataclass(frozen=True)
class _Pool(LayerSpec):
    kernel: int | tuple[int, int] = 2
    stride: int | tuple[int, int] | None = None
    padding: int | tuple[int, int] = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kernel", pair("kernel", self.kernel, 1))
        object.__setattr__(self, "stride", pair("stride", self.stride if self.stride is not None
                                                 else self.kernel, 1))
        object.__setattr__(self, "padding", pair("padding", self.padding, 0))
        for axis in range(2):
            if 2 * self.padding[axis] > self.kernel[axis]:  # type: ignore[index]
                raise fail("padding must be at most half the kernel")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        spatial(inputs, "pooling")
        sizes = []
        for axis, size in enumerate(inputs[0].size):
            k, s, p = self.kernel[axis], self.stride[axis], self.padding[axis]  # type: ignore[index]
            room = slack(size, k, p, 1)
            if room.is_number and room < 0:
                raise fail(f"the window spans {k} inputs, more than the padded input's {size + 2 * p}")
            sizes.append(spatial_out(size, k, s, p))
        return Shape(inputs[0].channels, tuple(sizes))

    def strides(self) -> tuple[int, ...]:
        return tuple(self.stride)  # type: ignore[arg-type]

    def window(self) -> Expr:
        return sympy.Integer(self.kernel[0] * self.kernel[1])  # type: ignore[index]

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"{self.kind} {self.kernel[0]}×{self.kernel[1]}"  # type: ignore[index]


@dataclass(frozen=True)
class MaxPool(_Pool):
    """Max pooling: ``k_h·k_w − 1`` comparisons per output, over the input padded with −∞."""

    kind = "maxpool"

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        per = count_ops(max_element(self.window()))
        return Counts(others=batch * output.elements * per.others)


@dataclass(frozen=True)
class AvgPool(_Pool):
    """Average pooling: a sum of the window and one multiplication by ``1/(k_h k_w)`` (padding included in
    the divisor, PyTorch's ``count_include_pad=True``)."""

    kind = "avgpool"

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        per = count_ops(average_element(self.window()))
        return Counts(mults=batch * output.elements * per.mults, adds=batch * output.elements * per.adds)


def average_element(window: Expr) -> Expr:
    """One output of an average: ``r·Σ_j x[j]``, ``r = 1/(window size)`` a constant.

    >>> average_element(sympy.Integer(9))
    r*Sum(x[n, c, j], (j, 0, 8))
    """
    n, c, j = index("n"), index("c"), index("j")
    return sympy.Symbol("r", positive=True) * sympy.Sum(sympy.IndexedBase("x")[n, c, j], (j, 0, window - 1))


@dataclass(frozen=True)
class GlobalAvgPool(LayerSpec):
    """The average of each channel over every position (output ``C × 1 × 1``)."""

    kind = "global avgpool"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        spatial(inputs, "global pooling")
        return Shape(inputs[0].channels, (sympy.Integer(1), sympy.Integer(1)))

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        h, w = inputs[0].size
        per = count_ops(average_element(h * w))
        outputs = batch * inputs[0].channels
        return Counts(mults=outputs * per.mults, adds=outputs * per.adds)


def max_element(window: Expr) -> Expr:
    """One output of a max pooling: the largest entry of its window, ``max_j x[j]``.

    >>> max_element(sympy.Integer(3))
    Max(x[n, c, 0], x[n, c, 1], x[n, c, 2])
    """
    n, c = index("n"), index("c")
    return sympy.Max(*(sympy.IndexedBase("x")[n, c, j] for j in range(int(window))), evaluate=False)
