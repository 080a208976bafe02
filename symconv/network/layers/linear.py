"""Fully connected layers and matrix products, counted from their elements: a linear layer's
``Σ_i W[o, i]·x[n, i] (+ β[o])`` on the flattened input or (PyTorch's ``nn.Linear``) on the last dimension,
and a matrix product's ``Σ_k a[m, k]·b[k, j]``.

>>> from symconv.network.layers.base import Shape
>>> fc = Linear(out=1000)
>>> x = Shape(1024, (1, 1))
>>> c = fc.counts((x,), fc.output((x,)), 1)
>>> c.params, c.mults, c.adds, c.macs  # 1024·1000 + 1000, and 1000 sums of 1024 products plus a bias
(1025000, 1024000, 1024000, 1024000)
>>> last = Linear(out=384, flatten=False)
>>> x = Shape(56, (56, 96))  # channels-last: 56×56 positions of 96 features
>>> last.output((x,)), last.counts((x,), last.output((x,)), 1).macs  # 56·56·384 outputs of 96 products
(Shape(channels=56, size=(56, 384)), 115605504)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.counting import count_ops, tensors_read
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, as_expr, broadcast, fail
from symconv.symbols import index

__all__ = ["Linear", "Matmul", "linear_element", "matmul_element"]


@dataclass(frozen=True)
class Linear(LayerSpec):
    """A fully connected layer: ``out`` features, with a bias by default, on the flattened input or, with
    ``flatten=False``, on the last dimension (PyTorch's ``nn.Linear``: every other dimension is kept)."""

    out: Expr | int = 1
    bias: bool = True
    flatten: bool = True

    kind = "fc"

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", as_expr(self.out, "out"))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        if self.flatten:
            return Shape(self.out, ())
        return Shape.of((*inputs[0].dims[:-1], self.out))

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        features = inputs[0].elements if self.flatten else inputs[0].dims[-1]
        element, (weight, beta) = linear_element(features, self.out, self.bias)
        per = count_ops(element)
        outputs = batch * output.elements
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


@dataclass(frozen=True)
class Matmul(LayerSpec):
    """The matrix product of two inputs (PyTorch's ``matmul`` and ``bmm``): ``(..., m, k) @ (..., k, j)``,
    the leading dimensions broadcast. Its products are multiply-accumulates, as a linear layer's."""

    kind = "matmul"
    arity = 2

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        a, b = (s.dims for s in inputs)
        if len(a) < 2 or len(b) < 2:
            raise fail(f"matmul multiplies matrices (two dimensions or more per sample), not {inputs[0]} "
                       f"and {inputs[1]}")
        if sympy.expand(a[-1] - b[-2]) != 0:
            raise fail(f"matmul needs the inner sizes to agree, not {inputs[0]} and {inputs[1]}")
        return Shape.of((*broadcast(a[:-2], b[:-2], "matmul"), a[-2], b[-1]))

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        per = count_ops(matmul_element(inputs[0].dims[-1]))
        outputs = batch * output.elements
        return Counts(mults=outputs * per.mults, adds=outputs * per.adds, macs=outputs * per.mults)


def matmul_element(inner: Expr) -> Expr:
    """One entry of a matrix product, ``Σ_k a[m, k]·b[k, j]`` over the ``inner`` size.

    >>> matmul_element(sympy.Integer(64))
    Sum(a[n, m, k]*b[n, k, j], (k, 0, 63))
    """
    n, m, k, j = (index(name) for name in "nmkj")
    a, b = sympy.IndexedBase("a"), sympy.IndexedBase("b")
    return sympy.Sum(a[n, m, k] * b[n, k, j], (k, 0, inner - 1))
