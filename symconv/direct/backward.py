"""The backward counters: the gradients of a convolution (:func:`conv_backward_direct`) and of a transposed
convolution (:func:`conv_transpose_backward_direct`) computed for real from ``dy``, every scalar ``*`` and
``+`` counted, by plain Python loops (``mode="scalar"``) or by elementwise numpy operations
(``mode="vectorized"``).

Both layers are one index map: position ``a`` (an output position of a convolution, an input position of a
transposed one) and tap ``i`` meet ``b = s a + d i - p`` on the other side (the input a convolution reads,
the output a transposed one lands on), inside when ``0 <= b < n_b``. Each gradient element sums one term
per forward product that involved it: a first term is stored, every further one is one addition, and an
element with no term is 0 with no operation.

>>> x = np.arange(5)[None, None]
>>> r = conv_backward_direct(x, np.array([[[1, 10]]]), np.ones((1, 1, 4), dtype=int), np.zeros(1, int))
>>> r.grad_weight, r.grad_bias  # dw = [0+1+2+3, 1+2+3+4], dβ = 4 ones
(array([[[ 6, 10]]]), array([4]))
>>> r.mults, r.adds  # each dw entry 4 products, 3 additions; dx: 8 products into 5 cells; dβ: 3 additions
({'grad_input': 8, 'grad_weight': 8, 'grad_bias': 0}, {'grad_input': 3, 'grad_weight': 6, 'grad_bias': 3})
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symconv.direct.forward import Mode
from symconv.direct.shapes import CheckedConv, CheckedTranspose, IntOrTuple, gradient_loop_nest
from symconv.direct.tally import ArrayTally, ScalarTally
from symconv.errors import SpecError
from symconv.symbols import axes

__all__ = ["GRADS", "BackwardCount", "conv_backward_direct", "conv_transpose_backward_direct"]

#: The gradients a backward counter can compute.
GRADS = ("input", "weight", "bias")


@dataclass(frozen=True)
class BackwardCount:
    """The gradients a backward counter computed (None where not asked, or no bias) and the scalar
    multiplications and additions of each part (``grad_input``, ``grad_weight``, ``grad_bias``)."""

    grad_input: np.ndarray | None
    grad_weight: np.ndarray | None
    grad_bias: np.ndarray | None
    mults: dict[str, int] = field(default_factory=dict)
    adds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Map:
    """A checked stage as its gradients see it: channels, the index map per axis, the layout of the weight."""

    transposed: bool
    n: int
    c_in: int
    c_out: int
    groups: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    a_size: tuple[int, ...]  # positions a: the output grid of a convolution, the input grid of a transposed one
    b_size: tuple[int, ...]  # where a and a tap meet: the input grid of a convolution, the output of a transposed
    dtype: np.dtype

    @property
    def dims(self) -> int:
        return len(self.kernel)

    @property
    def x_size(self) -> tuple[int, ...]:
        return self.a_size if self.transposed else self.b_size

    @property
    def dy_size(self) -> tuple[int, ...]:
        return self.b_size if self.transposed else self.a_size

    def meets(self, a: Sequence[int], taps: Sequence[int]) -> tuple[int, ...] | None:
        """Where positions ``a`` and ``taps`` meet on the other side, or None when outside on some axis."""
        b = tuple(s * p + d * i - q for p, i, s, d, q in zip(a, taps, self.stride, self.dilation, self.padding,
                                                             strict=True))
        return b if all(0 <= v < n for v, n in zip(b, self.b_size, strict=True)) else None

    def source(self, b: Sequence[int], taps: Sequence[int]) -> tuple[int, ...] | None:
        """The positions ``a`` whose ``taps`` meet ``b``, or None when no position does on some axis."""
        a = []
        for v, i, s, d, q, n in zip(b, taps, self.stride, self.dilation, self.padding, self.a_size, strict=True):
            offset = v + q - d * i
            if offset % s or not 0 <= offset // s < n:
                return None
            a.append(offset // s)
        return tuple(a)

    def pairs(self, taps: Sequence[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per axis, the positions ``a`` whose tap meets the other side inside it, and where they meet."""
        a_idx, b_idx = [], []
        for i, s, d, q, n_a, n_b in zip(taps, self.stride, self.dilation, self.padding, self.a_size, self.b_size,
                                        strict=True):
            a = np.arange(n_a)
            b = s * a + d * i - q
            inside = (b >= 0) & (b < n_b)
            a_idx.append(a[inside])
            b_idx.append(b[inside])
        return a_idx, b_idx


def _map_of_conv(layer: CheckedConv) -> _Map:
    return _Map(False, layer.n, layer.c_in, layer.c_out, layer.groups, layer.kernel, layer.stride, layer.padding,
                layer.dilation, layer.out, layer.size, layer.dtype)


def _map_of_transpose(t: CheckedTranspose) -> _Map:
    return _Map(True, t.n, t.c_in, t.c_out, t.groups, t.kernel, t.stride, t.padding, t.dilation, t.size, t.out,
                t.dtype)


def _arrays(m: _Map, x: Any, weight: Any, dy: Any, grad: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    unknown = [g for g in grad if g not in GRADS]
    if unknown:
        raise SpecError(f"unknown gradient {unknown[0]!r} (known: {', '.join(GRADS)})")
    dy = np.asarray(dy)
    shape = (m.n, m.c_out, *m.dy_size)
    if dy.shape != shape:
        raise SpecError(f"grad_output must have the output's shape {shape}, not {dy.shape}")
    if not (np.issubdtype(dy.dtype, np.integer) or np.issubdtype(dy.dtype, np.floating)):
        raise SpecError(f"grad_output must hold integers or real floats, not {dy.dtype}")
    dtype = m.dtype if np.issubdtype(dy.dtype, np.integer) else np.dtype(np.float64)
    return (np.asarray(x, dtype=dtype), np.ascontiguousarray(weight, dtype=dtype), np.asarray(dy, dtype=dtype))


def conv_backward_direct(x: Any, weight: Any, grad_output: Any, bias: Any = None, *, stride: IntOrTuple = 1,
                         padding: IntOrTuple = 0, dilation: IntOrTuple = 1, groups: int = 1,
                         padding_end: IntOrTuple | None = None, grad: Sequence[str] = GRADS,
                         mode: Mode = "vectorized", skip_padding: bool = False) -> BackwardCount:
    """The gradients of PyTorch's ``conv{1,2,3}d`` with respect to its input, weight and bias, given
    ``grad_output`` (``dy``, the output's shape), each counted.

    ``bias`` is the layer's bias (its values are not used: with None the layer has none, and no bias
    gradient); ``grad`` the gradients to compute. The weight gradient multiplies by the padding's zeros, as a
    dense computation does; ``skip_padding=True`` skips them (scalar loops, whatever ``mode`` says).
    """
    layer = CheckedConv.of(x, weight, bias, stride, padding, dilation, groups, padding_end)
    m = _map_of_conv(layer)
    xs, ws, dy = _arrays(m, x, weight, grad_output, grad)
    xp = np.pad(xs, [(0, 0), (0, 0), *zip(layer.padding, layer.padding_end, strict=True)])
    return _run(m, xp, ws, dy, bias is not None, grad, mode, skip_padding)


def conv_transpose_backward_direct(x: Any, weight: Any, grad_output: Any, bias: Any = None, *,
                                   stride: IntOrTuple = 1, padding: IntOrTuple = 0, output_padding: IntOrTuple = 0,
                                   dilation: IntOrTuple = 1, groups: int = 1, padding_end: IntOrTuple | None = None,
                                   grad: Sequence[str] = GRADS, mode: Mode = "vectorized") -> BackwardCount:
    """The gradients of PyTorch's ``conv_transpose{1,2,3}d``, given ``grad_output``, each counted: every
    gradient sums over the products of the scatter that landed in the output (the cropped ones were never
    computed), so nothing falls on a padding.

    >>> r = conv_transpose_backward_direct(np.array([[[1, 2]]]), np.array([[[1, 10, 100]]]),
    ...                                    np.array([[[1, 1, 1]]]), stride=2, padding=1)
    >>> r.grad_input, r.mults["grad_input"], r.adds["grad_input"]  # x[0] lands at 0, 1; x[1] at 1, 2
    (array([[[110, 11]]]), 4, 2)
    """
    t = CheckedTranspose.of(x, weight, bias, stride, padding, output_padding, dilation, groups, padding_end)
    m = _map_of_transpose(t)
    xs, ws, dy = _arrays(m, x, weight, grad_output, grad)
    return _run(m, xs, ws, dy, bias is not None, grad, mode, False)


def _run(m: _Map, xs: np.ndarray, ws: np.ndarray, dy: np.ndarray, has_bias: bool, grad: Sequence[str], mode: Mode,
         skip_padding: bool) -> BackwardCount:
    """Each gradient asked for (the bias's only with a bias), by its program in ``mode``, with its own tally."""
    if mode not in ("scalar", "vectorized"):
        raise SpecError(f"mode must be 'scalar' or 'vectorized', not {mode!r}")
    out: dict[str, np.ndarray | None] = {"grad_input": None, "grad_weight": None, "grad_bias": None}
    mults, adds = dict.fromkeys(out, 0), dict.fromkeys(out, 0)
    for g in GRADS:
        part = f"grad_{g}"
        if g not in grad or (g == "bias" and not has_bias):
            continue
        tally: ScalarTally | ArrayTally
        if part == "grad_weight" and (mode == "scalar" or skip_padding):
            tally = ScalarTally()
            out[part] = _weight_scalar(m, xs, dy, tally, skip_padding)
        elif mode == "scalar":
            tally = ScalarTally()
            out[part] = (_input_scalar(m, ws, dy, tally) if part == "grad_input" else _bias_scalar(m, dy, tally))
        else:
            tally = ArrayTally()
            if part == "grad_input":
                out[part] = _input_vectorized(m, ws, dy, tally)
            elif part == "grad_weight":
                out[part] = _weight_vectorized(m, xs, dy, tally)
            else:
                out[part] = _bias_vectorized(m, dy, tally)
        mults[part], adds[part] = tally.mults, tally.adds
    return BackwardCount(out["grad_input"], out["grad_weight"], out["grad_bias"], mults, adds)


def _trips(m: _Map) -> dict[str, int]:
    """The trip count of every loop of :func:`~symconv.direct.shapes.gradient_loop_nest`, by name."""
    letters = axes(m.dims)
    inputs, outputs = (m.a_size, m.b_size) if m.transposed else (m.b_size, m.a_size)
    return {"N": m.n, "g": m.groups, "C_in_g": m.c_in // m.groups, "C_out_g": m.c_out // m.groups,
            **{f"{a.upper()}_in": v for a, v in zip(letters, inputs, strict=True)},
            **{f"{a.upper()}_out": v for a, v in zip(letters, outputs, strict=True)},
            **{f"k_{a}": k for a, k in zip(letters, m.kernel, strict=True)}}


def _elements(m: _Map, part: str) -> Iterator[tuple[tuple[int, ...], list[tuple[int, ...]]]]:
    """The scalar program's loops (:func:`~symconv.direct.shapes.gradient_loop_nest`), in order: for each
    element of the gradient (the outer loops' indices), the inner loops' indices of its terms."""
    names = gradient_loop_nest(m.dims, part, m.transposed)
    trips = _trips(m)
    split = {"grad_bias": 2, "grad_weight": 3 + m.dims, "grad_input": 3 + m.dims}[part]
    inner = list(itertools.product(*(range(trips[name]) for name in names[split:])))
    for outer in itertools.product(*(range(trips[name]) for name in names[:split])):
        yield outer, inner


def _bias_scalar(m: _Map, dy: np.ndarray, tally: ScalarTally) -> np.ndarray:
    """Per output channel, over the batch and the output grid: ``dy``."""
    out = np.zeros(m.c_out, dtype=dy.dtype)
    cout_g = m.c_out // m.groups
    for (j, o_g), terms in _elements(m, "grad_bias"):
        o = j * cout_g + o_g
        acc = None
        for n, *u in terms:
            value = dy[(n, o, *u)].item()
            acc = value if acc is None else tally.add(acc, value)
        out[o] = acc
    return out


def _bias_vectorized(m: _Map, dy: np.ndarray, tally: ArrayTally) -> np.ndarray:
    """Every channel at once, the rows ``dy[n, :, u]`` added in the scalar loops' order."""
    rows = np.moveaxis(dy.reshape(m.n, m.c_out, -1), 1, 2).reshape(-1, m.c_out)
    acc = rows[0].copy()
    for row in rows[1:]:
        tally.add(acc, row, out=acc)
    return acc


def _weight_layout(m: _Map) -> tuple[int, int]:
    """The weight's two channel axes within a group: (C_out/g, C_in/g), transposed (C_in/g, C_out/g)."""
    cin_g, cout_g = m.c_in // m.groups, m.c_out // m.groups
    return (cin_g, cout_g) if m.transposed else (cout_g, cin_g)


def _weight_scalar(m: _Map, xs: np.ndarray, dy: np.ndarray, tally: ScalarTally, skip_padding: bool) -> np.ndarray:
    """Per weight entry, over the batch and the positions ``a``: ``x·dy`` where the forward product was
    computed (a convolution's every position, its padding's zeros included unless ``skip_padding``; a
    transposed one's positions whose product landed)."""
    first, second = _weight_layout(m)
    out = np.zeros((m.groups * first, second, *m.kernel), dtype=dy.dtype)
    for (j, e1, e2, *taps), terms in _elements(m, "grad_weight"):
        acc = None
        for n, *a in terms:
            b = m.meets(a, taps)
            if m.transposed:
                if b is None:
                    continue
                term = tally.mul(xs[(n, j * first + e1, *a)].item(), dy[(n, j * second + e2, *b)].item())
            else:
                if b is None and skip_padding:
                    continue
                padded = tuple(s * p + d * i for p, i, s, d in zip(a, taps, m.stride, m.dilation, strict=True))
                term = tally.mul(xs[(n, j * second + e2, *padded)].item(), dy[(n, j * first + e1, *a)].item())
            acc = term if acc is None else tally.add(acc, term)
        out[(j * first + e1, e2, *taps)] = 0 if acc is None else acc
    return out


def _weight_vectorized(m: _Map, xs: np.ndarray, dy: np.ndarray, tally: ArrayTally) -> np.ndarray:
    """Per tap, one broadcast product of the ``x`` and ``dy`` the tap pairs, over the batch, the positions and
    every channel pair of each group, then its sum over the batch and the positions."""
    first, second = _weight_layout(m)
    g = m.groups
    out = np.zeros((g, first, second, *m.kernel), dtype=dy.dtype)
    for taps in itertools.product(*(range(k) for k in m.kernel)):
        if m.transposed:
            a_idx, b_idx = m.pairs(taps)
            x_at, dy_at = a_idx, b_idx
        else:
            x_at = [s * np.arange(n) + d * i for n, i, s, d in zip(m.a_size, taps, m.stride, m.dilation, strict=True)]
            dy_at = [np.arange(n) for n in m.a_size]
        if not all(len(i) for i in x_at):
            continue  # no position of this tap meets the other side: the entries stay 0, with no operation
        sel = tuple(len(i) for i in x_at)
        xv = xs[np.ix_(np.arange(m.n), np.arange(m.c_in), *x_at)].reshape(m.n, g, m.c_in // g, *sel)
        dv = dy[np.ix_(np.arange(m.n), np.arange(m.c_out), *dy_at)].reshape(m.n, g, m.c_out // g, *sel)
        if m.transposed:  # (N, g, C_in_g, C_out_g, *positions)
            product = tally.mul(xv[:, :, :, None], dv[:, :, None, :])
        else:  # (N, g, C_out_g, C_in_g, *positions)
            product = tally.mul(dv[:, :, :, None], xv[:, :, None, :])
        rows = np.moveaxis(product, (1, 2, 3), (-3, -2, -1)).reshape(-1, g, first, second)
        acc = rows[0].copy()
        for row in rows[1:]:
            tally.add(acc, row, out=acc)
        tap: tuple[Any, ...] = (slice(None), slice(None), slice(None), *taps)
        out[tap] = acc
    return out.reshape(g * first, second, *m.kernel)


def _input_scalar(m: _Map, ws: np.ndarray, dy: np.ndarray, tally: ScalarTally) -> np.ndarray:
    """Per input element, over the (output channel of its group, tap) pairs: ``w·dy`` where the forward
    product involved it (a convolution's tap that read it, a transposed one's that landed)."""
    cin_g, cout_g = m.c_in // m.groups, m.c_out // m.groups
    out = np.zeros((m.n, m.c_in, *m.x_size), dtype=dy.dtype)
    for (n, j, c_g, *cell), terms in _elements(m, "grad_input"):
        c = j * cin_g + c_g
        acc = None
        for o_g, *taps in terms:
            o = j * cout_g + o_g
            at = m.meets(cell, taps) if m.transposed else m.source(cell, taps)
            if at is None:
                continue
            weight = ws[(c, o_g, *taps)] if m.transposed else ws[(o, c_g, *taps)]
            term = tally.mul(weight.item(), dy[(n, o, *at)].item())
            acc = term if acc is None else tally.add(acc, term)
        out[(n, c, *cell)] = 0 if acc is None else acc
    return out


def _input_vectorized(m: _Map, ws: np.ndarray, dy: np.ndarray, tally: ArrayTally) -> np.ndarray:
    """Per (output channel of the group, tap), one broadcast product ``w·dy`` over the pairs the tap makes,
    accumulated into the input cells it reaches: a cell's first term stored, every further one added, in the
    scalar loops' order."""
    g = m.groups
    cin_g, cout_g = m.c_in // g, m.c_out // g
    out = np.zeros((m.n, g, cin_g, *m.x_size), dtype=dy.dtype)
    started = np.zeros(m.x_size, dtype=bool)
    wg = ws.reshape(g, cin_g, cout_g, *m.kernel) if m.transposed else ws.reshape(g, cout_g, cin_g, *m.kernel)
    dg = dy.reshape(m.n, g, cout_g, *m.dy_size)
    lone = (1,) * m.dims
    for o_g, *taps in itertools.product(range(cout_g), *(range(k) for k in m.kernel)):
        a_idx, b_idx = m.pairs(taps)
        cells, at = (a_idx, b_idx) if m.transposed else (b_idx, a_idx)
        if not all(len(i) for i in cells):
            continue
        entry: tuple[Any, ...] = ((slice(None), slice(None), o_g, *taps) if m.transposed
                                  else (slice(None), o_g, slice(None), *taps))
        weight = wg[entry]
        grads = dg[(slice(None), slice(None), o_g)][np.ix_(np.arange(m.n), np.arange(g), *at)]
        terms = tally.mul(weight.reshape(1, g, cin_g, *lone), grads[:, :, None])
        where = np.ix_(*cells)
        region: tuple[Any, ...] = (slice(None), slice(None), slice(None), *where)
        out[region] = tally.accumulate(out[region], terms, started[where])
        started[where] = True
    return out.reshape(m.n, m.c_in, *m.x_size)
