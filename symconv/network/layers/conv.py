"""A convolution in a network: a :class:`symconv.spec.Conv` on the layer's input shape, derived by
:func:`symconv.derive.derive` like any layer variant.

>>> from symconv.network.layers.base import Shape
>>> conv = Conv2d(out=16, kernel=3, stride=2, padding=1)
>>> x = Shape(3, (32, 32))
>>> conv.output((x,)), conv.counts((x,), conv.output((x,)), 1).macs  # 16·16·16 outputs of 3·3·3 products
(Shape(channels=16, size=(16, 16)), 110592)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy

from symconv.counting import tensors_read
from symconv.derive import Derivation, derive
from symconv.elements import element, tensors
from symconv.errors import SpecError
from symconv.geometry import output_size, padding_for, slack, span
from symconv.network.layers.base import Counts, Expr, LayerSpec, Shape, as_expr, fail, int_field, pair, spatial
from symconv.spec import Conv
from symconv.variants import Layer as Variant
from symconv.variants import Stage

__all__ = ["Conv2d", "conv_derivation", "conv_weights", "spatial_out"]


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
            object.__setattr__(self, name, pair(name, getattr(self, name), least, symbolic=name != "stride"))
        if mode is not None:
            try:
                sides = [padding_for(mode, k, d, s) for k, d, s in zip(self.kernel, self.dilation, self.stride,  # type: ignore[arg-type]
                                                                       strict=True)]
            except SpecError as error:
                raise fail(str(error)) from None
            object.__setattr__(self, "padding", tuple(side[0] for side in sides))
            ends = tuple(side[1] for side in sides)
            object.__setattr__(self, "padding_end", ends if ends != self.padding else None)
        symbolic = any(isinstance(v, sympy.Expr) for v in (*self.kernel, *self.padding, *self.dilation))  # type: ignore[misc]
        if symbolic and self.stride != (1, 1):
            raise fail("a symbolic kernel, padding or dilation needs stride 1")
        if isinstance(self.groups, sympy.Expr) and self.groups.is_number:
            object.__setattr__(self, "groups", int(self.groups))
        if isinstance(self.groups, str) and not self.depthwise:
            raise fail(f"groups must be an integer or 'depthwise', not {self.groups!r}")
        if not self.depthwise and not isinstance(self.groups, sympy.Expr):
            int_field("groups", self.groups, 1)
        if self.depthwise and self.out is not None:
            raise fail("a depthwise convolution's output channels are multiplier × input channels: "
                        "give multiplier, not out")
        if not self.depthwise and self.out is None:
            raise fail("a convolution needs out (its output channels)")
        int_field("multiplier", self.multiplier, 1)
        if self.out is not None:
            object.__setattr__(self, "out", as_expr(self.out, "out"))

    def _channels(self, inputs: tuple[Shape, ...]) -> tuple[Expr, Expr, Expr]:
        cin = inputs[0].channels
        if self.depthwise:
            return cin, self.multiplier * cin, cin
        assert self.out is not None
        groups = as_expr(self.groups, "groups")
        for name, value in (("input", cin), ("output", self.out)):
            quotient = value / groups
            if quotient.is_number and not quotient.is_integer:
                raise fail(f"{name} channels {value} are not divisible by groups = {self.groups}")
        return cin, self.out, groups

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        self.check_inputs(inputs)
        spatial(inputs, "a convolution")
        _, cout, _ = self._channels(inputs)
        sizes = []
        for axis, size in enumerate(inputs[0].size):
            k, s, p, d = (getattr(self, name)[axis] for name in ("kernel", "stride", "padding", "dilation"))
            pe = self.pad_end[axis]
            room = slack(size, k, p, d, pe)
            if room.is_number and room < 0:
                raise fail(f"the kernel spans {span(k, d)} inputs, more than the padded input's {size + p + pe}")
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
        return Conv.make(2, {name: as_expr(v, name) for name, v in values.items()})

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        spec = self.spec(inputs, output, batch)
        q = conv_derivation(spec).quantities
        return Counts(params=q["params"], weights=conv_weights(spec), mults=q["mults"], adds=q["adds"], macs=q["macs"])

    def label(self, inputs: tuple[Shape, ...]) -> str:
        k = "×".join(str(v) for v in self.kernel)  # type: ignore[union-attr]
        if self.depthwise:
            return f"conv dw {k}"
        if as_expr(self.groups, "groups") != 1:
            return f"conv {k} grouped"
        return f"conv {k}"


def conv_weights(conv: Conv) -> Expr:
    """The entries of the weight tensor the convolution's element reads (its bias aside)."""
    t = tensors(conv)
    _, rhs = element(conv, t)
    return tensors_read(rhs, [t.w]).xreplace({d.symbol: d.value for d in conv.definitions})


@lru_cache(maxsize=4096)
def conv_derivation(conv: Conv) -> Derivation:
    """The derivation of one convolution (cached: a network repeats its layers)."""
    title = "Depthwise convolution" if conv.in_per_group == 1 and conv.groups != 1 else "Convolution"
    return derive(Variant("grouped" if conv.groups != 1 else "standard", title, (Stage("conv", conv),)))
