"""The shapes of a direct convolution: the argument checks, the output sizes as the computation enumerates them,
and the loop nest of the scalar programs.

Every counter of :mod:`symconv.direct` starts here: :class:`CheckedConv` (forward) and :class:`CheckedTranspose`
(transposed) turn the arrays and settings a caller passes into Python ints and per-axis tuples, or refuse them
with one :class:`~symconv.errors.SpecError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from symconv.errors import SpecError
from symconv.symbols import axes

IntOrTuple = int | tuple[int, ...]


def check_int(name: str, value: Any, least: int) -> None:
    """Refuse anything but an int (a numpy integer included, a bool not) of at least ``least``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise SpecError(f"{name} must be an int, not {value!r}")
    if value < least:
        raise SpecError(f"{name} must be at least {least}, not {value}")


def per_axis(name: str, value: IntOrTuple, dims: int, least: int) -> tuple[int, ...]:
    """One checked int per spatial axis, from an int (the same on every axis) or a sequence of ``dims``."""
    values = tuple(value) if isinstance(value, tuple | list) else (value,) * dims
    if len(values) != dims:
        raise SpecError(f"{name} must be an int or {dims} ints (one per spatial axis), not {value!r}")
    for v in values:
        check_int(name, v, least)
    return tuple(int(v) for v in values)


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
    check_int("size", size, 1)
    check_int("kernel", kernel, 1)
    check_int("stride", stride, 1)
    check_int("padding", padding, 0)
    check_int("dilation", dilation, 1)
    end = padding if padding_end is None else padding_end
    check_int("padding_end", end, 0)
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
        check_int(name, value, least)
    end = padding if padding_end is None else padding_end
    check_int("padding_end", end, 0)
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
    scatter of a transposed convolution (:func:`symconv.direct.conv_transpose_direct`) picks an input element
    instead and runs over the output channels of its group and the taps.

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


def gradient_loop_nest(dims: int, part: str, transposed: bool = False) -> tuple[str, ...]:
    """The loops of the scalar program of one gradient (:mod:`symconv.direct.backward`), outermost first: the
    outer loops pick an element of the gradient, the inner ones run over its terms.

    The bias gradient sums ``dy`` over the batch and the output grid; the weight gradient sums ``x·dy`` over
    the batch and the positions a weight entry meets (the output grid of a convolution, the input grid of a
    transposed one); the input gradient sums ``w·dy`` over the output channels of the group and the taps.

    >>> gradient_loop_nest(1, "grad_weight")
    ('g', 'C_out_g', 'C_in_g', 'k_l', 'N', 'L_out')
    >>> gradient_loop_nest(1, "grad_input", transposed=True)
    ('N', 'g', 'C_in_g', 'L_in', 'C_out_g', 'k_l')
    """
    letters = axes(dims)
    outputs = tuple(f"{a.upper()}_out" for a in letters)
    inputs = tuple(f"{a.upper()}_in" for a in letters)
    kernel = tuple(f"k_{a}" for a in letters)
    if part == "grad_bias":
        return ("g", "C_out_g", "N", *outputs)
    if part == "grad_weight":
        channels = ("C_in_g", "C_out_g") if transposed else ("C_out_g", "C_in_g")
        return ("g", *channels, *kernel, "N", *(inputs if transposed else outputs))
    if part == "grad_input":
        return ("N", "g", "C_in_g", *inputs, "C_out_g", *kernel)
    raise SpecError(f"unknown gradient {part!r} (known: grad_input, grad_weight, grad_bias)")


@dataclass(frozen=True)
class CheckedConv:
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
    ) -> CheckedConv:
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
        check_int("groups", groups, 1)
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
        s = per_axis("stride", stride, dims, 1)
        p = per_axis("padding", padding, dims, 0)
        d = per_axis("dilation", dilation, dims, 1)
        pe = p if padding_end is None else per_axis("padding_end", padding_end, dims, 0)
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


@dataclass(frozen=True)
class CheckedTranspose:
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
           padding_end: IntOrTuple | None) -> CheckedTranspose:
        x, weight = np.asarray(x), np.asarray(weight)
        if x.ndim not in (3, 4, 5) or weight.ndim != x.ndim:
            raise SpecError(f"x must be (N, C_in, *spatial) and weight (C_in, C_out // groups, *kernel) with 1 to 3 "
                            f"spatial axes, not {x.shape} and {weight.shape}")
        dims = x.ndim - 2
        n, c_in, *size = (int(v) for v in x.shape)
        w_in, c_out_g, *kernel = (int(v) for v in weight.shape)
        if min(x.shape) < 1 or min(weight.shape) < 1:
            raise SpecError(f"every size of x and weight must be at least 1, not {x.shape} and {weight.shape}")
        check_int("groups", groups, 1)
        if w_in != c_in or c_in % groups:
            raise SpecError(f"weight must have C_in={c_in} rows (divisible by groups={groups}), not {w_in}")
        arrays = [x, weight] + ([np.asarray(bias)] if bias is not None else [])
        if bias is not None and arrays[-1].shape != (c_out_g * groups,):
            raise SpecError(f"bias must have shape (C_out,) = ({c_out_g * groups},), not {arrays[-1].shape}")
        exact = all(np.issubdtype(a.dtype, np.integer) for a in arrays)
        s = per_axis("stride", stride, dims, 1)
        p = per_axis("padding", padding, dims, 0)
        pe = p if padding_end is None else per_axis("padding_end", padding_end, dims, 0)
        op = per_axis("output_padding", output_padding, dims, 0)
        d = per_axis("dilation", dilation, dims, 1)
        out = tuple(transposed_output_size(*a) for a in zip(size, kernel, s, p, d, op, pe, strict=True))
        return cls(dims, n, c_in, c_out_g * groups, groups, tuple(size), tuple(kernel), s, p, pe, op, d, out,
                   np.dtype(np.int64 if exact else np.float64))

    @property
    def trips(self) -> dict[str, int]:
        """The trip count of every loop of :func:`loop_nest` ``(dims, transposed=True)``, by name."""
        letters = axes(self.dims)
        return {"N": self.n, "g": self.groups, "C_in_g": self.c_in // self.groups,
                **{f"{a.upper()}_in": v for a, v in zip(letters, self.size, strict=True)},
                "C_out_g": self.c_out // self.groups,
                **{f"k_{a}": k for a, k in zip(letters, self.kernel, strict=True)}}
