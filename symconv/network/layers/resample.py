"""Upsampling (PyTorch's ``nn.Upsample`` and ``F.interpolate``): nearest neighbour, which only copies, and
(bi/tri)linear interpolation, counted from its element.

PyTorch's CPU kernel interpolates one axis at a time, innermost first: along the last axis
``w₀·x₀ + w₁·x₁``, and each further axis weights two such results. A bilinear output is
``h₀·(w₀·x₀₀ + w₁·x₀₁) + h₁·(w₀·x₁₀ + w₁·x₁₁)``: 6 multiplications, 3 additions.

>>> from symconv.network.layers.base import Shape
>>> up = Upsample(scale=2, mode="bilinear")
>>> x = Shape(64, (28, 28))
>>> up.output((x,)), up.counts((x,), up.output((x,)), 1).mults  # 64·56·56 outputs of 6 products
(Shape(channels=64, size=(56, 56)), 1204224)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from symconv.counting import count_ops
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, as_expr, fail, spatial_axes
from symconv.network.layers.conv import on_multiples
from symconv.symbols import index

__all__ = ["MODES", "Upsample", "interpolation_element"]

#: Each mode and the spatial axes it interpolates (None: any).
MODES: dict[str, int | None] = {"nearest": None, "linear": 1, "bilinear": 2, "trilinear": 3}


def interpolation_element(dims: int) -> Expr:
    """One output of a linear interpolation along ``dims`` axes, the last axis innermost.

    >>> interpolation_element(2)
    (w_1[w, 0]*x[0, 0] + w_1[w, 1]*x[0, 1])*w_0[h, 0] + (w_1[w, 0]*x[1, 0] + w_1[w, 1]*x[1, 1])*w_0[h, 1]
    """
    names = ("d", "h", "w")[3 - dims:]
    x = sympy.IndexedBase("x")

    def along(axis: int, corner: tuple[int, ...]) -> Expr:
        if axis == dims:
            return x[corner]
        weight = sympy.IndexedBase(f"w_{axis}")
        return sympy.Add(*(weight[index(names[axis]), side] * along(axis + 1, (*corner, side))
                           for side in (0, 1)), evaluate=False)

    return along(0, ())


@dataclass(frozen=True)
class Upsample(LayerSpec):
    """Each spatial axis resized by ``scale`` (one factor, or one per axis; the output is ``floor(size ·
    scale)``) or to ``size``, by ``mode`` (:data:`MODES`)."""

    scale: Any = None
    size: tuple[int, ...] | None = None
    mode: str = "nearest"

    kind = "upsample"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise fail(f"unknown upsampling mode {self.mode!r} (known: {', '.join(MODES)})")
        if (self.scale is None) == (self.size is None):
            raise fail("upsampling takes a scale or a size, one of the two")
        if self.scale is not None:
            scales = self.scale if isinstance(self.scale, tuple | list) else (self.scale,)
            values = tuple(sympy.nsimplify(v) if isinstance(v, float) else as_expr(v, "scale") for v in scales)
            if not all(v.is_Rational and v > 0 for v in values):
                raise fail(f"scale must be positive numbers, not {self.scale!r}")
            object.__setattr__(self, "scale", values)
        else:
            object.__setattr__(self, "size", tuple(self.size))  # type: ignore[arg-type]

    def _axes(self, inputs: tuple[Shape, ...]) -> int:
        dims = MODES[self.mode] or len(inputs[0].size)
        spatial_axes(inputs, f"{self.mode} upsampling", dims)
        given = self.scale if self.scale is not None else self.size
        if len(given) not in (1, dims):  # type: ignore[arg-type]
            raise fail(f"upsampling {dims} axes takes 1 or {dims} factors or sizes, not {len(given)}")  # type: ignore[arg-type]
        return dims

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        dims = self._axes(inputs)
        if self.size is not None:
            sizes = tuple(sympy.Integer(v) for v in (self.size * dims if len(self.size) == 1 else self.size))
            return Shape(inputs[0].channels, sizes)
        scales = self.scale * dims if len(self.scale) == 1 else self.scale
        return Shape(inputs[0].channels, tuple(
            on_multiples(lambda n, f=f: sympy.floor(n * f), size, int(f.q))
            for size, f in zip(inputs[0].size, scales, strict=True)))

    def strides(self) -> tuple[int, ...]:
        # floor(size·p/q) is exact in a symbolic size that is a multiple of q; one factor is every axis's
        if self.scale is None:
            return ()
        scales = self.scale * (MODES[self.mode] or 3) if len(self.scale) == 1 else self.scale
        return tuple(int(f.q) for f in scales)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        if self.mode == "nearest":
            return Counts()
        per = count_ops(interpolation_element(len(output.size)))
        elements = batch * output.elements
        return Counts(mults=elements * per.mults, adds=elements * per.adds)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"upsample {self.mode}"
