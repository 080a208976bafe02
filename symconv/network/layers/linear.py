"""A fully connected layer on the flattened input, counted from its element ``Σ_i W[o, i]·x[n, i] (+ β[o])``.

>>> from symconv.network.layers.base import Shape
>>> fc = Linear(out=1000)
>>> x = Shape(1024, (1, 1))
>>> c = fc.counts((x,), fc.output((x,)), 1)
>>> c.params, c.mults, c.adds, c.macs  # 1024·1000 + 1000, and 1000 sums of 1024 products plus a bias
(1025000, 1024000, 1024000, 1024000)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.counting import count_ops, tensors_read
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, as_expr
from symconv.symbols import index

__all__ = ["Linear", "linear_element"]


@dataclass(frozen=True)
class Linear(LayerSpec):
    """A fully connected layer on the flattened input: ``out`` features, with a bias by default."""

    out: Expr | int = 1
    bias: bool = True

    kind = "fc"

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", as_expr(self.out, "out"))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return Shape(self.out, ())

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        features = inputs[0].elements
        element, (weight, beta) = linear_element(features, self.out, self.bias)
        per = count_ops(element)
        outputs = batch * self.out
        return Counts(params=tensors_read(element, [weight, beta]), weights=tensors_read(element, [weight]),
                      mults=outputs * per.mults, adds=outputs * per.adds, macs=outputs * per.mults)


def linear_element(features: Expr, out: Expr, bias: bool
                   ) -> tuple[Expr, tuple[sympy.IndexedBase, sympy.IndexedBase]]:
    """One output of a fully connected layer, ``Σ_i W[o, i]·x[n, i] (+ β[o])``, and its parameter tensors
    ``W`` (``out × features``) and ``β`` (``out``).

    >>> linear_element(sympy.Integer(4), sympy.Integer(2), True)[0]
    beta[o] + Sum(W[o, i]*x[n, i], (i, 0, 3))
    """
    n, o, i = index("n"), index("o"), index("i")
    weight = sympy.IndexedBase("W", shape=(out, features))
    beta = sympy.IndexedBase("beta", shape=(out,))
    x = sympy.IndexedBase("x")
    element = sympy.Sum(weight[o, i] * x[n, i], (i, 0, features - 1)) + (beta[o] if bias else 0)
    return element, (weight, beta)
