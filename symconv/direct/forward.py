"""The forward counter, :func:`conv_direct`: PyTorch's ``conv{1,2,3}d`` computed for real, every scalar ``*`` and ``+``
counted, by plain Python loops (``mode="scalar"``), by elementwise numpy operations (``mode="vectorized"``), or
skipping the zeros of the padding (``skip_padding=True``).
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

import numpy as np

from symconv.direct.shapes import CheckedConv, IntOrTuple, loop_nest
from symconv.direct.tally import ArrayTally, DirectCount, ScalarTally
from symconv.errors import SpecError

Mode = Literal["scalar", "vectorized"]


def conv_direct(
    x: Any,
    weight: Any,
    bias: Any = None,
    *,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    mode: Mode = "vectorized",
    padding_end: IntOrTuple | None = None,
    skip_padding: bool = False,
) -> DirectCount:
    """Convolve like PyTorch's ``conv{1,2,3}d`` and count every scalar multiplication and addition performed.

    ``x`` is ``(N, C_in, *spatial)``, ``weight`` is ``(C_out, C_in // groups, *kernel)``, ``bias`` is
    ``(C_out,)`` or None; ``stride``, ``padding`` (zeros on both sides) and ``dilation`` are an int or one int
    per spatial axis.

    ``padding_end`` pads the end of each axis differently from its start (``padding``).
    ``skip_padding=True`` does not multiply by the zeros of the padding: a tap that falls on them is skipped,
    the first real term starts the sum, and an element with no real term is its bias (or 0) with no
    operation; it runs the scalar loops (:func:`_scalar_performed`), whatever ``mode`` says.

    ``mode="scalar"`` runs plain Python loops over :func:`loop_nest` (see :func:`_scalar`);
    ``mode="vectorized"`` runs one elementwise numpy product and sum per (input channel, tap) over all
    output elements at once, counting each by the size of its result (see :func:`_vectorized`). A 1-D
    example with a bias, padding 1 and stride 2 (3 outputs, each 2·3 = 6 mults and 5 + 1 = 6 adds):

    >>> x = np.arange(12).reshape(1, 2, 6)
    >>> w = np.ones((1, 2, 3), dtype=int)
    >>> r = conv_direct(x, w, np.array([100]), stride=2, padding=1)
    >>> r.output  # 100 + (0 + 0 + 1) + (0 + 6 + 7)
    array([[[114, 130, 142]]])
    >>> r.mults, r.adds  # 18 = 3·6, 18 = 3·(5 + 1)
    (18, 18)
    """
    if mode not in ("scalar", "vectorized"):
        raise SpecError(f"mode must be 'scalar' or 'vectorized', not {mode!r}")
    layer = CheckedConv.of(x, weight, bias, stride, padding, dilation, groups, padding_end)
    xp, w, b = layer.operands(x, weight, bias)
    if skip_padding:
        return _scalar_performed(layer, xp, w, b)
    run = _scalar if mode == "scalar" else _vectorized
    return run(layer, xp, w, b)


# ------------------------------------------------------------------------------------------ scalar mode


def _scalar(layer: CheckedConv, xp: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> DirectCount:
    """Plain Python loops, nested exactly as :func:`loop_nest` says, counting each ``*`` and ``+``.

    Every trip count (``N, g, C_out_g``, the output sizes, ``C_in_g``, the kernel sizes) bounds exactly one
    loop, and the loops are built from the names of :func:`loop_nest` in order: the outer ``3 + dims`` pick an
    output element, the inner ``1 + dims`` run over its ``K = C_in_g ∏ k_a`` terms. The work per innermost
    iteration is constant (one ``*``, plus one ``+`` after the first term) and the work per output element
    outside the inner loops is constant (one ``+`` for the bias), so

        mults = (∏ outer trips) · (∏ inner trips),   adds = (∏ outer trips) · (∏ inner trips - 1 + b),

    a polynomial of degree at most 1 in each trip count. Subscripts are flat offsets into Python lists, so the
    arithmetic is on Python ints or floats (exact integers; floats round like float64).
    """
    outer, inner, (x_flat, xs), (w_flat, ws), b_list = _scalar_operands(layer, xp, w, b)
    cin_g, cout_g = layer.c_in // layer.groups, layer.c_out // layer.groups
    tally = ScalarTally()
    out = np.empty((layer.n, layer.c_out, *layer.out), dtype=layer.dtype)
    for n, j, co_g, *o in itertools.product(*outer):
        co = j * cout_g + co_g
        x_base = n * xs[0] + sum(oa * sa * st for oa, sa, st in zip(o, layer.stride, xs[2:], strict=True))
        acc = None
        for c, *k in itertools.product(*inner):
            xi = x_base + (j * cin_g + c) * xs[1]
            xi += sum(ka * da * st for ka, da, st in zip(k, layer.dilation, xs[2:], strict=True))
            wi = co * ws[0] + c * ws[1] + sum(ka * st for ka, st in zip(k, ws[2:], strict=True))
            term = tally.mul(w_flat[wi], x_flat[xi])
            acc = term if acc is None else tally.add(acc, term)
        if b_list is not None:
            acc = tally.add(acc, b_list[co])
        out[(n, co, *o)] = acc
    return DirectCount(out, tally.mults, tally.adds)


Flat = tuple[list[Any], list[int]]


def _scalar_operands(layer: CheckedConv, xp: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                     ) -> tuple[tuple[range, ...], tuple[range, ...], Flat, Flat, list[Any] | None]:
    """What the scalar loops run over: the ranges of the outer and the inner loops of :func:`loop_nest`, in
    order, and the padded input ``(N, C_in, *padded)`` and the weight ``(C_out, C_in_g, *kernel)`` as flat
    Python lists with their element strides, and the bias as a list."""
    names = loop_nest(layer.dims)
    trips = layer.trips
    loops = tuple(range(trips[name]) for name in names)
    x_flat: Flat = (xp.ravel().tolist(), [st // xp.itemsize for st in xp.strides])
    w_flat: Flat = (w.ravel().tolist(), [st // w.itemsize for st in w.strides])
    return loops[: 3 + layer.dims], loops[3 + layer.dims :], x_flat, w_flat, None if b is None else b.tolist()


# -------------------------------------------------------------------------------------- vectorized mode


def _vectorized(layer: CheckedConv, xp: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> DirectCount:
    """One broadcast product (and, after the first, one sum) per (input channel in group, tap).

    The accumulator has shape ``(N, g, C_out_g, *out)``, all groups at once: for input channel ``c`` of
    every group and tap ``κ``, the input view ``(N, g, 1, *out)`` (a strided slice of the padded input, no
    copy) times the weights ``(1, g, C_out_g, 1...)`` is a product of ``N C_out ∏ A_out`` elements. The
    ``C_in_g ∏ k_a`` products are summed in the scalar loops' order, the first one initialising the
    accumulator, so both modes count (and add) the same operations.
    """
    dims, g = layer.dims, layer.groups
    cin_g, cout_g = layer.c_in // g, layer.c_out // g
    xg = xp.reshape(layer.n, g, cin_g, *xp.shape[2:])  # a view: np.pad returns a contiguous array
    wg = w.reshape(g, cout_g, cin_g, *layer.kernel)
    lone = (1,) * dims
    tally = ArrayTally()
    acc: np.ndarray | None = None
    tmp: np.ndarray | None = None
    for c, *k in itertools.product(range(cin_g), *(range(ka) for ka in layer.kernel)):
        window = tuple(
            slice(ka * da, ka * da + sa * (oa - 1) + 1, sa)
            for ka, da, sa, oa in zip(k, layer.dilation, layer.stride, layer.out, strict=True)
        )
        xv = xg[(slice(None), slice(None), slice(c, c + 1), *window)]
        tap: tuple[Any, ...] = (slice(None), slice(None), c, *k)
        wv = wg[tap].reshape(1, g, cout_g, *lone)
        if acc is None:
            acc = tally.mul(xv, wv)
            tmp = np.empty_like(acc)
        else:
            tally.add(acc, tally.mul(xv, wv, out=tmp), out=acc)
    assert acc is not None  # the kernel and channels are non-empty, checked by CheckedConv.of
    if b is not None:
        tally.add(acc, b.reshape(1, g, cout_g, *lone), out=acc)
    return DirectCount(acc.reshape(layer.n, layer.c_out, *layer.out), tally.mults, tally.adds)


# ------------------------------------------------------------------------- padding-aware (performed) mode


def _scalar_performed(layer: CheckedConv, xp: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> DirectCount:
    """The scalar loops of :func:`_scalar`, skipping every tap that falls on the padding.

    A tap of output position ``o`` reads padded index ``o s + k d``: a real input when it lies in
    ``[p, p + size)``. Only real taps are multiplied; the first one starts the sum, every further one is one
    addition, and the bias one more, except for an element with no real tap at all, which is its bias (or 0)
    with nothing computed.
    """
    outer, inner, (x_flat, xs), (w_flat, ws), b_list = _scalar_operands(layer, xp, w, b)
    cin_g, cout_g = layer.c_in // layer.groups, layer.c_out // layer.groups
    tally = ScalarTally()
    out = np.empty((layer.n, layer.c_out, *layer.out), dtype=layer.dtype)
    for n, j, co_g, *o in itertools.product(*outer):
        co = j * cout_g + co_g
        acc = None
        for c, *k in itertools.product(*inner):
            where = [oa * sa + ka * da for oa, sa, ka, da in zip(o, layer.stride, k, layer.dilation, strict=True)]
            if not all(pa <= q < pa + size for q, pa, size in zip(where, layer.padding, layer.size, strict=True)):
                continue
            xi = n * xs[0] + (j * cin_g + c) * xs[1] + sum(q * st for q, st in zip(where, xs[2:], strict=True))
            wi = co * ws[0] + c * ws[1] + sum(ka * st for ka, st in zip(k, ws[2:], strict=True))
            term = tally.mul(w_flat[wi], x_flat[xi])
            acc = term if acc is None else tally.add(acc, term)
        if b_list is not None:
            acc = b_list[co] if acc is None else tally.add(acc, b_list[co])
        out[(n, co, *o)] = 0 if acc is None else acc
    return DirectCount(out, tally.mults, tally.adds)
