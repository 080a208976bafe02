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
    "broadcast",
    "fail",
    "grouped",
    "int_field",
    "network_convention",
    "pair",
    "per_axis",
    "spatial",
    "spatial_axes",
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
    """The shape of one sample's activations: channels, then the spatial sizes (``()`` once flattened).

    Any tensor of one sample is a shape: its first dimension is ``channels``, the rest ``size`` (a
    channels-last ``H×W×C`` map has ``channels = H``; :meth:`of` and :attr:`dims` read it as dimensions).

    >>> Shape.of((7, 7, 96)).dims, Shape.of((7, 7, 96)).rank
    ((7, 7, 96), 3)
    """

    channels: Expr
    size: tuple[Expr, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", as_expr(self.channels, "channels"))
        if not isinstance(self.size, tuple | list) or len(self.size) >= MAX_RANK:  # measured before it is read
            raise fail(f"a shape's size must be a tuple of fewer than {MAX_RANK} sizes, not {_short(self.size)}")
        object.__setattr__(self, "size", tuple(as_expr(s, "a size") for s in self.size))

    @classmethod
    def of(cls, dims: Sequence[Expr | int]) -> Shape:
        """The shape of dimensions ``dims`` (at least one)."""
        if not dims:
            raise fail("a tensor of one sample has at least one dimension")
        return cls(dims[0], tuple(dims[1:]))  # type: ignore[arg-type]

    @property
    def dims(self) -> tuple[Expr, ...]:
        """Every dimension, channels first."""
        return (self.channels, *self.size)

    @property
    def rank(self) -> int:
        return 1 + len(self.size)

    def axis(self, dim: int) -> int:
        """A dimension's position, counted from the end when negative (``-1`` is the last)."""
        if not -self.rank <= dim < self.rank:
            raise fail(f"dimension {dim} is out of range for a {self.rank}-dimensional {self}")
        return dim % self.rank

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


def grouped(shape: Shape, groups: Expr | int) -> Shape:
    """``shape``, refused unless its channels split into ``groups`` equal groups."""
    quotient = shape.channels / groups
    if quotient.is_number and not quotient.is_integer:
        raise fail(f"channels {shape.channels} are not divisible by groups = {groups}")
    return shape


def int_field(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"{name} must be an integer, not {value!r}")
    if value < least:
        raise fail(f"{name} must be at least {least}, not {value}")
    return value


def pair(name: str, value: object, least: int, symbolic: bool = False) -> tuple[Any, Any]:
    """An int or a (height, width) pair of ints; with ``symbolic``, also SymPy expressions of symbols."""
    return per_axis(name, value, least, 2, symbolic)  # type: ignore[return-value]


#: A tensor of one sample has fewer dimensions than this: more is no network's, and a longer size is refused
#: before it is read (range(10**9)).
MAX_RANK = 64


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def per_axis(name: str, value: object, least: int, dims: int, symbolic: bool = False) -> tuple[Any, ...]:
    """An int or ``dims`` ints, one per spatial axis; with ``symbolic``, also SymPy expressions of symbols.

    >>> per_axis("kernel", 3, 1, 3), per_axis("stride", [2, 1], 1, 2)
    ((3, 3, 3), (2, 1))
    """
    if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= 3:
        raise fail(f"a layer has 1, 2 or 3 spatial axes, not {dims!r}")
    many = isinstance(value, Sequence) and not isinstance(value, str)
    if many and len(value) != dims:  # type: ignore[arg-type]  # measured before it is copied: range(10**9)
        what = "two integers (height, width)" if dims == 2 else f"{dims} integers, one per axis"
        raise fail(f"{name} must be an integer or {what}, not {_short(value)}")
    values = tuple(value) if many else (value,) * dims  # type: ignore[arg-type]

    def one(v: object) -> Any:
        if isinstance(v, sympy.Expr) and v.is_Integer:
            v = int(v)
        if symbolic and isinstance(v, sympy.Expr) and not v.is_number:
            return v
        return int_field(name, v, least)

    return tuple(one(v) for v in values)


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


def spatial_axes(inputs: tuple[Shape, ...], what: str, dims: int) -> tuple[Expr, ...]:
    """The spatial sizes of a layer's one input, refused unless it has ``dims`` of them."""
    size = inputs[0].size
    if len(size) != dims:
        axes = {1: "length", 2: "height × width", 3: "depth × height × width"}[dims]
        raise fail(f"{what} needs a {dims}-D input (channels × {axes}), not {inputs[0]}")
    return size


def spatial(inputs: tuple[Shape, ...], what: str) -> tuple[Expr, Expr]:
    """The (height, width) of a layer's one input, refused unless it is 2-D."""
    size = inputs[0].size
    if len(size) != 2:
        raise fail(f"{what} needs a 2-D input (channels × height × width), not {inputs[0]}")
    return size[0], size[1]


def broadcast(a: Sequence[Expr], b: Sequence[Expr], what: str) -> tuple[Expr, ...]:
    """The broadcast of two shapes' dimensions, aligned at the end (NumPy's and PyTorch's rule): each pair
    equal, or one of them 1.

    >>> broadcast((96, 1, 1), (96, 14, 14), "mul"), broadcast((96,), (7, 7, 96), "mul")
    ((96, 14, 14), (7, 7, 96))
    """
    a, b = tuple(as_expr(v) for v in a), tuple(as_expr(v) for v in b)
    width = max(len(a), len(b))
    a = (sympy.Integer(1),) * (width - len(a)) + a
    b = (sympy.Integer(1),) * (width - len(b)) + b
    dims = []
    for x, y in zip(a, b, strict=True):
        if x == 1 or sympy.expand(x - y) == 0:
            dims.append(y)
        elif y == 1:
            dims.append(x)
        else:
            raise fail(f"{what} cannot broadcast {'×'.join(map(str, a))} with {'×'.join(map(str, b))}")
    return tuple(dims)
