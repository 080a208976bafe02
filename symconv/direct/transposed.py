"""The transposed counters: :func:`conv_transpose_direct`, PyTorch's ``conv_transpose{1,2,3}d`` as a scatter of
every input element over the taps, and :func:`conv_transpose_dense`, the same layer as a dense convolution on the
output grid; each counts every scalar ``*`` and ``+`` it performs."""

from __future__ import annotations

import itertools
from typing import Any, Literal

import numpy as np

from symconv.direct.forward import conv_direct
from symconv.direct.shapes import CheckedTranspose, IntOrTuple, loop_nest
from symconv.direct.tally import DirectCount, ScalarTally
from symconv.errors import SpecError

Cells = dict[tuple[int, ...], Any]


def conv_transpose_direct(
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
    crop: Literal["before", "after"] = "before",
) -> DirectCount:
    """Transposed convolution like PyTorch's ``conv_transpose{1,2,3}d``, by scatter, counting every ``*``/``+``.

    Scalar loops over :func:`loop_nest` ``(dims, transposed=True)``: each input element ``x[n, c, t]``
    multiplies every weight ``w[c, o, i]`` of its group and adds the product into output position
    ``s t + d i - p``. With ``crop="before"`` a product that would land outside the output (cropped by the
    padding) is not computed; with ``crop="after"`` every product of the scatter is computed into the uncropped
    result, which is then cropped. A cell's first product is stored, every further one is one addition; the
    bias is one more addition, except in a cell that received nothing, which is the bias alone.

    >>> r = conv_transpose_direct(np.array([[[1, 2]]]), np.array([[[1, 10, 100]]]), stride=2, padding=1)
    >>> r.output, r.mults, r.adds  # [1, 10, 100] and [2, 20, 200] at 0 and 2, cropped by 1 at both ends
    (array([[[ 10, 102,  20]]]), 4, 1)
    """
    if crop not in ("before", "after"):
        raise SpecError(f"crop must be 'before' or 'after', not {crop!r}")
    t = CheckedTranspose.of(x, weight, bias, stride, padding, output_padding, dilation, groups, padding_end)
    if crop == "before":
        # The scatter lands on the cropped output itself: a product outside it is never computed.
        shift, full, start = t.padding, t.out, (0,) * t.dims
    else:
        # The scatter lands on the whole result, which is cropped afterwards by reading it from the padding on.
        shift, start = (0,) * t.dims, t.padding
        full = tuple(o + p + q for o, p, q in zip(t.out, t.padding, t.padding_end, strict=True))
    tally = ScalarTally()
    cells = _scatter(t, x, weight, shift, full, tally)
    return DirectCount(_output(t, cells, start, bias, tally), tally.mults, tally.adds)


def _scatter(t: CheckedTranspose, x: Any, weight: Any, shift: tuple[int, ...], full: tuple[int, ...],
             tally: ScalarTally) -> Cells:
    """Every product of an input element and a weight of its group that lands inside ``full`` (at
    ``s t + d i - shift``), summed per cell ``(n, output channel, *position)``: a cell's first product is
    stored, every further one is one addition."""
    xs = np.asarray(x, dtype=t.dtype)
    ws = np.asarray(weight, dtype=t.dtype)
    cells: Cells = {}
    names = loop_nest(t.dims, transposed=True)
    trips = t.trips
    outer, inner = names[: 3 + t.dims], names[3 + t.dims :]
    cin_g, cout_g = trips["C_in_g"], trips["C_out_g"]
    for n, j, c_g, *pos in itertools.product(*(range(trips[name]) for name in outer)):
        c = j * cin_g + c_g
        value = xs[(n, c, *pos)].item()
        for o_g, *k in itertools.product(*(range(trips[name]) for name in inner)):
            lands = tuple(pa * sa + ka * da - sh for pa, sa, ka, da, sh in
                          zip(pos, t.stride, k, t.dilation, shift, strict=True))
            if not all(0 <= q < f for q, f in zip(lands, full, strict=True)):
                continue
            key = (n, j * cout_g + o_g, *lands)
            term = tally.mul(ws[(c, o_g, *k)].item(), value)
            cells[key] = tally.add(cells[key], term) if key in cells else term
    return cells


def _output(t: CheckedTranspose, cells: Cells, start: tuple[int, ...], bias: Any, tally: ScalarTally) -> np.ndarray:
    """The output read from the cells at ``start`` on, the bias added to each (one addition; a cell that
    received nothing is the bias alone, or 0)."""
    out = np.zeros((t.n, t.c_out, *t.out), dtype=t.dtype)
    b_list = None if bias is None else np.asarray(bias, dtype=t.dtype).tolist()
    for key in itertools.product(range(t.n), range(t.c_out), *(range(o) for o in t.out)):
        where = (key[0], key[1], *(q + st for q, st in zip(key[2:], start, strict=True)))
        acc = cells.get(where)
        if b_list is not None:
            acc = b_list[key[1]] if acc is None else tally.add(acc, b_list[key[1]])
        out[key] = 0 if acc is None else acc
    return out


def conv_transpose_dense(
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
) -> DirectCount:
    """The same transposed convolution as a dense convolution on the output grid, as thop and torchinfo count it.

    The input is spread out with ``s - 1`` zeros between neighbours, padded by ``d(k - 1) - p`` at the start
    and ``d(k - 1) - p + op`` at the end (cropped where negative), and convolved (stride 1, dilation ``d``)
    with the kernel flipped and its channel axes swapped within each group, by :func:`conv_direct`, which
    multiplies by every inserted zero. Its ``mults`` are ``N C_out ∏ A_out · C_in/g · ∏ k``.

    >>> conv_transpose_dense(np.array([[[1, 2]]]), np.array([[[1, 10, 100]]]), stride=2, padding=1).mults
    9
    """
    t = CheckedTranspose.of(x, weight, bias, stride, padding, output_padding, dilation, groups, padding_end)
    xs = np.asarray(x, dtype=t.dtype)
    spread = np.zeros((t.n, t.c_in, *((n - 1) * s + 1 for n, s in zip(t.size, t.stride, strict=True))), t.dtype)
    spread[(slice(None), slice(None), *(slice(None, None, s) for s in t.stride))] = xs
    pads = []
    for k, d, p, pe, op in zip(t.kernel, t.dilation, t.padding, t.padding_end, t.output_padding, strict=True):
        pads.append((d * (k - 1) - p, d * (k - 1) - pe + op))
    spread = np.pad(spread, [(0, 0), (0, 0), *((max(0, lo), max(0, hi)) for lo, hi in pads)])
    crop = tuple(slice(max(0, -lo), n - max(0, -hi)) for (lo, hi), n in zip(pads, spread.shape[2:], strict=True))
    spread = spread[(slice(None), slice(None), *crop)]
    ws = np.asarray(weight, dtype=t.dtype)
    g, cin_g, cout_g = t.groups, t.c_in // t.groups, t.c_out // t.groups
    flipped = ws[(slice(None), slice(None), *(slice(None, None, -1) for _ in t.kernel))]
    dense = flipped.reshape(g, cin_g, cout_g, *t.kernel).swapaxes(1, 2).reshape(t.c_out, cin_g, *t.kernel)
    return conv_direct(spread, dense, bias, dilation=t.dilation, groups=g, mode="vectorized")

