"""What moves data — concatenation, slices, the channel shuffle, flatten, reshape, permute — and
upsampling, computed for real; only linear interpolation counts operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.network.direct.grads import Backward, Gradients, Kept
from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import Concat, Counts, Flatten, Permute, Reshape, Shuffle, Slice, Upsample

__all__ = ["BACKWARD", "COMPUTE", "sample_axis"]


def sample_axis(dim: int, x: np.ndarray) -> int:
    """A per-sample dimension's axis in the batched array."""
    return dim % (x.ndim - 1) + 1


def _concat(layer: Concat, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    return np.concatenate(xs, axis=sample_axis(layer.dim, xs[0])), Counts(), True


def _slice(layer: Slice, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    index = [slice(None)] * x.ndim
    index[sample_axis(layer.dim, x)] = slice(int(layer.start), None if layer.stop is None else int(layer.stop),
                                       layer.step)
    return x[tuple(index)], Counts(), True


def _shuffle(layer: Shuffle, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    n, c = x.shape[:2]
    g = int(layer.groups)
    y = x.reshape(n, g, c // g, *x.shape[2:]).swapaxes(1, 2).reshape(x.shape)
    # Output channel j·g + i is input channel i·(c/g) + j: the groups' channels interleaved.
    perm = [i * (c // g) + j for j in range(c // g) for i in range(g)]
    return y, Counts(), bool(np.array_equal(y, x[:, perm]))


def _flatten(layer: Flatten, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    first, last = sample_axis(layer.start, x), sample_axis(layer.end, x)
    return x.reshape(*x.shape[:first], -1, *x.shape[last + 1:]), Counts(), True


def _reshape(layer: Reshape, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    return xs[0].reshape(xs[0].shape[0], *(int(v) for v in layer.shape)), Counts(), True


def _permute(layer: Permute, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    return x.transpose(0, *(sample_axis(d, x) for d in layer.order)), Counts(), True


def _sources(size: int, out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear interpolation's two source indices and their weights per output (``align_corners=False``):
    output ``i`` reads ``(i + ½)·size/out − ½``, clamped at 0."""
    where = np.maximum((np.arange(out) + 0.5) * size / out - 0.5, 0.0)
    low = np.floor(where).astype(int)
    high = np.minimum(low + 1, size - 1)
    upper = where - low
    return low, high, upper


def _upsample(layer: Upsample, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0]
    dims = x.ndim - 2
    given: tuple = layer.scale if layer.scale is not None else layer.size  # type: ignore[type-arg, assignment]
    given = given * dims if len(given) == 1 else given
    if layer.scale is not None:
        sizes = [int(np.floor(n * float(f))) for n, f in zip(x.shape[2:], given, strict=True)]
    else:
        sizes = [int(v) for v in given]
    if layer.mode == "nearest":
        y = x
        for axis, (n, out) in enumerate(zip(x.shape[2:], sizes, strict=True)):
            y = np.take(y, np.minimum(np.floor(np.arange(out) * n / out).astype(int), n - 1), axis=axis + 2)
        return y, Counts(), True
    plans = [_sources(n, out) for n, out in zip(x.shape[2:], sizes, strict=True)]

    def along(axis: int, block: np.ndarray) -> np.ndarray:
        """Interpolate ``block`` (its axes from ``axis`` on still at the input's sizes) along ``axis`` and on."""
        low, high, upper = plans[axis]
        shape = (-1,) + (1,) * (dims - axis - 1)
        sides = [np.take(block, idx, axis=axis + 2) for idx in (low, high)]
        inner = [along(axis + 1, side) for side in sides] if axis + 1 < dims else sides
        return t.add(t.mul((1 - upper).reshape(shape), inner[0]), t.mul(upper.reshape(shape), inner[1]))

    y = along(0, x)
    expected = x
    for axis, (low, high, upper) in enumerate(plans):
        matrix = np.zeros((len(low), x.shape[axis + 2]))
        np.add.at(matrix, (np.arange(len(low)), low), 1 - upper)
        np.add.at(matrix, (np.arange(len(low)), high), upper)
        expected = np.moveaxis(np.tensordot(matrix, expected, axes=([1], [axis + 2])), 0, axis + 2)
    return y, t.counts(), bool(np.allclose(y, expected))


COMPUTE: dict[type, Callable[..., Computed]] = {
    Concat: _concat,
    Slice: _slice,
    Shuffle: _shuffle,
    Flatten: _flatten,
    Reshape: _reshape,
    Permute: _permute,
    Upsample: _upsample,
}


def _upsample_backward(layer: Upsample, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                       rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    """Each input entry the sum of what reaches it: nearest, the ``dy`` of its copies; linear, the shares of
    the (output, corner) pairs that read it, ``dy`` times the weights axis by axis."""
    x, t = xs[0], parts["grad_input"]
    sizes = list(dy.shape[2:])
    index = np.arange(x.size).reshape(x.shape)
    planes = (np.arange(x.shape[0]), np.arange(x.shape[1]))
    dx = np.zeros(x.size)
    if layer.mode == "nearest":
        sources = [np.minimum(np.floor(np.arange(o) * n / o).astype(int), n - 1)
                   for n, o in zip(x.shape[2:], sizes, strict=True)]
        t.accumulate(dx, index[np.ix_(*planes, *sources)], dy)
        return [dx.reshape(x.shape)], None, None
    plans = [_sources(n, o) for n, o in zip(x.shape[2:], sizes, strict=True)]
    shares: list[tuple[tuple[np.ndarray, ...], np.ndarray]] = [((), dy)]
    for axis, (low, high, upper) in enumerate(plans):
        shape = (-1,) + (1,) * (len(plans) - axis - 1)
        shares = [((*corner, side), t.mul(share, weight.reshape(shape)))
                  for corner, share in shares for side, weight in ((low, 1 - upper), (high, upper))]
    t.accumulate(dx, np.concatenate([index[np.ix_(*planes, *corner)].ravel() for corner, _ in shares]),
                 np.concatenate([share.ravel() for _, share in shares]))
    return [dx.reshape(x.shape)], None, None


def _split(layer: Concat, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
           rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    axis = sample_axis(layer.dim, xs[0])
    edges = np.cumsum([x.shape[axis] for x in xs])[:-1]
    return list(np.split(dy, edges, axis=axis)), None, None


def _unslice(layer: Slice, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
             rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    dx = np.zeros_like(xs[0])
    index = [slice(None)] * dx.ndim
    stop = None if layer.stop is None else int(layer.stop)
    index[sample_axis(layer.dim, dx)] = slice(int(layer.start), stop, layer.step)
    dx[tuple(index)] = dy
    return [dx], None, None


def _unshuffle(layer: Shuffle, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
               rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    n, c = dy.shape[:2]
    g = int(layer.groups)
    return [dy.reshape(n, c // g, g, *dy.shape[2:]).swapaxes(1, 2).reshape(dy.shape)], None, None


def _unpermute(layer: Permute, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
               rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    order = (0, *(sample_axis(d, xs[0]) for d in layer.order))
    return [dy.transpose(np.argsort(order))], None, None


def _reshaped(layer: Flatten | Reshape, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
              rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    return [dy.reshape(xs[0].shape)], None, None


BACKWARD: dict[type, Backward] = {
    Concat: _split,
    Slice: _unslice,
    Shuffle: _unshuffle,
    Flatten: _reshaped,
    Reshape: _reshaped,
    Permute: _unpermute,
    Upsample: _upsample_backward,
}
