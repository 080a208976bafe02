"""What every network layer shares: the shape of its activations, what it costs, and the layer interface.

>>> x = Shape(3, (32, 32))
>>> x.elements, str(x)
(3072, '3×32×32')
>>> (Counts(mults=2, adds=1) + Counts(adds=3)).flops("exact")
6
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import sympy

from symconv.conventions import Convention
from symconv.errors import NetworkError
from symconv.parsing import parse_text
from symconv.quantities import NETWORK

__all__ = [
    "CONVENTIONS",
    "COUNTS",
    "IN_CHANNELS",
    "ZERO",
    "Counts",
    "Expr",
    "LayerSpec",
    "Shape",
    "as_expr",
    "fail",
    "int_field",
    "network_convention",
    "pair",
    "spatial",
]

Expr: TypeAlias = sympy.Expr
ZERO = sympy.Integer(0)

#: In a layer's fields, the channels of the layer's input (``out = 6*in_channels``: an expansion by 6).
IN_CHANNELS = sympy.Symbol("in_channels", integer=True, positive=True)

#: The conventions a network's FLOPs can be counted in (see :meth:`Counts.flops`).
CONVENTIONS = ("exact", "macs", "2macs")

#: The counts of a layer, network or total, in the order they are printed.
COUNTS = NETWORK


@dataclass(frozen=True)
class Shape:
    """The shape of one sample's activations: channels, then the spatial sizes (``()`` once flattened)."""

    channels: Expr
    size: tuple[Expr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", as_expr(self.channels, "channels"))
        object.__setattr__(self, "size", tuple(as_expr(s, "a size") for s in self.size))

    @property
    def elements(self) -> Expr:
        """Entries per sample: channels times the spatial sizes."""
        return sympy.Mul(self.channels, *self.size)

    def xreplace(self, subs: dict[sympy.Basic, Expr]) -> Shape:
        return Shape(self.channels.xreplace(subs), tuple(s.xreplace(subs) for s in self.size))

    def __str__(self) -> str:
        return "×".join(str(v) for v in (self.channels, *self.size))


@dataclass(frozen=True)
class Counts:
    """What a layer costs: learnable parameters, buffers (batch norm's running statistics), the weights of
    convolutions and fully connected layers alone (no bias, no batch norm: the parameters papers count), the
    multiplications, additions and other operations (comparisons, square roots, divisions, exponentials)
    one forward pass performs, and the multiply-accumulates of convolutions and fully connected layers."""

    params: Expr = ZERO
    buffers: Expr = ZERO
    weights: Expr = ZERO
    mults: Expr = ZERO
    adds: Expr = ZERO
    others: Expr = ZERO
    macs: Expr = ZERO

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, n) + getattr(other, n) for n in COUNTS))

    def map(self, f: Callable[[Expr], Expr]) -> Counts:
        return Counts(*(f(getattr(self, n)) for n in COUNTS))

    def flops(self, convention: Convention | str) -> Expr:
        """FLOPs in a convention (:meth:`symconv.conventions.Convention.of`): ``exact`` = every operation
        (mults + adds + others), ``macs`` = the multiply-accumulates of convolutions and fully connected
        layers, ``2macs`` = twice that."""
        total = as_expr(network_convention(convention).of({n: as_expr(getattr(self, n), n) for n in COUNTS}))
        return total if total.is_number else sympy.factor_terms(sympy.expand(total))

    def as_dict(self, convention: Convention | str) -> dict[str, Expr]:
        data = {n: getattr(self, n) for n in COUNTS}
        data["flops"] = self.flops(convention)
        return data


def as_expr(value: object, what: str = "a size") -> Expr:
    """A user's value as an expression: an int, a SymPy expression, or a formula in text read by
    :func:`symconv.parsing.parse_text` (never evaluated).

    >>> as_expr(3), as_expr("3/4"), as_expr("0.5")
    (3, 3/4, 1/2)
    """
    if isinstance(value, sympy.Basic):
        return value  # type: ignore[return-value]
    if isinstance(value, int) and not isinstance(value, bool):
        return sympy.Integer(value)
    if isinstance(value, str):
        return parse_text(value, allow_new=False)
    raise NetworkError(f"{what} must be an integer, a SymPy expression or a formula, not {value!r}")


def network_convention(name: Convention | str) -> Convention:
    """A convention a network can be counted in (:data:`CONVENTIONS`)."""
    convention = Convention.parse(name)
    if convention.value not in CONVENTIONS:
        raise NetworkError(f"a network's FLOPs are counted in {', '.join(CONVENTIONS)}, not {convention.value!r}")
    return convention


def fail(problem: str) -> NetworkError:
    return NetworkError(problem)


def int_field(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"{name} must be an integer, not {value!r}")
    if value < least:
        raise fail(f"{name} must be at least {least}, not {value}")
    return value


def pair(name: str, value: object, least: int, symbolic: bool = False) -> tuple[Any, Any]:
    """An int or a (height, width) pair of ints; with ``symbolic``, also SymPy expressions of symbols."""
    values = tuple(value) if isinstance(value, Sequence) else (value, value)
    if len(values) != 2:
        raise fail(f"{name} must be an integer or two integers (height, width), not {value!r}")

    def one(v: object) -> Any:
        if isinstance(v, sympy.Expr) and v.is_Integer:
            v = int(v)
        if symbolic and isinstance(v, sympy.Expr) and not v.is_number:
            return v
        return int_field(name, v, least)

    return (one(values[0]), one(values[1]))


class LayerSpec:
    """A layer: ``output(inputs)`` is its output shape, ``counts(inputs, output, batch)`` what it costs."""

    kind = "layer"
    arity = 1  # inputs it takes; 0 means two or more

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        raise NotImplementedError

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        raise NotImplementedError

    def label(self, inputs: tuple[Shape, ...]) -> str:
        """The layer's type as tables print it (``conv 3×3``, ``conv dw 3×3``, ``fc``)."""
        return self.kind

    def strides(self) -> tuple[int, ...]:
        """The strides whose divisibility the symbolic output size assumes (none for most layers)."""
        return ()

    def check_inputs(self, inputs: tuple[Shape, ...]) -> None:
        if self.arity and len(inputs) != self.arity:
            raise fail(f"takes {self.arity} input{'s' if self.arity > 1 else ''}, not {len(inputs)}")
        if not self.arity and len(inputs) < 2:
            raise fail(f"takes two or more inputs, not {len(inputs)}")


def spatial(inputs: tuple[Shape, ...], what: str) -> tuple[Expr, Expr]:
    """The (height, width) of a layer's one input, refused unless it is 2-D."""
    size = inputs[0].size
    if len(size) != 2:
        raise fail(f"{what} needs a 2-D input (channels × height × width), not {inputs[0]}")
    return size[0], size[1]
