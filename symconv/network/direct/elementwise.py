"""Activations, softmax and elementwise operations computed for real, each operation counted; values
checked against the formula written the usual way."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from symconv.network.direct.tally import Computed, Tally
from symconv.network.layers import Activation, Add, Binary, Scalar, Scale, Softmax

__all__ = ["ACTIVATIONS", "COMPUTE"]

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
        b = np.abs(b) + 0.5  # a divisor away from zero
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
