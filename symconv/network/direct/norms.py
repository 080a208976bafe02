"""Normalisations computed for real, as PyTorch's CPU kernels order them, every operation counted: at
inference, batch norm in training (its batch statistics), and the backward passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.network.direct.grads import Backward, Gradients, Kept
from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import BatchNorm, Counts, GroupNorm, LayerNorm

__all__ = ["BACKWARD", "COMPUTE", "TRAINING"]

EPS = 1e-5


def _batchnorm(layer: BatchNorm, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    c = x.shape[1]
    gamma, beta, mean, var = _bn_setup(layer, c, rng)
    per_channel = (1, c, *(1,) * (x.ndim - 2))
    inverse = t.other(1.0 / t.other(np.sqrt(t.add(var, EPS))))
    a = t.mul(gamma, inverse) if layer.affine else inverse
    s = t.add(beta, t.mul(-mean, a)) if layer.affine else t.mul(-mean, a)
    y = t.add(t.mul(x, a.reshape(per_channel)), s.reshape(per_channel))
    expected = (x - mean.reshape(per_channel)) / np.sqrt(var + EPS).reshape(per_channel) \
        * gamma.reshape(per_channel) + beta.reshape(per_channel)
    buffers = mean.size + var.size + int(layer.track_batches)  # running mean and variance, num_batches_tracked
    params = gamma.size + beta.size if layer.affine else 0
    return y, t.counts(params=params, buffers=buffers), bool(np.allclose(y, expected))


def _moments(rows: np.ndarray, t: Tally) -> tuple[np.ndarray, np.ndarray]:
    """``a = 1/sqrt(σ² + ε)`` and ``s = −a·μ`` of each row, the moments in two passes."""
    entries = rows.shape[-1]
    mean = t.mul(t.sum(rows, -1), 1.0 / entries)
    centred = t.add(rows, -mean[..., None])
    var = t.mul(t.sum(t.mul(centred, centred), -1), 1.0 / entries)
    a = t.other(1.0 / t.other(np.sqrt(t.add(var, EPS))))
    return a, t.mul(-a, mean)


def _normalised(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    return (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)


def _layernorm(layer: LayerNorm, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    trailing = x.shape[x.ndim - layer.normalized:]
    rows = x.reshape(-1, int(np.prod(trailing)))
    a, s = _moments(rows, t)
    y = t.add(t.mul(rows, a[:, None]), s[:, None])
    gamma, beta = rng.standard_normal(rows.shape[1]), rng.standard_normal(rows.shape[1])
    if not layer.bias:
        beta = np.zeros_like(beta)
    if layer.affine:
        y = t.mul(y, gamma)
        y = t.add(y, beta) if layer.bias else y
    else:
        gamma, beta = np.ones_like(gamma), np.zeros_like(beta)
    y = y.reshape(x.shape)
    axes = tuple(range(x.ndim - layer.normalized, x.ndim))
    expected = _normalised(x, axes) * gamma.reshape(trailing) + beta.reshape(trailing)
    params = (gamma.size + (beta.size if layer.bias else 0)) if layer.affine else 0
    return y, t.counts(params=params), bool(np.allclose(y, expected))


def _groupnorm(layer: GroupNorm, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    n, c, g = x.shape[0], x.shape[1], layer.groups
    a, s = _moments(x.reshape(n, g, -1), t)
    gamma, beta = rng.standard_normal((c,)), rng.standard_normal((c,))
    # per (sample, channel): the group's a and s, folded with the channel's γ and β
    a_c, s_c = np.repeat(a, c // g, axis=1), np.repeat(s, c // g, axis=1)
    if layer.affine:
        a_c, s_c = t.mul(a_c, gamma), t.add(t.mul(s_c, gamma), beta)
    else:
        gamma, beta = np.ones(c), np.zeros(c)
    per_channel = (n, c, *(1,) * (x.ndim - 2))
    y = t.add(t.mul(x, a_c.reshape(per_channel)), s_c.reshape(per_channel))
    grouped = _normalised(x.reshape(n, g, -1), (2,)).reshape(x.shape)
    shape = (1, c, *(1,) * (x.ndim - 2))
    expected = grouped * gamma.reshape(shape) + beta.reshape(shape)
    params = gamma.size + beta.size if layer.affine else 0
    return y, t.counts(params=params), bool(np.allclose(y, expected))


COMPUTE: dict[type, Callable[..., Computed]] = {BatchNorm: _batchnorm, LayerNorm: _layernorm, GroupNorm: _groupnorm}


def _bn_setup(layer: BatchNorm, c: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """γ, β and the running mean and variance, drawn as the inference computation draws them."""
    gamma = rng.standard_normal((c,)) if layer.affine else np.ones(c)
    beta = rng.standard_normal((c,)) if layer.affine else np.zeros(c)
    return gamma, beta, rng.standard_normal((c,)), rng.random((c,)) + 0.5


#: The momentum of the running statistics (PyTorch's default).
MOMENTUM = 0.1


def batchnorm_statistics(x: np.ndarray, t: Tally) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per channel of ``x`` the two-pass mean and variance and ``ι = 1/sqrt(σ² + ε)``, each operation
    counted; the entries of a channel are its column of ``(entries, channels)``."""
    rows = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
    r = 1.0 / rows.shape[0]
    mean = t.mul(t.sum(rows, 0), r)
    centred = t.add(rows, -mean)
    var = t.mul(t.sum(t.mul(centred, centred), 0), r)
    return mean, var, t.other(1.0 / t.other(np.sqrt(t.add(var, EPS))))


def _batchnorm_training(layer: BatchNorm, xs: list[np.ndarray], rng: np.random.Generator, t: Tally
                        ) -> tuple[np.ndarray, Counts, bool, dict[str, np.ndarray]]:
    """Batch norm in training: normalised by the batch's statistics, the running ones moved by the momentum;
    it leaves ``μ`` and ``ι`` for the backward pass."""
    x = xs[0]
    c = x.shape[1]
    gamma, beta, run_mean, run_var = _bn_setup(layer, c, rng)
    mean, var, iota = batchnorm_statistics(x, t)
    a = t.mul(gamma, iota) if layer.affine else iota
    s = t.add(beta, t.mul(-mean, a)) if layer.affine else t.mul(-mean, iota)
    if layer.track_batches:
        entries = x.size // c
        t.add(t.mul(MOMENTUM, mean), t.mul(1 - MOMENTUM, run_mean))
        t.add(t.mul(MOMENTUM, t.mul(entries / (entries - 1), var)), t.mul(1 - MOMENTUM, run_var))
        t.add(0, 1)  # num_batches_tracked
    per_channel = (1, c, *(1,) * (x.ndim - 2))
    y = t.add(t.mul(x, a.reshape(per_channel)), s.reshape(per_channel))
    axes = (0, *range(2, x.ndim))
    expected = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS) \
        * gamma.reshape(per_channel) + beta.reshape(per_channel)
    buffers = 2 * c + int(layer.track_batches)
    params = 2 * c if layer.affine else 0
    return y, t.counts(params=params, buffers=buffers), bool(np.allclose(y, expected)), {"mean": mean, "iota": iota}


def _batchnorm_backward(layer: BatchNorm, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                        rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    """``S = Σ dy`` and ``D = Σ (x − μ)·dy`` per channel, ``dβ = S``, ``dγ = ι·D``, and per entry
    ``dx = (dy − r·S − (x − μ)·ι²·r·D)·ι·γ``."""
    c = dy.shape[1]
    gamma = _bn_setup(layer, c, rng)[0]
    grads = np.moveaxis(dy, 1, -1).reshape(-1, c)
    r = 1.0 / grads.shape[0]
    weight, bias = needs.weight and layer.affine, needs.bias and layer.affine
    stats = kept.xs[0].mean(axis=(0, *range(2, dy.ndim)))
    if needs.inputs[0] or weight:
        kept.own("mean", stats)
    S = D = dgamma = dbeta = dx = None
    if needs.inputs[0] or bias:
        S = parts["grad_bias" if bias else "grad_input"].sum(grads, 0)
        dbeta = S if bias else None
    if needs.inputs[0] or weight:
        rows = np.moveaxis(kept.input(0), 1, -1).reshape(-1, c)
        t = parts["grad_weight" if weight else "grad_input"]
        D = t.sum(t.mul(t.add(rows, -stats), grads), 0)
    iota = None
    if weight or needs.inputs[0]:
        iota = kept.own("inverse std", 1.0 / np.sqrt(kept.xs[0].var(axis=(0, *range(2, dy.ndim))) + EPS))
    if weight:
        dgamma = parts["grad_weight"].mul(D, iota)
    if needs.inputs[0]:
        t = parts["grad_input"]
        k, g = t.mul(t.mul(D, t.mul(iota, iota)), r), t.mul(S, r)
        scale = t.mul(iota, gamma) if layer.affine else iota
        centred = t.add(rows, -stats)
        flat = t.mul(t.add(t.add(grads, -g), -t.mul(centred, k)), scale)
        dx = np.moveaxis(flat.reshape(dy.shape[0], *dy.shape[2:], c), -1, 1)
    return [dx], dgamma, dbeta


def _grouped_backward(rows: np.ndarray, grads: np.ndarray, gamma: np.ndarray | None,
                      param_sum: Callable[[np.ndarray, Tally], np.ndarray], needs: tuple[bool, bool, bool],
                      parts: dict[str, Tally], kept: Kept) -> tuple[np.ndarray | None, ...]:
    """A normalisation over the rows of ``(groups, entries)``: ``x̂ = (x − μ)·ι``, ``g = dy·γ`` (``gamma`` laid
    out as the rows), ``dx = (g − r·Σ g − x̂·r·Σ g·x̂)·ι``; ``dγ`` and ``dβ`` by ``param_sum``, the sum over
    the entries each parameter entry scales."""
    wants_input, weight, bias = needs
    mean = kept.own("mean", rows.mean(axis=1))
    iota = kept.own("inverse std", 1.0 / np.sqrt(rows.var(axis=1) + EPS))
    xhat = dx = dgamma = dbeta = None
    if wants_input or weight:
        t = parts["grad_weight" if weight else "grad_input"]
        xhat = t.mul(t.add(kept.input(0).reshape(rows.shape), -mean[:, None]), iota[:, None])
    if weight:
        dgamma = param_sum(parts["grad_weight"].mul(grads, xhat), parts["grad_weight"])
    if bias:
        dbeta = param_sum(grads, parts["grad_bias"])
    if wants_input:
        t = parts["grad_input"]
        g = t.mul(grads, gamma) if gamma is not None else grads
        r = 1.0 / rows.shape[1]
        a = t.mul(t.sum(g, 1), r)
        b = t.mul(t.sum(t.mul(g, xhat), 1), r)
        dx = t.mul(t.add(t.add(g, -a[:, None]), -t.mul(xhat, b[:, None])), iota[:, None])
    return dx, dgamma, dbeta


def _layernorm_backward(layer: LayerNorm, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                        rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    x = xs[0]
    entries = int(np.prod(x.shape[x.ndim - layer.normalized:]))
    rows = x.reshape(-1, entries)
    gamma = rng.standard_normal(entries) if layer.affine else None
    wanted = (needs.inputs[0], needs.weight and layer.affine, needs.bias and layer.affine and layer.bias)
    dx, dgamma, dbeta = _grouped_backward(rows, dy.reshape(rows.shape), gamma, lambda v, t: t.sum(v, 0), wanted,
                                          parts, kept)
    return [None if dx is None else dx.reshape(x.shape)], dgamma, dbeta


def _groupnorm_backward(layer: GroupNorm, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                        rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    x = xs[0]
    n, c, g = x.shape[0], x.shape[1], layer.groups
    rows = x.reshape(n * g, -1)
    positions = x[0, 0].size
    gamma = rng.standard_normal((c,)) if layer.affine else None
    laid = None if gamma is None else np.tile(np.repeat(gamma.reshape(g, c // g), positions, axis=1), (n, 1))

    def per_channel(values: np.ndarray, t: Tally) -> np.ndarray:
        return t.sum(np.moveaxis(values.reshape(n, c, positions), 1, -1).reshape(-1, c), 0)

    wanted = (needs.inputs[0], needs.weight and layer.affine, needs.bias and layer.affine)
    dx, dgamma, dbeta = _grouped_backward(rows, dy.reshape(rows.shape), laid, per_channel, wanted, parts, kept)
    return [None if dx is None else dx.reshape(x.shape)], dgamma, dbeta


#: Batch norm's forward pass in training (with the tensors it leaves for its backward pass).
TRAINING: dict[type, Callable[..., tuple[np.ndarray, Counts, bool, dict[str, np.ndarray]]]] = {
    BatchNorm: _batchnorm_training}

BACKWARD: dict[type, Backward] = {BatchNorm: _batchnorm_backward, LayerNorm: _layernorm_backward,
                                  GroupNorm: _groupnorm_backward}
