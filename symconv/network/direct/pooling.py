"""Pooling computed for real: every window's comparisons or additions counted, windows found by enumeration
(adaptive windows by :func:`symconv.geometry.adaptive_window`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from symconv.geometry import adaptive_window
from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import AdaptivePool, AvgPool, GlobalAvgPool, MaxPool, Mean

__all__ = ["COMPUTE"]


def _starts(size: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    """How many windows fit: those inside the padded input, and with ``ceil_mode`` a last partial one that
    starts before the end padding."""
    count = 0
    while count * s + k <= size + 2 * p or (ceil_mode and count * s < min(size + p, size + 2 * p - k + s)):
        count += 1
    return count


def _pool(layer: MaxPool | AvgPool, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    kernel, stride, padding = (tuple(int(v) for v in getattr(layer, f)) for f in ("kernel", "stride", "padding"))
    outs = [_starts(n, k, s, p, layer.ceil_mode) for n, k, s, p in zip(x.shape[2:], kernel, stride, padding,
                                                                       strict=True)]
    # beyond the padding, a partial window of ceil_mode reads the same fill
    ends = [max(p, (o - 1) * s + k - n - p) for n, o, k, s, p in zip(x.shape[2:], outs, kernel, stride, padding,
                                                                     strict=True)]
    maximum = isinstance(layer, MaxPool)
    fill = -np.inf if maximum else 0.0
    xp = np.pad(x, [(0, 0), (0, 0), *zip(padding, ends, strict=True)], constant_values=fill)
    acc: np.ndarray | None = None
    windows = []
    for taps in itertools.product(*(range(k) for k in kernel)):
        view = xp[(slice(None), slice(None), *(slice(j, j + s * (o - 1) + 1, s)
                                                for j, s, o in zip(taps, stride, outs, strict=True)))]
        windows.append(view)
        acc = view if acc is None else (t.other(np.maximum(acc, view)) if maximum else t.add(acc, view))
    assert acc is not None
    stacked = np.stack(windows)
    if maximum:
        return acc, t.counts(), bool(np.array_equal(acc, stacked.max(axis=0)))
    divisor = _divisors(x.shape[2:], outs, kernel, stride, padding)
    y = t.mul(acc, 1.0 / divisor)
    return y, t.counts(), bool(np.allclose(y, stacked.sum(axis=0) / divisor))


def _divisors(sizes: tuple[int, ...], outs: list[int], kernel: tuple[int, ...], stride: tuple[int, ...],
              padding: tuple[int, ...]) -> np.ndarray:
    """PyTorch's divisor of each window (padding included): the window cut at the end of the padded input."""
    per_axis = [np.array([min(o * s - p + k, n + p) - (o * s - p) for o in range(count)])
                for n, count, k, s, p in zip(sizes, outs, kernel, stride, padding, strict=True)]
    grid = np.ones(())
    for lengths in per_axis:
        grid = np.multiply.outer(grid, lengths)
    return grid


def _global_average(layer: GlobalAvgPool, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    y = t.mul(t.sum(flat, -1), 1.0 / flat.shape[2]).reshape(*x.shape[:2], *(1,) * (x.ndim - 2))
    return y, t.counts(), bool(np.allclose(y, x.mean(axis=tuple(range(2, x.ndim)), keepdims=True)))


def _adaptive(layer: AdaptivePool, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    outs = tuple(int(o) for o in layer.output_size)  # type: ignore[union-attr]
    y = np.empty((*x.shape[:2], *outs))
    expected = np.empty_like(y)
    for position in itertools.product(*(range(o) for o in outs)):
        bounds = [adaptive_window(i, n, o) for i, n, o in zip(position, x.shape[2:], outs, strict=True)]
        window = x[(slice(None), slice(None), *(slice(a, b) for a, b in bounds))].reshape(*x.shape[:2], -1)
        if layer.op == "max":
            acc = window[..., 0]
            for j in range(1, window.shape[-1]):
                acc = t.other(np.maximum(acc, window[..., j]))
            y[(..., *position)], expected[(..., *position)] = acc, window.max(axis=-1)  # type: ignore[index]
        else:
            y[(..., *position)] = t.mul(t.sum(window, -1), 1.0 / window.shape[-1])  # type: ignore[index]
            expected[(..., *position)] = window.mean(axis=-1)  # type: ignore[index]
    return y, t.counts(), bool(np.allclose(y, expected))


def _mean(layer: Mean, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    axes = sorted({d % (x.ndim - 1) + 1 for d in layer.over})
    moved = np.moveaxis(x, axes, range(x.ndim - len(axes), x.ndim))
    flat = moved.reshape(*moved.shape[:x.ndim - len(axes)], -1)
    y = t.mul(t.sum(flat, -1), 1.0 / flat.shape[-1])
    if layer.keepdim:
        y = np.expand_dims(y, tuple(axes))
    return y, t.counts(), bool(np.allclose(y, x.mean(axis=tuple(axes), keepdims=layer.keepdim)))


COMPUTE: dict[type, Callable[..., Computed]] = {
    Mean: _mean,
    MaxPool: _pool,
    AvgPool: _pool,
    GlobalAvgPool: _global_average,
    AdaptivePool: _adaptive,
}
