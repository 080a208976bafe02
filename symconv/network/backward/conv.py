"""The backward pass of a network's convolutions, ordinary or transposed, in 1-3-D: the gradients of the layer
variants (:func:`symconv.backward.stage_gradients`, each counted from the element of its gradient), derived
once per kind of convolution with its sizes left symbols, then the network's sizes put in.

A padding mode other than zeros pads the input first (PyTorch's ``F.pad``) and convolves the padded copy
without padding, as the forward pass does; the gradient of that copy is then folded back onto the input,
each padded entry added into the entry it copies: an input entry copied ``r - 1`` times sums ``r`` terms.
The layer keeps the padded copy for its weight gradient.

>>> from symconv.network.layers import Convolution, Shape
>>> conv, x = Convolution(out=8, kernel=3, padding=1), Shape(4, (6, 6))
>>> b = conv_backward(conv, (x,), conv.output((x,)), sympy.Integer(1), Needs((False,), weight=True))
>>> b.parts["grad_weight"].mults, b.kept  # 8·4·3·3 entries of 36 products; it keeps its input
(10368, (Kept(what='input', source=0, elements=144, integer=False),))
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import sympy

from symconv.backward import PartCounts, stage_gradients
from symconv.counting import tensors_read
from symconv.network.backward.base import Condition, Element, Kept, LayerBackward, Needs, Rule, counted
from symconv.network.backward.sizes import affine
from symconv.network.layers import Convolution, Counts, Shape, as_expr
from symconv.network.layers.conv import axis_sizes, generic_spec
from symconv.quantities import PARTS
from symconv.spec import Conv
from symconv.symbols import index, sym

__all__ = ["RULES", "conv_backward"]

_BATCH = sympy.Symbol("N", positive=True, integer=True)


@lru_cache(maxsize=4096)
def _gradients(conv: Conv, grads: tuple[str, ...]) -> tuple[PartCounts, ...]:
    """The gradients of one kind of convolution, its sizes symbols (cached: a network repeats its layers)."""
    return stage_gradients("conv", conv, grads)


def _padded(layer: Convolution, shape: Shape) -> tuple[Convolution, Shape]:
    """The convolution of the padded copy, and the copy's shape, for a padding mode other than zeros."""
    sizes = tuple(n + p + e for n, p, e in zip(shape.size, layer.padding, layer.pad_end, strict=True))  # type: ignore[arg-type]
    return replace(layer, padding=0, padding_end=None, padding_mode="zeros"), Shape(shape.channels, sizes)


class _Put:
    """The network's sizes and batch put into a generic convolution's counts, each count of its index map
    written as its affine form (:func:`~symconv.network.backward.sizes.affine`), the conditions gathered."""

    def __init__(self, subs: dict[sympy.Basic, sympy.Expr]) -> None:
        self.subs = subs
        self.conditions: list[Condition] = []

    def __call__(self, expr: sympy.Expr) -> sympy.Expr:
        form, found = affine(sympy.expand(as_expr(expr).xreplace(self.subs)))
        self.conditions += [c for c in found if c not in self.conditions]
        return form


def conv_backward(layer: Convolution, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                  needs: Needs) -> LayerBackward:
    """The gradients ``needs`` asks for, counted; what the convolution keeps is what they read of ``x``."""
    grads = tuple(g for g, need in (("input", needs.inputs[0]), ("weight", needs.weight),
                                    ("bias", needs.bias and layer.bias)) if need)
    folded = layer.padding_mode != "zeros"
    conv, shape = _padded(layer, inputs[0]) if folded else (layer, inputs[0])
    generic = generic_spec(conv, shape.channels, _BATCH)
    put = _Put({**{sym(name): value for name, value in axis_sizes(conv, shape, output).items()},
                _BATCH: as_expr(batch, "batch")})
    parts = {p: Counts() for p in PARTS}
    found = _gradients(generic, grads) if grads else ()
    read = sympy.Add(*(p.element[1] for p in found), evaluate=False)
    for part in found:
        params = put(part.params)
        parts[part.part] = Counts(params=params, weights=params if part.part == "grad_weight" else 0,
                                  mults=put(part.totals.mults), adds=put(part.totals.adds),
                                  macs=put(part.totals.mults))
    kept: tuple[Kept, ...] = ()
    if found:
        t, d = found[0].tensors, found[0].gradients
        entries = put(tensors_read(read, [t.x]))
        if entries != 0:
            kept = (Kept("padded input", None, entries),) if folded else (Kept("input", 0, entries),)
        reads, writes = put(tensors_read(read, [d.dy, t.x, t.w])), put(sum((p.elements for p in found), 0))
    else:
        reads, writes = sympy.Integer(0), sympy.Integer(0)
    backward = LayerBackward(parts, kept, reads, writes, (), tuple(put.conditions))
    return _fold(backward, inputs[0], shape, batch) if folded and needs.inputs[0] else backward


def _fold(backward: LayerBackward, shape: Shape, padded: Shape, batch: sympy.Expr) -> LayerBackward:
    """The padded copy's gradient added back onto the input: each entry the sum of itself and its copies."""
    entries, copies = as_expr(batch) * shape.elements, as_expr(batch) * padded.elements
    copy = sympy.IndexedBase("dx_padded", shape=(copies,))
    j = index("j")
    fold = counted([Element("grad_input", sympy.IndexedBase("dx")[index("t")],
                            lambda r: sympy.Sum(copy[j], (j, 0, r - 1)), entries, terms=copies)], params=[copy])
    parts = dict(backward.parts)
    parts["grad_input"] = parts["grad_input"] + fold.parts["grad_input"]
    # the copy's gradient is written by the convolution and read back; the input's is written
    return replace(backward, parts=parts, reads=sympy.expand(backward.reads + fold.reads),
                   writes=sympy.expand(backward.writes + entries))


RULES: dict[type, Rule] = {
    Convolution: Rule(conv_backward, lambda layer: ("weight", "bias") if layer.bias else ("weight",)),
}

