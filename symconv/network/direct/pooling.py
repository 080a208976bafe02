"""Pooling computed for real: every window's comparisons or additions counted, windows found by enumeration
(adaptive windows by :func:`symconv.geometry.adaptive_window`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.geometry import adaptive_window
from symconv.network.direct.grads import Backward, Gradients, Kept
from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import AdaptivePool, AvgPool, GlobalAvgPool, MaxPool, Mean

__all__ = ["BACKWARD", "COMPUTE"]


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


def _geometry(layer: MaxPool | AvgPool, x: np.ndarray) -> tuple[list[int], tuple[tuple[int, ...], ...]]:
    kernel, stride, padding = (tuple(int(v) for v in getattr(layer, f)) for f in ("kernel", "stride", "padding"))
    outs = [_starts(n, k, s, p, layer.ceil_mode) for n, k, s, p in zip(x.shape[2:], kernel, stride, padding,
                                                                       strict=True)]
    return outs, (kernel, stride, padding)


def _taps(shape: tuple[int, ...], outs: list[int], kernel: tuple[int, ...], stride: tuple[int, ...],
          padding: tuple[int, ...]) -> list[tuple[tuple[np.ndarray, ...], np.ndarray]]:
    """Per tap, the outputs whose window reads a real input with it (one index array per axis) and the flat
    indices of those inputs, over the batch and the channels."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    found = []
    for taps in itertools.product(*(range(k) for k in kernel)):
        where, read = [], []
        for n, o, j, s, p in zip(shape[2:], outs, taps, stride, padding, strict=True):
            u = s * np.arange(o) + j - p
            inside = (u >= 0) & (u < n)
            where.append(np.arange(o)[inside])
            read.append(u[inside])
        if all(len(w) for w in where):
            found.append((tuple(where), index[np.ix_(np.arange(shape[0]), np.arange(shape[1]), *read)]))
    return found


def _scatter_to_maxima(x: np.ndarray, windows: list[np.ndarray], cells: list[np.ndarray], dy: np.ndarray,
                       t: Tally, kept: Kept) -> np.ndarray:
    """Each window's ``dy`` added into the input entry of its maximum (the gradient starting at zero)."""
    best = np.argmax(np.stack(windows), axis=0)
    indices = kept.own("indices", np.take_along_axis(np.stack(cells), best[None], 0)[0], integer=True)
    dx = np.zeros(x.size)
    t.accumulate(dx, indices, dy, started=np.ones(x.size, dtype=bool))
    return dx.reshape(x.shape)


def _gather_scaled(x: np.ndarray, scaled: np.ndarray, reads: list[tuple[tuple[np.ndarray, ...], np.ndarray]],
                   t: Tally) -> np.ndarray:
    """Each input entry the sum of the scaled gradients of the windows that read it (0 for none)."""
    cells = [c for _, c in reads]
    values = [scaled[np.ix_(np.arange(x.shape[0]), np.arange(x.shape[1]), *where)] for where, _ in reads]
    dx = np.zeros(x.size)
    t.accumulate(dx, np.concatenate([c.ravel() for c in cells]), np.concatenate([v.ravel() for v in values]))
    return dx.reshape(x.shape)


def _pool_backward(layer: MaxPool | AvgPool, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                   rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    x, t = xs[0], parts["grad_input"]
    outs, (kernel, stride, padding) = _geometry(layer, x)
    reads = _taps(x.shape, outs, kernel, stride, padding)
    if isinstance(layer, MaxPool):
        # every window, its taps on the padding reading -inf (never its maximum)
        full = [np.full(dy.shape, -np.inf) for _ in reads]
        cells = [np.zeros(dy.shape, dtype=int) for _ in reads]
        for (where, cell), window, into in zip(reads, full, cells, strict=True):
            at = np.ix_(np.arange(x.shape[0]), np.arange(x.shape[1]), *where)
            window[at], into[at] = x.ravel()[cell], cell
        return [_scatter_to_maxima(x, full, cells, dy.ravel(), t, kept)], None, None
    scaled = t.mul(dy, 1.0 / _divisors(x.shape[2:], outs, kernel, stride, padding))
    return [_gather_scaled(x, scaled, reads, t)], None, None


def _at(a: np.ndarray, position: tuple[int, ...]) -> np.ndarray:
    """The entries of ``a`` at one position of its last axes, over the batch and the channels."""
    where: tuple[Any, ...] = (slice(None), slice(None), *position)
    return a[where]


def _adaptive_reads(x: np.ndarray, outs: tuple[int, ...]) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Per output position, the flat indices of its window's inputs, over the batch and the channels."""
    index = np.arange(x.size).reshape(x.shape)
    found = []
    for position in itertools.product(*(range(o) for o in outs)):
        bounds = [adaptive_window(i, n, o) for i, n, o in zip(position, x.shape[2:], outs, strict=True)]
        found.append((position, index[(slice(None), slice(None), *(slice(a, b) for a, b in bounds))]
                      .reshape(*x.shape[:2], -1)))
    return found


def _adaptive_backward(layer: AdaptivePool, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                       rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    x, t = xs[0], parts["grad_input"]
    outs = tuple(int(o) for o in layer.output_size)  # type: ignore[union-attr]
    reads = _adaptive_reads(x, outs)
    dx = np.zeros(x.size)
    if layer.op == "max":
        best = [cells[np.arange(x.shape[0])[:, None], np.arange(x.shape[1]), np.argmax(x.ravel()[cells], axis=-1)]
                for _, cells in reads]
        indices = kept.own("indices", np.stack(best, axis=-1), integer=True)
        t.accumulate(dx, indices, np.stack([_at(dy, p) for p, _ in reads], axis=-1),
                     started=np.ones(x.size, dtype=bool))
        return [dx.reshape(x.shape)], None, None
    scaled = [t.mul(_at(dy, p), 1.0 / cells.shape[-1]) for p, cells in reads]
    t.accumulate(dx, np.concatenate([c.ravel() for _, c in reads]),
                 np.concatenate([np.repeat(s[..., None], c.shape[-1], axis=-1).ravel()
                                 for s, (_, c) in zip(scaled, reads, strict=True)]))
    return [dx.reshape(x.shape)], None, None


def _averaged_backward(x: np.ndarray, dy: np.ndarray, axes: list[int], keepdim: bool, t: Tally) -> np.ndarray:
    """An average over ``axes``: each output's scaled gradient, copied to the entries it averaged."""
    count = int(np.prod([x.shape[a] for a in axes]))
    scaled = t.mul(dy, 1.0 / count)
    return np.broadcast_to(scaled if keepdim else np.expand_dims(scaled, tuple(axes)), x.shape).copy()


BACKWARD: dict[type, Backward] = {
    MaxPool: _pool_backward,
    AvgPool: _pool_backward,
    AdaptivePool: _adaptive_backward,
    GlobalAvgPool: lambda layer, xs, y, dy, needs, rng, parts, kept: (
        [_averaged_backward(xs[0], dy, list(range(2, xs[0].ndim)), True, parts["grad_input"])], None, None),
    Mean: lambda layer, xs, y, dy, needs, rng, parts, kept: (
        [_averaged_backward(xs[0], dy, sorted({d % (xs[0].ndim - 1) + 1 for d in layer.over}), layer.keepdim,
                            parts["grad_input"])], None, None),
}
