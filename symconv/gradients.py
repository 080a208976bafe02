"""The expressions a convolution's backward pass comes from: one element of each gradient, as the sum that
computes it.

The forward pass computes ``y`` from ``x``, ``w`` and ``β``; the backward pass is given ``dy`` (the gradient of
the loss with respect to ``y``, shaped like ``y``) and computes ``dβ``, ``dw`` and ``dx``, each shaped like the
tensor it is the gradient of. Each element of a gradient is a sum over the forward products that involve its
tensor element: the forward element ``y[n, o, u] = β[o] + Σ w[o, c, i]·x[n, c', s u + d i - p]`` is linear in
each of them, so

* ``dβ[o]`` sums ``dy`` over the batch and the output positions of channel ``o``;
* ``dw[o, c, i]`` sums ``x·dy`` over the batch and the output positions, ``x`` read where the forward product
  read it, with the padding's zeros (a dense computation multiplies by them, as the forward one does);
* ``dx[n, c, t]`` sums ``w·dy`` over the (output channel of its group, output position, tap) triples whose
  forward product read ``x[n, c, t]``: which triples, and how many, depends on the element.

A transposed convolution is the same index map read the other way (:func:`symconv.elements.scatter`): its
forward products are those that land in the output, and its gradients sum over those.

>>> from symconv.spec import Conv
>>> from symconv.elements import tensors
>>> conv = Conv.make(1, {"g": 1, "C_in": 2, "k_l": 3})
>>> t = tensors(conv)
>>> weight_gradient(conv, t, gradient_tensors(t))
(dw[o, c, i], Sum(dy[n, o, t]*x[n, c, d_l*i - p_l + s_l*t], (n, 0, N - 1), (t, 0, L_out - 1)))
>>> input_gradient(conv, t, gradient_tensors(t), sympy.Symbol("r"))
(dx[n, c, t], Sum(dy[n, o_j, t_j]*w[o_j, c, i_j], (j, 0, r - 1)))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.elements import Tensors, input_channel, reads, summed, taps
from symconv.spec import Conv
from symconv.symbols import index, position_index, tap_index

__all__ = ["Gradients", "bias_gradient", "gradient_tensors", "input_gradient", "partial_weight_gradient",
           "weight_gradient"]


@dataclass(frozen=True)
class Gradients:
    """The gradients of one stage's tensors, each shaped like its tensor: ``dy`` (given), ``dx``, ``dw``,
    ``dbeta``."""

    dy: sympy.IndexedBase
    dx: sympy.IndexedBase
    dw: sympy.IndexedBase
    dbeta: sympy.IndexedBase


def gradient_tensors(t: Tensors) -> Gradients:
    """The gradient of each tensor of a stage: ``d`` before its name, its shape."""

    def of(base: sympy.IndexedBase) -> sympy.IndexedBase:
        return sympy.IndexedBase("d" + str(base.label), shape=base.shape)

    return Gradients(dy=of(t.y), dx=of(t.x), dw=of(t.w), dbeta=of(t.beta))


def _over_outputs(conv: Conv) -> tuple[sympy.Symbol, list[sympy.Symbol], list[tuple[sympy.Symbol, int, sympy.Expr]]]:
    """The batch index, the output positions and the ranges of a sum over the batch and the output grid."""
    n = index("n")
    positions = [position_index(a) for a in conv.axes]
    limits = [(n, 0, conv.batch - 1), *((u, 0, size - 1) for u, size in zip(positions, conv.out_size, strict=True))]
    return n, positions, [limit for limit in limits if limit[2] != 0]  # a range of one value is no sum


def bias_gradient(conv: Conv, d: Gradients) -> tuple[sympy.Indexed, sympy.Expr]:
    """One element of the bias gradient, ``dβ[o] = Σ_n Σ_u dy[n, o, u]``: the bias adds into every output
    element of its channel once. It exists when ``b = 1``."""
    o = index("o")
    n, positions, limits = _over_outputs(conv)
    return d.dbeta[o], summed(d.dy[(n, o, *positions)], limits)


def weight_gradient(conv: Conv, t: Tensors, d: Gradients) -> tuple[sympy.Indexed, sympy.Expr]:
    """One element of the weight gradient of a forward convolution: ``dw[o, c, i] = Σ_n Σ_u x[n, c', s u + d i
    - p]·dy[n, o, u]``, ``x`` zero on the padding. The weight's channel and tap indices are free; the sum runs
    over every batch item and output position."""
    o, c = index("o"), index("c")
    n, positions, limits = _over_outputs(conv)
    tap_values, _ = taps(conv)
    product = t.x[(n, input_channel(conv, o, c), *reads(conv, positions, tap_values))] * d.dy[(n, o, *positions)]
    return d.dw[(o, c if conv.in_per_group != 1 else 0, *tap_values)], summed(product, limits)


def _j(symbol: sympy.Symbol) -> sympy.Symbol:
    """The index of term ``j`` of a sum whose terms vary with the element (``u`` → ``u_j``)."""
    return index(f"{symbol}_j")


def input_gradient(conv: Conv, t: Tensors, d: Gradients, terms: sympy.Expr) -> tuple[sympy.Indexed, sympy.Expr]:
    """One element of the input gradient that sums ``terms`` products ``w·dy``, one per forward product that
    involved ``x[n, c, t]``: over the (output channel ``o_j`` of its group, position ``u_j``, tap ``i_j``)
    triples with ``s u_j + d i_j - p = t`` (of a transposed convolution, over its (``o_j``, ``i_j``) pairs
    whose product landed in the output, at ``s t + d i_j - p``). Which they are depends on the element; their
    number is what counts."""
    n, c, j, o_j = index("n"), index("c"), index("j"), _j(index("o"))
    positions = [position_index(a) for a in conv.axes]
    tap_values = [_j(tap_index(a)) for a in conv.axes]
    if conv.transposed:
        product = t.w[(c, o_j, *tap_values)] * d.dy[(n, o_j, *reads(conv, positions, tap_values))]
    else:
        product = t.w[(o_j, c if conv.in_per_group != 1 else 0, *tap_values)] * \
            d.dy[(n, o_j, *(_j(u) for u in positions))]
    return d.dx[(n, c, *positions)], sympy.Sum(product, (j, 0, terms - 1))


def partial_weight_gradient(conv: Conv, t: Tensors, d: Gradients, terms: sympy.Expr) -> tuple[sympy.Indexed,
                                                                                              sympy.Expr]:
    """One element of a weight gradient that sums ``terms`` products ``x·dy``, over the (batch item ``n_j``,
    position) pairs whose forward product with this weight entry was computed and read a real input: of a
    forward convolution, the output positions ``u_j`` whose tap reads ``s u_j + d i - p`` inside the input
    (the padding's zeros skipped); of a transposed one, the input positions ``t_j`` whose product landed in
    the output, at ``s t_j + d i - p``."""
    o, c, j, n_j = index("o"), index("c"), index("j"), _j(index("n"))
    tap_values, _ = taps(conv)
    places = [_j(position_index(a)) for a in conv.axes]
    if conv.transposed:
        lhs = d.dw[(c, o if conv.out_per_group != 1 else 0, *tap_values)]
        product = t.x[(n_j, c, *places)] * d.dy[(n_j, sympy.Symbol("o'"), *reads(conv, places, tap_values))]
    else:
        lhs = d.dw[(o, c if conv.in_per_group != 1 else 0, *tap_values)]
        product = t.x[(n_j, input_channel(conv, o, c), *reads(conv, places, tap_values))] * d.dy[(n_j, o, *places)]
    return lhs, sympy.Sum(product, (j, 0, terms - 1))
