"""A network computed for real, layer by layer, counting every operation it performs.

Convolutions run through :func:`symconv.direct.conv_direct`; every other layer is computed here with numpy,
one elementwise operation at a time, and each operation is counted by the size of its result (a comparison,
square root, division or exponential counts as one "other" operation). Parameters and buffers are the sizes
of the arrays the computation reads. Nothing here evaluates a closed form: the tests compare these counts
with :func:`symconv.network.graph.analyse`, layer by layer.

>>> from symconv.network import Network, Shape, BatchNorm
>>> rows = run(Network.sequence("bn", Shape(2, (3, 3)), [BatchNorm()]))
>>> c = rows[0].counts
>>> c.params, c.buffers, c.mults, c.adds, c.others  # 2·2; 2·2 + 1; 18 + 2·2; 18 + 2·2; 2·2
(4, 5, 22, 22, 4)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from symconv.direct import conv_direct, conv_reference
from symconv.network.graph import Network, walk
from symconv.network.layers import (
    Activation,
    Add,
    AvgPool,
    BatchNorm,
    Concat,
    Conv2d,
    Counts,
    GlobalAvgPool,
    LayerSpec,
    Linear,
    MaxPool,
    NetworkError,
    Shuffle,
    Softmax,
    as_expr,
)

__all__ = ["DirectRow", "run"]


@dataclass(frozen=True)
class DirectRow:
    """One layer computed: its name, output array and the operations counted."""

    name: str
    output: np.ndarray
    counts: Counts
    values_agree: bool  # the output equals an independent computation of the same layer


class _Tally:
    def __init__(self) -> None:
        self.mults = 0
        self.adds = 0
        self.others = 0

    def mul(self, a: Any, b: Any) -> np.ndarray:
        r = np.multiply(a, b)
        self.mults += r.size
        return r

    def add(self, a: Any, b: Any) -> np.ndarray:
        r = np.add(a, b)
        self.adds += r.size
        return r

    def other(self, result: np.ndarray) -> np.ndarray:
        self.others += np.asarray(result).size
        return result


def run(network: Network, values: Mapping[str, Any] | None = None, seed: int = 0) -> list[DirectRow]:
    """Compute ``network`` (every symbol given a value) on random data; one :class:`DirectRow` per layer."""
    rng = np.random.default_rng(seed)
    subs = network.resolve(values)
    batch = as_expr(network.batch, "batch").xreplace(subs)
    shape = network.input.xreplace(subs)
    if not all(v.is_Integer for v in (batch, shape.channels, *shape.size)):
        raise NetworkError("direct counting needs every size set: give each symbol a value")
    env: dict[str, np.ndarray] = {
        "input": rng.standard_normal((int(batch), int(shape.channels), *(int(s) for s in shape.size)))}
    rows = []
    for node, layer, _, _ in walk(network, subs):
        inputs = [env[name] for name in node.inputs]
        output, counts, agree = _layer(layer, inputs, rng)
        env[node.name] = output
        rows.append(DirectRow(node.name, output, counts, agree))
    return rows


Computed = tuple[np.ndarray, Counts, bool]


def _layer(layer: LayerSpec, xs: list[np.ndarray], rng: np.random.Generator) -> Computed:
    for kind, compute in _COMPUTE.items():
        if isinstance(layer, kind):
            return compute(layer, xs, rng, _Tally())
    raise NetworkError(f"no direct computation for {type(layer).__name__}")


def _conv(layer: Conv2d, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    x = xs[0]
    cin = x.shape[1]
    groups = cin if layer.depthwise else int(layer.groups)  # type: ignore[arg-type]
    cout = layer.multiplier * cin if layer.depthwise else int(layer.out)  # type: ignore[arg-type]
    fan_in = cin // groups * layer.kernel[0] * layer.kernel[1]  # type: ignore[index]
    # Weights scaled by 1/sqrt(fan-in) keep the activations of a deep network near 1 (softmax's exp).
    w = rng.standard_normal((cout, cin // groups, *layer.kernel)) / np.sqrt(fan_in)  # type: ignore[misc]
    b = rng.standard_normal(cout) if layer.bias else None
    options: dict[str, Any] = {name: tuple(int(v) for v in getattr(layer, attr)) for name, attr in (
        ("stride", "stride"), ("padding", "padding"), ("dilation", "dilation"), ("padding_end", "pad_end"))}
    options["groups"] = groups
    counted = conv_direct(x, w, b, **options)
    agree = bool(np.allclose(counted.output, conv_reference(x, w, b, **options)))
    params = w.size + (b.size if b is not None else 0)
    return counted.output, Counts(params=params, weights=w.size, mults=counted.mults, adds=counted.adds,
                                  macs=counted.mults), agree


def _linear(layer: Linear, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    flat = xs[0].reshape(xs[0].shape[0], -1)
    w = rng.standard_normal((int(layer.out), flat.shape[1])) / np.sqrt(flat.shape[1])
    b = rng.standard_normal(int(layer.out)) if layer.bias else None
    acc = t.mul(flat[:, :1], w[:, 0])
    for i in range(1, flat.shape[1]):
        acc = t.add(acc, t.mul(flat[:, i:i + 1], w[:, i]))
    macs = t.mults
    if b is not None:
        acc = t.add(acc, b)
    expected = flat @ w.T + (b if b is not None else 0)
    params = w.size + (b.size if b is not None else 0)
    return acc, Counts(params=params, weights=w.size, mults=t.mults, adds=t.adds, macs=macs), bool(
        np.allclose(acc, expected))


def _batchnorm(layer: BatchNorm, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    x = xs[0]
    c = x.shape[1]
    gamma = rng.standard_normal((c,)) if layer.affine else np.ones(c)
    beta = rng.standard_normal((c,)) if layer.affine else np.zeros(c)
    mean, var = rng.standard_normal((c,)), rng.random((c,)) + 0.5
    eps = 1e-5
    per_channel = (1, c, 1, 1)
    inverse = t.other(1.0 / t.other(np.sqrt(t.add(var, eps))))
    a = t.mul(gamma, inverse) if layer.affine else inverse
    s = t.add(beta, t.mul(-mean, a)) if layer.affine else t.mul(-mean, a)
    y = t.add(t.mul(x, a.reshape(per_channel)), s.reshape(per_channel))
    expected = (x - mean.reshape(per_channel)) / np.sqrt(var + eps).reshape(per_channel) \
        * gamma.reshape(per_channel) + beta.reshape(per_channel)
    buffers = mean.size + var.size + int(layer.track_batches)  # running mean and variance, num_batches_tracked
    params = gamma.size + beta.size if layer.affine else 0
    return y, Counts(params=params, buffers=buffers, mults=t.mults, adds=t.adds, others=t.others), bool(
        np.allclose(y, expected))


def _activation(layer: Activation, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    x = y = xs[0]
    if layer.function in ("relu", "relu6"):
        y = t.other(np.maximum(x, 0))
    if layer.function == "relu6":
        y = t.other(np.minimum(y, 6))
    expected = np.clip(x, 0, 6 if layer.function == "relu6" else None) if layer.function != "identity" else x
    return y, Counts(others=t.others), bool(np.array_equal(y, expected))


def _softmax(layer: Softmax, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    flat = xs[0].reshape(xs[0].shape[0], -1)
    e = t.other(np.exp(flat))
    total = e[:, 0]
    for i in range(1, e.shape[1]):
        total = t.add(total, e[:, i])
    y = t.other(e / total[:, None])
    expected = np.exp(flat) / np.exp(flat).sum(axis=1, keepdims=True)
    return y, Counts(adds=t.adds, others=t.others), bool(np.allclose(y, expected))


def _global_average(layer: GlobalAvgPool, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    x = xs[0]
    cube: np.ndarray = x.reshape(x.shape[0], x.shape[1], -1)
    acc = cube[:, :, 0]
    for i in range(1, cube.shape[2]):
        acc = t.add(acc, cube[:, :, i])
    y = t.mul(acc, 1.0 / cube.shape[2])[:, :, None, None]
    return y, Counts(mults=t.mults, adds=t.adds), bool(np.allclose(y[:, :, 0, 0], x.mean(axis=(2, 3))))


def _add(layer: Add, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    acc = xs[0]
    for other in xs[1:]:
        acc = t.add(acc, other)
    return acc, Counts(adds=t.adds), bool(np.allclose(acc, np.sum(xs, axis=0)))


def _concat(layer: Concat, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    return np.concatenate(xs, axis=1), Counts(), True


def _shuffle(layer: Shuffle, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    x = xs[0]
    n, c = x.shape[:2]
    g = int(layer.groups)
    y = x.reshape(n, g, c // g, *x.shape[2:]).swapaxes(1, 2).reshape(x.shape)
    # Output channel j·g + i is input channel i·(c/g) + j: the groups' channels interleaved.
    perm = [i * (c // g) + j for j in range(c // g) for i in range(g)]
    return y, Counts(), bool(np.array_equal(y, x[:, perm]))


def _pool(layer: MaxPool | AvgPool, xs: list[np.ndarray], rng: np.random.Generator, t: _Tally) -> Computed:
    x = xs[0]
    (kh, kw), (sh, sw), (ph, pw) = layer.kernel, layer.stride, layer.padding  # type: ignore[misc]
    fill = -np.inf if isinstance(layer, MaxPool) else 0.0
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)], constant_values=fill)
    oh = (xp.shape[2] - kh) // sh + 1
    ow = (xp.shape[3] - kw) // sw + 1
    acc: np.ndarray | None = None
    windows = []
    for i, j in itertools.product(range(kh), range(kw)):
        view = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
        windows.append(view)
        if acc is None:
            acc = view
        elif isinstance(layer, MaxPool):
            acc = t.other(np.maximum(acc, view))
        else:
            acc = t.add(acc, view)
    assert acc is not None
    stacked = np.stack(windows)
    if isinstance(layer, MaxPool):
        return acc, Counts(others=t.others), bool(np.array_equal(acc, stacked.max(axis=0)))
    y = t.mul(acc, 1.0 / (kh * kw))
    return y, Counts(mults=t.mults, adds=t.adds), bool(np.allclose(y, stacked.mean(axis=0)))


#: How each kind of layer is computed and counted for real.
_COMPUTE: dict[type, Callable[..., Computed]] = {
    Conv2d: _conv, Linear: _linear, BatchNorm: _batchnorm, Activation: _activation, Softmax: _softmax,
    MaxPool: _pool, AvgPool: _pool, GlobalAvgPool: _global_average, Add: _add, Concat: _concat,
    Shuffle: _shuffle,
}
