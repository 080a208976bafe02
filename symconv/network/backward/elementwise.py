"""The backward pass of activations, softmax and elementwise operations, from the elements of their gradients.

Each activation's gradient is written as PyTorch's derivative formula (``tools/autograd/derivatives.yaml``
and the CPU backward kernels), reading the tensor PyTorch reads: ReLU, sigmoid and tanh their output
(``threshold_backward(dy, y)``, ``dy·(1 − y)·y``, ``dy·(1 − y²)``), the others their input. A select is as
costly as its comparisons (:func:`symconv.counting.count_ops`). An elementwise operation of two tensors
sends each the gradient of its element, summed over the copies a broadcast made of it: squeeze-and-
excitation's ``x·s`` sends ``s[n, c]`` the sum over the positions of ``dy·x``.

>>> from symconv.network.layers import Activation, Shape
>>> x = Shape(4, (2, 2))
>>> [activation_backward(Activation(f), (x,), x, sympy.Integer(1), Needs((True,))).parts["grad_input"].others
...  for f in ("relu", "relu6", "hardswish")]  # comparisons (and their joining), the division by 3
[16, 48, 48]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import sympy

from symconv.network.backward.base import Element, LayerBackward, Needs, Rule, Saved, counted, nothing, shaped
from symconv.network.layers import Activation, Add, Binary, Scalar, Scale, Shape, Softmax, as_expr
from symconv.network.layers.elementwise import divided
from symconv.symbols import index

__all__ = ["DERIVATIVES", "RULES", "activation_backward"]

Expr: TypeAlias = sympy.Expr
_E, _S = index("e"), index("s")
_SLOPE, _ROOT_HALF, _CUBIC, _PDF = sympy.symbols("a c_1 c_2 c_3", positive=True)
_HALF = sympy.Rational(1, 2)


def _tanh_gelu(x: Expr, dy: Expr) -> list[tuple[str, Expr]]:
    t = sympy.IndexedBase("t")[_E]
    inner = sympy.Mul(_ROOT_HALF, x + _CUBIC * x**3, evaluate=False)
    slope = sympy.Mul(_HALF, x, 1 - t**2, _ROOT_HALF, 1 + 3 * _CUBIC * x**2, evaluate=False)
    return [("t", sympy.tanh(inner)), ("dx", dy * (sympy.Mul(_HALF, 1 + t, evaluate=False) + slope))]


def _silu(x: Expr, dy: Expr) -> list[tuple[str, Expr]]:
    s = sympy.IndexedBase("sigma")[_E]
    return [("sigma", 1 / (1 + sympy.exp(-x))), ("dx", dy * s * (1 + x * (1 - s)))]


#: Each activation's gradient: the tensor it reads (its ``input`` or its ``output``) and its elements
#: ``(name, expression)`` of that tensor's entry and ``dy``'s, the last one ``dx``.
DERIVATIVES: dict[str, tuple[str, Callable[[Expr, Expr], list[tuple[str, Expr]]]]] = {
    "relu": ("output", lambda y, dy: [("dx", sympy.Piecewise((dy, y > 0), (0, True)))]),
    "relu6": ("input", lambda x, dy: [("dx", sympy.Piecewise((dy, (x > 0) & (x < 6)), (0, True)))]),
    "leaky_relu": ("input", lambda x, dy: [("dx", sympy.Piecewise((dy, x > 0), (_SLOPE * dy, True)))]),
    "sigmoid": ("output", lambda y, dy: [("dx", dy * (1 - y) * y)]),
    "tanh": ("output", lambda y, dy: [("dx", dy * (1 - y**2))]),
    "silu": ("input", _silu),
    "gelu": ("input", lambda x, dy: [("dx", dy * (sympy.Mul(_HALF, 1 + sympy.erf(x * _ROOT_HALF), evaluate=False)
                                                 + sympy.Mul(x, _PDF, sympy.exp(-_HALF * x**2), evaluate=False)))]),
    "gelu_tanh": ("input", _tanh_gelu),
    "hardswish": ("input", lambda x, dy: [("dx", sympy.Piecewise(
        (0, x < -3), (dy * (divided(x, sympy.Integer(3)) + _HALF), x <= 3), (dy, True)))]),
    "hardsigmoid": ("input", lambda x, dy: [("dx", sympy.Piecewise(
        (divided(dy, sympy.Integer(6)), (x > -3) & (x < 3)), (0, True)))]),
}


def activation_backward(layer: Activation, inputs: tuple[Shape, ...], output: Shape, batch: Expr,
                        needs: Needs) -> LayerBackward:
    if layer.function == "identity" or not needs.inputs[0]:
        return nothing()
    entries = as_expr(batch) * output.elements
    reads, derivative = DERIVATIVES[layer.function]
    tensor, dy = shaped("y" if reads == "output" else "x", entries), shaped("dy", entries)
    steps = derivative(tensor[_E], dy[_E])
    elements = [Element("grad_input", shaped(name, entries)[_E], rhs, entries, result=name == "dx")
                for name, rhs in steps]
    return counted(elements, saved=[Saved(tensor, reads, 0 if reads == "input" else None)], dy=dy)


def softmax_backward(layer: Softmax, inputs: tuple[Shape, ...], output: Shape, batch: Expr,
                     needs: Needs) -> LayerBackward:
    """``dx = y·(dy − Σ_j dy_j·y_j)``, the sum once per vector (PyTorch's ``_softmax_backward_data``)."""
    if not needs.inputs[0]:
        return nothing()
    channels = output.channels if layer.dim is None else output.dims[output.axis(layer.dim)]
    entries = as_expr(batch) * output.elements
    vectors = sympy.cancel(entries / channels)
    y, dy, total = shaped("y", entries), shaped("dy", entries), sympy.IndexedBase("s")
    v = index("v")
    return counted([Element("grad_input", total[v], sympy.Sum(dy[_S] * y[_S], (_S, 0, channels - 1)), vectors,
                            result=False),
                    Element("grad_input", shaped("dx", entries)[_E], y[_E] * (dy[_E] - total[v]), entries)],
                   saved=[Saved(y, "output")], dy=dy)


def _operand_gradient(op: str, side: int, a: Expr, b: Expr, dy: Expr) -> Expr | None:
    """One term of the gradient an elementwise ``a op b`` sends to operand ``side`` (``q`` is ``b²``, computed
    once per entry of ``b``); None for ``dy`` itself."""
    if op == "add" or (op == "sub" and side == 0):
        return None
    if op == "sub":
        return -dy
    if op == "mul":
        return dy * (b if side == 0 else a)
    return divided(dy, b) if side == 0 else -divided(dy * a, sympy.IndexedBase("q")[_E, _S])


def _broadcast_gradients(op: str, operands: tuple[tuple[Expr, Expr] | None, ...], output: Shape, batch: Expr,
                         wanted: tuple[bool, ...], part: tuple[str, str], learned: bool = False) -> LayerBackward:
    """The gradients of ``a op b`` for the operands ``wanted``, each ``(entries, copies)``: its entries, and
    the output entries each of them made (the broadcast's copies). An entry sums one term per copy; there is
    nothing to compute when that is ``dy`` itself, one term for one entry. An operand None is a constant;
    ``learned``: ``b`` is a parameter."""
    # one index for the entry, one for its copy: each tensor's entries in the first dimension
    dy = shaped("dy", as_expr(batch) * output.elements, 1)
    bases = [shaped(name, o[0], 1) if o is not None else sympy.IndexedBase(name)
             for name, o in zip(("a", "b"), operands, strict=True)]
    elements = []
    for side, operand in enumerate(operands):
        if not wanted[side] or operand is None:
            continue
        entries, copies = operand
        term = _operand_gradient(op, side, bases[0][_E, _S], bases[1][_E, _S], dy[_E, _S])
        if term is None and copies == 1:
            continue  # dy itself
        if op == "div" and side == 1:
            elements.append(Element(part[1], sympy.IndexedBase("q")[_E], bases[1][_E, 0] ** 2, entries, result=False))
        term = dy[_E, _S] if term is None else term
        rhs = term.xreplace({_S: 0}) if copies == 1 else sympy.Sum(term, (_S, 0, copies - 1))
        elements.append(Element(part[side], shaped(f"d{bases[side].label}", entries)[_E], rhs, entries))
    inputs = [side for side in range(2) if operands[side] is not None and not (learned and side == 1)]
    return counted(elements, saved=[Saved(bases[side], "input", side) for side in inputs], dy=dy,
                   params=[bases[1]] if learned else [])


def _operand(shape: Shape, output: Shape, batch: Expr) -> tuple[Expr, Expr]:
    return as_expr(batch) * shape.elements, sympy.cancel(output.elements / shape.elements)


def binary_backward(layer: Binary, inputs: tuple[Shape, ...], output: Shape, batch: Expr,
                    needs: Needs) -> LayerBackward:
    operands = tuple(_operand(s, output, batch) for s in inputs[:2])
    return _broadcast_gradients(layer.op, operands, output, batch, needs.inputs[:2], ("grad_input", "grad_input"))


def scalar_backward(layer: Scalar, inputs: tuple[Shape, ...], output: Shape, batch: Expr,
                    needs: Needs) -> LayerBackward:
    return _broadcast_gradients(layer.op, (_operand(inputs[0], output, batch), None), output, batch,
                                (needs.inputs[0], False), ("grad_input", "grad_input"))


def scale_backward(layer: Scale, inputs: tuple[Shape, ...], output: Shape, batch: Expr,
                   needs: Needs) -> LayerBackward:
    """A learned tensor broadcast against the input: the input's gradient entry by entry, the tensor's
    (its ``grad_weight``) summed over the batch and every copy the broadcast made."""
    learned = sympy.Mul(*layer.shape)
    operands = (_operand(inputs[0], output, batch), (learned, sympy.cancel(as_expr(batch) * output.elements / learned)))
    return _broadcast_gradients(layer.op, operands, output, batch, (needs.inputs[0], needs.weight),
                                ("grad_input", "grad_weight"), learned=True)


RULES: dict[type, Rule] = {
    Activation: Rule(activation_backward),
    Softmax: Rule(softmax_backward),
    Add: Rule(lambda layer, inputs, output, batch, needs: nothing()),
    Binary: Rule(binary_backward),
    Scalar: Rule(scalar_backward),
    Scale: Rule(scale_backward, lambda layer: ("weight",)),
}
