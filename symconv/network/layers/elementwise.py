"""Elementwise layers and softmax, counted from the expression of one element.

>>> from symconv.network.layers.base import Shape
>>> x = Shape(4, (2, 2))
>>> Activation("relu6").counts((x,), x, 1).others  # min(max(x, 0), 6): two comparisons per element
32
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy

from symconv.counting import count_ops
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, fail
from symconv.symbols import index

__all__ = ["ACTIVATIONS", "Activation", "Softmax", "activation_element"]

_X = sympy.IndexedBase("x")[index("n"), index("c")]

#: Each activation as the expression of one output element of its input ``x``.
ACTIVATIONS: dict[str, Callable[[Expr], Expr]] = {
    "relu": lambda x: sympy.Max(x, 0),
    "relu6": lambda x: sympy.Min(sympy.Max(x, 0), 6),
    "identity": lambda x: x,
}


def activation_element(function: str) -> Expr:
    """One output element of an activation.

    >>> activation_element("relu6")
    Min(6, Max(0, x[n, c]))
    """
    return ACTIVATIONS[function](_X)


@dataclass(frozen=True)
class Activation(LayerSpec):
    """An elementwise activation (:data:`ACTIVATIONS`): ``relu`` (1 comparison per element), ``relu6`` (2) or
    ``identity`` (0)."""

    function: str = "relu"

    kind = "activation"

    def __post_init__(self) -> None:
        if self.function not in ACTIVATIONS:
            raise fail(f"unknown activation {self.function!r} (known: {', '.join(ACTIVATIONS)})")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        per = count_ops(activation_element(self.function))
        elements = batch * output.elements
        return Counts(mults=elements * per.mults, adds=elements * per.adds, others=elements * per.others)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return self.function


def softmax_elements(channels: Expr) -> tuple[Expr, Expr, Expr]:
    """Softmax of one vector of ``channels`` entries: each entry's exponential, their sum (once per vector)
    and each output, a quotient.

    >>> softmax_elements(sympy.Integer(3))
    (exp(x[n, c]), Sum(e[n, j], (j, 0, 2)), e[n, c]/S[n])
    """
    n, c, j = index("n"), index("c"), index("j")
    e, total = sympy.IndexedBase("e"), sympy.IndexedBase("S")
    return sympy.exp(_X), sympy.Sum(e[n, j], (j, 0, channels - 1)), e[n, c] / total[n]


@dataclass(frozen=True)
class Softmax(LayerSpec):
    """Softmax over a flat vector: an exponential and a division per element, ``C − 1`` additions."""

    kind = "softmax"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return Shape(inputs[0].elements, ())

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        channels = output.channels
        exponential, total, quotient = (count_ops(e) for e in softmax_elements(channels))
        per_vector = exponential.scale(channels) + total + quotient.scale(channels)
        return Counts(mults=batch * per_vector.mults, adds=batch * per_vector.adds,
                      others=batch * per_vector.others)
