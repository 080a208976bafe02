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

from symconv.errors import SpecError, must_be
from symconv.geometry import output_size, slack, span, transposed_output_size
from symconv.limits import MAX_TERMS_OF_A_VALUE, MAX_VALUE, expansion_bound
from symconv.symbols import TABLE, axes, sym

__all__ = ["Conv", "Definition", "Values", "resolve_values"]

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
    must_be({} if values is None else values, Mapping, "values", "a mapping of symbol names to values")
    for key, value in (values or {}).items():
        symbol = sym(key) if isinstance(key, str) else key
        if isinstance(value, bool) or not isinstance(value, int | sympy.Expr):
            raise SpecError(f"{symbol} must be set to an integer or a SymPy expression, not {value!r}")
        expr = sympy.Integer(value) if isinstance(value, int) else value
        _check_bounded(symbol, expr)
        resolved[symbol] = expr
    # Substitutions see each other (--set k_h=k_w --set k_w=3 makes both 3), as often as a chain needs.
    as_given = {s for s, e in resolved.items() if e == s}  # a name set to itself: a layer that reads it
    for _ in range(len(resolved) + 1):
        circular = [str(s) for s, e in resolved.items() if s in e.free_symbols and s not in as_given]
        if circular:
            raise SpecError(f"the values given to {', '.join(circular)} refer to themselves, through each other")
        chained = {symbol: expr.xreplace(resolved) for symbol, expr in resolved.items()}
        if chained == resolved:
            return resolved
        resolved = chained
    raise SpecError("the values given refer to each other in a circle")


def _check_bounded(symbol: sympy.Symbol, expr: sympy.Expr) -> None:
    """A value a layer can take: an integer of at most :data:`symconv.limits.MAX_VALUE`, or an expression of
    at most :data:`symconv.limits.MAX_TERMS_OF_A_VALUE` terms once expanded."""
    if expr.is_number:
        if not expr.is_integer:
            raise SpecError(f"{symbol} = {expr} is not an integer")
        if abs(expr) > MAX_VALUE:
            raise SpecError(f"{symbol} is larger than any layer's (the bound is 10^{len(str(MAX_VALUE)) - 1})")
    elif expansion_bound(expr) > MAX_TERMS_OF_A_VALUE:
        raise SpecError(f"the value of {symbol} expands to more than {MAX_TERMS_OF_A_VALUE} terms; give a "
                        "smaller expression")


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
    #: The padding at the end of each axis when it differs from ``padding`` (the start); None: symmetric.
    padding_end: tuple[sympy.Expr, ...] | None = None
    #: A transposed convolution (PyTorch's ``conv_transpose``): ``in_channels`` scatter into ``out_channels``
    #: and the weight is ``(C_in, C_out/g, *kernel)``.
    transposed: bool = False
    #: The output padding of a transposed convolution (zeros when None).
    output_padding: tuple[sympy.Expr, ...] | None = None
    #: Where the values given leave it open whether the kernel fits (or the crop leaves an output): each an
    #: inequality the symbols must satisfy for the layer to exist, e.g. ``2*p_h - 4*d_h + 1 >= 0``.
    conditions: tuple[sympy.Rel, ...] = ()

    @classmethod
    def make(cls, dims: int, values: Values | None = None, **fields: sympy.Expr | int) -> Conv:
        """A spec whose every field defaults to its documented symbol, then takes ``values``.

        ``values`` substitutes symbols everywhere (``{"k_h": "k"}`` style substitutions, given as SymPy
        expressions). Keyword ``fields`` override whole fields before the substitution, as the variant
        constructors do (a depthwise layer has ``groups=C_in``).
        """
        subs = resolve_values(values)
        names = axes(dims)
        transposed = bool(fields.pop("transposed", False))

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
            "padding_end": None,
            "transposed": transposed,
            "output_padding": tuple(get(f"op_{a}") for a in names) if transposed else None,
        }
        # An end padding set in ``values`` applies unless the caller replaces the padding as a whole (a
        # pointwise stage has none at either end).
        if any(sym(f"pe_{a}") in subs for a in names) and "padding" not in fields:
            raw["padding_end"] = tuple(subs.get(sym(f"pe_{a}"), raw["padding"][i]) for i, a in enumerate(names))
        for key, value in fields.items():
            if key not in raw:
                raise TypeError(f"Conv has no field {key!r}")
            raw[key] = _field(value, subs)
        return cls._checked(dims, raw)

    @classmethod
    def _checked(cls, dims: int, raw: dict[str, Any]) -> Conv:
        """A spec from its raw fields, each checked, the channels per group and the output sizes worked out."""
        names = axes(dims)
        fields = {key: tuple(raw[key]) for key in ("kernel", "stride", "padding", "dilation", "in_size", "out_size")}
        transposed = bool(raw.get("transposed", False))
        padding_end = tuple(raw["padding_end"]) if raw.get("padding_end") is not None else fields["padding"]
        output_padding = tuple(raw["output_padding"]) if raw.get("output_padding") is not None else None
        if transposed and output_padding is None:
            output_padding = tuple(sympy.Integer(0) for _ in names)
        if not transposed and output_padding is not None and any(op != 0 for op in output_padding):
            raise SpecError("output padding belongs to a transposed convolution only")
        _check_ranges(names, raw, fields, padding_end, output_padding)
        definitions: list[Definition] = []
        in_per_group = _per_group("C_in", raw["in_channels"], raw["groups"], definitions)
        out_per_group = _per_group("C_out", raw["out_channels"], raw["groups"], definitions)
        axis_fields = [{key: value[i] for key, value in fields.items()} | {"padding_end": padding_end[i]}
                       | {"output_padding": output_padding[i] if output_padding is not None else None}
                       for i in range(dims)]
        worked = [_out_size(a, f, transposed) for a, f in zip(names, axis_fields, strict=True)]
        sizes = tuple(size for size, _ in worked)
        conditions = tuple(_at_least_zero(room) for _, room in worked if room is not None)
        return cls(
            dims=dims, batch=raw["batch"], in_channels=raw["in_channels"], out_channels=raw["out_channels"],
            groups=raw["groups"], kernel=fields["kernel"], stride=fields["stride"], padding=fields["padding"],
            dilation=fields["dilation"], bias=raw["bias"], in_size=fields["in_size"], out_size=sizes,
            in_per_group=in_per_group, out_per_group=out_per_group, definitions=tuple(definitions),
            padding_end=padding_end if padding_end != fields["padding"] else None,
            transposed=transposed, output_padding=output_padding, conditions=conditions,
        )

    def substitute(self, values: Values) -> Conv:
        """The same layer with ``values`` put in for symbols everywhere, checked again.

        An output size that was a symbol is recomputed from the input size when the numbers allow it.
        """
        subs = resolve_values(values)
        raw: dict[str, Any] = {key: _field(getattr(self, key), subs) for key in _FIELDS
                               if key != "transposed"}
        raw["transposed"] = self.transposed
        return self._checked(self.dims, raw)

    def replace(self, **fields: sympy.Expr | int | tuple[sympy.Expr | int, ...]) -> Conv:
        """A copy with some fields replaced, checked again."""
        raw: dict[str, Any] = {key: getattr(self, key) for key in _FIELDS}
        for key, value in fields.items():
            if key not in raw:
                raise TypeError(f"Conv has no field {key!r}")
            raw[key] = bool(value) if key == "transposed" else _field(value, {})
        return self._checked(self.dims, raw)

    @property
    def axes(self) -> tuple[str, ...]:
        return axes(self.dims)

    @property
    def pad_end(self) -> tuple[sympy.Expr, ...]:
        """The padding at the end of each axis (``padding`` unless the two sides differ)."""
        return self.padding if self.padding_end is None else self.padding_end

    @property
    def out_pad(self) -> tuple[sympy.Expr, ...]:
        """The output padding of each axis (zeros unless transposed)."""
        return self.output_padding if self.output_padding is not None else tuple(sympy.Integer(0)
                                                                                 for _ in self.kernel)

    def relation(self, axis: int) -> sympy.Expr:
        """The output size along ``axis`` as a function of the input size (a floor; for a transposed
        convolution, a polynomial)."""
        geometry = (self.in_size[axis], self.kernel[axis], self.stride[axis], self.padding[axis],
                    self.dilation[axis])
        if self.transposed:
            return transposed_output_size(*geometry, self.out_pad[axis], self.pad_end[axis])
        return output_size(*geometry, self.pad_end[axis])

    @cached_property
    def free_symbols(self) -> frozenset[sympy.Symbol]:
        exprs = [self.batch, self.in_channels, self.out_channels, self.groups, self.bias,
                 *self.kernel, *self.stride, *self.padding, *self.dilation, *self.in_size, *self.out_size,
                 *(self.padding_end or ()), *(self.output_padding or ())]
        return frozenset().union(*(e.free_symbols for e in exprs))


_FIELDS = ("batch", "in_channels", "out_channels", "groups", "kernel", "stride", "padding", "dilation", "bias",
           "in_size", "out_size", "padding_end", "transposed", "output_padding")


def _check_output_padding(a: str, op: sympy.Expr, stride: sympy.Expr, dilation: sympy.Expr) -> None:
    _check_at_least(f"op_{a}", op, 0)
    if (op - stride).is_number and (op - dilation).is_number and op >= stride and op >= dilation:
        raise SpecError(f"op_{a} = {op} must be smaller than the stride s_{a} = {stride} or the dilation "
                        f"d_{a} = {dilation} (the extra positions would see no input)")


def _check_ranges(names: tuple[str, ...], raw: Mapping[str, Any], fields: Mapping[str, tuple[sympy.Expr, ...]],
                  padding_end: tuple[sympy.Expr, ...], output_padding: tuple[sympy.Expr, ...] | None) -> None:
    """Every numeric field in its domain: sizes, channels, kernel, stride and dilation at least 1, paddings at
    least 0, the bias flag 0 or 1, an output padding below the stride or the dilation."""
    for name, key in (("N", "batch"), ("C_in", "in_channels"), ("C_out", "out_channels"), ("g", "groups")):
        _check_at_least(name, raw[key], 1)
    for i, a in enumerate(names):
        for letter, key, least in (("k", "kernel", 1), ("s", "stride", 1), ("p", "padding", 0), ("d", "dilation", 1)):
            _check_at_least(f"{letter}_{a}", fields[key][i], least)
        _check_at_least(f"pe_{a}", padding_end[i], 0)
        if output_padding is not None:
            _check_output_padding(a, output_padding[i], fields["stride"][i], fields["dilation"][i])
        _check_at_least(f"{a.upper()}_in", fields["in_size"][i], 1)
        _check_at_least(f"{a.upper()}_out", fields["out_size"][i], 1)
    bias = raw["bias"]
    if bias.is_number and bias not in (0, 1):
        raise SpecError(f"b = {bias} must be 0 (no bias) or 1 (bias)")


def _out_size(a: str, f: Mapping[str, sympy.Expr], transposed: bool) -> tuple[sympy.Expr, sympy.Expr | None]:
    """The output size of axis ``a`` (the relation's value once it is a number; a given size must agree), and
    the room the layer needs, an expression that must be at least 0, when the known values leave it open.
    A layer the known values rule out is refused."""
    word = TABLE[f"k_{a}"].meaning.split()[-1]
    geometry = (f["kernel"], f["stride"], f["padding"], f["dilation"])
    if transposed:
        relation = transposed_output_size(f["in_size"], *geometry, f["output_padding"], f["padding_end"])
        room = relation - 1
        if _never_fits(room):
            raise SpecError(
                f"the padding crops the whole output along the {word}: {a.upper()}_in = {f['in_size']}, "
                f"k_{a} = {f['kernel']}, s_{a} = {f['stride']}, d_{a} = {f['dilation']}, "
                f"op_{a} = {f['output_padding']} give {relation} after cropping {f['padding']} + {f['padding_end']}"
                + _for_every(room)
            )
    else:
        room = slack(f["in_size"], f["kernel"], f["padding"], f["dilation"], f["padding_end"])
        if _never_fits(room):
            p, pe = f["padding"], f["padding_end"]
            both = f"2*{p}" if pe == p else f"{p} + {pe}"
            raise SpecError(
                f"the kernel spans {span(f['kernel'], f['dilation'])} inputs along the {word}, "
                f"wider than the padded input {f['in_size']} + {both} = {f['in_size'] + p + pe}" + _for_every(room)
            )
        relation = output_size(f["in_size"], *geometry, f["padding_end"])
    size = f["out_size"]
    if not relation.is_number:
        pinned = any(f[key].is_number for key in ("in_size", "kernel", "padding", "padding_end", "dilation"))
        open_room = pinned and not _always_fits(room)
        return size, (room if open_room else None)
    if size.is_number and size != relation:
        raise SpecError(
            f"{a.upper()}_out = {size} contradicts the input: {a.upper()}_in = {f['in_size']}, "
            f"k_{a} = {f['kernel']}, s_{a} = {f['stride']}, p_{a} = {f['padding']}, d_{a} = {f['dilation']} "
            f"give {relation}"
        )
    return relation, None


def _at_least_zero(room: sympy.Expr) -> sympy.Rel:
    """``room >= 0`` written as the added terms at least the subtracted ones: ``2*p_h + 1 >= 4*d_h``."""
    terms = sympy.Add.make_args(sympy.expand(room))
    added = sympy.Add(*(t for t in terms if not t.could_extract_minus_sign()))
    subtracted = -sympy.Add(*(t for t in terms if t.could_extract_minus_sign()))
    return sympy.GreaterThan(added, subtracted, evaluate=False)


def _shifted(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every positive integer symbol ``x`` written ``x' + 1``, ``x' >= 0``: SymPy's sign rules
    then see that ``x >= 1``."""
    return expr.xreplace({x: sympy.Dummy(x.name, integer=True, nonnegative=True) + 1
                          for x in expr.free_symbols if x.is_positive})


def _never_fits(room: sympy.Expr) -> bool:
    """True when ``room`` is below 0 for every value of its symbols (a number below 0 included)."""
    return bool(room.is_negative) or bool(_shifted(room).is_negative)


def _always_fits(room: sympy.Expr) -> bool:
    return bool(room.is_nonnegative) or bool(_shifted(room).is_nonnegative)


def _for_every(room: sympy.Expr) -> str:
    names = sorted(str(x) for x in room.free_symbols)
    return f", for every value of {', '.join(names)}" if names else ""


def _field(value: object, subs: Mapping[sympy.Symbol, sympy.Expr]) -> Any:
    if value is None:
        return value
    if isinstance(value, tuple):
        return tuple(_field(v, subs) for v in value)
    if isinstance(value, bool) or not isinstance(value, int | sympy.Expr):
        raise SpecError(f"a field must be an integer or a SymPy expression, not {value!r}")
    expr = sympy.Integer(value) if isinstance(value, int) else value
    return expr.xreplace(dict(subs))


def _integer_polynomial(expr: sympy.Expr) -> bool:
    numer, denom = sympy.fraction(expr)
    gens = sorted(numer.free_symbols, key=str)
    return denom == 1 and numer.is_polynomial(*gens) and sympy.Poly(numer, *gens).domain.is_ZZ


def _per_group(name: str, total: sympy.Expr, groups: sympy.Expr, definitions: list[Definition]) -> sympy.Expr:
    quotient = sympy.cancel(total / groups)
    if quotient.is_number:
        if not quotient.is_integer:
            raise SpecError(f"{name} = {total} is not divisible by g = {groups}")
        return quotient
    if _integer_polynomial(quotient):
        return quotient
    if len(total.free_symbols) == 1:
        # A channel count written through C_in or C_out alone (C_out = C_in, C_in = 3 C_out): per group it is a
        # polynomial in that symbol's own per-group count, so tied channel counts stay tied, never two
        # independent symbols.
        (base,) = total.free_symbols
        if base.name in ("C_in", "C_out"):
            per_group = sym(f"{base.name}_g")
            rewritten = sympy.cancel(total.xreplace({base: per_group * groups}) / groups)
            if _integer_polynomial(rewritten):
                if all(known.symbol != per_group for known in definitions):
                    definitions.append(Definition(per_group, base, groups))
                return rewritten
    for known in definitions:
        if (known.numerator, known.denominator) == (total, groups):
            return known.symbol
    symbol = sym(f"{name}_g")
    definitions.append(Definition(symbol, total, groups))
    return symbol
