"""Convolutions, linear layers and matrix products computed for real, forward and backward, their products
counted one by one; a convolution's gradients by :func:`symconv.direct.conv_backward_direct`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.direct import (
    conv_backward_direct,
    conv_direct,
    conv_reference,
    conv_transpose_backward_direct,
    conv_transpose_direct,
    conv_transpose_reference,
)
from symconv.network.direct.grads import Backward, Gradients, Kept, reduce_to
from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import Convolution, Counts, Linear, Matmul

__all__ = ["BACKWARD", "COMPUTE"]

#: numpy's names for PyTorch's padding modes.
_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _conv_setup(layer: Convolution, x: np.ndarray, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
    """The weight, the bias and the options of a convolution on ``x``, drawn from ``rng``."""
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
    if layer.transposed:
        options["output_padding"] = tuple(int(v) for v in layer.output_padding)  # type: ignore[union-attr]
    return w, b, options


def _filled(layer: Convolution, x: np.ndarray, options: dict[str, Any]) -> np.ndarray:
    """``x`` padded by the layer's padding mode; ``options`` lose their padding (convolved without)."""
    sides = [(0, 0), (0, 0), *zip(options.pop("padding"), options.pop("padding_end"), strict=True)]
    return np.pad(x, sides, mode=_PAD_MODES[layer.padding_mode])  # type: ignore[call-overload]


def _conv(layer: Convolution, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    w, b, options = _conv_setup(layer, x, rng)
    params = w.size + (b.size if b is not None else 0)
    if layer.transposed:
        counted = conv_transpose_direct(x, w, b, **options)
        scattered = conv_transpose_direct(x, w, b, crop="after", **options)  # every product of the scatter
        agree = bool(np.allclose(counted.output, conv_transpose_reference(x, w, b, **options)))
        return counted.output, Counts(params=params, weights=w.size, mults=counted.mults, adds=counted.adds,
                                      macs=scattered.mults), agree
    if layer.padding_mode != "zeros":
        # Filled by the mode, then convolved without padding: the same products on the same padded grid.
        x = _filled(layer, x, options)
    counted = conv_direct(x, w, b, **options)
    agree = bool(np.allclose(counted.output, conv_reference(x, w, b, **options)))
    return counted.output, Counts(params=params, weights=w.size, mults=counted.mults, adds=counted.adds,
                                  macs=counted.mults), agree


def _conv_backward(layer: Convolution, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                   rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    """The gradients by the backward counters, each part's operations into its tally; a padding mode's
    padded copy is convolved, and its gradient folded back onto the input."""
    x = xs[0]
    w, b, options = _conv_setup(layer, x, rng)
    grad = [g for g, need in (("input", needs.inputs[0]), ("weight", needs.weight),
                              ("bias", needs.bias and b is not None)) if need]
    folded = not layer.transposed and layer.padding_mode != "zeros"
    source = _filled(layer, x, options) if folded else x
    if needs.weight:
        source = kept.own("padded input", source) if folded else kept.input(0)
    run = conv_transpose_backward_direct if layer.transposed else conv_backward_direct
    counted = run(source, w, dy, b, grad=grad, **options)
    for part in parts:
        parts[part].mults += counted.mults.get(part, 0)
        parts[part].adds += counted.adds.get(part, 0)
    dx = counted.grad_input
    if folded and dx is not None:
        dx = _fold(layer, x, dx, parts["grad_input"])
    return [dx], counted.grad_weight, counted.grad_bias


def _fold(layer: Convolution, x: np.ndarray, padded: np.ndarray, t: Tally) -> np.ndarray:
    """The padded copy's gradient added back: each entry of the copy into the input entry it copies."""
    options: dict[str, Any] = {"padding": tuple(int(v) for v in layer.padding),  # type: ignore[union-attr]
                               "padding_end": tuple(int(v) for v in layer.pad_end)}
    source = _filled(layer, np.arange(x.size).reshape(x.shape), options)
    out = np.zeros(x.size)
    t.accumulate(out, source, padded)
    return out.reshape(x.shape)


def _linear_setup(layer: Linear, features: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray | None]:
    w = rng.standard_normal((int(layer.out), features)) / np.sqrt(features)
    return w, (rng.standard_normal(int(layer.out)) if layer.bias else None)


def _linear(layer: Linear, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0].reshape(xs[0].shape[0], -1) if layer.flatten else xs[0]
    features = x.shape[-1]
    w, b = _linear_setup(layer, features, rng)
    acc = t.mul(x[..., :1], w[:, 0])
    for i in range(1, features):
        acc = t.add(acc, t.mul(x[..., i:i + 1], w[:, i]))
    macs = t.mults
    if b is not None:
        acc = t.add(acc, b)
    expected = x @ w.T + (b if b is not None else 0)
    params = w.size + (b.size if b is not None else 0)
    return acc, t.counts(params=params, weights=w.size, macs=macs), bool(np.allclose(acc, expected))


def _linear_backward(layer: Linear, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                     rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    """Over the rows (the batch, and every position before the last dimension): ``dx`` sums ``W·dy`` over
    the outputs, ``dW`` sums ``x·dy`` over the rows, ``dβ`` sums ``dy``."""
    shape = xs[0].shape
    features = int(np.prod(shape[1:])) if layer.flatten else shape[-1]
    w, b = _linear_setup(layer, features, rng)
    grads = dy.reshape(-1, w.shape[0])
    dx = dw = db = None
    if needs.inputs[0]:
        t = parts["grad_input"]
        acc = t.mul(grads[:, :1], w[0])
        for o in range(1, w.shape[0]):
            acc = t.add(acc, t.mul(grads[:, o:o + 1], w[o]))
        dx = acc.reshape(shape)
    if needs.weight:
        rows, t = kept.input(0).reshape(-1, features), parts["grad_weight"]
        dw = t.mul(grads[0][:, None], rows[0][None, :])
        for j in range(1, rows.shape[0]):
            dw = t.add(dw, t.mul(grads[j][:, None], rows[j][None, :]))
    if needs.bias and b is not None:
        db = parts["grad_bias"].sum(grads, 0)
    return [dx], dw, db


def _matmul(layer: Matmul, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    a, b = xs
    acc = t.mul(a[..., :, :1], b[..., :1, :])
    for k in range(1, a.shape[-1]):
        acc = t.add(acc, t.mul(a[..., :, k:k + 1], b[..., k:k + 1, :]))
    return acc, t.counts(macs=t.mults), bool(np.allclose(acc, a @ b))


def _matmul_backward(layer: Matmul, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                     rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    """``da = dc·bᵀ`` summed over ``j``, ``db = aᵀ·dc`` over ``m``, each then over its broadcast copies."""
    t = parts["grad_input"]
    grads: list[np.ndarray | None] = [None, None]
    if needs.inputs[0]:
        b = kept.input(1)
        acc = t.mul(dy[..., :, :1], np.expand_dims(b[..., :, 0], -2))
        for j in range(1, dy.shape[-1]):
            acc = t.add(acc, t.mul(dy[..., :, j:j + 1], np.expand_dims(b[..., :, j], -2)))
        grads[0] = reduce_to(t, acc, xs[0].shape)
    if needs.inputs[1]:
        a = kept.input(0)
        acc = t.mul(a[..., 0, :, None], dy[..., 0:1, :])
        for m in range(1, dy.shape[-2]):
            acc = t.add(acc, t.mul(a[..., m, :, None], dy[..., m:m + 1, :]))
        grads[1] = reduce_to(t, acc, xs[1].shape)
    return grads, None, None


COMPUTE: dict[type, Callable[..., Computed]] = {Convolution: _conv, Linear: _linear, Matmul: _matmul}

BACKWARD: dict[type, Backward] = {Convolution: _conv_backward, Linear: _linear_backward, Matmul: _matmul_backward}
