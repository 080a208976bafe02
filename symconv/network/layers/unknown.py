"""An operation symconv has no layer for, kept as a row that counts nothing (so it is listed, never
dropped), a layer that reuses another's parameters (a module called twice), and the parameters and buffers
a model holds that no operation reads.

>>> from symconv.network.layers.base import Shape
>>> op = Unknown(op="torch.nn.functional.pad")
>>> op.output((Shape(3, (8, 8)),)), op.label(()), op.counts((), Shape(3, (8, 8)), 1).mults
(Shape(channels=3, size=(8, 8)), 'unknown torch.nn.functional.pad', 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy

from symconv.network.layers.base import ZERO, Counts, Expr, LayerSpec, Shape, fail

__all__ = ["Reused", "Unknown", "Unused"]


@dataclass(frozen=True)
class Unknown(LayerSpec):
    """The operation ``op``, not counted: its output is taken to have its first input's shape."""

    op: str = "?"

    kind = "unknown"
    arity = 0

    def check_inputs(self, inputs: tuple[Shape, ...]) -> None:
        if not inputs:
            raise fail("an unknown operation reads at least one input")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"unknown {self.op}"


@dataclass(frozen=True)
class Reused(LayerSpec):
    """``layer`` once more, with the parameters of an earlier use: it computes again, its parameters and
    buffers are not counted twice (PyTorch's ``sum(p.numel())`` counts a shared tensor once)."""

    layer: LayerSpec = field(default_factory=Unknown)

    @property  # type: ignore[override]
    def kind(self) -> str:  # type: ignore[override]
        return self.layer.kind

    @property  # type: ignore[override]
    def arity(self) -> int:  # type: ignore[override]
        return self.layer.arity

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.layer.output(inputs)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        counts = self.layer.counts(inputs, output, batch)
        return replace(counts, params=ZERO, buffers=ZERO, weights=ZERO)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return self.layer.label(inputs)

    def strides(self) -> tuple[int, ...]:
        return self.layer.strides()


@dataclass(frozen=True)
class Unused(LayerSpec):
    """``params`` parameters and ``buffers`` buffer entries that no operation reads (a module never called):
    counted, as ``sum(p.numel())`` counts them, beside the network; it passes its input on."""

    params: int = 0
    buffers: int = 0

    kind = "unused"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts(params=sympy.Integer(self.params), buffers=sympy.Integer(self.buffers))

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return "unused parameters"
