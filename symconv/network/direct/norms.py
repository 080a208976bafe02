"""Normalisations computed for real, as PyTorch's CPU kernels order them, every operation counted."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import BatchNorm, GroupNorm, LayerNorm

__all__ = ["COMPUTE"]

EPS = 1e-5


def _batchnorm(layer: BatchNorm, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    c = x.shape[1]
    gamma = rng.standard_normal((c,)) if layer.affine else np.ones(c)
    beta = rng.standard_normal((c,)) if layer.affine else np.zeros(c)
    mean, var = rng.standard_normal((c,)), rng.random((c,)) + 0.5
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
