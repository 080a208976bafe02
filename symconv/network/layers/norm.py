"""Batch normalisation at inference, as PyTorch's CPU kernel computes it, counted from its expressions.

Per channel ``a = γ / sqrt(σ² + ε)`` and ``s = β − μ·a``; per element ``x·a + s``. Without the affine
parameters ``γ = 1`` and ``β = 0``: ``a = 1/sqrt(σ² + ε)``, ``s = −μ·a``.

>>> from symconv.network.layers.base import Shape
>>> bn = BatchNorm()
>>> x = Shape(2, (3, 3))
>>> c = bn.counts((x,), x, 1)
>>> c.params, c.buffers, c.mults, c.adds, c.others  # 2·2; 2·2 + 1; 18 + 2·2; 18 + 2·2; 2·2
(4, 5, 22, 22, 4)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.counting import ZERO as NO_OPS
from symconv.counting import count_ops, tensors_read
from symconv.network.layers.base import ZERO, Counts, Expr, LayerSpec, Shape
from symconv.symbols import index

__all__ = ["BatchNorm", "batchnorm_elements"]


@dataclass(frozen=True)
class BatchNorm(LayerSpec):
    """Batch normalisation at inference: learnable ``γ, β`` (when ``affine``) and the running ``μ, σ²``
    (buffers; PyTorch's ``num_batches_tracked`` is one more)."""

    affine: bool = True
    track_batches: bool = True

    kind = "batchnorm"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        channels = inputs[0].channels
        per_channel, per_element, tensors = batchnorm_elements(channels, self.affine)
        channel_ops = sum((count_ops(e) for e in per_channel), NO_OPS)
        element_ops = count_ops(per_element)
        elements = batch * output.elements
        read = sympy.Add(*per_channel)
        return Counts(
            params=tensors_read(read, [tensors["gamma"], tensors["beta"]]),
            # num_batches_tracked: one entry the computation does not read
            buffers=tensors_read(read, [tensors["mean"], tensors["var"]]) + int(self.track_batches),
            mults=channels * channel_ops.mults + elements * element_ops.mults,
            adds=channels * channel_ops.adds + elements * element_ops.adds,
            others=channels * channel_ops.others + elements * element_ops.others,
            macs=ZERO,
        )


def batchnorm_elements(channels: Expr, affine: bool = True
                       ) -> tuple[tuple[Expr, ...], Expr, dict[str, sympy.IndexedBase]]:
    """The per-channel terms ``a`` and ``s``, the per-element ``x·a + s`` and the tensors they read.

    >>> per_channel, per_element, _ = batchnorm_elements(sympy.Integer(8))
    >>> per_channel, per_element
    ((gamma[c]/sqrt(epsilon + var[c]), -a[c]*mean[c] + beta[c]), a[c]*x[n, c, u, v] + s[c])
    """
    n, c, u, v = (index(name) for name in "ncuv")
    tensors = {name: sympy.IndexedBase(name, shape=(channels,)) for name in ("gamma", "beta", "mean", "var")}
    a, s = sympy.IndexedBase("a"), sympy.IndexedBase("s")
    eps = sympy.Symbol("epsilon", positive=True)
    inverse = 1 / sympy.sqrt(tensors["var"][c] + eps)
    scale = tensors["gamma"][c] * inverse if affine else inverse
    shift = tensors["beta"][c] - tensors["mean"][c] * a[c] if affine else -tensors["mean"][c] * a[c]
    return (scale, shift), sympy.IndexedBase("x")[n, c, u, v] * a[c] + s[c], tensors
