"""The independent computations, :func:`conv_reference` and :func:`conv_transpose_reference`: the same layers by
numpy windows and ``tensordot``, counting nothing, to check the values of the counters only. They share the
argument checks of the counters (:mod:`symconv.direct.shapes`) but none of their arithmetic. The gradients of
either follow from it by linearity (:func:`gradients_by_linearity`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.direct.shapes import CheckedConv, CheckedTranspose, IntOrTuple


def conv_reference(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_end: IntOrTuple | None = None,
) -> np.ndarray:
    """The same convolution computed independently (windows + ``tensordot`` per group), to check values only.

    It shares the input checks with :func:`symconv.direct.conv_direct` but none of its arithmetic: the output
    shape comes from ``sliding_window_view``, not from :func:`symconv.direct.output_size`.

    >>> conv_reference(np.arange(5)[None, None], np.array([[[1, 10]]]))  # 0 + 10, 1 + 20, ...
    array([[[10, 21, 32, 43]]])
    """
    layer = CheckedConv.of(x, weight, bias, stride, padding, dilation, groups, padding_end)
    dtype = layer.dtype
    dims = layer.dims
    spatial = tuple(range(2, 2 + dims))
    xp = np.pad(np.asarray(x, dtype=dtype),
                [(0, 0), (0, 0), *zip(layer.padding, layer.padding_end, strict=True)])
    spans = tuple(d * (k - 1) + 1 for k, d in zip(layer.kernel, layer.dilation, strict=True))
    windows = np.lib.stride_tricks.sliding_window_view(xp, spans, axis=spatial)
    # windows: (N, C_in, *positions, *span); keep every s-th position and every d-th tap of the span.
    picks = (
        slice(None),
        slice(None),
        *(slice(None, None, s) for s in layer.stride),
        *(slice(None, None, d) for d in layer.dilation),
    )
    windows = windows[picks]
    w = np.asarray(weight, dtype=dtype)
    cin_g, cout_g = layer.c_in // layer.groups, layer.c_out // layer.groups
    taps_axes = (1, *(2 + dims + i for i in range(dims)))
    parts = []
    for j in range(layer.groups):
        part = np.tensordot(
            windows[:, j * cin_g : (j + 1) * cin_g],
            w[j * cout_g : (j + 1) * cout_g],
            axes=(taps_axes, tuple(range(1, 2 + dims))),
        )  # (N, *out, C_out_g)
        parts.append(np.moveaxis(part, -1, 1))
    out = np.concatenate(parts, axis=1)
    if bias is not None:
        out = out + np.asarray(bias, dtype=dtype).reshape(-1, *(1,) * dims)
    return out


def conv_transpose_reference(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    padding_end: IntOrTuple | None = None,
) -> np.ndarray:
    """The transposed convolution as the adjoint of the forward one, to check values only.

    The forward convolution ``F`` (:func:`conv_reference`) of an input the size of the transposed output, with
    the same weight, stride, padding, dilation and groups, has an output at least the size of the transposed
    input. The transposed convolution is ``Fᵀ`` applied to its input (zero-extended to that size): its value at
    output element ``e`` is ``<F(unit vector e), x>``. All unit vectors go through ``F`` at once, as a batch.

    >>> conv_transpose_reference(np.array([[[1, 2]]]), np.array([[[1, 10, 100]]]), stride=2, padding=1)
    array([[[ 10, 102,  20]]])
    """
    t = CheckedTranspose.of(x, weight, bias, stride, padding, output_padding, dilation, groups, padding_end)
    cells = t.c_out * int(np.prod(t.out))
    basis = np.eye(cells, dtype=t.dtype).reshape(cells, t.c_out, *t.out)
    images = conv_reference(basis, np.asarray(weight, dtype=t.dtype), stride=t.stride, padding=t.padding,
                            dilation=t.dilation, groups=t.groups, padding_end=t.padding_end)
    images = images[(slice(None), slice(None), *(slice(0, n) for n in t.size))]  # (cells, C_in, *size)
    out = np.tensordot(np.asarray(x, dtype=t.dtype), images, axes=(tuple(range(1, 2 + t.dims)),
                                                                     tuple(range(1, 2 + t.dims))))
    out = out.reshape(t.n, t.c_out, *t.out)
    if bias is not None:
        out = out + np.asarray(bias, dtype=t.dtype).reshape(-1, *(1,) * t.dims)
    return out


Forward = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], np.ndarray]


def gradients_by_linearity(forward: Forward, x: Any, weight: Any, grad_output: Any,
                           bias: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The gradients of ``<dy, forward(x, w, β)>`` with respect to ``x``, ``w`` and ``β``, from the forward
    computation alone, to check the backward counters' values only.

    The layer is linear in each of them, so each gradient entry is the forward layer applied to a unit
    vector, paired with ``dy``: ``dx[e] = <dy, F(e, w, 0)>``, ``dw[e] = <dy, F(x, e, 0)>``,
    ``dβ[o] = <dy, F(0, 0, e_o)>``. The unit inputs of one sample go through ``F`` at once, as a batch (each
    sample of a convolution sees only itself).

    >>> dx, dw, db = gradients_by_linearity(lambda x, w, b: conv_reference(x, w, b), np.arange(3)[None, None],
    ...                                     np.array([[[1, 10]]]), np.array([[[1, 2]]]), np.zeros(1, int))
    >>> dx, dw, db  # dx = [1, 10 + 2, 20], dw = [0 + 2, 1 + 4], dβ = 1 + 2
    (array([[[ 1, 12, 20]]]), array([[[2, 5]]]), array([3]))
    """
    x, weight, dy = np.asarray(x), np.asarray(weight), np.asarray(grad_output)
    spatial = tuple(range(1, dy.ndim))
    cells = int(np.prod(x.shape[1:]))
    basis = np.eye(cells, dtype=x.dtype).reshape(cells, *x.shape[1:])
    images = forward(basis, weight, None)  # (cells, C_out, *out)
    dx = np.tensordot(dy, images, axes=(spatial, spatial)).reshape(x.shape)
    dw = np.zeros(weight.shape, dtype=dx.dtype)
    for entry in np.ndindex(*weight.shape):
        unit = np.zeros_like(weight)
        unit[entry] = 1
        dw[entry] = np.sum(dy * forward(x, unit, None))
    db = None
    if bias is not None:
        bias = np.asarray(bias)
        db = np.zeros(bias.shape, dtype=dx.dtype)
        for o in range(bias.shape[0]):
            unit_b = np.zeros_like(bias)
            unit_b[o] = 1
            db[o] = np.sum(dy * forward(np.zeros_like(x), np.zeros_like(weight), unit_b))
    return dx, dw, db


def adjoint_identities(forward: Forward, x: Any, weight: Any, grad_output: Any, grads: dict[str, np.ndarray | None],
                       bias: Any = None, *, trials: int = 2, seed: int = 0) -> bool:
    """Whether gradients satisfy the adjoint identities of a layer linear in each argument, on random
    directions: ``<dx, x'> = <dy, F(x', w, 0)>``, ``<dw, w'> = <dy, F(x, w', 0)>``, ``<dβ, β'> = <dy, F(0, 0,
    β')>`` (``grads`` maps ``grad_input``, ``grad_weight``, ``grad_bias`` to the gradients to check, None for
    one not computed). Cheaper than :func:`gradients_by_linearity`: a few forward passes.

    >>> f = lambda x, w, b: conv_reference(x, w, b)
    >>> x, w, dy = np.arange(3)[None, None], np.array([[[1, 10]]]), np.array([[[1, 2]]])
    >>> adjoint_identities(f, x, w, dy, {"grad_input": np.array([[[1, 12, 20]]]), "grad_weight": None})
    True
    """
    rng = np.random.default_rng(seed)
    x, weight, dy = np.asarray(x), np.asarray(weight), np.asarray(grad_output)
    zero_x, zero_w = np.zeros_like(x), np.zeros_like(weight)
    for _ in range(trials):
        checks = {
            "grad_input": lambda d: (d, forward(d, weight, None)),
            "grad_weight": lambda d: (d, forward(x, d, None)),
            "grad_bias": lambda d: (d, forward(zero_x, zero_w, d)),
        }
        shapes = {"grad_input": x.shape, "grad_weight": weight.shape,
                  "grad_bias": None if bias is None else np.asarray(bias).shape}
        for name, gradient in grads.items():
            if gradient is None or shapes[name] is None:
                continue
            direction, image = checks[name](rng.integers(-3, 4, size=shapes[name]))
            if np.sum(gradient * direction) != np.sum(dy * image):
                return False
    return True
