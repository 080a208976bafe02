"""The layers of a network and their exact counts.

A layer maps input shapes to an output shape and knows what one forward pass of it costs. Convolutions are
built as :class:`symconv.spec.Conv` specs and derived by :func:`symconv.derive`; every other layer derives its
counts from the expression of one output element (:func:`symconv.derive.count_ops`) or, for the operations
that are neither a multiplication nor an addition (comparisons, square roots, divisions, exponentials), from
an explicit per-element model. :mod:`symconv.network.direct` computes each layer for real and counts the same
operations; the tests compare the two.

>>> from symconv.network.layers import Shape, Linear
>>> fc = Linear(out=1000)
>>> x = Shape(1024, (1, 1))
>>> fc.output((x,))
Shape(channels=1000, size=())
>>> c = fc.counts((x,), fc.output((x,)), 1)
>>> c.params, c.mults, c.adds, c.macs  # 1024·1000 + 1000, and 1000 sums of 1024 products plus a bias
(1025000, 1024000, 1024000, 1024000)

**What each layer counts** (per forward pass; ``E`` is the number of output elements):

=================  ==========================================================================================
layer              operations
=================  ==========================================================================================
conv               :func:`symconv.derive`: ``K`` products and ``K − 1 + b`` additions per output element
linear             ``F`` products and ``F − 1 + b`` additions per output (``F`` input features)
batchnorm          per channel ``a = γ / sqrt(σ² + ε)``, ``s = β − μ·a`` (2 mults, 2 adds, a square root
                   and a division), then per element ``x·a + s`` (1 mult, 1 add); PyTorch's CPU inference
                   kernel computes it this way
relu / relu6       1 / 2 comparisons per element (``max(x, 0)``, ``min(max(x, 0), 6)``)
softmax            per element an exponential and a division, per vector ``C − 1`` additions
maxpool            ``k_h·k_w − 1`` comparisons per output, the window read over the input padded with −∞
avgpool            ``k_h·k_w − 1`` additions and 1 multiplication (by ``1/(k_h k_w)``, padding included)
global avgpool     ``H·W − 1`` additions and 1 multiplication per channel
add                1 addition per element; concat and shuffle move data and compute nothing
=================  ==========================================================================================

``macs`` counts the products of convolutions and fully connected layers only (no bias, batch norm,
activation or pooling): the "mult-adds" of papers and torchvision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

import sympy

from symconv.conventions import Convention
from symconv.counting import count_ops
from symconv.derive import Derivation, derive
from symconv.errors import SpecError, SymconvError
from symconv.geometry import output_size, padding_for, slack, span
from symconv.parsing import parse_text
from symconv.quantities import NETWORK
from symconv.spec import Conv
from symconv.symbols import index
from symconv.variants import Layer as Variant
from symconv.variants import Stage

__all__ = [
    "CONVENTIONS",
    "COUNTS",
    "IN_CHANNELS",
    "Activation",
    "Add",
    "AvgPool",
    "BatchNorm",
    "Concat",
    "Conv2d",
    "Counts",
    "GlobalAvgPool",
    "LayerSpec",
    "Linear",
    "MaxPool",
    "NetworkError",
    "Shape",
    "Shuffle",
    "Softmax",
    "as_expr",
    "conv_derivation",
    "network_convention",
    "spatial_out",
]

Expr: TypeAlias = sympy.Expr
ZERO = sympy.Integer(0)

#: In a layer's fields, the channels of the layer's input (``out = 6*in_channels``: an expansion by 6).
IN_CHANNELS = sympy.Symbol("in_channels", integer=True, positive=True)

#: The conventions a network's FLOPs can be counted in (see :meth:`Counts.flops`).
CONVENTIONS = ("exact", "macs", "2macs")

#: The counts of a layer, network or total, in the order they are printed.
COUNTS = NETWORK


class NetworkError(SymconvError):
    """A network that cannot be built: an unknown layer type or field, a missing field, shapes that do not
    fit. The message names the file (when there is one), the layer and the problem."""


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

    def map(self, f) -> Counts:  # type: ignore[no-untyped-def]
        return Counts(*(f(getattr(self, n)) for n in COUNTS))

    def flops(self, convention: Convention | str) -> Expr:
        """FLOPs in a convention: ``exact`` = every operation (mults + adds + others), ``macs`` = the
        multiply-accumulates of convolutions and fully connected layers, ``2macs`` = twice that."""
        convention = network_convention(convention)
        if convention is Convention.EXACT:
            total = sympy.sympify(self.mults + self.adds + self.others)
        elif convention is Convention.MACS:
            total = sympy.sympify(self.macs)
        else:
            total = sympy.sympify(2 * self.macs)
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


def _fail(problem: str) -> NetworkError:
    return NetworkError(problem)


def _int_field(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"{name} must be an integer, not {value!r}")
    if value < least:
        raise _fail(f"{name} must be at least {least}, not {value}")
    return value


def _pair(name: str, value: object, least: int, symbolic: bool = False) -> tuple[Any, Any]:
    """An int or a (height, width) pair of ints; with ``symbolic``, also SymPy expressions of symbols."""
    values = tuple(value) if isinstance(value, Sequence) else (value, value)
    if len(values) != 2:
        raise _fail(f"{name} must be an integer or two integers (height, width), not {value!r}")

    def one(v: object) -> Any:
        if isinstance(v, sympy.Expr) and v.is_Integer:
            v = int(v)
        if symbolic and isinstance(v, sympy.Expr) and not v.is_number:
            return v
        return _int_field(name, v, least)

    return (one(values[0]), one(values[1]))


def _is_integer(expr: Expr) -> bool:
    return bool(expr.is_number and expr.is_integer)


def spatial_out(size: Expr, kernel: Expr | int, stride: int, padding: Expr | int, dilation: Expr | int = 1,
                padding_end: Expr | int | None = None) -> Expr:
    """The output size along one axis (:func:`symconv.geometry.output_size`), exactly.

    A numeric size gives the floor's value. A symbolic size gives the relation where ``size`` is a multiple
    ``s q`` of the stride: then the integer ``q`` leaves the floor. The network records that condition
    (:attr:`symconv.network.graph.Analysis.conditions`) and evaluation checks it.

    >>> from sympy import Symbol
    >>> H = Symbol("H", positive=True)
    >>> spatial_out(224, 3, 2, 1), spatial_out(H, 3, 2, 1), spatial_out(H, 3, 1, 1), spatial_out(H, 1, 1, 0)
    (112, H/2, H, H)
    """
    size = as_expr(size)
    if size.is_number:
        return output_size(size, kernel, stride, padding, dilation, padding_end)
    q = sympy.Dummy("q", integer=True, positive=True)
    relation = output_size(stride * q, kernel, stride, padding, dilation, padding_end)
    return sympy.expand(relation.xreplace({q: size / stride}))


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
            raise _fail(f"takes {self.arity} input{'s' if self.arity > 1 else ''}, not {len(inputs)}")
        if not self.arity and len(inputs) < 2:
            raise _fail(f"takes two or more inputs, not {len(inputs)}")


def _spatial(inputs: tuple[Shape, ...], what: str) -> tuple[Expr, Expr]:
    size = inputs[0].size
    if len(size) != 2:
        raise _fail(f"{what} needs a 2-D input (channels × height × width), not {inputs[0]}")
    return size[0], size[1]


# ------------------------------------------------------------------------------------------- convolution


@dataclass(frozen=True)
class Conv2d(LayerSpec):
    """A 2-D convolution: ``out`` channels (an expression), ``kernel``, ``stride``, ``padding``, ``dilation``
    (an int or a pair), ``groups`` (an int or a symbolic expression, or ``"depthwise"`` for one group per input
    channel, with
    ``out`` then a multiple of the input channels) and ``bias``."""

    out: Expr | int | None = None
    kernel: int | tuple[int, int] = 3
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int] | str = 0
    dilation: int | tuple[int, int] = 1
    groups: int | str | Expr = 1
    bias: bool = False
    multiplier: int = 1
    #: The padding at the end of each axis when it differs from ``padding`` (a ``same`` kernel of even reach).
    padding_end: tuple[Any, Any] | None = None

    kind = "conv"

    @property
    def depthwise(self) -> bool:
        return isinstance(self.groups, str) and self.groups == "depthwise"

    def __post_init__(self) -> None:
        mode = self.padding if isinstance(self.padding, str) else None
        if mode is not None:
            object.__setattr__(self, "padding", 0)
        for name, least in (("kernel", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            object.__setattr__(self, name, _pair(name, getattr(self, name), least, symbolic=name != "stride"))
        if mode is not None:
            try:
                sides = [padding_for(mode, k, d, s) for k, d, s in zip(self.kernel, self.dilation, self.stride,  # type: ignore[arg-type]
                                                                       strict=True)]
            except SpecError as error:
                raise _fail(str(error)) from None
            object.__setattr__(self, "padding", tuple(side[0] for side in sides))
            ends = tuple(side[1] for side in sides)
            object.__setattr__(self, "padding_end", ends if ends != self.padding else None)
        symbolic = any(isinstance(v, sympy.Expr) for v in (*self.kernel, *self.padding, *self.dilation))  # type: ignore[misc]
        if symbolic and self.stride != (1, 1):
            raise _fail("a symbolic kernel, padding or dilation needs stride 1")
        if isinstance(self.groups, sympy.Expr) and self.groups.is_number:
            object.__setattr__(self, "groups", int(self.groups))
        if isinstance(self.groups, str) and not self.depthwise:
            raise _fail(f"groups must be an integer or 'depthwise', not {self.groups!r}")
        if not self.depthwise and not isinstance(self.groups, sympy.Expr):
            _int_field("groups", self.groups, 1)
        if self.depthwise and self.out is not None:
            raise _fail("a depthwise convolution's output channels are multiplier × input channels: "
                        "give multiplier, not out")
        if not self.depthwise and self.out is None:
            raise _fail("a convolution needs out (its output channels)")
        _int_field("multiplier", self.multiplier, 1)
        if self.out is not None:
            object.__setattr__(self, "out", as_expr(self.out, "out"))

    def _channels(self, inputs: tuple[Shape, ...]) -> tuple[Expr, Expr, Expr]:
        cin = inputs[0].channels
        if self.depthwise:
            return cin, self.multiplier * cin, cin
        assert self.out is not None
        groups = sympy.sympify(self.groups)
        for name, value in (("input", cin), ("output", self.out)):
            quotient = value / groups
            if quotient.is_number and not quotient.is_integer:
                raise _fail(f"{name} channels {value} are not divisible by groups = {self.groups}")
        return cin, self.out, groups

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        _spatial(inputs, "a convolution")
        _, cout, _ = self._channels(inputs)
        sizes = []
        for axis, size in enumerate(inputs[0].size):
            k, s, p, d = (getattr(self, name)[axis] for name in ("kernel", "stride", "padding", "dilation"))
            pe = self.pad_end[axis]
            room = slack(size, k, p, d, pe)
            if room.is_number and room < 0:
                raise _fail(f"the kernel spans {span(k, d)} inputs, more than the padded input's {size + p + pe}")
            sizes.append(spatial_out(size, k, s, p, d, pe))
        return Shape(cout, tuple(sizes))

    def strides(self) -> tuple[int, ...]:
        return tuple(self.stride)  # type: ignore[arg-type]

    @property
    def pad_end(self) -> tuple[Any, Any]:
        """The padding at the end of each axis."""
        return self.padding if self.padding_end is None else self.padding_end  # type: ignore[return-value]

    def spec(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Conv:
        """The :class:`~symconv.spec.Conv` of this layer on these shapes."""
        cin, cout, groups = self._channels(inputs)
        k, s, p, d = self.kernel, self.stride, self.padding, self.dilation
        values = {
            "N": batch, "C_in": cin, "C_out": cout, "g": groups, "b": sympy.Integer(int(self.bias)),
            "H_in": inputs[0].size[0], "W_in": inputs[0].size[1],
            "H_out": output.size[0], "W_out": output.size[1],
            "k_h": k[0], "k_w": k[1], "s_h": s[0], "s_w": s[1],  # type: ignore[index]
            "p_h": p[0], "p_w": p[1], "d_h": d[0], "d_w": d[1],  # type: ignore[index]
        }
        if self.padding_end is not None:
            values |= {"pe_h": self.padding_end[0], "pe_w": self.padding_end[1]}
        return Conv.make(2, {name: sympy.sympify(v) for name, v in values.items()})

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        spec = self.spec(inputs, output, batch)
        q = conv_derivation(spec).quantities
        weights = conv_derivation(spec.replace(bias=0)).quantities["params"]
        return Counts(params=q["params"], weights=weights, mults=q["mults"], adds=q["adds"], macs=q["macs"])

    def label(self, inputs: tuple[Shape, ...]) -> str:
        k = "×".join(str(v) for v in self.kernel)  # type: ignore[union-attr]
        if self.depthwise:
            return f"conv dw {k}"
        if sympy.sympify(self.groups) != 1:
            return f"conv {k} grouped"
        return f"conv {k}"


@lru_cache(maxsize=4096)
def conv_derivation(conv: Conv) -> Derivation:
    """The derivation of one convolution (cached: a network repeats its layers)."""
    title = "Depthwise convolution" if conv.in_per_group == 1 and conv.groups != 1 else "Convolution"
    return derive(Variant("grouped" if conv.groups != 1 else "standard", title, (Stage("conv", conv),)))


# ----------------------------------------------------------------------------------------- fully connected


@dataclass(frozen=True)
class Linear(LayerSpec):
    """A fully connected layer on the flattened input: ``out`` features, with a bias by default."""

    out: Expr | int = 1
    bias: bool = True

    kind = "fc"

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", as_expr(self.out, "out"))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return Shape(self.out, ())

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        features = inputs[0].elements
        per = count_ops(linear_element(features, self.bias))
        outputs = batch * self.out
        return Counts(params=self.out * features + int(self.bias) * self.out, weights=self.out * features,
                      mults=outputs * per.mults, adds=outputs * per.adds, macs=outputs * features)


def linear_element(features: Expr, bias: bool) -> Expr:
    """One output of a fully connected layer: ``Σ_i W[o, i]·x[n, i] (+ β[o])``.

    >>> linear_element(sympy.Integer(4), True)
    beta[o] + Sum(W[o, i]*x[n, i], (i, 0, 3))
    """
    n, o, i = index("n"), index("o"), index("i")
    W, x, beta = sympy.IndexedBase("W"), sympy.IndexedBase("x"), sympy.IndexedBase("beta")
    return sympy.Sum(W[o, i] * x[n, i], (i, 0, features - 1)) + (beta[o] if bias else 0)


# -------------------------------------------------------------------------------------------- batch norm


@dataclass(frozen=True)
class BatchNorm(LayerSpec):
    """Batch normalisation at inference: learnable ``γ, β`` (when ``affine``) and the running ``μ, σ²``
    (buffers; PyTorch's ``num_batches_tracked`` is one more)."""

    affine: bool = True
    track_batches: bool = True

    kind = "batchnorm"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        channels = inputs[0].channels
        per_channel, per_element = batchnorm_elements()
        channel_ops = sum((count_ops(e) for e in per_channel[1:]), count_ops(per_channel[0]))
        element_ops = count_ops(per_element)
        elements = batch * output.elements
        return Counts(
            params=2 * channels if self.affine else ZERO,
            buffers=2 * channels + int(self.track_batches),
            mults=channels * channel_ops.mults + elements * element_ops.mults,
            adds=channels * channel_ops.adds + elements * element_ops.adds,
            others=2 * channels,  # the square root and the division of 1/sqrt(σ² + ε), per channel
            macs=ZERO,
        )


def batchnorm_elements() -> tuple[tuple[Expr, ...], Expr]:
    """The per-channel terms (``σ² + ε``, ``γ·r``, ``β + ν·a`` with ``r = 1/sqrt(σ² + ε)``, ``ν = −μ``: a sign
    fuses into the addition) and the per-element ``x·a + s``.

    >>> per_channel, per_element = batchnorm_elements()
    >>> per_channel, per_element
    ((epsilon + var[c], gamma[c]*r[c], a[c]*nu[c] + beta[c]), a[c]*x[n, c, u, v] + s[c])
    """
    n, c, u, v = (index(name) for name in "ncuv")
    base = sympy.IndexedBase
    eps = sympy.Symbol("epsilon", positive=True)
    per_channel = (base("var")[c] + eps, base("gamma")[c] * base("r")[c],
                   base("beta")[c] + base("nu")[c] * base("a")[c])
    return per_channel, base("x")[n, c, u, v] * base("a")[c] + base("s")[c]


# ------------------------------------------------------------------------------------------- activations


@dataclass(frozen=True)
class Activation(LayerSpec):
    """An elementwise activation: ``relu`` (1 comparison per element), ``relu6`` (2) or ``identity`` (0)."""

    function: str = "relu"

    kind = "activation"

    _COMPARISONS = {"relu": 1, "relu6": 2, "identity": 0}  # noqa: RUF012

    def __post_init__(self) -> None:
        if self.function not in self._COMPARISONS:
            raise _fail(f"unknown activation {self.function!r} (known: {', '.join(self._COMPARISONS)})")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts(others=self._COMPARISONS[self.function] * batch * output.elements)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return self.function


@dataclass(frozen=True)
class Softmax(LayerSpec):
    """Softmax over a flat vector: an exponential and a division per element, ``C − 1`` additions."""

    kind = "softmax"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        return Shape(inputs[0].elements, ())

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        c = index("c")
        total = count_ops(sympy.Sum(sympy.IndexedBase("e")[c], (c, 0, output.channels - 1)))
        return Counts(adds=batch * total.adds, others=2 * batch * output.channels)


# ---------------------------------------------------------------------------------------------- pooling


@dataclass(frozen=True)
class _Pool(LayerSpec):
    kernel: int | tuple[int, int] = 2
    stride: int | tuple[int, int] | None = None
    padding: int | tuple[int, int] = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kernel", _pair("kernel", self.kernel, 1))
        object.__setattr__(self, "stride", _pair("stride", self.stride if self.stride is not None
                                                 else self.kernel, 1))
        object.__setattr__(self, "padding", _pair("padding", self.padding, 0))
        for axis in range(2):
            if 2 * self.padding[axis] > self.kernel[axis]:  # type: ignore[index]
                raise _fail("padding must be at most half the kernel")

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        _spatial(inputs, "pooling")
        sizes = []
        for axis, size in enumerate(inputs[0].size):
            k, s, p = self.kernel[axis], self.stride[axis], self.padding[axis]  # type: ignore[index]
            room = slack(size, k, p, 1)
            if room.is_number and room < 0:
                raise _fail(f"the window spans {k} inputs, more than the padded input's {size + 2 * p}")
            sizes.append(spatial_out(size, k, s, p))
        return Shape(inputs[0].channels, tuple(sizes))

    def strides(self) -> tuple[int, ...]:
        return tuple(self.stride)  # type: ignore[arg-type]

    def window(self) -> Expr:
        return sympy.Integer(self.kernel[0] * self.kernel[1])  # type: ignore[index]

    def label(self, inputs: tuple[Shape, ...]) -> str:
        return f"{self.kind} {self.kernel[0]}×{self.kernel[1]}"  # type: ignore[index]


@dataclass(frozen=True)
class MaxPool(_Pool):
    """Max pooling: ``k_h·k_w − 1`` comparisons per output, over the input padded with −∞."""

    kind = "maxpool"

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts(others=batch * output.elements * (self.window() - 1))


@dataclass(frozen=True)
class AvgPool(_Pool):
    """Average pooling: a sum of the window and one multiplication by ``1/(k_h k_w)`` (padding included in
    the divisor, PyTorch's ``count_include_pad=True``)."""

    kind = "avgpool"

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        per = count_ops(average_element(self.window()))
        return Counts(mults=batch * output.elements * per.mults, adds=batch * output.elements * per.adds)


def average_element(window: Expr) -> Expr:
    """One output of an average: ``r·Σ_j x[j]``, ``r = 1/(window size)`` a constant.

    >>> average_element(sympy.Integer(9))
    r*Sum(x[n, c, j], (j, 0, 8))
    """
    n, c, j = index("n"), index("c"), index("j")
    return sympy.Symbol("r", positive=True) * sympy.Sum(sympy.IndexedBase("x")[n, c, j], (j, 0, window - 1))


@dataclass(frozen=True)
class GlobalAvgPool(LayerSpec):
    """The average of each channel over every position (output ``C × 1 × 1``)."""

    kind = "global avgpool"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        _spatial(inputs, "global pooling")
        return Shape(inputs[0].channels, (sympy.Integer(1), sympy.Integer(1)))

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        h, w = inputs[0].size
        per = count_ops(average_element(h * w))
        outputs = batch * inputs[0].channels
        return Counts(mults=outputs * per.mults, adds=outputs * per.adds)


# ------------------------------------------------------------------------------------- joins and shuffles


def _same(shapes: Sequence[Shape], what: str, channels: bool) -> None:
    first = shapes[0]
    for shape in shapes[1:]:
        differ = sympy.expand(shape.channels - first.channels) != 0 if channels else False
        if differ or len(shape.size) != len(first.size) or any(
                sympy.expand(a - b) != 0 for a, b in zip(shape.size, first.size, strict=True)):
            raise _fail(f"{what} needs inputs of the same {'shape' if channels else 'spatial size'}, "
                        f"not {' and '.join(str(s) for s in shapes)}")


@dataclass(frozen=True)
class Add(LayerSpec):
    """The elementwise sum of two or more inputs of one shape (a residual connection)."""

    kind = "add"
    arity = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        _same(inputs, "add", channels=True)
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        terms = sympy.Add(*(sympy.IndexedBase(f"x{i}")[index("n")] for i in range(len(inputs))))
        return Counts(adds=batch * output.elements * count_ops(terms).adds)


@dataclass(frozen=True)
class Concat(LayerSpec):
    """Inputs of one spatial size stacked along the channels: data movement, no operation."""

    kind = "concat"
    arity = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        _same(inputs, "concat", channels=False)
        return Shape(sympy.Add(*(s.channels for s in inputs)), inputs[0].size)

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()


@dataclass(frozen=True)
class Shuffle(LayerSpec):
    """ShuffleNet's channel shuffle with ``groups`` groups: a permutation, no operation."""

    groups: int | Expr = 1

    kind = "shuffle"

    def __post_init__(self) -> None:
        if isinstance(self.groups, sympy.Expr) and self.groups.is_number:
            object.__setattr__(self, "groups", int(self.groups))
        if not isinstance(self.groups, sympy.Expr):
            _int_field("groups", self.groups, 1)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        quotient = inputs[0].channels / self.groups
        if quotient.is_number and not quotient.is_integer:
            raise _fail(f"channels {inputs[0].channels} are not divisible by groups = {self.groups}")
        return inputs[0]

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        return Counts()


def is_integer(expr: Expr) -> bool:
    return _is_integer(expr)
