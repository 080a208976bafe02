"""The expressions a convolution's counts come from: its tensors, one output element, one input element's
scatter (transposed), an element that sums only some products, and the dense form on the output grid.

Every count of :mod:`symconv.derive` is :func:`symconv.counting.count_ops` of one of these, times how many
there are, and every parameter count is :func:`symconv.counting.tensors_read` of one of them.

>>> from symconv.spec import Conv
>>> conv = Conv.make(1, {"g": 1, "C_in": 2, "k_l": 3, "b": 1})
>>> lhs, rhs = element(conv, tensors(conv))
>>> lhs, rhs
(y[n, o, t], beta[o] + Sum(w[o, c, i]*x[n, c, d_l*i - p_l + s_l*t], (c, 0, 1), (i, 0, 2)))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.spec import Conv
from symconv.symbols import index, position_index, tap_index

__all__ = ["Tensors", "dense", "element", "input_channel", "partial_element", "reads", "scatter", "summed", "taps",
           "tensors"]


@dataclass(frozen=True)
class Tensors:
    """The tensors one stage reads and writes, with their shapes."""

    x: sympy.IndexedBase
    w: sympy.IndexedBase
    beta: sympy.IndexedBase
    y: sympy.IndexedBase

    @property
    def parameters(self) -> tuple[sympy.IndexedBase, ...]:
        return (self.w, self.beta)


def tensors(conv: Conv, stage: int = 1) -> Tensors:
    """Input ``x``, weight ``w``, bias ``beta`` and output ``y`` of a convolution, shaped as PyTorch shapes them."""
    suffix = "" if stage == 1 else str(stage)

    def base(name: str, shape: tuple[sympy.Expr, ...]) -> sympy.IndexedBase:
        return sympy.IndexedBase(name + suffix, shape=shape)

    weight = (conv.in_channels, conv.out_per_group) if conv.transposed else (conv.out_channels, conv.in_per_group)
    return Tensors(
        x=base("x", (conv.batch, conv.in_channels, *conv.in_size)),
        w=base("w", (*weight, *conv.kernel)),
        beta=base("beta", (conv.out_channels,)),
        y=base("y", (conv.batch, conv.out_channels, *conv.out_size)),
    )


def taps(conv: Conv) -> tuple[list[sympy.Expr], list[tuple[sympy.Symbol, int, sympy.Expr]]]:
    """The tap index of each axis (0 for a one-tap axis) and the sum's ranges over the taps."""
    values, limits = [], []
    for axis, i in enumerate(tap_index(a) for a in conv.axes):
        if conv.kernel[axis] != 1:
            values.append(i)
            limits.append((i, 0, conv.kernel[axis] - 1))
        else:
            values.append(sympy.Integer(0))
    return values, limits


def summed(body: sympy.Expr, limits: list) -> sympy.Expr:  # type: ignore[type-arg]
    """``body`` summed over ``limits``; a sum over a single value (a depthwise layer's one channel per group,
    a 1×1 kernel's one tap) is left out."""
    return sympy.Sum(body, *limits) if limits else body


def element(conv: Conv, t: Tensors) -> tuple[sympy.Indexed, sympy.Expr]:
    """One output element ``y[n, o, positions]`` as the sum that computes it.

    Input channel ``c`` of output channel ``o``'s group is ``floor(o / (C_out/g)) * (C_in/g) + c``; tap ``i`` of
    output position ``u`` reads input position ``s u + d i - p`` (zero outside the input: the padding).
    """
    n, o, c = index("n"), index("o"), index("c")
    positions = [position_index(a) for a in conv.axes]
    limits = [] if conv.in_per_group == 1 else [(c, 0, conv.in_per_group - 1)]
    tap_values, tap_limits = taps(conv)
    product = t.w[(o, c if conv.in_per_group != 1 else 0, *tap_values)] * t.x[(n, input_channel(conv, o, c),
                                                                                *reads(conv, positions, tap_values))]
    return t.y[(n, o, *positions)], summed(product, limits + tap_limits) + conv.bias * t.beta[o]


def input_channel(conv: Conv, o: sympy.Expr, c: sympy.Expr) -> sympy.Expr:
    """The input channel that channel ``c`` of output channel ``o``'s group is: ``floor(o / (C_out/g)) *
    (C_in/g) + c`` (``c`` is 0 when the group has one input channel)."""
    offset: sympy.Expr = sympy.Integer(0)
    if conv.groups != 1:
        offset = sympy.floor(o / conv.out_per_group) * conv.in_per_group
    return offset if conv.in_per_group == 1 else offset + c


def reads(conv: Conv, positions: list[sympy.Expr], tap_values: list[sympy.Expr]) -> list[sympy.Expr]:
    """Where tap ``i`` of position ``u`` meets the other side, per axis: ``s u + d i - p`` (the input position a
    convolution reads, the output position a transposed convolution's scatter lands on)."""
    return [conv.stride[axis] * u + conv.dilation[axis] * tap_values[axis] - conv.padding[axis]
            for axis, u in enumerate(positions)]


def scatter(conv: Conv, t: Tensors) -> tuple[sympy.Indexed, sympy.Expr]:
    """One input element's scatter through a transposed convolution: ``x[n, c, t]`` times every weight
    ``w[c, o, i]`` of its group, each product added into ``y[n, o', s t + d i - p]``.

    Returns the output entry the products land on and the products, as a sum.
    """
    n, o, c = index("n"), index("o"), index("c")
    positions = [position_index(a) for a in conv.axes]
    limits = [] if conv.out_per_group == 1 else [(o, 0, conv.out_per_group - 1)]
    tap_values, tap_limits = taps(conv)
    product = t.w[(c, o if conv.out_per_group != 1 else 0, *tap_values)] * t.x[(n, c, *positions)]
    return t.y[(n, sympy.Symbol("o'"), *reads(conv, positions, tap_values))], summed(product, limits + tap_limits)


def partial_element(conv: Conv, t: Tensors, terms: sympy.Expr) -> sympy.Expr:
    """An output element that sums ``terms`` products, plus the bias: an element of a padded convolution
    whose other taps fall on the padding, or an element of a transposed convolution that receives ``terms``
    products. Which (channel, position, tap) they are depends on the element; their number is what counts.

    >>> from symconv.spec import Conv
    >>> conv = Conv.make(1, {"b": 1}, transposed=True)
    >>> partial_element(conv, tensors(conv), sympy.Symbol("r"))
    beta[o] + Sum(w[c_j, o, i_j]*x[n, c_j, t_j], (j, 0, r - 1))
    """
    n, o, j, c_j = index("n"), index("o"), index("j"), index("c_j")
    taps = [index(f"{tap_index(a)}_j") for a in conv.axes]
    places = [index(f"{position_index(a)}_j") for a in conv.axes]
    weight = t.w[(c_j, o, *taps)] if conv.transposed else t.w[(o, c_j, *taps)]
    return sympy.Sum(weight * t.x[(n, c_j, *places)], (j, 0, terms - 1)) + conv.bias * t.beta[o]


def dense(conv: Conv, t: Tensors) -> sympy.Expr:
    """One output element of a transposed convolution computed as a dense convolution on the output grid: a
    sum of ``C_in/g × ∏ k`` products of the weights and the zero-spread input, zeros included (how thop and
    torchinfo count it)."""
    n, o, c = index("n"), index("o"), index("c")
    positions = [position_index(a) for a in conv.axes]
    limits = [] if conv.in_per_group == 1 else [(c, 0, conv.in_per_group - 1)]
    tap_values, tap_limits = taps(conv)
    product = t.w[(c, o, *tap_values)] * sympy.IndexedBase("x_spread")[(n, c, *positions)]
    return summed(product, limits + tap_limits)
