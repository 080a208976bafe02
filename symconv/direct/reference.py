"""The independent computations, :func:`conv_reference` and :func:`conv_transpose_reference`: the same layers by
numpy windows and ``tensordot``, counting nothing, to check the values of the counters only. They share the
argument checks of the counters (:mod:`symconv.direct.shapes`) but none of their arithmetic."""

from __future__ import annotations

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
