"""The catalogue of convolution variants: standard, grouped, depthwise, pointwise, depthwise separable,
transposed and spatially separable.

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

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import sympy

from symconv.errors import SpecError, UnknownVariantError, must_be
from symconv.geometry import padding_for
from symconv.spec import Conv, Values, resolve_values
from symconv.symbols import axes, sym

__all__ = [
    "VARIANTS",
    "Layer",
    "Recipe",
    "Stage",
    "depthwise",
    "grouped",
    "make",
    "pointwise",
    "separable",
    "spatial_separable",
    "standard",
    "transposed",
]


@dataclass(frozen=True)
class Stage:
    """One convolution of a layer, with a short name for the steps that derive it."""

    name: str
    conv: Conv


@dataclass(frozen=True)
class Recipe:
    """How a variant's layer was made: the constructor's arguments, so that the same layer can be made again
    with some values left out (:meth:`Layer.with_free_geometry`)."""

    variant: str
    dims: int
    values: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    bias: bool | None
    options: tuple[tuple[str, object], ...] = ()


#: The values of a layer's geometry and input sizes: no trip count of any loop depends on them.
_GEOMETRY_LETTERS = ("s", "p", "pe", "d", "op")


@dataclass(frozen=True)
class Layer:
    """A named variant: its stages, applied in order, and the symbols it was built from."""

    variant: str
    title: str
    stages: tuple[Stage, ...]
    recipe: Recipe | None = None

    def with_free_geometry(self) -> Layer | None:
        """The same variant with every stride, padding (and padding mode), dilation, output padding and input
        size left as its symbol: the layer whose trip counts range freely, of which this one is an instance.
        None for a layer not made by a variant constructor."""
        if self.recipe is None:
            return None
        kept = {symbol: value for symbol, value in self.recipe.values
                if symbol.name.split("_")[0] not in _GEOMETRY_LETTERS and not symbol.name.endswith("_in")}
        options = {key: value for key, value in self.recipe.options if key != "padding"}
        return VARIANTS[self.recipe.variant](self.recipe.dims, kept, self.recipe.bias, **options)

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
        return replace(self, stages=tuple(stages), recipe=None)


def _recorded(constructor: Callable[..., Layer]) -> Callable[..., Layer]:
    """A variant constructor whose layers remember how they were made (:class:`Recipe`)."""

    @functools.wraps(constructor)
    def make(dims: int = 2, values: Values | None = None, bias: bool | None = None, **options: Any) -> Layer:
        layer = constructor(dims, values, bias, **options)
        recipe = Recipe(layer.variant, dims, tuple(resolve_values(values).items()), bias, tuple(options.items()))
        return replace(layer, recipe=recipe)

    return make


def _flag(name: str, value: object) -> sympy.Integer:
    """A bias setting: True, False (or None, which keeps the flag ``b`` a symbol, handled by the caller)."""
    if not isinstance(value, bool):
        raise SpecError(f"{name} must be True, False or None, not {value!r}")
    return sympy.Integer(int(value))


def _bias_values(values: Values | None, bias: bool | None, padding: str | None = None,
                 dims: int = 2) -> dict[sympy.Symbol, sympy.Expr]:
    subs = resolve_values(values)
    if bias is not None:
        subs[sym("b")] = _flag("bias", bias)
    if padding is not None:
        subs = _with_padding_mode(dims, subs, padding)
    return subs


def _with_padding_mode(dims: int, subs: dict[sympy.Symbol, sympy.Expr], mode: str) -> dict[sympy.Symbol, sympy.Expr]:
    """``subs`` with the padding of ``mode`` (``valid``, ``same``, ``full``) on every axis
    (:func:`symconv.geometry.padding_for`); an explicit ``p_a`` or ``pe_a`` conflicts with a mode."""
    must_be(mode, str, "padding", "a padding mode ('valid', 'same' or 'full')")
    out = dict(subs)
    for a in axes(dims):
        for name in (f"p_{a}", f"pe_{a}"):
            if sym(name) in subs:
                raise SpecError(f"the padding mode {mode!r} sets the padding; do not also give {name}")
        k, d, s = (sym(f"{letter}_{a}").xreplace(subs) for letter in "kds")
        start, end, stride = padding_for(mode, k, d, s)
        out[sym(f"p_{a}")] = start
        if end != start:
            out[sym(f"pe_{a}")] = end
        if stride != s:
            out[sym(f"s_{a}")] = stride
    return out


@_recorded
def standard(dims: int = 2, values: Values | None = None, bias: bool | None = None, *,
             padding: str | None = None) -> Layer:
    """A standard convolution: every output channel sees every input channel (``g = 1``).

    Every constructor takes ``padding``, a mode (``valid``, ``same``, ``full``; :func:`symconv.geometry.padding_for`)
    instead of explicit ``p_a``/``pe_a`` values. A kernel of different sizes along the axes (``k_h != k_w``, an
    asymmetric kernel) and different padding at the two ends (``pe_a``) need no variant of their own.
    """
    conv = Conv.make(dims, _bias_values(values, bias, padding, dims), groups=1)
    return Layer("standard", "Standard convolution", (Stage("standard", conv),))


@_recorded
def grouped(dims: int = 2, values: Values | None = None, bias: bool | None = None, *,
            padding: str | None = None) -> Layer:
    """A grouped convolution: ``g`` groups, each mapping ``C_in/g`` channels to ``C_out/g``."""
    conv = Conv.make(dims, _bias_values(values, bias, padding, dims))
    return Layer("grouped", "Grouped convolution", (Stage("grouped", conv),))


@_recorded
def depthwise(dims: int = 2, values: Values | None = None, bias: bool | None = None, *,
              padding: str | None = None) -> Layer:
    """A depthwise convolution: one group per input channel (``g = C_in``), ``m`` outputs each."""
    subs = _bias_values(values, bias, padding, dims)
    cin, m = sym("C_in").xreplace(subs), sym("m").xreplace(subs)
    conv = Conv.make(dims, subs, groups=cin, out_channels=m * cin)
    return Layer("depthwise", "Depthwise convolution", (Stage("depthwise", conv),))


def _pointwise_fields(dims: int) -> dict[str, tuple[int, ...]]:
    ones = tuple(1 for _ in axes(dims))
    return {"kernel": ones, "padding": tuple(0 for _ in ones), "dilation": ones}


@_recorded
def pointwise(dims: int = 2, values: Values | None = None, bias: bool | None = None, *,
              padding: str | None = None) -> Layer:
    """A pointwise (1×1) convolution: kernel 1 along every axis, no padding; the stride stays."""
    if padding is not None:
        raise SpecError("a pointwise convolution has no padding: a padding mode does not apply")
    conv = Conv.make(dims, _bias_values(values, bias), groups=1, **_pointwise_fields(dims))
    return Layer("pointwise", "Pointwise convolution", (Stage("pointwise", conv),))


@_recorded
def separable(dims: int = 2, values: Values | None = None, bias: bool | None = None,
              *, pointwise_bias: bool | None = None, padding: str | None = None) -> Layer:
    """A depthwise separable convolution: a depthwise ``k`` convolution with multiplier ``m`` (stride, padding
    and dilation as given), then a pointwise convolution from ``m C_in`` to ``C_out`` channels.

    ``bias`` sets both stages; ``pointwise_bias`` overrides the second stage's flag alone. With a dilation
    ``d > 1`` it is the dilated depthwise separable convolution (DeepLab's atrous separable convolution).
    """
    subs = _bias_values(values, bias, padding, dims)
    first = depthwise(dims, subs).stages[0].conv
    second_subs = dict(subs)
    if pointwise_bias is not None:
        second_subs[sym("b")] = _flag("pointwise_bias", pointwise_bias)
    ones = tuple(sympy.Integer(1) for _ in axes(dims))
    second = Conv.make(
        dims, second_subs, groups=1, in_channels=first.out_channels, in_size=first.out_size,
        out_size=first.out_size, stride=ones, **_pointwise_fields(dims),
    )
    return Layer("separable", "Depthwise separable convolution",
                 (Stage("depthwise", first), Stage("pointwise", second)))


@_recorded
def transposed(dims: int = 2, values: Values | None = None, bias: bool | None = None, *,
               padding: str | None = None) -> Layer:
    """A transposed convolution (PyTorch's ``ConvTranspose``): each input element scatters ``C_out/g × k``
    products into the output, which the padding crops; ``op_a`` output padding, ``g`` groups.

    Its output size is ``(A_in - 1) s - 2p + d (k - 1) + op + 1``: the counts are in the input sizes.
    """
    if padding is not None:
        raise SpecError("a padding mode applies to a forward convolution; a transposed one takes p_a (the crop)")
    conv = Conv.make(dims, _bias_values(values, bias), transposed=True)
    return Layer("transposed", "Transposed convolution", (Stage("transposed", conv),))


@_recorded
def spatial_separable(dims: int = 2, values: Values | None = None, bias: bool | None = None, *,
                      padding: str | None = None) -> Layer:
    """A spatially separable convolution: a ``k_a``-tap kernel along one axis at a time (``k × 1`` then
    ``1 × k`` in 2-D), one stage per axis. The first stage maps ``C_in`` to ``C_out`` channels, the others
    ``C_out`` to ``C_out``; each stage has the stride, padding and dilation of its axis and 1 elsewhere.
    """
    subs = _bias_values(values, bias, padding, dims)
    names = axes(dims)
    stages = []
    previous: Conv | None = None
    for axis, a in enumerate(names):
        ones = tuple(sympy.Integer(1) for _ in names)
        zeros = tuple(sympy.Integer(0) for _ in names)

        def only(letter: str, neutral: tuple[sympy.Expr, ...], axis: int = axis, a: str = a) -> tuple[sympy.Expr, ...]:
            value = sym(f"{letter}_{a}").xreplace(subs)
            return tuple(value if i == axis else n for i, n in enumerate(neutral))

        fields: dict[str, object] = {"groups": 1, "kernel": only("k", ones), "stride": only("s", ones),
                                     "padding": only("p", zeros), "dilation": only("d", ones)}
        fields["padding_end"] = only("pe" if sym(f"pe_{a}") in subs else "p", zeros)
        if previous is not None:
            sizes = tuple(previous.out_size[i] if i < axis else previous.in_size[i] for i in range(dims))
            outs = tuple(previous.out_size[i] if i != axis else sym(f"{a.upper()}_out").xreplace(subs)
                         for i in range(dims))
            fields |= {"in_channels": previous.out_channels, "in_size": sizes, "out_size": outs}
        else:
            fields["out_size"] = tuple(sym(f"{b.upper()}_out").xreplace(subs) if i == axis
                                       else sym(f"{b.upper()}_in").xreplace(subs) for i, b in enumerate(names))
        conv = Conv.make(dims, subs, **fields)  # type: ignore[arg-type]
        stages.append(Stage(f"{a}-axis", conv))
        previous = conv
    return Layer("spatial-separable", "Spatially separable convolution", tuple(stages))


VARIANTS: dict[str, Callable[..., Layer]] = {
    "standard": standard,
    "grouped": grouped,
    "depthwise": depthwise,
    "pointwise": pointwise,
    "separable": separable,
    "transposed": transposed,
    "spatial-separable": spatial_separable,
}


def make(variant: str, dims: int = 2, values: Values | None = None, bias: bool | None = None, *,
         padding: str | None = None) -> Layer:
    """The layer of a variant named on the command line; ``padding`` a mode (``valid``, ``same``, ``full``)."""
    try:
        constructor = VARIANTS[variant]
    except KeyError:
        known = ", ".join(VARIANTS)
        raise UnknownVariantError(f"unknown variant {variant!r} (known: {known})") from None
    if padding is None:
        return constructor(dims, values, bias)
    return constructor(dims, values, bias, padding=padding)
