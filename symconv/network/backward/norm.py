"""Normalisations in training: batch norm's forward pass with its batch statistics, and the backward pass of
batch, layer and group norm, from the elements of their gradients.

**Batch norm, forward in training.** Per channel, over its ``M = N·∏sizes`` entries, the two-pass moments
``μ = r·Σ x`` and ``σ² = r·Σ (x − μ)²`` (``r = 1/M``), ``ι = 1/sqrt(σ² + ε)``, then ``a = γ·ι``, ``s = β − μ·a``
and per entry ``x·a + s``; the running statistics move by the momentum ``m`` (``m̄ = 1 − m``, ``u = M/(M − 1)``
for the unbiased variance): ``m·μ + m̄·μ_run``, ``m·u·σ² + m̄·σ²_run``, and ``num_batches_tracked`` gains 1.
It keeps ``μ`` and ``ι`` for the backward pass.

**Backward.** With ``x̂ = (x − μ)·ι`` and ``g = dy·γ``, every normalisation over groups of ``M`` entries has
``dx = ι·(g − r·Σ g − x̂·r·Σ g·x̂)``, the sums over the entry's group; ``dγ`` sums ``dy·x̂`` and ``dβ`` sums
``dy`` over the entries of each parameter. Batch norm's groups are its channels, so ``Σ g = γ·Σ dy`` and
``Σ g·x̂ = γ·ι·Σ (x − μ)·dy`` are its bias's and its weight's gradient sums: it computes ``S = Σ dy`` and
``D = Σ (x − μ)·dy`` once per channel (``dβ = S``, ``dγ = ι·D``), then per entry
``dx = (dy − r·S − (x − μ)·ι²·r·D)·ι·γ``. Layer norm's groups are its rows, group norm's the channel groups
of each sample; their parameters are per position of a row or per channel, so they compute ``x̂`` and ``g``
per entry. Shared sums count in the part of the gradient they are (``S`` in ``grad_bias``, ``D`` and ``x̂``
in ``grad_weight``) when that gradient is computed, in ``grad_input`` otherwise. Each keeps its input, ``μ``
and ``ι``: what its gradients read.

>>> from symconv.network.layers import BatchNorm, Shape
>>> x = Shape(2, (3, 3))
>>> b = batchnorm_backward(BatchNorm(), (x,), x, sympy.Integer(1), Needs((True,), weight=True, bias=True))
>>> [(p, c.mults, c.adds) for p, c in b.parts.items()]  # per channel S: 8 adds, D: 9 mults and 17 adds
[('grad_input', 46, 54), ('grad_weight', 20, 34), ('grad_bias', 0, 16)]
>>> [(k.what, k.elements) for k in b.kept]
[('input', 18), ('mean', 2), ('inverse std', 2)]
"""

from __future__ import annotations

import sympy

from symconv.counting import ZERO as NO_OPS
from symconv.counting import count_ops
from symconv.network.backward.base import Element, LayerBackward, Needs, Rule, Saved, counted, shaped
from symconv.network.layers import BatchNorm, Counts, GroupNorm, LayerNorm, Shape, as_expr
from symconv.network.layers.norm import moments_elements
from symconv.symbols import index

__all__ = ["RULES", "batchnorm_backward", "batchnorm_training", "groupnorm_backward", "layernorm_backward"]

_EPS = sympy.Symbol("epsilon", positive=True)
_MOMENTUM, _KEPT, _UNBIASED = sympy.symbols("m mbar u", positive=True)


def batchnorm_training_elements(channels: sympy.Expr, entries: sympy.Expr, affine: bool,
                                track: bool) -> tuple[list[sympy.Expr], sympy.Expr, list[sympy.Expr]]:
    """Batch norm's forward pass in training: the per-channel expressions (moments, ``ι``, ``a``, ``s``,
    running statistics), the per-entry ``x·a + s`` and the per-layer ``num_batches_tracked + 1``.

    >>> per_channel, _, _ = batchnorm_training_elements(sympy.Integer(4), sympy.Integer(9), True, True)
    >>> per_channel[3:5]
    [gamma[c]*iota[c], -a[c]*mu[c] + beta[c]]
    """
    c, n = index("c"), index("n")
    mean, variance, inverse, _ = moments_elements(entries)
    gamma, beta, mu, iota, a, s = (sympy.IndexedBase(name) for name in ("gamma", "beta", "mu", "iota", "a", "s"))
    per_channel = [mean, variance, inverse, gamma[c] * iota[c] if affine else sympy.Integer(0),
                   beta[c] - mu[c] * a[c] if affine else -mu[c] * iota[c]]
    per_layer = []
    if track:
        run_mean, run_var = sympy.IndexedBase("mu_run"), sympy.IndexedBase("var_run")
        per_channel += [_MOMENTUM * mu[c] + _KEPT * run_mean[c],
                        _MOMENTUM * _UNBIASED * sympy.IndexedBase("var")[c] + _KEPT * run_var[c]]
        per_layer.append(sympy.Symbol("num_batches_tracked") + 1)
    return per_channel, sympy.IndexedBase("x")[n, c] * a[c] + s[c], per_layer


def batchnorm_training(layer: BatchNorm, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr) -> Counts:
    """The counts of batch norm's forward pass in training (its parameters and buffers as at inference)."""
    channels = inputs[0].channels
    entries = as_expr(batch) * inputs[0].elements / channels
    per_channel, per_entry, per_layer = batchnorm_training_elements(channels, entries, layer.affine,
                                                                    layer.track_batches)
    ops = sum((count_ops(e) for e in per_channel), NO_OPS).scale(channels) + \
        count_ops(per_entry).scale(entries * channels) + sum((count_ops(e) for e in per_layer), NO_OPS)
    inference = layer.counts(inputs, output, batch)
    return Counts(params=inference.params, buffers=inference.buffers, mults=sympy.expand(ops.mults),
                  adds=sympy.expand(ops.adds), others=sympy.expand(ops.others))


def batchnorm_backward(layer: BatchNorm, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                       needs: Needs) -> LayerBackward:
    channels = inputs[0].channels
    entries = sympy.cancel(as_expr(batch) * inputs[0].elements / channels)
    c, j = index("c"), index("j")
    x, dy, dx = (shaped(name, channels, entries) for name in ("x", "dy", "dx"))
    mu, iota, gamma = (shaped(name, channels) for name in ("mu", "iota", "gamma"))
    S, D, r = sympy.IndexedBase("S"), sympy.IndexedBase("D"), sympy.Symbol("r", positive=True)
    wants_input = needs.inputs[0]
    weight, bias = needs.weight and layer.affine, needs.bias and layer.affine
    elements = []
    if wants_input or bias:
        elements.append(Element("grad_bias" if bias else "grad_input", S[c], sympy.Sum(dy[c, j], (j, 0, entries - 1)),
                                channels, result=bias))
    if wants_input or weight:
        elements.append(Element("grad_weight" if weight else "grad_input", D[c],
                                sympy.Sum((x[c, j] - mu[c]) * dy[c, j], (j, 0, entries - 1)), channels, result=False))
    if weight:
        elements.append(Element("grad_weight", shaped("dgamma", channels)[c], D[c] * iota[c], channels))
    if wants_input:
        k, g, w = sympy.IndexedBase("k"), sympy.IndexedBase("g"), sympy.IndexedBase("w")
        elements += [Element("grad_input", k[c], D[c] * iota[c] ** 2 * r, channels, result=False),
                     Element("grad_input", g[c], S[c] * r, channels, result=False)]
        if layer.affine:
            elements.append(Element("grad_input", w[c], iota[c] * gamma[c], channels, result=False))
        scale = w[c] if layer.affine else iota[c]
        elements.append(Element("grad_input", dx[c, j], (dy[c, j] - g[c] - (x[c, j] - mu[c]) * k[c]) * scale,
                                channels * entries))
    saved = [Saved(x, "input", 0), Saved(mu, "mean"), Saved(iota, "inverse std")]
    return counted(elements, saved=saved, params=[gamma], dy=dy)


def _grouped(entries: sympy.Expr, groups: sympy.Expr, params: sympy.Expr, affine: bool, bias: bool,
             needs: Needs) -> LayerBackward:
    """A normalisation over ``groups`` groups of ``entries / groups`` entries, with ``params`` entries of ``γ``
    and ``β`` (each summed over ``entries / params`` entries)."""
    size = sympy.cancel(entries / groups)
    e, j, q = index("e"), index("j"), index("q")
    x, dy, dx, xhat, g = (shaped(name, entries) for name in ("x", "dy", "dx", "xhat", "g"))
    mu, iota = shaped("mu", groups), shaped("iota", groups)
    gamma = shaped("gamma", params)
    A, B, r = sympy.IndexedBase("A"), sympy.IndexedBase("B"), sympy.Symbol("r", positive=True)
    wants_input, weight, wants_bias = needs.inputs[0], needs.weight and affine, needs.bias and affine and bias
    per_param = sympy.cancel(entries / params)
    elements = []
    if wants_input or weight:
        elements.append(Element("grad_weight" if weight else "grad_input", xhat[e], (x[e] - mu[q]) * iota[q], entries,
                                result=False))
    if weight:
        elements.append(Element("grad_weight", shaped("dgamma", params)[e],
                                sympy.Sum(dy[j] * xhat[j], (j, 0, per_param - 1)), params))
    if wants_bias:
        elements.append(Element("grad_bias", shaped("dbeta", params)[e], sympy.Sum(dy[j], (j, 0, per_param - 1)),
                                params))
    if wants_input:
        grad = g if affine else dy
        if affine:
            elements.append(Element("grad_input", g[e], dy[e] * gamma[q], entries, result=False))
        elements += [Element("grad_input", A[q], r * sympy.Sum(grad[j], (j, 0, size - 1)), groups, result=False),
                     Element("grad_input", B[q], r * sympy.Sum(grad[j] * xhat[j], (j, 0, size - 1)), groups,
                             result=False),
                     Element("grad_input", dx[e], (grad[e] - A[q] - xhat[e] * B[q]) * iota[q], entries)]
    saved = [Saved(x, "input", 0), Saved(mu, "mean"), Saved(iota, "inverse std")]
    return counted(elements, saved=saved, params=[gamma], dy=dy)


def layernorm_backward(layer: LayerNorm, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                       needs: Needs) -> LayerBackward:
    trailing = sympy.Mul(*inputs[0].dims[-layer.normalized:])
    entries = as_expr(batch) * inputs[0].elements
    return _grouped(entries, sympy.cancel(entries / trailing), trailing, layer.affine, layer.bias, needs)


def groupnorm_backward(layer: GroupNorm, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                       needs: Needs) -> LayerBackward:
    entries = as_expr(batch) * inputs[0].elements
    return _grouped(entries, as_expr(batch) * layer.groups, inputs[0].channels, layer.affine, True, needs)


def _affine(layer: BatchNorm | LayerNorm | GroupNorm) -> tuple[str, ...]:
    if not layer.affine:
        return ()
    return ("weight", "bias") if getattr(layer, "bias", True) else ("weight",)


RULES: dict[type, Rule] = {
    BatchNorm: Rule(batchnorm_backward, _affine, batchnorm_training),
    LayerNorm: Rule(layernorm_backward, _affine),
    GroupNorm: Rule(groupnorm_backward, _affine),
}
