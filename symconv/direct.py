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

__all__ = ["DirectCount", "conv_direct", "conv_reference", "loop_nest", "output_size"]

Mode = Literal["scalar", "vectorized"]
IntOrTuple = int | tuple[int, ...]


@dataclass(frozen=True)
class DirectCount:
    """The output of a direct convolution and the scalar operations that produced it."""

    output: np.ndarray  # shape (N, C_out, *out_spatial)
    mults: int
    adds: int


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """The output size along one axis: ``floor((size + 2p - d(k - 1) - 1) / s) + 1``.

    The last output position reads padded index ``(out - 1)s + (k - 1)d``, which must stay below
    ``size + 2p``; the largest such ``out`` is the formula.

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
    span = dilation * (kernel - 1) + 1
    if span > size + 2 * padding:
        raise SpecError(
            f"the kernel spans {span} positions (k={kernel}, d={dilation}) but the padded input has only "
            f"{size + 2 * padding} (size={size}, p={padding})"
        )
    return (size + 2 * padding - span) // stride + 1


def loop_nest(dims: int) -> tuple[str, ...]:
    """The loops of ``mode="scalar"``, outermost first, named by their trip counts (:mod:`symconv.symbols`).

    The first ``3 + dims`` loops pick an output element; the last ``1 + dims`` run over its terms.

    >>> loop_nest(2)
    ('N', 'g', 'C_out_g', 'H_out', 'W_out', 'C_in_g', 'k_h', 'k_w')
    >>> loop_nest(1)
    ('N', 'g', 'C_out_g', 'L_out', 'C_in_g', 'k_l')
    """
    letters = axes(dims)
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
) -> DirectCount:
    """Convolve like PyTorch's ``conv{1,2,3}d`` and count every scalar multiplication and addition performed.

    ``x`` is ``(N, C_in, *spatial)``, ``weight`` is ``(C_out, C_in // groups, *kernel)``, ``bias`` is
    ``(C_out,)`` or None; ``stride``, ``padding`` (zeros on both sides) and ``dilation`` are an int or one int
    per spatial axis.

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
    layer = _Layer.of(x, weight, bias, stride, padding, dilation, groups)
    xp, w, b = layer.operands(x, weight, bias)
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
) -> np.ndarray:
    """The same convolution computed independently (windows + ``tensordot`` per group), to check values only.

    It shares the input checks with :func:`conv_direct` but none of its arithmetic: the output shape comes
    from ``sliding_window_view``, not from :func:`output_size`.

    >>> conv_reference(np.arange(5)[None, None], np.array([[[1, 10]]]))  # 0 + 10, 1 + 20, ...
    array([[[10, 21, 32, 43]]])
    """
    layer = _Layer.of(x, weight, bias, stride, padding, dilation, groups)
    dtype = layer.dtype
    dims = layer.dims
    spatial = tuple(range(2, 2 + dims))
    xp = np.pad(np.asarray(x, dtype=dtype), [(0, 0), (0, 0), *((p, p) for p in layer.padding)])
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
        out = tuple(output_size(*args) for args in zip(size, kernel, s, p, d, strict=True))
        return cls(dims, n, c_in, c_out, groups, tuple(size), tuple(kernel), s, p, d, out, has_bias, dtype)

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
        xp = np.pad(np.asarray(x, dtype=self.dtype), [(0, 0), (0, 0), *((q, q) for q in self.padding)])
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

