"""Elementwise layers and softmax, counted from the expression of one element.

Activations are written as PyTorch's CPU kernels compute them (``aten/src/ATen/native/cpu``): ``silu`` is
``x/(1 + exp(−x))``, ``gelu`` ``x·½·(1 + erf(x·√½))``, ``hardswish`` ``x·min(max(x + 3, 0), 6)/6``; a division
and each exponential, ``erf``, ``tanh`` or comparison is one "other" operation.

>>> from symconv.network.layers.base import Shape
>>> x = Shape(4, (2, 2))
>>> Activation("relu6").counts((x,), x, 1).others  # min(max(x, 0), 6): two comparisons per element
32
>>> c = Activation("hardswish").counts((x,), x, 1)
>>> c.mults, c.adds, c.others  # per element 1 product, x + 3, two comparisons and the division by 6
(16, 16, 48)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import sympy

from symconv.counting import Ops, count_ops, tensors_read
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, as_expr, broadcast, fail
from symconv.symbols import index

__all__ = ["ACTIVATIONS", "BINARY", "Activation", "Binary", "Scalar", "Scale", "Softmax", "activation_element",
           "binary_element"]

_X = sympy.IndexedBase("x")[index("n"), index("c")]
_SLOPE, _ROOT_HALF, _CUBIC = sympy.symbols("a c_1 c_2", positive=True)


def _divided(numerator: Expr, divisor: Expr) -> Expr:
    """``numerator / divisor`` kept as a division (SymPy would turn ``/6`` into a product by ``1/6``)."""
    return sympy.Mul(numerator, sympy.Pow(divisor, -1, evaluate=False), evaluate=False)


def _hard(x: Expr) -> Expr:
    return sympy.Min(sympy.Max(x + 3, 0), 6)


#: Each activation as the expression of one output element of its input ``x``.
ACTIVATIONS: dict[str, Callable[[Expr], Expr]] = {
    "relu": lambda x: sympy.Max(x, 0),
    "relu6": lambda x: sympy.Min(sympy.Max(x, 0), 6),
    "identity": lambda x: x,
    # x > 0 ? x : a·x, vectorised as a blend of x and a·x: a product and a comparison per element
    "leaky_relu": lambda x: sympy.Max(x, _SLOPE * x),
    "sigmoid": lambda x: 1 / (1 + sympy.exp(-x)),
    "silu": lambda x: x / (1 + sympy.exp(-x)),
    "tanh": sympy.tanh,
    "gelu": lambda x: sympy.Mul(x, sympy.Rational(1, 2), 1 + sympy.erf(x * _ROOT_HALF), evaluate=False),
    # PyTorch's approximate='tanh': ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    "gelu_tanh": lambda x: sympy.Mul(sympy.Rational(1, 2), x, 1 + sympy.tanh(_ROOT_HALF * (x + _CUBIC * x**3)),
                                     evaluate=False),
    "hardswish": lambda x: _divided(sympy.Mul(x, _hard(x), evaluate=False), sympy.Integer(6)),
    "hardsigmoid": lambda x: _divided(_hard(x), sympy.Integer(6)),
}


def activation_element(function: str) -> Expr:
    """One output element of an activation.

    >>> activation_element("relu6")
    Min(6, Max(0, x[n, c]))
    """
    return ACTIVATIONS[function](_X)


@lru_cache(maxsize=64)
def _activation_ops(function: str) -> Ops:
    """The operations of one output element of an activation (counted once per function)."""
    return count_ops(activation_element(function))


@dataclass(frozen=True)
class Activation(LayerSpec):
    """An elementwise activation (:data:`ACTIVATIONS`): ``relu`` (1 comparison per element), ``relu6`` (2),
    ``identity`` (0, also dropout and stochastic depth at inference), ``leaky_relu``, ``sigmoid``, ``silu``,
    ``tanh``, ``gelu``, ``gelu_tanh``, ``hardswish`` or ``hardsigmoid``."""

    function: str = "relu"

    kind = "activation"

    def __post_init__(self) -> None:
        if self.function not in ACTIVATIONS:
            raise fail(f"unknown activation {self.function!r} (known: {', '.join(ACTIVATIONS)})")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        per = _activation_ops(self.function)
        elements = batch * output.elements
        return Counts(mults=elements * per.mults, adds=elements * per.adds, others=elements * per.others)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return self.function


def softmax_elements(channels: Expr) -> tuple[Expr, Expr, Expr]:
    """Softmax of one vector of ``channels`` entries: each entry's exponential, their sum (once per vector)
    and each output, a quotient.

    >>> softmax_elements(sympy.Integer(3))
    (exp(x[n, c]), Sum(e[n, j], (j, 0, 2)), e[n, c]/S[n])
    """
    n, c, j = index("n"), index("c"), index("j")
    e, total = sympy.IndexedBase("e"), sympy.IndexedBase("S")
    return sympy.exp(_X), sympy.Sum(e[n, j], (j, 0, channels - 1)), e[n, c] / total[n]


@dataclass(frozen=True)
class Softmax(LayerSpec):
    """Softmax over a flat vector (``dim`` None: the input flattened) or along one dimension ``dim`` of the
    input, kept in shape: an exponential and a division per element, ``C − 1`` additions per vector."""

    dim: int | None = None

    kind = "softmax"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        if self.dim is None:
            return Shape(inputs[0].elements, ())
        inputs[0].axis(self.dim)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        channels = output.channels if self.dim is None else output.dims[output.axis(self.dim)]
        exponential, total, quotient = (count_ops(e) for e in softmax_elements(channels))
        per_vector = exponential.scale(channels) + total + quotient.scale(channels)
        vectors = batch * output.elements / channels
        return Counts(mults=vectors * per_vector.mults, adds=vectors * per_vector.adds,
                      others=vectors * per_vector.others)


#: The elementwise operations of two tensors, each as its element (a division is one other operation).
BINARY: dict[str, Callable[[Expr, Expr], Expr]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
}


def binary_element(op: str) -> Expr:
    """One output element of an elementwise operation of two tensors.

    >>> binary_element("mul"), binary_element("div")
    (x[n, c]*y[n, c], x[n, c]/y[n, c])
    """
    return BINARY[op](_X, sympy.IndexedBase("y")[index("n"), index("c")])


def _check_op(op: str) -> None:
    if op not in BINARY:
        raise fail(f"unknown elementwise operation {op!r} (known: {', '.join(BINARY)})")


def _per_element(op: str, elements: Expr) -> Counts:
    per = count_ops(binary_element(op))
    return Counts(mults=elements * per.mults, adds=elements * per.adds, others=elements * per.others)


@dataclass(frozen=True)
class Binary(LayerSpec):
    """An elementwise operation ``op`` (:data:`BINARY`) of two inputs, broadcast against each other (NumPy's
    rule): squeeze-and-excitation's ``x·s``, a gate, a broadcast sum. One operation per output element."""

    op: str = "mul"

    kind = "binary"
    arity = 2

    def __post_init__(self) -> None:
        _check_op(self.op)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return Shape.of(broadcast(inputs[0].dims, inputs[1].dims, self.op))

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return _per_element(self.op, batch * output.elements)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return self.op


@dataclass(frozen=True)
class Scalar(LayerSpec):
    """An elementwise operation ``op`` of the input and a constant number (``x + 3``, ``x/6``, ``0.5·x``)."""

    op: str = "mul"

    kind = "scalar"

    def __post_init__(self) -> None:
        _check_op(self.op)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return _per_element(self.op, batch * output.elements)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"{self.op} constant"


@dataclass(frozen=True)
class Scale(LayerSpec):
    """An elementwise operation ``op`` of the input and a learned tensor of ``shape``, broadcast against it
    (ConvNeXt's layer scale ``γ·x``, a learned bias): the tensor's entries are parameters."""

    shape: tuple[Expr | int, ...] = (1,)
    op: str = "mul"

    kind = "scale"

    def __post_init__(self) -> None:
        _check_op(self.op)
        if isinstance(self.shape, int | sympy.Expr):
            object.__setattr__(self, "shape", (self.shape,))
        object.__setattr__(self, "shape", tuple(as_expr(v, "a size") for v in self.shape))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        dims = broadcast(inputs[0].dims, self.shape, self.op)
        if len(dims) != inputs[0].rank or any(sympy.expand(a - b) != 0 for a, b in zip(dims, inputs[0].dims,
                                                                                         strict=True)):
            raise fail(f"a learned {'×'.join(map(str, self.shape))} tensor would change the shape {inputs[0]}")
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        weight = sympy.IndexedBase("gamma", shape=self.shape)
        element = BINARY[self.op](_X, weight[tuple(index(f"i_{k}") for k in range(len(self.shape)))])
        per = count_ops(element)
        elements = batch * output.elements
        return Counts(params=tensors_read(element, [weight]), mults=elements * per.mults,
                      adds=elements * per.adds, others=elements * per.others)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"{self.op} learned"
