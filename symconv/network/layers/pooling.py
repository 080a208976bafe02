"""Pooling: max and average windows (1-, 2- or 3-D, with ``ceil_mode``), adaptive pooling and the global
average, counted from the expression of one output.

>>> from symconv.network.layers.base import Shape
>>> x = Shape(8, (4, 4))
>>> pool = MaxPool(kernel=2)
>>> pool.counts((x,), pool.output((x,)), 1).others  # 8·2·2 windows of 4 entries: 3 comparisons each
96
>>> MaxPool(kernel=3, stride=2, ceil_mode=True).output((Shape(64, (112, 112)),))  # 55 without ceil_mode
Shape(channels=64, size=(56, 56))
>>> AdaptivePool(output_size=(3,)).counts((Shape(1, (7,)),), Shape(1, (3,)), 1).adds  # windows of 3, 3, 3 of 7
6
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import product as cartesian

import sympy

from symconv.counting import count_ops
from symconv.geometry import adaptive_window, pooled_output_size, slack
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, fail, int_field, per_axis, spatial_axes
from symconv.network.layers.conv import exact_sizing, on_multiples
from symconv.symbols import index

__all__ = ["AdaptivePool", "AvgPool", "GlobalAvgPool", "MaxPool", "Mean", "average_element", "max_element"]


def _pooled_out(size: Expr, kernel: int, stride: int, padding: int, ceil_mode: bool) -> Expr:
    """The output size of a pooling window along one axis (:func:`symconv.geometry.pooled_output_size`), on
    the multiples of the stride where ``size`` is symbolic (:func:`~symconv.network.layers.conv.on_multiples`)."""
    if exact_sizing():
        return on_multiples(lambda n: pooled_output_size(n, kernel, stride, padding, 1, ceil_mode), size, stride)
    return _cached_pooled_out(size, kernel, stride, padding, ceil_mode)


@lru_cache(maxsize=4096)
def _cached_pooled_out(size: Expr, kernel: int, stride: int, padding: int, ceil_mode: bool) -> Expr:
    return on_multiples(lambda n: pooled_output_size(n, kernel, stride, padding, 1, ceil_mode), size, stride)


@dataclass(frozen=True)
class _Pool(LayerSpec):
    kernel: int | tuple[int, ...] = 2
    stride: int | tuple[int, ...] | None = None
    padding: int | tuple[int, ...] = 0
    ceil_mode: bool = False
    dims: int | None = None

    def __post_init__(self) -> None:
        if self.dims is None:
            lengths = {len(v) for v in (self.kernel, self.stride, self.padding) if isinstance(v, tuple | list)}
            object.__setattr__(self, "dims", lengths.pop() if len(lengths) == 1 else 2)
        if self.dims not in (1, 2, 3):
            raise fail(f"a pooling window has 1, 2 or 3 spatial axes, not {self.dims!r}")
        dims: int = self.dims  # type: ignore[assignment]
        object.__setattr__(self, "kernel", per_axis("kernel", self.kernel, 1, dims))
        object.__setattr__(self, "stride", per_axis("stride", self.stride if self.stride is not None
                                                     else self.kernel, 1, dims))
        object.__setattr__(self, "padding", per_axis("padding", self.padding, 0, dims))
        for axis in range(dims):
            if 2 * self.padding[axis] > self.kernel[axis]:  # type: ignore[index]
                raise fail("padding must be at most half the kernel")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        spatial_axes(inputs, "pooling", self.dims)  # type: ignore[arg-type]
        sizes = []
        for axis, size in enumerate(inputs[0].size):
            k, s, p = self.kernel[axis], self.stride[axis], self.padding[axis]  # type: ignore[index]
            room = slack(size, k, p, 1)
            if room.is_number and room < 0:
                raise fail(f"the window spans {k} inputs, more than the padded input's {size + 2 * p}")
            sizes.append(_pooled_out(size, k, s, p, self.ceil_mode))
        return Shape(inputs[0].channels, tuple(sizes))

    def strides(self) -> tuple[int, ...]:
        return tuple(self.stride)  # type: ignore[arg-type]

    def window(self) -> Expr:
        return sympy.Mul(*self.kernel)  # type: ignore[misc]

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"{self.kind} {'×'.join(str(k) for k in self.kernel)}"  # type: ignore[union-attr]


@dataclass(frozen=True)
class MaxPool(_Pool):
    """Max pooling: ``k_h·k_w − 1`` comparisons per output, over the input padded with −∞ (a window that
    ``ceil_mode`` keeps at the end reads only the inputs it covers, and the −∞ beyond)."""

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
    """The average of each channel over every position (output ``C × 1 × 1``, a 1 per spatial axis)."""

    kind = "global avgpool"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        if not inputs[0].size:
            raise fail(f"global pooling needs spatial axes (channels × sizes), not {inputs[0]}")
        return Shape(inputs[0].channels, tuple(sympy.Integer(1) for _ in inputs[0].size))

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        per = count_ops(average_element(sympy.Mul(*inputs[0].size)))
        outputs = batch * inputs[0].channels
        return Counts(mults=outputs * per.mults, adds=outputs * per.adds)


def max_element(window: Expr) -> Expr:
    """One output of a max pooling: the largest entry of its window, ``max_j x[j]``.

    >>> max_element(sympy.Integer(3))
    Max(x[n, c, 0], x[n, c, 1], x[n, c, 2])
    """
    n, c = index("n"), index("c")
    return sympy.Max(*(sympy.IndexedBase("x")[n, c, j] for j in range(int(window))), evaluate=False)


def _axis_windows(size: Expr, out: int) -> Counter[Expr]:
    """The window lengths along one axis of an adaptive pooling and how many outputs have each; a symbolic
    ``size`` is taken to be a multiple of ``out`` (the network records the condition)."""
    lengths: Counter[Expr] = Counter()
    for i in range(out):
        lengths[on_multiples(lambda n, i=i: _length(adaptive_window(i, n, out)), size, out)] += 1
    return lengths


def _length(window: tuple[Expr, Expr]) -> Expr:
    return window[1] - window[0]


@dataclass(frozen=True)
class AdaptivePool(LayerSpec):
    """Adaptive average (``op = "avg"``) or max (``"max"``) pooling to ``output_size`` positions per axis
    (PyTorch's ``AdaptiveAvgPool``/``AdaptiveMaxPool``): output ``i`` of an axis of ``L`` inputs pools the
    window of :func:`symconv.geometry.adaptive_window`, ``floor(i L/out)`` to ``ceil((i + 1) L/out)``.
    A symbolic size is taken to be a multiple of its ``output_size`` (a condition the network records)."""

    output_size: int | tuple[int, ...] = 1
    op: str = "avg"
    dims: int | None = None

    kind = "adaptive pool"

    def __post_init__(self) -> None:
        if self.op not in ("avg", "max"):
            raise fail(f"adaptive pooling is avg or max, not {self.op!r}")
        if self.dims is None:
            given = self.output_size
            object.__setattr__(self, "dims", len(given) if isinstance(given, tuple | list) else 2)
        object.__setattr__(self, "output_size", per_axis("output_size", self.output_size, 1, self.dims))  # type: ignore[arg-type]
        for v in self.output_size:  # type: ignore[union-attr]
            int_field("output_size", v, 1)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        spatial_axes(inputs, "adaptive pooling", self.dims)  # type: ignore[arg-type]
        return Shape(inputs[0].channels, tuple(sympy.Integer(o) for o in self.output_size))  # type: ignore[union-attr]

    def strides(self) -> tuple[int, ...]:
        return tuple(self.output_size)  # type: ignore[arg-type]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        axes = [_axis_windows(size, o) for size, o in zip(inputs[0].size, self.output_size, strict=True)]  # type: ignore[arg-type]
        total = Counts()
        for combination in cartesian(*(a.items() for a in axes)):
            window = sympy.Mul(*(length for length, _ in combination))
            outputs = batch * inputs[0].channels * sympy.Mul(*(n for _, n in combination))
            if self.op == "max":
                per = count_ops(max_element(window)) if window.is_number else count_ops(
                    sympy.Max(*sympy.symbols("u v"))).scale(window - 1)
                total += Counts(others=outputs * per.others)
            else:
                per = count_ops(average_element(window))
                total += Counts(mults=outputs * per.mults, adds=outputs * per.adds)
        return total

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"adaptive {self.op}pool {'×'.join(str(o) for o in self.output_size)}"  # type: ignore[union-attr]


@dataclass(frozen=True)
class Mean(LayerSpec):
    """The average over dimensions ``over`` of one sample (``x.mean((2, 3))`` is ``over = (1, 2)``), those
    dimensions kept as 1 with ``keepdim``: per output a sum and one multiplication, as :class:`GlobalAvgPool`."""

    over: tuple[int, ...] = (-1,)
    keepdim: bool = False

    kind = "mean"

    def __post_init__(self) -> None:
        object.__setattr__(self, "over", tuple(int(d) for d in self.over))

    def _axes(self, shape: Shape) -> list[int]:
        axes = sorted({shape.axis(d) for d in self.over})
        if len(axes) != len(self.over):
            raise fail(f"mean over {list(self.over)} names a dimension twice")
        return axes

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        axes = self._axes(inputs[0])
        kept = [sympy.Integer(1) if i in axes else d for i, d in enumerate(inputs[0].dims)
                if self.keepdim or i not in axes]
        if not kept:
            raise fail(f"a mean over every dimension of {inputs[0]} leaves no dimension of one sample")
        return Shape.of(kept)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        window = sympy.Mul(*(inputs[0].dims[i] for i in self._axes(inputs[0])))
        per = count_ops(average_element(window))
        outputs = batch * output.elements
        return Counts(mults=outputs * per.mults, adds=outputs * per.adds)
