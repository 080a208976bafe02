"""Activations, softmax and elementwise operations computed for real, each operation counted; values
checked against the formula written the usual way."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.network.direct.grads import Backward, Gradients, Kept, reduce_to
from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import Activation, Add, Binary, Scalar, Scale, Softmax

__all__ = ["ACTIVATIONS", "BACKWARD", "COMPUTE", "GRADIENTS"]

SLOPE = 0.01  # LeakyReLU's default negative slope
_ERF = np.vectorize(math.erf)
_ROOT_HALF, _CUBIC = math.sqrt(0.5), 0.044715


def _hard(x: np.ndarray, t: Tally) -> np.ndarray:
    return t.other(np.minimum(t.other(np.maximum(t.add(x, 3.0), 0.0)), 6.0))


def _gelu_tanh(x: np.ndarray, t: Tally) -> np.ndarray:
    inner = t.add(x, t.mul(_CUBIC, t.mul(t.mul(x, x), x)))
    return t.mul(t.mul(0.5, x), t.add(1.0, t.other(np.tanh(t.mul(np.sqrt(2 / np.pi), inner)))))


#: Each activation computed with counted operations, and the same written plainly.
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray, Tally], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "relu": (lambda x, t: t.other(np.maximum(x, 0)), lambda x: np.clip(x, 0, None)),
    "relu6": (lambda x, t: t.other(np.minimum(t.other(np.maximum(x, 0)), 6)), lambda x: np.clip(x, 0, 6)),
    "identity": (lambda x, t: x, lambda x: x),
    "leaky_relu": (lambda x, t: t.other(np.maximum(x, t.mul(SLOPE, x))), lambda x: np.where(x > 0, x, SLOPE * x)),
    "sigmoid": (lambda x, t: t.other(1.0 / t.add(1.0, t.other(np.exp(-x)))), lambda x: 1 / (1 + np.exp(-x))),
    "silu": (lambda x, t: t.other(x / t.add(1.0, t.other(np.exp(-x)))), lambda x: x / (1 + np.exp(-x))),
    "tanh": (lambda x, t: t.other(np.tanh(x)), np.tanh),
    "gelu": (lambda x, t: t.mul(t.mul(x, 0.5), t.add(1.0, t.other(_ERF(t.mul(x, _ROOT_HALF))))),
             lambda x: 0.5 * x * (1 + _ERF(x / np.sqrt(2)))),
    "gelu_tanh": (_gelu_tanh, lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + _CUBIC * x**3)))),
    "hardswish": (lambda x, t: t.other(t.mul(x, _hard(x, t)) / 6.0), lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "hardsigmoid": (lambda x, t: t.other(_hard(x, t) / 6.0), lambda x: np.clip(x + 3, 0, 6) / 6),
}


def _activation(layer: Activation, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    counted, plain = ACTIVATIONS[layer.function]
    y = counted(xs[0], t)
    return y, t.counts(), bool(np.allclose(y, plain(xs[0])))


def _softmax(layer: Softmax, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    x = xs[0].reshape(xs[0].shape[0], -1) if layer.dim is None else xs[0]
    axis = -1 if layer.dim is None else layer.dim % (x.ndim - 1) + 1
    e = t.other(np.exp(x))
    total = t.sum(e, axis)
    y = t.other(e / np.expand_dims(total, axis))
    expected = np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)
    return y, t.counts(), bool(np.allclose(y, expected))


def _apply(op: str, a: np.ndarray, b: np.ndarray | float, t: Tally) -> np.ndarray:
    if op == "add":
        return t.add(a, b)
    if op == "sub":
        return t.add(a, -np.asarray(b))
    if op == "mul":
        return t.mul(a, b)
    return t.other(np.divide(a, b))


_PLAIN = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}


def _add(layer: Add, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    acc = xs[0]
    for other in xs[1:]:
        acc = t.add(acc, other)
    return acc, t.counts(), bool(np.allclose(acc, np.sum(xs, axis=0)))


def _binary(layer: Binary, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    a, b = xs
    if layer.op == "div":
        b = _divisor(b)
    y = _apply(layer.op, a, b, t)
    return y, t.counts(), bool(np.allclose(y, _PLAIN[layer.op](a, b)))


def _scalar(layer: Scalar, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    y = _apply(layer.op, xs[0], 3.0, t)
    return y, t.counts(), bool(np.allclose(y, _PLAIN[layer.op](xs[0], 3.0)))


def _scale(layer: Scale, xs: list[np.ndarray], rng: np.random.Generator, t: Tally) -> Computed:
    w = rng.standard_normal(tuple(int(v) for v in layer.shape))
    if layer.op == "div":
        w = np.abs(w) + 0.5
    y = _apply(layer.op, xs[0], w, t)
    return y, t.counts(params=w.size), bool(np.allclose(y, _PLAIN[layer.op](xs[0], w)))


COMPUTE: dict[type, Callable[..., Computed]] = {
    Activation: _activation,
    Softmax: _softmax,
    Add: _add,
    Binary: _binary,
    Scalar: _scalar,
    Scale: _scale,
}


def _hardswish_gradient(x: np.ndarray, dy: np.ndarray, t: Tally) -> np.ndarray:
    below, inside = t.other(x < -3), t.other(x <= 3)
    return np.where(below, 0.0, np.where(inside, t.mul(dy, t.add(t.other(x / 3.0), 0.5)), dy))


def _tanh_gelu_gradient(x: np.ndarray, dy: np.ndarray, t: Tally) -> np.ndarray:
    k = np.sqrt(2 / np.pi)
    th = t.other(np.tanh(t.mul(k, t.add(x, t.mul(_CUBIC, t.mul(t.mul(x, x), x))))))
    left = t.mul(0.5, t.add(1.0, th))
    square = t.mul(3.0, t.mul(_CUBIC, t.mul(x, x)))
    right = t.mul(t.mul(t.mul(t.mul(0.5, x), t.add(1.0, -t.mul(th, th))), k), t.add(1.0, square))
    return t.mul(dy, t.add(left, right))


def _silu_gradient(x: np.ndarray, dy: np.ndarray, t: Tally) -> np.ndarray:
    s = t.other(1.0 / t.add(1.0, t.other(np.exp(-x))))
    return t.mul(t.mul(dy, s), t.add(1.0, t.mul(x, t.add(1.0, -s))))


def _gelu_gradient(x: np.ndarray, dy: np.ndarray, t: Tally) -> np.ndarray:
    cdf = t.mul(0.5, t.add(1.0, t.other(_ERF(t.mul(x, _ROOT_HALF)))))
    pdf = t.mul(t.mul(x, 1 / np.sqrt(2 * np.pi)), t.other(np.exp(t.mul(-0.5, t.mul(x, x)))))
    return t.mul(dy, t.add(cdf, pdf))


#: Each activation's gradient computed with counted operations: the tensor it reads, and the computation
#: of ``dx`` from that tensor and ``dy``.
GRADIENTS: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray, Tally], np.ndarray]]] = {
    "relu": ("output", lambda y, dy, t: np.where(t.other(y > 0), dy, 0.0)),
    "relu6": ("input", lambda x, dy, t: np.where(t.other(t.other(x > 0) & t.other(x < 6)), dy, 0.0)),
    "leaky_relu": ("input", lambda x, dy, t: np.where(t.other(x > 0), dy, t.mul(SLOPE, dy))),
    "sigmoid": ("output", lambda y, dy, t: t.mul(t.mul(dy, t.add(1.0, -y)), y)),
    "tanh": ("output", lambda y, dy, t: t.mul(dy, t.add(1.0, -t.mul(y, y)))),
    "silu": ("input", _silu_gradient),
    "gelu": ("input", _gelu_gradient),
    "gelu_tanh": ("input", _tanh_gelu_gradient),
    "hardswish": ("input", _hardswish_gradient),
    "hardsigmoid": ("input", lambda x, dy, t: np.where(t.other(t.other(x > -3) & t.other(x < 3)),
                                                       t.other(dy / 6.0), 0.0)),
}


def _activation_backward(layer: Activation, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                         rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    if layer.function == "identity":
        return [dy], None, None
    reads, gradient = GRADIENTS[layer.function]
    return [gradient(kept.output() if reads == "output" else kept.input(0), dy, parts["grad_input"])], None, None


def _softmax_backward(layer: Softmax, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                      rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    """``dx = y·(dy − Σ_j dy_j·y_j)``, the sum once per vector."""
    t, out = parts["grad_input"], kept.output()
    flat, grads = (out.reshape(out.shape[0], -1), dy.reshape(dy.shape[0], -1)) if layer.dim is None else (out, dy)
    axis = -1 if layer.dim is None else layer.dim % (out.ndim - 1) + 1
    total = np.expand_dims(t.sum(t.mul(grads, flat), axis), axis)
    return [t.mul(flat, t.add(grads, -total)).reshape(xs[0].shape)], None, None


def _operand(op: str, side: int, a: np.ndarray, b: np.ndarray | float, dy: np.ndarray, t: Tally) -> np.ndarray:
    """One operand's gradient of ``a op b`` at the output's shape (a sign is no operation)."""
    if op == "add" or (op == "sub" and side == 0):
        return dy
    if op == "sub":
        return -dy
    if op == "mul":
        return t.mul(dy, b if side == 0 else a)
    if side == 0:
        return t.other(dy / b)
    return -t.other(t.mul(dy, a) / t.mul(b, b))


def _gradients_of(op: str, a: np.ndarray, b: np.ndarray | float, dy: np.ndarray, wanted: tuple[bool, bool],
                  shapes: tuple[tuple[int, ...], tuple[int, ...]], tallies: tuple[Tally, Tally]
                  ) -> list[np.ndarray | None]:
    """Each wanted operand's gradient, summed over the copies the broadcast made of its entries."""
    return [reduce_to(tallies[side], _operand(op, side, a, b, dy, tallies[side]), shapes[side])
            if wanted[side] else None for side in (0, 1)]


def _divisor(b: np.ndarray) -> np.ndarray:
    return np.abs(b) + 0.5  # a divisor away from zero, as the forward computation takes it


def _binary_backward(layer: Binary, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                     rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    reads_a = layer.op in ("mul", "div") and needs.inputs[1]
    reads_b = (layer.op == "mul" and needs.inputs[0]) or (layer.op == "div" and any(needs.inputs))
    a = kept.input(0) if reads_a else xs[0]
    b = kept.input(1) if reads_b else xs[1]
    if layer.op == "div":
        b = _divisor(b)
    t = parts["grad_input"]
    found = _gradients_of(layer.op, a, b, dy, needs.inputs, (xs[0].shape, xs[1].shape), (t, t))
    if layer.op == "div" and found[1] is not None:
        # the data's divisor is |b| + 1/2, kept away from zero; its slope sign(b) belongs to the data, not to
        # the layer's gradient, and is not counted
        found[1] = found[1] * np.sign(xs[1])
    return found, None, None


def _scalar_backward(layer: Scalar, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                     rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    t = parts["grad_input"]
    return [_gradients_of(layer.op, xs[0], 3.0, dy, (True, False), (xs[0].shape, ()), (t, t))[0]], None, None


def _scale_backward(layer: Scale, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, needs: Any,
                    rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    w = rng.standard_normal(tuple(int(v) for v in layer.shape))
    if layer.op == "div":
        w = np.abs(w) + 0.5
    x = kept.input(0) if needs.weight and layer.op in ("mul", "div") else xs[0]
    shapes = (xs[0].shape, (1,) * (dy.ndim - w.ndim) + w.shape)
    dx, dw = _gradients_of(layer.op, x, w, dy, (needs.inputs[0], needs.weight), shapes,
                           (parts["grad_input"], parts["grad_weight"]))
    return [dx], None if dw is None else dw.reshape(w.shape), None


BACKWARD: dict[type, Backward] = {
    Activation: _activation_backward,
    Softmax: _softmax_backward,
    Add: lambda layer, xs, y, dy, needs, rng, parts, kept: ([dy] * len(xs), None, None),
    Binary: _binary_backward,
    Scalar: _scalar_backward,
    Scale: _scale_backward,
}
