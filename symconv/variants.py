"""The catalogue of convolution variants: standard, grouped, depthwise, pointwise and depthwise separable.

A variant is a :class:`Layer`: one or more convolution stages applied in sequence. Each constructor starts from
the documented symbols and takes ``values`` (substitutions, as ``--set`` gives them) and ``bias`` (``None``
keeps the flag ``b`` symbolic; ``True``/``False`` fix it).

>>> layer = separable(2, values={"m": 1})
>>> [stage.name for stage in layer.stages]
['depthwise', 'pointwise']
>>> layer.stages[1].conv.in_channels
C_in
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import sympy

from symconv.errors import UnknownVariantError
from symconv.spec import Conv, Values, resolve_values
from symconv.symbols import axes, sym

__all__ = [
    "VARIANTS",
    "Layer",
    "Stage",
    "depthwise",
    "grouped",
    "make",
    "pointwise",
    "separable",
    "standard",
]


@dataclass(frozen=True)
class Stage:
    """One convolution of a layer, with a short name for the steps that derive it."""

    name: str
    conv: Conv


@dataclass(frozen=True)
class Layer:
    """A named variant: its stages, applied in order, and the symbols it was built from."""

    variant: str
    title: str
    stages: tuple[Stage, ...]

    @property
    def dims(self) -> int:
        return self.stages[0].conv.dims

    @property
    def free_symbols(self) -> frozenset[sympy.Symbol]:
        return frozenset().union(*(stage.conv.free_symbols for stage in self.stages))

    def substitute(self, values: Values) -> Layer:
        """The same layer with ``values`` put in for symbols in every stage, each stage checked again.

        An output size a stage computes from its input size carries over to the stages that read it.
        """
        subs = resolve_values(values)
        stages = []
        for stage in self.stages:
            conv = stage.conv.substitute(subs)
            for before, after in zip(stage.conv.out_size, conv.out_size, strict=True):
                if isinstance(before, sympy.Symbol) and before != after:
                    subs.setdefault(before, after)
            stages.append(replace(stage, conv=conv))
        return replace(self, stages=tuple(stages))


def _bias_values(values: Values | None, bias: bool | None) -> dict[sympy.Symbol, sympy.Expr]:
    subs = resolve_values(values)
    if bias is not None:
        subs[sym("b")] = sympy.Integer(int(bias))
    return subs


def standard(dims: int = 2, values: Values | None = None, bias: bool | None = None) -> Layer:
    """A standard convolution: every output channel sees every input channel (``g = 1``)."""
    conv = Conv.make(dims, _bias_values(values, bias), groups=1)
    return Layer("standard", "Standard convolution", (Stage("standard", conv),))


def grouped(dims: int = 2, values: Values | None = None, bias: bool | None = None) -> Layer:
    """A grouped convolution: ``g`` groups, each mapping ``C_in/g`` channels to ``C_out/g``."""
    conv = Conv.make(dims, _bias_values(values, bias))
    return Layer("grouped", "Grouped convolution", (Stage("grouped", conv),))


def depthwise(dims: int = 2, values: Values | None = None, bias: bool | None = None) -> Layer:
    """A depthwise convolution: one group per input channel (``g = C_in``), ``m`` outputs each."""
    subs = _bias_values(values, bias)
    cin, m = sym("C_in").xreplace(subs), sym("m").xreplace(subs)
    conv = Conv.make(dims, subs, groups=cin, out_channels=m * cin)
    return Layer("depthwise", "Depthwise convolution", (Stage("depthwise", conv),))


def _pointwise_fields(dims: int) -> dict[str, tuple[int, ...]]:
    ones = tuple(1 for _ in axes(dims))
    return {"kernel": ones, "padding": tuple(0 for _ in ones), "dilation": ones}


def pointwise(dims: int = 2, values: Values | None = None, bias: bool | None = None) -> Layer:
    """A pointwise (1×1) convolution: kernel 1 along every axis, no padding; the stride stays."""
    conv = Conv.make(dims, _bias_values(values, bias), groups=1, **_pointwise_fields(dims))
    return Layer("pointwise", "Pointwise convolution", (Stage("pointwise", conv),))


def separable(dims: int = 2, values: Values | None = None, bias: bool | None = None,
              *, pointwise_bias: bool | None = None) -> Layer:
    """A depthwise separable convolution: a depthwise ``k`` convolution with multiplier ``m`` (stride, padding
    and dilation as given), then a pointwise convolution from ``m C_in`` to ``C_out`` channels.

    ``bias`` sets both stages; ``pointwise_bias`` overrides the second stage's flag alone.
    """
    subs = _bias_values(values, bias)
    first = depthwise(dims, subs).stages[0].conv
    second_subs = dict(subs)
    if pointwise_bias is not None:
        second_subs[sym("b")] = sympy.Integer(int(pointwise_bias))
    ones = tuple(sympy.Integer(1) for _ in axes(dims))
    second = Conv.make(
        dims, second_subs, groups=1, in_channels=first.out_channels, in_size=first.out_size,
        out_size=first.out_size, stride=ones, **_pointwise_fields(dims),
    )
    return Layer("separable", "Depthwise separable convolution",
                 (Stage("depthwise", first), Stage("pointwise", second)))


VARIANTS: dict[str, Callable[..., Layer]] = {
    "standard": standard,
    "grouped": grouped,
    "depthwise": depthwise,
    "pointwise": pointwise,
    "separable": separable,
}


def make(variant: str, dims: int = 2, values: Values | None = None, bias: bool | None = None) -> Layer:
    """The layer of a variant named on the command line."""
    try:
        constructor = VARIANTS[variant]
    except KeyError:
        known = ", ".join(VARIANTS)
        raise UnknownVariantError(f"unknown variant {variant!r} (known: {known})") from None
    return constructor(dims, values, bias)
