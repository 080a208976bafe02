"""Normalisations at inference, as PyTorch's CPU kernels compute them, counted from their expressions.

Batch norm: per channel ``a = γ / sqrt(σ² + ε)`` and ``s = β − μ·a``; per element ``x·a + s``. Without the
affine parameters ``γ = 1`` and ``β = 0``: ``a = 1/sqrt(σ² + ε)``, ``s = −μ·a``.

Layer and group norm compute the moments of each group of ``M`` entries (:func:`moments_elements`, two
passes: ``μ = r·Σ x``, ``σ² = r·Σ (x − μ)²``, ``r = 1/M``), then ``a = 1/sqrt(σ² + ε)`` and ``s = −a·μ``.
Layer norm's element is ``(x·a + s)·γ + β``; group norm folds ``γ`` and ``β`` into per-channel
``a' = a·γ``, ``s' = s·γ + β`` and computes ``x·a' + s'``.

>>> from symconv.network.layers.base import Shape
>>> bn = BatchNorm()
>>> x = Shape(2, (3, 3))
>>> c = bn.counts((x,), x, 1)
>>> c.params, c.buffers, c.mults, c.adds, c.others  # 2·2; 2·2 + 1; 18 + 2·2; 18 + 2·2; 2·2
(4, 5, 22, 22, 4)
>>> ln = LayerNorm()
>>> x = Shape(7, (7, 96))  # channels-last: 49 vectors of 96 features
>>> c = ln.counts((x,), x, 1)
>>> c.params, c.mults, c.adds  # γ, β; per vector: mults 1 + 97 + 1 + 2·96, adds 95 + 191 + 1 + 2·96
(192, 14259, 23471)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.counting import ZERO as NO_OPS
from symconv.counting import count_ops, tensors_read
from symconv.network.layers.base import ZERO, Counts, Expr, LayerSpec, Shape, fail, grouped, int_field
from symconv.symbols import index

__all__ = ["BatchNorm", "GroupNorm", "LayerNorm", "batchnorm_elements", "moments_elements"]


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


def moments_elements(entries: Expr) -> tuple[Expr, Expr, Expr, Expr]:
    """The mean, variance, ``a = 1/sqrt(σ² + ε)`` and ``s = −a·μ`` of one group of ``entries`` values.

    >>> moments_elements(sympy.Integer(4))
    (r*Sum(x[n, j], (j, 0, 3)), r*Sum((-mu[n] + x[n, j])**2, (j, 0, 3)), 1/sqrt(epsilon + var[n]), -a[n]*mu[n])
    """
    n, j = index("n"), index("j")
    x, mu, var, a = (sympy.IndexedBase(name) for name in ("x", "mu", "var", "a"))
    r, eps = sympy.Symbol("r", positive=True), sympy.Symbol("epsilon", positive=True)
    mean = r * sympy.Sum(x[n, j], (j, 0, entries - 1))
    variance = r * sympy.Sum((x[n, j] - mu[n]) ** 2, (j, 0, entries - 1))
    return mean, variance, 1 / sympy.sqrt(var[n] + eps), -a[n] * mu[n]


def _moments(groups: Expr, entries: Expr) -> Counts:
    ops = sum((count_ops(e) for e in moments_elements(entries)), NO_OPS)
    return Counts(mults=groups * ops.mults, adds=groups * ops.adds, others=groups * ops.others)


@dataclass(frozen=True)
class LayerNorm(LayerSpec):
    """Layer normalisation over the last ``normalized`` dimensions (PyTorch's ``nn.LayerNorm``), with
    learnable ``γ`` and (``bias``) ``β`` of their shape when ``affine``."""

    normalized: int = 1
    affine: bool = True
    bias: bool = True

    kind = "layernorm"

    def __post_init__(self) -> None:
        int_field("normalized", self.normalized, 1)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        if self.normalized > inputs[0].rank:
            raise fail(f"cannot normalise the last {self.normalized} dimensions of {inputs[0]}")
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        trailing = sympy.Mul(*inputs[0].dims[-self.normalized:])
        groups = batch * inputs[0].elements / trailing
        n, i = index("n"), index("i")
        gamma, beta = (sympy.IndexedBase(name, shape=(trailing,)) for name in ("gamma", "beta"))
        a, s = sympy.IndexedBase("a"), sympy.IndexedBase("s")
        element = sympy.IndexedBase("x")[n, i] * a[n] + s[n]
        if self.affine:
            element = element * gamma[i] + (beta[i] if self.bias else 0)
        per = count_ops(element)
        elements = batch * output.elements
        return _moments(groups, trailing) + Counts(
            params=tensors_read(element, [gamma, beta]), mults=elements * per.mults, adds=elements * per.adds)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return self.kind


@dataclass(frozen=True)
class GroupNorm(LayerSpec):
    """Group normalisation (PyTorch's ``nn.GroupNorm``): the channels in ``groups`` groups, each normalised
    over its channels and positions, with learnable per-channel ``γ`` and ``β`` when ``affine``."""

    groups: int = 1
    affine: bool = True

    kind = "groupnorm"

    def __post_init__(self) -> None:
        int_field("groups", self.groups, 1)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return grouped(inputs[0], self.groups)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        channels = inputs[0].channels
        n, c, i = index("n"), index("c"), index("i")
        gamma, beta = (sympy.IndexedBase(name, shape=(channels,)) for name in ("gamma", "beta"))
        a, s = sympy.IndexedBase("a"), sympy.IndexedBase("s")
        folded = (a[n] * gamma[c], s[n] * gamma[c] + beta[c]) if self.affine else ()
        per_channel = sum((count_ops(e) for e in folded), NO_OPS)
        per = count_ops(sympy.IndexedBase("x")[n, c, i] * a[n] + s[n])
        elements, pairs = batch * output.elements, batch * channels
        return _moments(batch * self.groups, inputs[0].elements / self.groups) + Counts(
            params=tensors_read(sympy.Add(*folded), [gamma, beta]) if folded else ZERO,
            mults=pairs * per_channel.mults + elements * per.mults,
            adds=pairs * per_channel.adds + elements * per.adds)
