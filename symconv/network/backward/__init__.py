"""The backward pass of every network layer, derived from the elements of its gradients, one module per kind of
layer (as :mod:`symconv.network.layers`), each registering its :class:`~symconv.network.backward.base.Rule`.

:func:`layer_backward` counts the gradients a layer is asked for (:class:`Needs`); what the layer keeps from
its forward pass is what those gradients read. :func:`training_counts` is a layer's forward pass in training,
which differs from inference for batch norm alone (it computes its batch statistics).

* ``conv`` — convolutions of every kind, through :func:`symconv.backward.stage_gradients`;
* ``linear`` — linear layers and matrix products; ``norm`` — batch, layer and group norm;
* ``elementwise`` — activations, softmax, sums and broadcast operations; ``pooling`` — every pooling;
* ``resample`` — upsampling, and the layers that only move data.

A layer used again (``shared``) computes its gradients again and adds its parameters' into the shared ones;
an unknown operation has no gradient symconv knows: it counts nothing and passes ``dy`` on.

>>> from symconv.network.layers import Linear, Reused, Shape
>>> fc, x = Linear(out=4, bias=False), Shape(3, ())
>>> b = layer_backward(Reused(fc), (x,), fc.output((x,)), sympy.Integer(2), Needs((False,), weight=True))
>>> b.parts["grad_weight"].mults, b.parts["grad_weight"].adds  # 12 entries of 2 products; 1 + 1 addition each
(24, 24)
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symconv.network.backward import conv, elementwise, linear, norm, pooling, resample
from symconv.network.backward.base import Element, Kept, LayerBackward, Needs, Rule, counted, nothing
from symconv.network.layers import Counts, LayerSpec, NetworkError, Reused, Shape, Unknown, Unused
from symconv.quantities import PARTS
from symconv.symbols import index

__all__ = ["RULES", "Kept", "LayerBackward", "Needs", "Rule", "layer_backward", "parameters", "training_counts"]

#: How each kind of layer's backward pass is derived.
RULES: dict[type, Rule] = {**conv.RULES, **linear.RULES, **norm.RULES, **elementwise.RULES, **pooling.RULES,
                           **resample.RULES}


def _rule(layer: LayerSpec) -> Rule:
    rule = RULES.get(type(layer))
    if rule is None:
        raise NetworkError(f"no backward pass for a {type(layer).__name__} layer")
    return rule


def parameters(layer: LayerSpec) -> tuple[str, ...]:
    """The kinds of parameters a layer has gradients for: ``weight``, ``bias``, or none."""
    if isinstance(layer, Reused):
        return parameters(layer.layer)
    if isinstance(layer, Unknown | Unused):
        return ()
    return _rule(layer).parameters(layer)


def layer_backward(layer: LayerSpec, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                   needs: Needs) -> LayerBackward:
    """The backward pass of one layer, computing the gradients ``needs`` asks for."""
    if isinstance(layer, Unknown | Unused) or not needs.any:
        return nothing()
    if isinstance(layer, Reused):
        return _reused(layer_backward(layer.layer, inputs, output, batch, needs))
    return _rule(layer).backward(layer, inputs, output, batch, needs)


def _reused(inner: LayerBackward) -> LayerBackward:
    """A second use's gradients, each parameter entry's added into the shared parameter's gradient; its
    parameters are not counted again."""
    e = index("e")
    parts = dict(inner.parts)
    for part in PARTS[1:]:
        entries = inner.parts[part].params
        if entries != 0:
            total, mine = sympy.IndexedBase("shared"), sympy.IndexedBase(f"d_{part}")
            added = counted([Element(part, total[e], total[e] + mine[e], entries)]).parts[part]
            parts[part] = replace(inner.parts[part] + added, params=sympy.Integer(0), weights=sympy.Integer(0))
    extra = sum((inner.parts[p].params for p in PARTS[1:]), sympy.Integer(0))
    return replace(inner, parts=parts, reads=sympy.expand(inner.reads + extra),
                   writes=sympy.expand(inner.writes))


def training_counts(layer: LayerSpec, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr) -> Counts:
    """A layer's forward pass in training: batch norm with its batch statistics, every other layer as at
    inference."""
    inner = layer.layer if isinstance(layer, Reused) else layer
    rule = RULES.get(type(inner))
    if rule is None or rule.training is None:
        return layer.counts(inputs, output, batch)
    counts = rule.training(inner, inputs, output, batch)
    return replace(counts, params=0, buffers=0, weights=0) if isinstance(layer, Reused) else counts
