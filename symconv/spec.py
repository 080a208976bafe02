"""Frozen specs of N-d convolution layers.

A :class:`Conv` is one convolution (cross-correlation, as deep-learning frameworks compute it). Every field is
a SymPy expression: a spec can be fully symbolic, fully numeric, or mixed. A spec checks itself as it is made
and raises :class:`~symconv.errors.SpecError` as soon as the numbers show that it cannot exist.

>>> from symconv.spec import Conv
>>> sizes = {"H_in": 56, "W_in": 56, "k_h": 3, "k_w": 3, "s_h": 1, "s_w": 1, "p_h": 1, "p_w": 1, "d_h": 1, "d_w": 1}
>>> layer = Conv.make(2, values={"C_in": 64, "C_out": 128, "g": 4, **sizes})
>>> layer.out_size, layer.in_per_group, layer.out_per_group
((56, 56), 16, 32)
>>> Conv.make(2).out_size, Conv.make(2).in_per_group
((H_out, W_out), C_in_g)
>>> Conv.make(2, values={"C_in": 6, "g": 4})
Traceback (most recent call last):
    ...
symconv.errors.SpecError: C_in = 6 is not divisible by g = 4
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sympy

from symconv.errors import SpecError
from symconv.symbols import TABLE, axes, sym

__all__ = ["Conv", "Definition", "Values", "output_size_relation", "resolve_values"]

#: Substitutions for the symbols of a spec: a symbol name or symbol mapped to an integer or expression.
Values = Mapping[str | sympy.Symbol, int | sympy.Expr]


@dataclass(frozen=True)
class Definition:
    """A symbol that stands for an exact quotient, like ``C_in_g = C_in / g``.

    Generated code computes ``numerator // denominator`` after checking that the remainder is 0.
    """

    symbol: sympy.Symbol
    numerator: sympy.Expr
    denominator: sympy.Expr

    def __post_init__(self) -> None:
        if not isinstance(self.symbol, sympy.Symbol):
            raise TypeError(f"a Definition's symbol must be a sympy.Symbol, not {type(self.symbol).__name__}")
        for name in ("numerator", "denominator"):
            value = getattr(self, name)
            if isinstance(value, int) and not isinstance(value, bool):
                object.__setattr__(self, name, sympy.Integer(value))
            elif not isinstance(value, sympy.Expr):
                raise TypeError(f"a Definition's {name} must be an int or a SymPy expression, not {value!r}")

    @property
    def value(self) -> sympy.Expr:
        return self.numerator / self.denominator


def resolve_values(values: Values | None) -> dict[sympy.Symbol, sympy.Expr]:
    """Turn ``{"k_h": 3, sym("N"): 1}`` into a substitution on table symbols, checking every value.

    >>> resolve_values({"k_h": 3})
    {k_h: 3}
    """
    resolved: dict[sympy.Symbol, sympy.Expr] = {}
    for key, value in (values or {}).items():
        symbol = sym(key) if isinstance(key, str) else key
        if isinstance(value, bool) or not isinstance(value, int | sympy.Expr):
            raise SpecError(f"{symbol} must be set to an integer or a SymPy expression, not {value!r}")
        expr = sympy.Integer(value) if isinstance(value, int) else value
        if expr.is_number and not expr.is_integer:
            raise SpecError(f"{symbol} = {expr} is not an integer")
        resolved[symbol] = expr
    return resolved


def output_size_relation(size: sympy.Expr, kernel: sympy.Expr, stride: sympy.Expr, padding: sympy.Expr,
                         dilation: sympy.Expr) -> sympy.Expr:
    """The output size of one spatial axis: ``floor((size + 2p - d(k - 1) - 1)/s) + 1``.

    A kernel dilated by ``d`` spans ``d(k - 1) + 1`` inputs; it fits ``size + 2p - d(k - 1) - 1`` positions
    past its first, of which every ``s``-th is an output.

    >>> output_size_relation(sympy.Integer(56), 3, 2, 1, 1)
    28
    """
    return sympy.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1


def _check_at_least(name: str, value: sympy.Expr, least: int) -> None:
    if value.is_number and (not value.is_integer or value < least):
        raise SpecError(f"{name} = {value} must be an integer of at least {least}")


@dataclass(frozen=True)
class Conv:
    """One convolution layer; make one with :meth:`Conv.make`.

    ``in_per_group`` and ``out_per_group`` are the channels per group, kept as quantities of their own so that
    nothing divides: ``C_in = g * in_per_group``. When ``C_in/g`` is not a polynomial in the symbols (``g``
    symbolic), they are the symbols ``C_in_g``/``C_out_g`` and ``definitions`` records what they stand for.
    """

    dims: int
    batch: sympy.Expr
    in_channels: sympy.Expr
    out_channels: sympy.Expr
    groups: sympy.Expr
    kernel: tuple[sympy.Expr, ...]
    stride: tuple[sympy.Expr, ...]
    padding: tuple[sympy.Expr, ...]
    dilation: tuple[sympy.Expr, ...]
    bias: sympy.Expr
    in_size: tuple[sympy.Expr, ...]
    out_size: tuple[sympy.Expr, ...]
    in_per_group: sympy.Expr
    out_per_group: sympy.Expr
    definitions: tuple[Definition, ...] = field(default=())

    @classmethod
    def make(cls, dims: int, values: Values | None = None, **fields: sympy.Expr | int) -> Conv:
        """A spec whose every field defaults to its documented symbol, then takes ``values``.

        ``values`` substitutes symbols everywhere (``{"k_h": "k"}`` style substitutions, given as SymPy
        expressions). Keyword ``fields`` override whole fields before the substitution, as the variant
        constructors do (a depthwise layer has ``groups=C_in``).
        """
        subs = resolve_values(values)
        names = axes(dims)

        def get(name: str) -> sympy.Expr:
            return sym(name).xreplace(subs)

        def per_axis(letter: str) -> tuple[sympy.Expr, ...]:
            return tuple(get(f"{letter}_{a}") for a in names)

        raw: dict[str, Any] = {
            "batch": get("N"),
            "in_channels": get("C_in"),
            "out_channels": get("C_out"),
            "groups": get("g"),
            "kernel": per_axis("k"),
            "stride": per_axis("s"),
            "padding": per_axis("p"),
            "dilation": per_axis("d"),
            "bias": get("b"),
            "in_size": tuple(get(f"{a.upper()}_in") for a in names),
            "out_size": tuple(get(f"{a.upper()}_out") for a in names),
        }
        for key, value in fields.items():
            if key not in raw:
                raise TypeError(f"Conv has no field {key!r}")
            raw[key] = _sympify_field(value, subs)
        return cls._checked(dims, raw)

    @classmethod
    def _checked(cls, dims: int, raw: dict[str, Any]) -> Conv:
        batch: sympy.Expr = raw["batch"]
        cin, cout, groups, bias = raw["in_channels"], raw["out_channels"], raw["groups"], raw["bias"]
        kernel, stride, padding, dilation, in_size, out_size = (
            tuple(raw[key]) for key in ("kernel", "stride", "padding", "dilation", "in_size", "out_size")
        )
        names = axes(dims)
        for name, value in (("N", batch), ("C_in", cin), ("C_out", cout), ("g", groups)):
            _check_at_least(name, value, 1)
        for i, a in enumerate(names):
            _check_at_least(f"k_{a}", kernel[i], 1)
            _check_at_least(f"s_{a}", stride[i], 1)
            _check_at_least(f"p_{a}", padding[i], 0)
            _check_at_least(f"d_{a}", dilation[i], 1)
            _check_at_least(f"{a.upper()}_in", in_size[i], 1)
            _check_at_least(f"{a.upper()}_out", out_size[i], 1)
        if bias.is_number and bias not in (0, 1):
            raise SpecError(f"b = {bias} must be 0 (no bias) or 1 (bias)")

        definitions: list[Definition] = []
        in_per_group = _per_group("C_in", cin, groups, definitions)
        out_per_group = _per_group("C_out", cout, groups, definitions)

        sizes = []
        for i, a in enumerate(names):
            span = dilation[i] * (kernel[i] - 1) + 1
            padded = in_size[i] + 2 * padding[i]
            if (padded - span).is_number and padded - span < 0:
                raise SpecError(
                    f"the kernel spans {span} inputs along the {TABLE[f'k_{a}'].meaning.split()[-1]}, "
                    f"wider than the padded input {in_size[i]} + 2*{padding[i]} = {padded}"
                )
            relation = output_size_relation(in_size[i], kernel[i], stride[i], padding[i], dilation[i])
            size = out_size[i]
            if relation.is_number:
                if size.is_number and size != relation:
                    raise SpecError(
                        f"{a.upper()}_out = {size} contradicts the input: "
                        f"{a.upper()}_in = {in_size[i]}, k_{a} = {kernel[i]}, s_{a} = {stride[i]}, "
                        f"p_{a} = {padding[i]}, d_{a} = {dilation[i]} give {relation}"
                    )
                size = relation
            sizes.append(size)
        return cls(
            dims=dims, batch=batch, in_channels=cin, out_channels=cout, groups=groups, kernel=kernel,
            stride=stride, padding=padding, dilation=dilation, bias=bias, in_size=in_size,
            out_size=tuple(sizes), in_per_group=in_per_group, out_per_group=out_per_group,
            definitions=tuple(definitions),
        )

    def substitute(self, values: Values) -> Conv:
        """The same layer with ``values`` put in for symbols everywhere, checked again.

        An output size that was a symbol is recomputed from the input size when the numbers allow it.
        """
        subs = resolve_values(values)
        raw: dict[str, Any] = {key: _sympify_field(getattr(self, key), subs) for key in _FIELDS}
        return self._checked(self.dims, raw)

    def replace(self, **fields: sympy.Expr | int | tuple[sympy.Expr | int, ...]) -> Conv:
        """A copy with some fields replaced, checked again."""
        raw: dict[str, Any] = {key: getattr(self, key) for key in _FIELDS}
        for key, value in fields.items():
            if key not in raw:
                raise TypeError(f"Conv has no field {key!r}")
            raw[key] = _sympify_field(value, {})
        return self._checked(self.dims, raw)

    @property
    def axes(self) -> tuple[str, ...]:
        return axes(self.dims)

    def relation(self, axis: int) -> sympy.Expr:
        """The output size along ``axis`` as a function of the input size (a floor)."""
        return output_size_relation(self.in_size[axis], self.kernel[axis], self.stride[axis],
                                    self.padding[axis], self.dilation[axis])

    @cached_property
    def free_symbols(self) -> frozenset[sympy.Symbol]:
        exprs = [self.batch, self.in_channels, self.out_channels, self.groups, self.bias,
                 *self.kernel, *self.stride, *self.padding, *self.dilation, *self.in_size, *self.out_size]
        return frozenset().union(*(e.free_symbols for e in exprs))


_FIELDS = ("batch", "in_channels", "out_channels", "groups", "kernel", "stride", "padding", "dilation", "bias",
           "in_size", "out_size")


def _sympify_field(value: object, subs: Mapping[sympy.Symbol, sympy.Expr]) -> Any:
    if isinstance(value, tuple):
        return tuple(_sympify_field(v, subs) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | sympy.Expr):
        raise SpecError(f"a field must be an integer or a SymPy expression, not {value!r}")
    expr = sympy.Integer(value) if isinstance(value, int) else value
    return expr.xreplace(dict(subs))


def _per_group(name: str, total: sympy.Expr, groups: sympy.Expr, definitions: list[Definition]) -> sympy.Expr:
    quotient = sympy.cancel(total / groups)
    if quotient.is_number:
        if not quotient.is_integer:
            raise SpecError(f"{name} = {total} is not divisible by g = {groups}")
        return quotient
    numer, denom = sympy.fraction(quotient)
    if denom == 1 and sympy.Poly(numer, *sorted(numer.free_symbols, key=str)).domain.is_ZZ:
        return quotient
    symbol = sym(f"{name}_g")
    definitions.append(Definition(symbol, total, groups))
    return symbol
