"""The backward pass of upsampling and of the layers that only move data, from the elements of their
gradients.

Nearest upsampling copies: an input entry's gradient sums the ``dy`` of its copies, and along an axis of
``n`` inputs and ``o`` outputs ``min(n, o)`` inputs have one at least. Linear interpolation weights two
entries per axis: per output its ``dy`` is multiplied by the weights axis by axis (``2 + 4`` products for a
bilinear output, as its forward pass), and an input entry sums the shares of the (output, corner) pairs that
read it; :class:`Interpolated` counts the inputs some corner reads.

Concatenation, slices, the channel shuffle, flatten, reshape and permute send ``dy`` back in pieces or in
another layout: nothing to compute.

>>> from symconv.network.layers import Shape, Upsample
>>> up, x = Upsample(scale=2, mode="bilinear"), Shape(1, (3, 3))
>>> b = upsample_backward(up, (x,), up.output((x,)), sympy.Integer(1), Needs((True,)))
>>> b.parts["grad_input"].mults, b.parts["grad_input"].adds  # 36 outputs of 6 products; 144 shares into 9
(216, 135)
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from symconv.network.backward.base import Element, LayerBackward, Needs, Rule, counted, nothing, shaped
from symconv.network.layers import Concat, Flatten, Permute, Reshape, Shape, Shuffle, Slice, Upsample, as_expr
from symconv.symbols import index

__all__ = ["RULES", "Interpolated", "upsample_backward"]

_E, _J = index("e"), index("j")


class Interpolated(sympy.Function):
    """The inputs of an axis of ``n`` that linear interpolation to ``o`` outputs reads (PyTorch's
    ``align_corners=False``: output ``i`` reads ``floor(w)`` and the next, ``w = max((i + ½)·n/o − ½, 0)``):
    every one when ``o ≥ n``; evaluated exactly once both are integers.

    >>> Interpolated(8, 3), Interpolated(sympy.Symbol("H", positive=True), 2 * sympy.Symbol("H", positive=True))
    (6, H)
    """

    is_integer = True
    is_nonnegative = True

    @classmethod
    def eval(cls, n: sympy.Expr, out: sympy.Expr) -> sympy.Expr | None:  # type: ignore[override]
        if n.is_Integer and out.is_Integer:
            read = set()
            for i in range(int(out)):
                low = int(max((Fraction(2 * i + 1) * int(n) / int(out) - 1) / 2, Fraction(0)))
                read |= {low, min(low + 1, int(n) - 1)}
            return sympy.Integer(len(read))
        if (out - n).is_nonnegative:
            return n
        return None


def upsample_backward(layer: Upsample, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                      needs: Needs) -> LayerBackward:
    if not needs.inputs[0]:
        return nothing()
    planes = as_expr(batch) * inputs[0].channels
    outputs, entries = planes * output.elements / output.channels, planes * inputs[0].elements / inputs[0].channels
    pairs = zip(inputs[0].size, output.size, strict=True)
    dy = shaped("dy", outputs)
    if layer.mode == "nearest":
        hit = planes * sympy.Mul(*(sympy.Min(n, o) for n, o in pairs))
        return counted([Element("grad_input", sympy.IndexedBase("dx")[_E], lambda r: sympy.Sum(dy[_J], (_J, 0, r - 1)),
                                hit, terms=outputs)], dy=dy, writes=entries)
    hit = planes * sympy.Mul(*(Interpolated(n, o) for n, o in pairs))
    dims = len(output.size)
    elements, share = [], dy
    for axis in range(dims):  # the shares of 2, 4, ... corners, one weight more per axis
        weight, nxt = sympy.IndexedBase(f"w_{axis}"), shaped(f"t_{axis}", outputs * 2 ** (axis + 1))
        elements.append(Element("grad_input", nxt[_E], share[_E] * weight[_E], outputs * 2 ** (axis + 1),
                                result=False))
        share = nxt
    elements.append(Element("grad_input", sympy.IndexedBase("dx")[_E], lambda r: sympy.Sum(share[_J], (_J, 0, r - 1)),
                            hit, terms=outputs * 2**dims))
    return counted(elements, dy=dy, writes=entries)


def _moves(layer: object, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr, needs: Needs) -> LayerBackward:
    return nothing()


RULES: dict[type, Rule] = {
    Upsample: Rule(upsample_backward),
    **{kind: Rule(_moves) for kind in (Concat, Slice, Shuffle, Flatten, Reshape, Permute)},
}
