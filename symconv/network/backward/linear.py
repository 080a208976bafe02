"""The backward pass of fully connected layers and matrix products, from the elements of their gradients.

A linear layer ``y[j, o] = Σ_i W[o, i]·x[j, i] + β[o]`` over ``R`` rows ``j`` (the batch, and every position
before the last dimension of ``nn.Linear``'s input) has

* ``dx[j, i] = Σ_o W[o, i]·dy[j, o]``: ``out`` products per input entry;
* ``dW[o, i] = Σ_j x[j, i]·dy[j, o]``: ``R`` products per weight entry, ``x`` kept for it;
* ``dβ[o] = Σ_j dy[j, o]``: ``R − 1`` additions.

A matrix product ``c = a @ b`` has ``da[m, k] = Σ_j dc[m, j]·b[k, j]`` and ``db[k, j] = Σ_m a[m, k]·dc[m, j]``,
each also summed over the leading dimensions its operand was broadcast along; each keeps the other operand.

>>> from symconv.network.layers import Linear, Shape
>>> fc, x = Linear(out=10), Shape(64, (1, 1))
>>> b = linear_backward(fc, (x,), fc.output((x,)), sympy.Integer(8), Needs((True,), weight=True, bias=True))
>>> [(p, c.mults, c.adds) for p, c in b.parts.items()]  # 8·64 of 10 products, 640 of 8, 10 sums of 8
[('grad_input', 5120, 4608), ('grad_weight', 5120, 4480), ('grad_bias', 0, 70)]
"""

from __future__ import annotations

import sympy

from symconv.network.backward.base import Element, LayerBackward, Needs, Rule, Saved, counted, shaped
from symconv.network.layers import Linear, Matmul, Shape, as_expr
from symconv.symbols import index

__all__ = ["RULES", "linear_backward", "matmul_backward"]


def linear_backward(layer: Linear, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                    needs: Needs) -> LayerBackward:
    features = inputs[0].elements if layer.flatten else inputs[0].dims[-1]
    out = as_expr(layer.out)
    rows = sympy.cancel(as_expr(batch) * inputs[0].elements / features)
    x, dy = shaped("x", rows, features), shaped("dy", rows, out)
    weight = shaped("W", out, features)
    j, o, i = index("j"), index("o"), index("i")
    elements = []
    if needs.inputs[0]:
        elements.append(Element("grad_input", shaped("dx", rows, features)[j, i],
                                sympy.Sum(weight[o, i] * dy[j, o], (o, 0, out - 1)), rows * features, macs=True))
    if needs.weight:
        elements.append(Element("grad_weight", shaped("dW", out, features)[o, i],
                                sympy.Sum(x[j, i] * dy[j, o], (j, 0, rows - 1)), out * features, macs=True))
    if needs.bias and layer.bias:
        elements.append(Element("grad_bias", shaped("dbeta", out)[o], sympy.Sum(dy[j, o], (j, 0, rows - 1)), out))
    return counted(elements, saved=[Saved(x, "input", 0)], params=[weight], dy=dy, weights=True)


def _leading(shape: Shape) -> sympy.Expr:
    return sympy.Mul(*shape.dims[:-2])


def matmul_backward(layer: Matmul, inputs: tuple[Shape, ...], output: Shape, batch: sympy.Expr,
                    needs: Needs) -> LayerBackward:
    """``da`` sums, over the output rows that used ``a[m, k]`` (its broadcast copies times the ``j`` of a
    row), ``dc·b``; ``db`` alike over ``m``."""
    m, width = inputs[0].dims[-2], inputs[1].dims[-1]
    n = as_expr(batch)
    # one index for the entry, one for its term: each tensor's entries in the first dimension
    a, b = shaped("a", n * inputs[0].elements, 1), shaped("b", n * inputs[1].elements, 1)
    dy = shaped("dy", n * output.elements, 1)
    e, s = index("e"), index("s")
    elements = []
    for side, (operand, other, inner) in enumerate(((a, b, width), (b, a, m))):
        if not needs.inputs[side]:
            continue
        copies = sympy.cancel(_leading(output) / _leading(inputs[side]))
        elements.append(Element("grad_input", shaped(f"d{operand.label}", operand.shape[0])[e],
                                sympy.Sum(dy[e, s] * other[e, s], (s, 0, copies * inner - 1)), operand.shape[0],
                                macs=True))
    return counted(elements, saved=[Saved(a, "input", 0), Saved(b, "input", 1)], dy=dy)


RULES: dict[type, Rule] = {
    Linear: Rule(linear_backward, lambda layer: ("weight", "bias") if layer.bias else ("weight",)),
    Matmul: Rule(matmul_backward),
}
