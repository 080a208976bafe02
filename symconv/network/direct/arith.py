"""Convolutions, linear layers and matrix products computed for real, their products counted one by one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.direct import conv_direct, conv_reference, conv_transpose_direct, conv_transpose_reference
from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import Convolution, Counts, Linear, Matmul

__all__ = ["COMPUTE"]

#: numpy's names for PyTorch's padding modes.
_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _conv(layer: Convolution, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    cin = x.shape[1]
    groups = cin if layer.depthwise else int(layer.groups)  # type: ignore[arg-type]
    cout = layer.multiplier * cin if layer.depthwise else int(layer.out)  # type: ignore[arg-type]
    kernel = tuple(int(k) for k in layer.kernel)  # type: ignore[union-attr]
    weight_shape = (cin, cout // groups, *kernel) if layer.transposed else (cout, cin // groups, *kernel)
    # Weights scaled by 1/sqrt(fan-in) keep the activations of a deep network near 1 (softmax's exp).
    w = rng.standard_normal(weight_shape) / np.sqrt(weight_shape[1] * np.prod(kernel))
    b = rng.standard_normal(cout) if layer.bias else None
    options: dict[str, Any] = {name: tuple(int(v) for v in getattr(layer, attr)) for name, attr in (
        ("stride", "stride"), ("padding", "padding"), ("dilation", "dilation"), ("padding_end", "pad_end"))}
    options["groups"] = groups
    params = w.size + (b.size if b is not None else 0)
    if layer.transposed:
        options["output_padding"] = tuple(int(v) for v in layer.output_padding)  # type: ignore[union-attr]
        counted = conv_transpose_direct(x, w, b, **options)
        scattered = conv_transpose_direct(x, w, b, crop="after", **options)  # every product of the scatter
        agree = bool(np.allclose(counted.output, conv_transpose_reference(x, w, b, **options)))
        return counted.output, Counts(params=params, weights=w.size, mults=counted.mults, adds=counted.adds,
                                      macs=scattered.mults), agree
    if layer.padding_mode != "zeros":
        # Filled by the mode, then convolved without padding: the same products on the same padded grid.
        sides = [(0, 0), (0, 0), *zip(options.pop("padding"), options.pop("padding_end"), strict=True)]
        x = np.pad(x, sides, mode=_PAD_MODES[layer.padding_mode])  # type: ignore[call-overload]
    counted = conv_direct(x, w, b, **options)
    agree = bool(np.allclose(counted.output, conv_reference(x, w, b, **options)))
    return counted.output, Counts(params=params, weights=w.size, mults=counted.mults, adds=counted.adds,
                                  macs=counted.mults), agree


def _linear(layer: Linear, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0].reshape(xs[0].shape[0], -1) if layer.flatten else xs[0]
    features = x.shape[-1]
    w = rng.standard_normal((int(layer.out), features)) / np.sqrt(features)
    b = rng.standard_normal(int(layer.out)) if layer.bias else None
    acc = t.mul(x[..., :1], w[:, 0])
    for i in range(1, features):
        acc = t.add(acc, t.mul(x[..., i:i + 1], w[:, i]))
    macs = t.mults
    if b is not None:
        acc = t.add(acc, b)
    expected = x @ w.T + (b if b is not None else 0)
    params = w.size + (b.size if b is not None else 0)
    return acc, t.counts(params=params, weights=w.size, macs=macs), bool(np.allclose(acc, expected))


def _matmul(layer: Matmul, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    a, b = xs
    acc = t.mul(a[..., :, :1], b[..., :1, :])
    for k in range(1, a.shape[-1]):
        acc = t.add(acc, t.mul(a[..., :, k:k + 1], b[..., k:k + 1, :]))
    return acc, t.counts(macs=t.mults), bool(np.allclose(acc, a @ b))


COMPUTE: dict[type, Callable[..., Computed]] = {Convolution: _conv, Linear: _linear, Matmul: _matmul}
