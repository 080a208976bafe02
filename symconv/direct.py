"""The reference convolution that really computes, and counts every scalar ``*`` and ``+`` it performs.

The worked example (a 5×5 input, a 3×3 kernel, no padding, stride 1, no bias) is the whole idea in small:
each of the 3·3 = 9 output elements costs 9 multiplications and 8 additions, so 81 = 9·9 and 72 = 9·8.

>>> import numpy as np
>>> x = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
>>> w = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
>>> r = conv_direct(x[None, None], w[None, None], mode="scalar")
>>> r.output[0, 0]
array([[12, 12, 17],
       [10, 17, 19],
       [ 9,  6, 14]])
>>> r.mults, r.adds
(81, 72)

The top-left element is 3·0 + 3·1 + 2·2 + 0·2 + 0·2 + 1·0 + 3·0 + 1·1 + 2·2 = 12: nine products, eight sums.

**What is computed.** PyTorch's ``conv1d/2d/3d`` (a cross-correlation). For an output element ``(n, co, o)``
of group ``j = co // C_out_g``, with ``K = C_in_g · ∏ k_a`` terms,

.. math::

    y[n, co, o] = b[co] + \\sum_{c < C_{in/g}} \\sum_{\\kappa} w[co, c, \\kappa] \\,
                  x_{pad}[n, j C_{in/g} + c, o s + \\kappa d]

where ``x_pad`` is ``x`` explicitly zero-padded by ``p_a`` on both sides of every spatial axis, so the padded
zeros are real operands of real multiplications. The sum starts with a product (``acc = w·x``), so an element
costs ``K`` multiplications and ``K - 1 + b`` additions (``b = 1`` with a bias), and the layer costs

.. math::

    \\text{mults} = N C_{out} \\prod_a A_{out} \\cdot K, \\qquad
    \\text{adds} = N C_{out} \\prod_a A_{out} \\cdot (K - 1 + b).

That formula is a claim for the tests and for :mod:`symconv.derive`; this module never evaluates it. Both
modes count the operations they execute, one at a time (``mode="scalar"``) or by the size of each
elementwise numpy result (``mode="vectorized"``).

**Values.** Integer inputs are computed in ``int64`` and give exact integers (as long as every partial sum
fits in 64 bits); anything with a float is computed in ``float64``. Both modes add the terms in the same
order, so even float results agree bit for bit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from symconv.errors import SpecError
from symconv.symbols import axes

__all__ = [
    "DirectCount",
    "conv_direct",
    "conv_reference",
    "conv_transpose_dense",
    "conv_transpose_direct",
    "conv_transpose_reference",
    "loop_nest",
    "output_size",
    "transposed_output_size",
]

Mode = Literal["scalar", "vectorized"]
IntOrTuple = int | tuple[int, ...]


@dataclass(frozen=True)
class DirectCount:
    """The output of a direct convolution and the scalar operations that produced it."""

    output: np.ndarray  # shape (N, C_out, *out_spatial)
    mults: int
    adds: int


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                padding_end: int | None = None) -> int:
    """The output size along one axis, as the computation finds it: the window starts ``0, s, 2s, ...`` of the
    padded input at which the whole dilated kernel still fits. (:func:`symconv.geometry.output_size` states
    the relation; the tests hold the two to each other.)

    >>> output_size(56, 3, 1, 1, 1)  # (56 + 2 - 2 - 1) // 1 + 1
    56
    >>> output_size(7, 3, 2, 0, 2)  # (7 + 0 - 4 - 1) // 2 + 1
    2
    >>> output_size(2, 3, 1, 0, 1)
    Traceback (most recent call last):
    ...
    symconv.errors.SpecError: the kernel spans 3 positions (k=3, d=1) but the padded input has only 2 ...
    """
    _check_int("size", size, 1)
    _check_int("kernel", kernel, 1)
    _check_int("stride", stride, 1)
    _check_int("padding", padding, 0)
    _check_int("dilation", dilation, 1)
    end = padding if padding_end is None else padding_end
    _check_int("padding_end", end, 0)
    taps = range(0, dilation * kernel, dilation)  # the offsets of the kernel's taps in the padded input
    padded = size + padding + end
    starts = range(0, padded, stride)
    span = taps[-1] + 1
    if span > padded:
        raise SpecError(
            f"the kernel spans {span} positions (k={kernel}, d={dilation}) but the padded input has only "
            f"{size + padding + end} (size={size}, p={padding}" + (f", padding_end={end})" if end != padding else ")")
        )
    return sum(1 for start in starts if start + taps[-1] < padded)


def transposed_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                           output_padding: int = 0, padding_end: int | None = None) -> int:
    """The output size of a transposed convolution along one axis, as its scatter finds it: one past the
    farthest place an input and a tap land (``s t + d i``), plus the output padding, minus the padding cropped.

    >>> transposed_output_size(4, 3, 2, 1, 1, 1)  # 3*2 + 2 + 1 + 1 - 2
    8
    """
    for name, value, least in (("size", size, 1), ("kernel", kernel, 1), ("stride", stride, 1),
                               ("padding", padding, 0), ("dilation", dilation, 1),
                               ("output_padding", output_padding, 0)):
        _check_int(name, value, least)
    end = padding if padding_end is None else padding_end
    _check_int("padding_end", end, 0)
    if output_padding >= stride and output_padding >= dilation:
        raise SpecError(f"output_padding={output_padding} must be smaller than the stride ({stride}) or the "
                        f"dilation ({dilation})")
    farthest = max(range(0, size * stride, stride)) + max(range(0, kernel * dilation, dilation))
    out = farthest + 1 + output_padding - padding - end
    if out < 1:
        raise SpecError(f"the padding ({padding} + {end}) crops the whole output of a transposed convolution "
                        f"(size={size}, k={kernel}, s={stride}, d={dilation}, output_padding={output_padding})")
    return out


def loop_nest(dims: int, transposed: bool = False) -> tuple[str, ...]:
    """The loops of ``mode="scalar"``, outermost first, named by their trip counts (:mod:`symconv.symbols`).

    The first ``3 + dims`` loops pick an output element; the last ``1 + dims`` run over its terms. The
    scatter of a transposed convolution (:func:`conv_transpose_direct`) picks an input element instead and runs
    over the output channels of its group and the taps.

    >>> loop_nest(2)
    ('N', 'g', 'C_out_g', 'H_out', 'W_out', 'C_in_g', 'k_h', 'k_w')
    >>> loop_nest(1)
    ('N', 'g', 'C_out_g', 'L_out', 'C_in_g', 'k_l')
    >>> loop_nest(1, transposed=True)
    ('N', 'g', 'C_in_g', 'L_in', 'C_out_g', 'k_l')
    """
    letters = axes(dims)
    if transposed:
        inputs = tuple(f"{a.upper()}_in" for a in letters)
        return ("N", "g", "C_in_g", *inputs, "C_out_g", *(f"k_{a}" for a in letters))
    outputs = tuple(f"{a.upper()}_out" for a in letters)
    return ("N", "g", "C_out_g", *outputs, "C_in_g", *(f"k_{a}" for a in letters))


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
    layer = _Layer.of(x, weight, bias, stride, padding, dilation, groups, padding_end)
    xp, w, b = layer.operands(x, weight, bias)
    if skip_padding:
        return _scalar_performed(layer, xp, w, b)
    run = _scalar if mode == "scalar" else _vectorized
    return run(layer, xp, w, b)


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

    It shares the input checks with :func:`conv_direct` but none of its arithmetic: the output shape comes
    from ``sliding_window_view``, not from :func:`output_size`.

    >>> conv_reference(np.arange(5)[None, None], np.array([[[1, 10]]]))  # 0 + 10, 1 + 20, ...
    array([[[10, 21, 32, 43]]])
    """
    layer = _Layer.of(x, weight, bias, stride, padding, dilation, groups, padding_end)
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


# --------------------------------------------------------------------------------------------- the layer


@dataclass(frozen=True)
class _Layer:
    """A checked, normalised convolution: every size a Python int, every per-axis setting a tuple."""

    dims: int
    n: int
    c_in: int
    c_out: int
    groups: int
    size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    out: tuple[int, ...]
    has_bias: bool
    dtype: np.dtype
    padding_end: tuple[int, ...] = ()

    @classmethod
    def of(
        cls,
        x: Any,
        weight: Any,
        bias: Any,
        stride: IntOrTuple,
        padding: IntOrTuple,
        dilation: IntOrTuple,
        groups: int,
        padding_end: IntOrTuple | None = None,
    ) -> _Layer:
        x, weight = np.asarray(x), np.asarray(weight)
        if x.ndim not in (3, 4, 5):
            raise SpecError(f"x must have shape (N, C_in, *spatial) with 1 to 3 spatial axes, not {x.shape}")
        dims = x.ndim - 2
        if weight.ndim != x.ndim:
            raise SpecError(
                f"weight must have shape (C_out, C_in // groups, *kernel) with {dims} kernel axes, "
                f"not {weight.shape}"
            )
        n, c_in, *size = (int(v) for v in x.shape)
        c_out, c_in_g, *kernel = (int(v) for v in weight.shape)
        if min(x.shape) < 1:
            raise SpecError(f"every size of x must be at least 1, but x has shape {x.shape}")
        if min(weight.shape) < 1:
            raise SpecError(f"every size of weight must be at least 1, but weight has shape {weight.shape}")
        _check_int("groups", groups, 1)
        if c_in % groups or c_out % groups:
            raise SpecError(f"C_in={c_in} and C_out={c_out} must both be divisible by groups={groups}")
        if c_in_g != c_in // groups:
            raise SpecError(
                f"weight has {c_in_g} input channels per group, but C_in={c_in} with groups={groups} "
                f"needs {c_in // groups}"
            )
        has_bias = bias is not None
        arrays = [x, weight]
        if has_bias:
            b = np.asarray(bias)
            if b.shape != (c_out,):
                raise SpecError(f"bias must have shape (C_out,) = ({c_out},), not {b.shape}")
            arrays.append(b)
        for name, a in zip(("x", "weight", "bias"), arrays, strict=False):
            if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
                raise SpecError(f"{name} must hold integers or real floats, not {a.dtype}")
        # int64 keeps integers exact (int8 * int8 would overflow in its own type); uint64 with int64 would
        # promote to float64 in numpy, which is why the dtype is chosen by kind and not by result_type.
        exact = all(np.issubdtype(a.dtype, np.integer) for a in arrays)
        dtype = np.dtype(np.int64 if exact else np.float64)
        s = _per_axis("stride", stride, dims, 1)
        p = _per_axis("padding", padding, dims, 0)
        d = _per_axis("dilation", dilation, dims, 1)
        pe = p if padding_end is None else _per_axis("padding_end", padding_end, dims, 0)
        out = tuple(output_size(*args) for args in zip(size, kernel, s, p, d, pe, strict=True))
        return cls(dims, n, c_in, c_out, groups, tuple(size), tuple(kernel), s, p, d, out, has_bias, dtype, pe)

    @property
    def trips(self) -> dict[str, int]:
        """The trip count of every loop of :func:`loop_nest`, by name."""
        letters = axes(self.dims)
        return {
            "N": self.n,
            "g": self.groups,
            "C_out_g": self.c_out // self.groups,
            **{f"{a.upper()}_out": o for a, o in zip(letters, self.out, strict=True)},
            "C_in_g": self.c_in // self.groups,
            **{f"k_{a}": k for a, k in zip(letters, self.kernel, strict=True)},
        }

    def operands(self, x: Any, weight: Any, bias: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The explicitly zero-padded input, the weight and the bias, all in the computing dtype."""
        xp = np.pad(np.asarray(x, dtype=self.dtype), [(0, 0), (0, 0), *zip(self.padding, self.padding_end,
                                                                              strict=True)])
        w = np.ascontiguousarray(weight, dtype=self.dtype)
        b = None if bias is None else np.asarray(bias, dtype=self.dtype)
        return xp, w, b


def _check_int(name: str, value: Any, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise SpecError(f"{name} must be an int, not {value!r}")
    if value < least:
        raise SpecError(f"{name} must be at least {least}, not {value}")


def _per_axis(name: str, value: IntOrTuple, dims: int, least: int) -> tuple[int, ...]:
    values = tuple(value) if isinstance(value, tuple | list) else (value,) * dims
    if len(values) != dims:
        raise SpecError(f"{name} must be an int or {dims} ints (one per spatial axis), not {value!r}")
    for v in values:
        _check_int(name, v, least)
    return tuple(int(v) for v in values)


# ------------------------------------------------------------------------------------------ scalar mode


class _ScalarTally:
    """Scalar ``*`` and ``+``, each counted as one operation; the only arithmetic of the scalar loops."""

    def __init__(self) -> None:
        self.mults = 0
        self.adds = 0

    def mul(self, a: Any, b: Any) -> Any:
        self.mults += 1
        return a * b

    def add(self, a: Any, b: Any) -> Any:
        self.adds += 1
        return a + b


def _scalar(layer: _Layer, xp: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> DirectCount:
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
    names = loop_nest(layer.dims)
    trips = layer.trips
    outer, inner = names[: 3 + layer.dims], names[3 + layer.dims :]
    cin_g, cout_g = trips["C_in_g"], trips["C_out_g"]
    x_flat, w_flat = xp.ravel().tolist(), w.ravel().tolist()
    b_list = None if b is None else b.tolist()
    xs = [st // xp.itemsize for st in xp.strides]  # element strides of (N, C_in, *padded)
    ws = [st // w.itemsize for st in w.strides]  # element strides of (C_out, C_in_g, *kernel)
    tally = _ScalarTally()
    out = np.empty((layer.n, layer.c_out, *layer.out), dtype=layer.dtype)
    for n, j, co_g, *o in itertools.product(*(range(trips[name]) for name in outer)):
        co = j * cout_g + co_g
        x_base = n * xs[0] + sum(oa * sa * st for oa, sa, st in zip(o, layer.stride, xs[2:], strict=True))
        acc = None
        for c, *k in itertools.product(*(range(trips[name]) for name in inner)):
            xi = x_base + (j * cin_g + c) * xs[1]
            xi += sum(ka * da * st for ka, da, st in zip(k, layer.dilation, xs[2:], strict=True))
            wi = co * ws[0] + c * ws[1] + sum(ka * st for ka, st in zip(k, ws[2:], strict=True))
            term = tally.mul(w_flat[wi], x_flat[xi])
            acc = term if acc is None else tally.add(acc, term)
        if b_list is not None:
            acc = tally.add(acc, b_list[co])
        out[(n, co, *o)] = acc
    return DirectCount(out, tally.mults, tally.adds)


# -------------------------------------------------------------------------------------- vectorized mode


class _ArrayTally:
    """Elementwise numpy ``*`` and ``+``, each counted as as many operations as its result has elements."""

    def __init__(self) -> None:
        self.mults = 0
        self.adds = 0

    def mul(self, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        result = np.multiply(a, b, out=out)
        self.mults += result.size
        return result

    def add(self, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        result = np.add(a, b, out=out)
        self.adds += result.size
        return result


def _vectorized(layer: _Layer, xp: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> DirectCount:
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
    tally = _ArrayTally()
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
    assert acc is not None  # the kernel and channels are non-empty, checked by _Layer.of
    if b is not None:
        tally.add(acc, b.reshape(1, g, cout_g, *lone), out=acc)
    return DirectCount(acc.reshape(layer.n, layer.c_out, *layer.out), tally.mults, tally.adds)



# ------------------------------------------------------------------------- padding-aware (performed) mode


def _scalar_performed(layer: _Layer, xp: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> DirectCount:
    """The scalar loops of :func:`_scalar`, skipping every tap that falls on the padding.

    A tap of output position ``o`` reads padded index ``o s + k d``: a real input when it lies in
    ``[p, p + size)``. Only real taps are multiplied; the first one starts the sum, every further one is one
    addition, and the bias one more, except for an element with no real tap at all, which is its bias (or 0)
    with nothing computed.
    """
    names = loop_nest(layer.dims)
    trips = layer.trips
    outer, inner = names[: 3 + layer.dims], names[3 + layer.dims :]
    cin_g, cout_g = trips["C_in_g"], trips["C_out_g"]
    x_flat, w_flat = xp.ravel().tolist(), w.ravel().tolist()
    b_list = None if b is None else b.tolist()
    xs = [st // xp.itemsize for st in xp.strides]
    ws = [st // w.itemsize for st in w.strides]
    tally = _ScalarTally()
    out = np.empty((layer.n, layer.c_out, *layer.out), dtype=layer.dtype)
    for n, j, co_g, *o in itertools.product(*(range(trips[name]) for name in outer)):
        co = j * cout_g + co_g
        acc = None
        for c, *k in itertools.product(*(range(trips[name]) for name in inner)):
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


# ------------------------------------------------------------------------------- transposed convolution


@dataclass(frozen=True)
class _Transposed:
    """A checked transposed convolution: input ``(N, C_in, *size)``, weight ``(C_in, C_out/g, *kernel)``."""

    dims: int
    n: int
    c_in: int
    c_out: int
    groups: int
    size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    padding_end: tuple[int, ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    out: tuple[int, ...]
    dtype: np.dtype

    @classmethod
    def of(cls, x: Any, weight: Any, bias: Any, stride: IntOrTuple, padding: IntOrTuple,
           output_padding: IntOrTuple, dilation: IntOrTuple, groups: int,
           padding_end: IntOrTuple | None) -> _Transposed:
        x, weight = np.asarray(x), np.asarray(weight)
        if x.ndim not in (3, 4, 5) or weight.ndim != x.ndim:
            raise SpecError(f"x must be (N, C_in, *spatial) and weight (C_in, C_out // groups, *kernel) with 1 to 3 "
                            f"spatial axes, not {x.shape} and {weight.shape}")
        dims = x.ndim - 2
        n, c_in, *size = (int(v) for v in x.shape)
        w_in, c_out_g, *kernel = (int(v) for v in weight.shape)
        if min(x.shape) < 1 or min(weight.shape) < 1:
            raise SpecError(f"every size of x and weight must be at least 1, not {x.shape} and {weight.shape}")
        _check_int("groups", groups, 1)
        if w_in != c_in or c_in % groups:
            raise SpecError(f"weight must have C_in={c_in} rows (divisible by groups={groups}), not {w_in}")
        arrays = [x, weight] + ([np.asarray(bias)] if bias is not None else [])
        if bias is not None and arrays[-1].shape != (c_out_g * groups,):
            raise SpecError(f"bias must have shape (C_out,) = ({c_out_g * groups},), not {arrays[-1].shape}")
        exact = all(np.issubdtype(a.dtype, np.integer) for a in arrays)
        s = _per_axis("stride", stride, dims, 1)
        p = _per_axis("padding", padding, dims, 0)
        pe = p if padding_end is None else _per_axis("padding_end", padding_end, dims, 0)
        op = _per_axis("output_padding", output_padding, dims, 0)
        d = _per_axis("dilation", dilation, dims, 1)
        out = tuple(transposed_output_size(*a) for a in zip(size, kernel, s, p, d, op, pe, strict=True))
        return cls(dims, n, c_in, c_out_g * groups, groups, tuple(size), tuple(kernel), s, p, pe, op, d, out,
                   np.dtype(np.int64 if exact else np.float64))

    @property
    def trips(self) -> dict[str, int]:
        letters = axes(self.dims)
        return {"N": self.n, "g": self.groups, "C_in_g": self.c_in // self.groups,
                **{f"{a.upper()}_in": v for a, v in zip(letters, self.size, strict=True)},
                "C_out_g": self.c_out // self.groups,
                **{f"k_{a}": k for a, k in zip(letters, self.kernel, strict=True)}}


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
    t = _Transposed.of(x, weight, bias, stride, padding, output_padding, dilation, groups, padding_end)
    xs = np.asarray(x, dtype=t.dtype)
    ws = np.asarray(weight, dtype=t.dtype)
    start = (0,) * t.dims if crop == "before" else t.padding
    full = t.out if crop == "before" else tuple(o + p + q for o, p, q in zip(t.out, t.padding, t.padding_end,
                                                                              strict=True))
    shift = t.padding if crop == "before" else (0,) * t.dims
    cells: dict[tuple[int, ...], Any] = {}
    tally = _ScalarTally()
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
    out = np.zeros((t.n, t.c_out, *t.out), dtype=t.dtype)
    b_list = None if bias is None else np.asarray(bias, dtype=t.dtype).tolist()
    for key in itertools.product(range(t.n), range(t.c_out), *(range(o) for o in t.out)):
        where = (key[0], key[1], *(q + st for q, st in zip(key[2:], start, strict=True)))
        acc = cells.get(where)
        if b_list is not None:
            acc = b_list[key[1]] if acc is None else tally.add(acc, b_list[key[1]])
        out[key] = 0 if acc is None else acc
    return DirectCount(out, tally.mults, tally.adds)


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
    t = _Transposed.of(x, weight, bias, stride, padding, output_padding, dilation, groups, padding_end)
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
    t = _Transposed.of(x, weight, bias, stride, padding, output_padding, dilation, groups, padding_end)
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
