"""A convolution in a network, 1-, 2- or 3-D, ordinary or transposed: a :class:`symconv.spec.Conv` on the
layer's input shape, derived by :func:`symconv.derive.derive` like any layer variant.

>>> from symconv.network.layers.base import Shape
>>> conv = Conv2d(out=16, kernel=3, stride=2, padding=1)
>>> x = Shape(3, (32, 32))
>>> conv.output((x,)), conv.counts((x,), conv.output((x,)), 1).macs  # 16·16·16 outputs of 3·3·3 products
(Shape(channels=16, size=(16, 16)), 110592)
>>> up = Convolution(out=8, kernel=2, stride=2, transposed=True, dims=1)
>>> up.output((Shape(16, (10,)),))  # a transposed convolution doubles the length: 2·(10 − 1) + 2
Shape(channels=8, size=(20,))
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import sympy

from symconv.counting import tensors_read
from symconv.derive import Derivation, derive
from symconv.elements import element, tensors
from symconv.errors import SpecError
from symconv.geometry import output_size, padding_for, slack, span, transposed_output_size
from symconv.network.layers.base import (
    Counts,
    Expr,
    LayerSpec,
    Shape,
    as_expr,
    fail,
    int_field,
    per_axis,
    spatial_axes,
)
from symconv.spec import Conv
from symconv.symbols import axes, sym
from symconv.variants import Layer as Variant
from symconv.variants import Stage

__all__ = ["PADDING_MODES", "Conv2d", "Convolution", "conv_derivation", "conv_weights", "exact_sizes",
           "exact_sizing", "on_multiples", "spatial_out"]

#: How the padding is filled (PyTorch's ``padding_mode``): the counts are the same, every product computed.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")

_GEOMETRY = (("kernel", 1), ("stride", 1), ("padding", 0), ("dilation", 1), ("output_padding", 0))


#: Whether symbolic sizes go through their relations exactly, floors and all (:func:`exact_sizes`).
_EXACT: ContextVar[bool] = ContextVar("exact_sizes", default=False)


@contextmanager
def exact_sizes() -> Iterator[None]:
    """Within it, a symbolic size gives its relation itself, floors and all (``floor((H − 1)/2) + 1``), not
    the relation on the multiples of the stride: what code evaluating every size exactly needs.

    >>> from sympy import Symbol
    >>> with exact_sizes():
    ...     spatial_out(Symbol("H", positive=True, integer=True), 3, 2, 1)
    floor(H/2 - 1/2) + 1
    """
    token = _EXACT.set(True)
    try:
        yield
    finally:
        _EXACT.reset(token)


def exact_sizing() -> bool:
    """Whether symbolic sizes are exact here (within :func:`exact_sizes`)."""
    return _EXACT.get()


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
    if _EXACT.get():
        return as_expr(output_size(as_expr(size), kernel, stride, padding, dilation, padding_end))
    return _spatial_out(size, kernel, stride, padding, dilation, padding_end)


@lru_cache(maxsize=4096)
def _spatial_out(size: Expr, kernel: Expr | int, stride: int, padding: Expr | int, dilation: Expr | int,
                 padding_end: Expr | int | None) -> Expr:
    return on_multiples(lambda n: output_size(n, kernel, stride, padding, dilation, padding_end), size, stride)


def on_multiples(relation: Any, size: Expr | int, multiple: int) -> Expr:
    """``relation(size)`` exactly: at a number, its value; at a symbolic size, the relation where ``size`` is
    a multiple ``m q`` of ``multiple`` (the integer ``q`` leaves every floor and ceiling), written back in
    ``size`` — or, within :func:`exact_sizes`, the relation itself."""
    size = as_expr(size)
    if size.is_number or _EXACT.get():
        return as_expr(relation(size))
    q = sympy.Dummy("q", integer=True, positive=True)
    return sympy.expand(as_expr(relation(multiple * q)).xreplace({q: size / multiple}))


@dataclass(frozen=True)
class Convolution(LayerSpec):
    """A convolution of ``dims`` spatial axes (1, 2 or 3; by default from the length of a tuple given, else
    2): ``out`` channels (an expression), ``kernel``, ``stride``, ``padding`` (per axis, or ``"same"`` /
    ``"valid"``), ``dilation`` (an int or one per axis), ``groups`` (an int or a symbolic expression, or
    ``"depthwise"`` for one group per input channel, with ``out`` then ``multiplier`` × the input channels),
    ``bias`` and ``padding_mode`` (:data:`PADDING_MODES`). ``transposed`` makes it PyTorch's
    ``ConvTranspose``, with ``output_padding``."""

    out: Expr | int | None = None
    kernel: int | tuple[Any, ...] = 3
    stride: int | tuple[int, ...] = 1
    padding: int | tuple[Any, ...] | str = 0
    dilation: int | tuple[Any, ...] = 1
    groups: int | str | Expr = 1
    bias: bool = False
    multiplier: int = 1
    #: The padding at the end of each axis when it differs from ``padding`` (a ``same`` kernel of even reach).
    padding_end: tuple[Any, ...] | None = None
    dims: int | None = None
    transposed: bool = False
    output_padding: int | tuple[int, ...] = 0
    padding_mode: str = "zeros"
    #: The padding's word when it was given as one (``"same"``, ``"valid"``): the counts are those of the
    #: numbers it stands for, but some tools read the word (fvcore counts such a convolution as 0).
    padding_rule: str = ""

    kind = "conv"

    @property
    def depthwise(self) -> bool:
        return isinstance(self.groups, str) and self.groups == "depthwise"

    def __post_init__(self) -> None:
        if self.dims is None:
            lengths = {len(v) for v in (self.kernel, self.stride, self.padding, self.dilation)
                       if isinstance(v, tuple | list)}
            object.__setattr__(self, "dims", lengths.pop() if len(lengths) == 1 else 2)
        if self.dims not in (1, 2, 3):
            raise fail(f"a convolution has 1, 2 or 3 spatial axes, not {self.dims!r}")
        if self.padding_mode not in PADDING_MODES:
            raise fail(f"unknown padding mode {self.padding_mode!r} (known: {', '.join(PADDING_MODES)})")
        mode = self.padding if isinstance(self.padding, str) else None
        if mode is not None:
            object.__setattr__(self, "padding", 0)
            object.__setattr__(self, "padding_rule", mode)
        for name, least in _GEOMETRY:
            object.__setattr__(self, name, per_axis(name, getattr(self, name), least, self.dims,
                                                    symbolic=name not in ("stride", "output_padding")))
        if self.transposed and (mode is not None or self.padding_mode != "zeros"):
            raise fail("a transposed convolution takes integer padding, filled with zeros")
        if not self.transposed and any(self.output_padding):  # type: ignore[arg-type]
            raise fail("output padding belongs to a transposed convolution only")
        if mode is not None:
            self._padding_mode(mode)
        self._check_fields()

    def _padding_mode(self, mode: str) -> None:
        try:
            sides = [padding_for(mode, k, d, s) for k, d, s in zip(self.kernel, self.dilation, self.stride,  # type: ignore[arg-type]
                                                                   strict=True)]
        except SpecError as error:
            raise fail(str(error)) from None
        object.__setattr__(self, "padding", tuple(side[0] for side in sides))
        ends = tuple(side[1] for side in sides)
        object.__setattr__(self, "padding_end", ends if ends != self.padding else None)

    def _check_fields(self) -> None:
        symbolic = any(isinstance(v, sympy.Expr) for v in (*self.kernel, *self.padding, *self.dilation))  # type: ignore[misc]
        if symbolic and any(s != 1 for s in self.stride):  # type: ignore[union-attr]
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
        spatial_axes(inputs, "a convolution", self.dims)  # type: ignore[arg-type]
        _, cout, _ = self._channels(inputs)
        sizes = []
        for axis, size in enumerate(inputs[0].size):
            k, s, p, d = (getattr(self, name)[axis] for name in ("kernel", "stride", "padding", "dilation"))
            pe = self.pad_end[axis]
            if self.transposed:
                out = transposed_output_size(size, k, s, p, d, self.output_padding[axis], pe)  # type: ignore[index]
                if out.is_number and out < 1:
                    raise fail(f"the padding crops all of the transposed output ({out} positions)")
                sizes.append(sympy.expand(out))
                continue
            room = slack(size, k, p, d, pe)
            if room.is_number and room < 0:
                raise fail(f"the kernel spans {span(k, d)} inputs, more than the padded input's {size + p + pe}")
            sizes.append(spatial_out(size, k, s, p, d, pe))
        return Shape(cout, tuple(sizes))

    def strides(self) -> tuple[int, ...]:
        return () if self.transposed else tuple(self.stride)  # type: ignore[arg-type]

    @property
    def pad_end(self) -> tuple[Any, ...]:
        """The padding at the end of each axis."""
        return self.padding if self.padding_end is None else self.padding_end  # type: ignore[return-value]

    def spec(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Conv:
        """The :class:`~symconv.spec.Conv` of this layer on these shapes."""
        return _spec(self, inputs[0].channels, batch).substitute(_sizes(self, inputs[0], output))

    def derived(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr,
                names: tuple[str, ...] | None = None) -> dict[str, Expr]:
        """Every count of the layer's derivation at these shapes (``params``, ``mults``, ``adds``, ``macs``,
        ``input_grid``, ``output_grid``, ...) expanded, and ``weights``; or the counts ``names`` alone, as
        they are put in."""
        # Derived once per kind of convolution, its sizes and batch left symbols, then put in: a network
        # repeats a convolution at many sizes, and the sizes change none of the derivation's steps. An
        # ungrouped convolution leaves its channels symbols too: a network may give each its own width.
        subs = {sym(name): value for name, value in _sizes(self, inputs[0], output).items()}
        channels: Expr = inputs[0].channels
        out = None
        if not self.depthwise and as_expr(self.groups, "groups") == 1:
            _, cout, _ = self._channels(inputs)
            channels, out = sym("C_in"), sym("C_out")
            subs |= {channels: inputs[0].channels, out: cout}
        generic = _spec(self if out is None else _widthless(self), channels,
                        sympy.Symbol("N", positive=True, integer=True), out)
        derivation = conv_derivation(generic)
        subs[generic.batch] = as_expr(batch, "batch")
        every = {**derivation.counts, **derivation.quantities}
        put = (lambda e: e.xreplace(subs)) if names is not None else (lambda e: sympy.expand(e.xreplace(subs)))
        return {**{name: put(every[name]) for name in (every if names is None else names)},
                "weights": conv_weights(generic).xreplace(subs)}

    def counts(self, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
        # not expanded: a network tidies every count it prints, once
        q = self.derived(inputs, output, batch, ("params", "mults", "adds", "input_grid" if self.transposed
                                                 else "macs"))
        # PyTorch computes every product of a transposed convolution's scatter, the cropped ones included
        # (col2im), and FlopCounterMode counts them: its macs are on the input grid.
        macs = q["input_grid"] if self.transposed else q["macs"]
        return Counts(params=q["params"], weights=q["weights"], mults=q["mults"], adds=q["adds"], macs=macs)

    def label(self, inputs: tuple[Shape, ...]) -> str:
        k = "×".join(str(v) for v in self.kernel)  # type: ignore[union-attr]
        kind = "conv transposed" if self.transposed else "conv"
        if self.depthwise:
            return f"{kind} dw {k}"
        if as_expr(self.groups, "groups") != 1:
            return f"{kind} {k} grouped"
        return f"{kind} {k}"


#: The 2-D convolution of network files and of ``symconv.network``: a :class:`Convolution` (``dims`` 2 unless
#: its tuples say otherwise).
Conv2d = Convolution


@lru_cache(maxsize=4096)
def _spec(layer: Convolution, channels: Expr, batch: Expr, out: Expr | None = None) -> Conv:
    """The layer's spec on ``channels`` input channels (and ``out`` output channels in place of the layer's),
    its sizes the symbol table's symbols."""
    cin, cout, groups = layer._channels((Shape(channels, ()),))
    cout = cout if out is None else out
    values: dict[str, Any] = {"N": batch, "C_in": cin, "C_out": cout, "g": groups, "b": int(layer.bias)}
    for i, a in enumerate(axes(layer.dims)):  # type: ignore[arg-type]
        for letter, name in (("k", "kernel"), ("s", "stride"), ("p", "padding"), ("d", "dilation")):
            values[f"{letter}_{a}"] = getattr(layer, name)[i]
        if layer.padding_end is not None:
            values[f"pe_{a}"] = layer.padding_end[i]
        if layer.transposed:
            values[f"op_{a}"] = layer.output_padding[i]  # type: ignore[index]
    return Conv.make(layer.dims, {name: as_expr(v, name) for name, v in values.items()},  # type: ignore[arg-type]
                     transposed=layer.transposed)


def _widthless(layer: Convolution) -> Convolution:
    """The layer with its output channels the symbol ``C_out``: one key for the convolutions of every width."""
    return replace(layer, out=sym("C_out"))


def _sizes(layer: Convolution, shape: Shape, output: Shape) -> dict[str, Expr]:
    """The input and output sizes of each axis, by the symbol table's names."""
    sizes: dict[str, Expr] = {}
    for i, a in enumerate(axes(layer.dims)):  # type: ignore[arg-type]
        sizes |= {f"{a.upper()}_in": shape.size[i], f"{a.upper()}_out": output.size[i]}
    return sizes


@lru_cache(maxsize=4096)
def conv_weights(conv: Conv) -> Expr:
    """The entries of the weight tensor the convolution's element reads (its bias aside)."""
    t = tensors(conv)
    _, rhs = element(conv, t)
    return tensors_read(rhs, [t.w]).xreplace({d.symbol: d.value for d in conv.definitions})


@lru_cache(maxsize=4096)
def conv_derivation(conv: Conv) -> Derivation:
    """The derivation of one convolution (cached: a network repeats its layers)."""
    if conv.transposed:
        return derive(Variant("transposed", "Transposed convolution", (Stage("conv", conv),)))
    title = "Depthwise convolution" if conv.in_per_group == 1 and conv.groups != 1 else "Convolution"
    return derive(Variant("grouped" if conv.groups != 1 else "standard", title, (Stage("conv", conv),)))
