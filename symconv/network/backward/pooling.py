"""The backward pass of pooling, from the elements of its gradients.

**Averages** (average pooling with ``ceil_mode``, adaptive, global, ``mean``) first scale each window's
``dy`` by the window's ``r``, as their forward pass scales its sum, then give each input entry the sum of
the scaled gradients of the windows that cover it: ``r`` terms, ``r − 1`` additions. Over an axis the terms
are the (window, tap) pairs inside the input, ``V``, and the entries with one at least those some window
reads, ``H`` (:mod:`symconv.geometry`); an adaptive window's taps are its length.

**Maxima** route each window's gradient to its maximum, which the data decides: as PyTorch's kernel does,
the input's gradient starts at zero and each window adds its ``dy`` into the entry of its maximum, one
addition per window. The pooling keeps the maxima's indices (8 bytes each).

>>> from symconv.network.layers import AvgPool, MaxPool, Shape
>>> x, needs = Shape(1, (4, 4)), Needs((True,))
>>> avg = pool_backward(AvgPool(kernel=3, stride=1, padding=1), (x,), x, sympy.Integer(1), needs)
>>> avg.parts["grad_input"].mults, avg.parts["grad_input"].adds  # 16 scales; V = 10 per axis, 100 - 16
(16, 84)
>>> maximum = pool_backward(MaxPool(kernel=2), (x,), Shape(1, (2, 2)), sympy.Integer(1), needs)
>>> maximum.parts["grad_input"].adds, maximum.kept
(4, (Kept(what='indices', source=None, elements=4, integer=True),))
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from symconv.geometry import Hit, ValidPairs, adaptive_window
from symconv.network.backward.base import Element, LayerBackward, Needs, Rule, Saved, counted, nothing, shaped
from symconv.network.backward.sizes import affine
from symconv.network.layers import AdaptivePool, AvgPool, GlobalAvgPool, MaxPool, Mean, Shape, as_expr
from symconv.network.layers.conv import on_multiples
from symconv.symbols import index

__all__ = ["RULES", "adaptive_backward", "average_gradient", "maximum_gradient", "pool_backward"]

_E, _J = index("e"), index("j")


def maximum_gradient(outputs: sympy.Expr, entries: sympy.Expr) -> LayerBackward:
    """``outputs`` windows each adding its ``dy`` into the gradient entry of its maximum, found by the
    indices the forward pass kept; the gradient, ``entries`` of them, is written whole."""
    dy, indices, dx = shaped("dy", outputs), shaped("indices", outputs), sympy.IndexedBase("dx")
    scatter = Element("grad_input", dx[indices[_E]], dx[indices[_E]] + dy[_E], outputs)
    return counted([scatter], saved=[Saved(indices, "indices", integer=True)], dy=dy, writes=entries)


def average_gradient(outputs: sympy.Expr, pairs: sympy.Expr, hit: sympy.Expr, entries: sympy.Expr
                     ) -> LayerBackward:
    """``outputs`` windows scaling their ``dy``, then each of the ``hit`` input entries some window reads
    summing the ``pairs`` (window, tap) terms between them; the gradient, ``entries`` of them, is written
    whole (an entry no window reads is 0)."""
    dy, scaled, r = shaped("dy", outputs), shaped("g", outputs), sympy.IndexedBase("r")
    elements = [Element("grad_input", scaled[_E], r[_E] * dy[_E], outputs, result=False),
                Element("grad_input", sympy.IndexedBase("dx")[_E], lambda n: sympy.Sum(scaled[_J], (_J, 0, n - 1)),
                        hit, terms=pairs)]
    return counted(elements, dy=dy, writes=entries)


def _planes(batch: sympy.Expr, shape: Shape) -> sympy.Expr:
    return as_expr(batch) * shape.channels


def pool_backward(layer: MaxPool | AvgPool, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                  needs: Needs) -> LayerBackward:
    if not needs.inputs[0]:
        return nothing()
    planes = _planes(batch, inputs[0])
    outputs, entries = planes * output.elements / output.channels, planes * inputs[0].elements / inputs[0].channels
    if isinstance(layer, MaxPool):
        return maximum_gradient(outputs, entries)
    axes = list(zip(output.size, inputs[0].size, layer.kernel, layer.stride, layer.padding, strict=True))  # type: ignore[arg-type]
    pairs, found = affine(sympy.Mul(*(ValidPairs(o, n, k, s, p, 1) for o, n, k, s, p in axes)))
    hit, more = affine(sympy.Mul(*(Hit(o, n, k, s, p, 1) for o, n, k, s, p in axes)))
    backward = average_gradient(outputs, planes * pairs, planes * hit, entries)
    return LayerBackward(backward.parts, backward.kept, backward.reads, backward.writes, backward.elements,
                         (*found, *(c for c in more if c not in found)))


def _covered(size: sympy.Expr, out: int) -> sympy.Expr:
    """The taps of an axis's adaptive windows: their lengths summed (``size`` where the windows tile)."""
    return sum((on_multiples(lambda n, i=i: _length(adaptive_window(i, n, out)), size, out) for i in range(out)),
               sympy.Integer(0))


def _length(window: Sequence[sympy.Expr]) -> sympy.Expr:
    return window[1] - window[0]


def adaptive_backward(layer: AdaptivePool, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                      needs: Needs) -> LayerBackward:
    if not needs.inputs[0]:
        return nothing()
    planes = _planes(batch, inputs[0])
    outputs, entries = planes * output.elements / output.channels, planes * inputs[0].elements / inputs[0].channels
    if layer.op == "max":
        return maximum_gradient(outputs, entries)
    taps = sympy.Mul(*(_covered(n, o) for n, o in zip(inputs[0].size, layer.output_size, strict=True)))  # type: ignore[arg-type]
    return average_gradient(outputs, sympy.expand(planes * taps), entries, entries)


def global_backward(layer: GlobalAvgPool | Mean, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                    needs: Needs) -> LayerBackward:
    """One window per output covering its entries: each input entry is its window's scaled gradient."""
    if not needs.inputs[0]:
        return nothing()
    outputs, entries = as_expr(batch) * output.elements, as_expr(batch) * inputs[0].elements
    return average_gradient(outputs, entries, entries, entries)


RULES: dict[type, Rule] = {
    MaxPool: Rule(pool_backward),
    AvgPool: Rule(pool_backward),
    AdaptivePool: Rule(adaptive_backward),
    GlobalAvgPool: Rule(global_backward),
    Mean: Rule(global_backward),
}
