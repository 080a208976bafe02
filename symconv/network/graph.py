"""Networks: layers joined into a small graph, shapes propagated symbolically, counts summed into closed forms.

A :class:`Network` is a list of :class:`Node` s in order, each a layer and the names of the nodes it reads
(``"input"`` is the network's input; a node without ``inputs`` reads the node before it). :func:`analyse`
propagates the input shape through every node, exactly, and sums every layer's counts.

>>> import sympy
>>> from symconv.network.layers import Conv2d, BatchNorm, Activation, GlobalAvgPool, Linear, Shape
>>> alpha = sympy.Symbol("alpha", positive=True)
>>> net = Network.sequence("tiny", Shape(3, (32, 32)), [
...     Conv2d(out=16 * alpha, kernel=3, stride=2, padding=1), BatchNorm(), Activation("relu"),
...     GlobalAvgPool(), Linear(out=10)], symbols={"alpha": alpha})
>>> a = analyse(net)
>>> a.totals.macs  # 16α·16·16·27 + 10·16α
110752*alpha
>>> a.conditions  # 16α must be an integer of at least 1
((16*alpha, 1),)
>>> analyse(net, {"alpha": sympy.Rational(1, 2)}).totals.macs
55376

Symbols stay symbols until given values. A symbolic spatial size halves exactly under a stride of 2 only when it
is even: the closed forms hold where every expression of :attr:`Analysis.conditions` is an integer (with the
network's channel rounding, :class:`Rounding`, also where its channels need no rounding), and
:meth:`Analysis.evaluate` checks that at each setting, falling back to the layer-by-layer evaluation where
it does not hold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from functools import lru_cache, partial
from typing import Any, TypeAlias

import sympy

from symconv.conventions import Convention
from symconv.displayed import Summarised
from symconv.errors import SymconvError, did_you_mean, must_be
from symconv.network.layers import (
    COUNTS,
    IN_CHANNELS,
    Counts,
    LayerSpec,
    NetworkError,
    Shape,
    as_expr,
    network_convention,
)
from symconv.network.origin import Origin
from symconv.network.rounding import round_divisible, round_exact, round_floor

__all__ = ["Analysis", "Network", "Node", "Rounding", "Row", "analyse", "by_type", "count", "strongest", "summed",
           "walk"]

Expr: TypeAlias = sympy.Expr


@dataclass(frozen=True)
class Rounding:
    """How a network turns a scaled channel count (``64·α``) into an integer once ``α`` is a number.

    * ``exact``: the product must be an integer (the MobileNet paper's "αM channels");
    * ``floor``: ``max(floor(c·α), minimum)``, TF-slim's MobileNetV1 (``max(int(d * depth_multiplier),
      min_depth)`` with ``min_depth = 8``);
    * ``divisible``: ``_make_divisible(c·α, divisor, minimum)`` of TF-slim's and torchvision's MobileNetV2: the
      nearest multiple of ``divisor`` (halves up), at least ``minimum``, raised by ``divisor`` if it falls more
      than 10% below ``c·α``.

    >>> [Rounding("floor", minimum=8).apply(sympy.Rational(n, 10) * 32) for n in (10, 3, 2)]
    [32, 9, 8]
    >>> [Rounding("divisible", divisor=8, minimum=8).apply(sympy.Rational(n, 100) * 96) for n in (100, 35)]
    [96, 32]
    """

    rule: str = "exact"
    divisor: int = 8
    minimum: int = 1

    RULES = ("exact", "floor", "divisible")

    def __post_init__(self) -> None:
        if not isinstance(self.rule, str) or self.rule not in self.RULES:
            raise NetworkError(f"unknown rounding rule {self.rule!r} (known: {', '.join(self.RULES)})")
        for name in ("divisor", "minimum"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise NetworkError(f"rounding {name} must be an integer of at least 1, not {value!r}")

    def apply(self, value: Expr) -> Expr:
        """The channel count of a numeric ``value``; a symbolic one is returned as it is."""
        value = as_expr(value, "a channel count")
        if not value.is_number:
            return value
        if self.rule == "exact":
            if not value.is_integer:
                raise NetworkError(f"{value} channels is not an integer (rounding rule 'exact')")
            return value
        rational = sympy.Rational(value)
        return sympy.Integer(self.integer(int(rational.p), int(rational.q)))

    def integer(self, numerator: Any, denominator: int) -> Any:
        """The rule on ``numerator/denominator`` (ints, or NumPy integer arrays): :mod:`symconv.network.rounding`."""
        if self.rule == "exact":
            return round_exact(numerator, denominator)
        if self.rule == "floor":
            return round_floor(numerator, denominator, self.minimum)
        return round_divisible(numerator, denominator, self.divisor, self.minimum)

    def conditions(self, channels: Expr) -> tuple[tuple[Expr, int], ...]:
        """What a symbolic channel count must satisfy for the rule to leave it unchanged:
        ``(expr, m)`` means ``expr`` is an integer of at least ``m``."""
        if self.rule == "divisible":
            return ((channels / self.divisor, max(1, -(-self.minimum // self.divisor))),)
        return ((channels, self.minimum),)


@dataclass(frozen=True)
class Node:
    """One layer of a network: its name, the layer, the names of the nodes it reads, where known the operation a
    model calls for it (:class:`~symconv.network.origin.Origin`, which counting tools see), and the kinds of its
    parameters that are ``frozen`` (``weight``, ``bias``: no gradient is computed for them in training)."""

    name: str
    layer: LayerSpec
    inputs: tuple[str, ...]
    where: str = ""  # how error messages name it (file and layer), when not by its name
    origin: Origin | None = None
    frozen: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return self.where or f"layer {self.name!r}"


@dataclass(frozen=True)
class Network:
    """A network: its input shape, its nodes in order, the symbols it declares (``alpha``, ``rho``, with
    their meanings), its channel rounding rule and its batch size."""

    name: str
    input: Shape
    nodes: tuple[Node, ...]
    symbols: Mapping[str, sympy.Symbol] = field(default_factory=dict)
    meanings: Mapping[str, str] = field(default_factory=dict)
    rounding: Rounding = field(default_factory=Rounding)
    batch: Expr = field(default_factory=lambda: sympy.Integer(1))
    title: str = ""
    source: str = ""  # the file it was read from

    @classmethod
    def sequence(cls, name: str, input: Shape, layers: Sequence[LayerSpec],
                 symbols: Mapping[str, sympy.Symbol] | None = None, **options) -> Network:  # type: ignore[no-untyped-def]
        """A plain chain of layers, named ``<kind><position>``."""
        nodes = []
        previous = "input"
        for number, layer in enumerate(layers, start=1):
            node_name = f"{layer.kind.replace(' ', '_')}{number}"
            nodes.append(Node(node_name, layer, (previous,)))
            previous = node_name
        return cls(name, input, tuple(nodes), dict(symbols or {}), **options)

    @property
    def output(self) -> str:
        return self.nodes[-1].name

    def resolve(self, values: Mapping[str, Expr | int] | None) -> dict[sympy.Basic, Expr]:
        """``{"alpha": 3/4}`` as a substitution on the network's symbols; an unknown name is an error."""
        subs: dict[sympy.Basic, Expr] = {}
        must_be({} if values is None else values, Mapping, "values", "a mapping of symbol names to values")
        for name, value in (values or {}).items():
            if name not in self.symbols:
                known = ", ".join(self.symbols) or "none"
                raise NetworkError(f"{self._where()}{name!r} is not a symbol of network {self.name!r}"
                                   f"{did_you_mean(name, self.symbols)} (its symbols: {known})")
            expr = as_expr(value, name)
            strangers = sorted(str(s) for s in expr.free_symbols if s not in self.symbols.values())
            if strangers:
                raise NetworkError(f"{self._where()}{name} = {expr}: {strangers[0]!r} is not a symbol of network "
                                   f"{self.name!r}{did_you_mean(strangers[0], self.symbols)}")
            if expr.is_number and not (expr.is_rational and expr > 0):
                raise NetworkError(f"{self._where()}{name} = {expr} must be a positive rational number")
            if expr.is_number and self.symbols[name].is_integer and not expr.is_integer:
                raise NetworkError(f"{self._where()}{name} = {expr} must be a positive integer")
            subs[self.symbols[name]] = expr
        return subs

    def _where(self) -> str:
        return f"{self.source}: " if self.source else ""


@dataclass(frozen=True)
class Row:
    """One layer of an analysis: its name, type, output shape and counts."""

    name: str
    label: str
    output: Shape
    counts: Counts


@dataclass(frozen=True, repr=False)
class Analysis(Summarised):
    """A network's counts: one :class:`Row` per layer and the totals, under ``values``; ``conditions`` are
    ``(expr, m)`` pairs — the closed forms hold where every ``expr`` is an integer of at least ``m``.

    An analysis made by :meth:`evaluate` keeps, in ``closed``, the closed forms it evaluated (the totals by
    name, with their ``conditions`` in ``closed_conditions``), or ``None`` where they did not hold.
    """

    network: Network
    values: Mapping[sympy.Basic, Expr]
    convention: Convention
    rows: tuple[Row, ...]
    totals: Counts
    conditions: tuple[tuple[Expr, int], ...]
    closed: Mapping[str, Expr] | None = None
    closed_conditions: tuple[tuple[Expr, int], ...] = ()

    @property
    def quantities(self) -> dict[str, Expr]:
        """The totals by name (``params``, ``buffers``, ``mults``, ``adds``, ``others``, ``macs``, ``flops``)."""
        return self.totals.as_dict(self.convention)

    @property
    def free_symbols(self) -> set[sympy.Basic]:
        return set().union(*(as_expr(e).free_symbols for e in self.quantities.values()))

    def by_type(self) -> list[tuple[str, int, Counts]]:
        """Layers grouped by type, in order of first appearance: ``(type, how many, summed counts)``."""
        return by_type(self.rows)

    def holds_at(self, values: Mapping[str, Expr | int]) -> bool:
        """Whether the closed forms give the exact counts at ``values``: the conditions hold there, and the
        layer-by-layer shapes at ``values`` equal the closed forms' shapes."""
        subs = self.network.resolve(values)
        if not _conditions_hold(self.conditions, subs):
            return False
        shapes = _shapes(self.network, {**self.values, **subs})
        return _shapes_agree([row.output for row in self.rows], subs, shapes)

    def evaluate(self, values: Mapping[str, Expr | int]) -> Analysis:
        """The analysis at ``values``: the closed forms with the values put in where they hold, the network
        analysed layer by layer where they do not (a channel rounded, a size that does not halve)."""
        subs = self.network.resolve(values)
        if not self.holds_at(values):
            built = analyse(self.network, {**_names(self.values), **values}, self.convention)
            return replace(built, closed=None, closed_conditions=self.conditions)
        rows = tuple(Row(r.name, r.label, r.output.xreplace(subs), r.counts.map(lambda e: _put(e, subs)))
                     for r in self.rows)
        conditions = tuple((e.xreplace(subs), m) for e, m in self.conditions if not e.xreplace(subs).is_number)
        return Analysis(self.network, {**self.values, **subs}, self.convention, rows,
                        self.totals.map(lambda e: _put(e, subs)), conditions, self.quantities, self.conditions)

    def value(self, name: str) -> int | None:
        expr = self.quantities[name]
        return int(expr) if expr.is_Integer else None


def _names(values: Mapping[sympy.Basic, Expr]) -> dict[str, Expr]:
    return {str(k): v for k, v in values.items()}


def _put(expr: Expr, subs: Mapping[sympy.Basic, Expr]) -> Expr:
    return _tidy(expr.xreplace(dict(subs)))


@lru_cache(maxsize=8192)
def _tidy(expr: Expr) -> Expr:
    """The expanded form with its common factors taken out; cached, as the layers of a stage repeat."""
    expr = as_expr(expr)
    return expr if expr.is_number else sympy.factor_terms(sympy.expand(expr))


def summed(counts: Sequence[Counts]) -> Counts:
    """The sum of ``counts``, each count one SymPy sum of all the terms (no running sums, which grow
    quadratically with the layers)."""
    return Counts(*(sympy.Add(*(getattr(c, n) for c in counts)) for n in COUNTS))


def _conditions_hold(conditions: Sequence[tuple[Expr, int]], subs: Mapping[sympy.Basic, Expr]) -> bool:
    for expr, least in conditions:
        value = expr.xreplace(dict(subs))
        if value.is_number and not (value.is_integer and value >= least):
            return False  # a count whose window or size assumed it (adaptive pooling), shapes aside
    return True


def _shapes_agree(symbolic: Sequence[Shape], subs: Mapping[sympy.Basic, Expr], shapes: Sequence[Shape]) -> bool:
    """Whether the shapes of the closed forms, at the values ``subs``, are the layer-by-layer ``shapes``."""
    return all(_equal_shapes(a.xreplace(dict(subs)), b) for a, b in zip(symbolic, shapes, strict=True))


def _equal_shapes(a: Shape, b: Shape) -> bool:
    return len(a.size) == len(b.size) and all(
        sympy.expand(x - y) == 0 for x, y in zip((a.channels, *a.size), (b.channels, *b.size), strict=True))


def _scaled(layer: LayerSpec, rounding: Rounding, subs: Mapping[sympy.Basic, Expr],
            rounded: Callable[[Expr], Expr] | None = None) -> LayerSpec:
    """The layer with the values put into its symbolic fields and the rounding rule applied to its channels
    (by ``rounded`` where they stay symbolic and it is given)."""
    changes: dict[str, Expr] = {}
    for f in fields(layer):  # type: ignore[arg-type]
        value = getattr(layer, f.name)
        if isinstance(value, sympy.Expr) and not value.is_number:
            changes[f.name] = value.xreplace(dict(subs))
        elif isinstance(value, tuple) and any(isinstance(v, sympy.Expr) for v in value):
            changes[f.name] = tuple(v.xreplace(dict(subs)) if isinstance(v, sympy.Expr) else v for v in value)
    out = getattr(layer, "out", None)
    if out is not None:
        changes["out"] = rounding.apply(as_expr(changes.get("out", out)))
        if rounded is not None and not changes["out"].is_number:
            changes["out"] = rounded(changes["out"])
    return replace(layer, **changes) if changes else layer  # type: ignore[type-var]


def walk(network: Network, subs: Mapping[sympy.Basic, Expr], *,
         rounded: Callable[[Expr, Node], Expr] | None = None,
         named: Callable[[Shape, str], Shape] | None = None,
         joined: Callable[[LayerSpec, tuple[Shape, ...], Node], tuple[Shape, ...]] | None = None,
         ) -> Iterator[tuple[Node, LayerSpec, tuple[Shape, ...], Shape]]:
    """Yield ``(node, layer, inputs, output)`` for every node, shapes propagated from the input and the values
    ``subs`` (symbol → value) put into every layer, its channels rounded by the network's rule.

    Code that evaluates the network can name what stays symbolic: ``rounded(channels, node)`` stands for a
    symbolic channel count once rounded, ``named(shape, where)`` for a shape (the input's, each layer's output),
    ``joined(layer, inputs, node)`` for the inputs of a layer of several (sizes that must be equal, named
    once).
    """
    shape = network.input.xreplace(dict(subs))
    for i, size in enumerate((shape.channels, *shape.size)):
        if size.is_number and not (size.is_integer and size >= 1):
            what = "channels" if i == 0 else "size"
            raise NetworkError(f"{network._where()}the input {what} {size} is not a positive integer")
    env = {"input": shape if named is None else named(shape, "the input")}
    for node in network.nodes:
        try:
            inputs = tuple(env[name] for name in node.inputs)
        except KeyError as missing:
            raise NetworkError(f"{network._where()}{node.location}: reads {missing.args[0]!r}, which is not "
                               "the input or an earlier layer") from None
        if not inputs:
            raise NetworkError(f"{network._where()}{node.location}: reads no input")
        try:
            named_channels = None if rounded is None else partial(_after, rounded, node)
            layer = _scaled(node.layer, network.rounding, {**subs, IN_CHANNELS: inputs[0].channels}, named_channels)
            if joined is not None and len(inputs) > 1:
                inputs = joined(layer, inputs, node)
            output = layer.output(inputs)
            if named is not None:
                output = named(output, node.location)
        except SymconvError as error:  # a layer's spec refuses it (SpecError) as the network does
            raise NetworkError(f"{network._where()}{node.location}: {error}") from None
        env[node.name] = output
        yield node, layer, inputs, output


def _after(rounded: Callable[[Expr, Node], Expr], node: Node, channels: Expr) -> Expr:
    return rounded(channels, node)


def _shapes(network: Network, subs: Mapping[sympy.Basic, Expr]) -> list[Shape]:
    return [output for _, _, _, output in walk(network, subs)]


def count(network: Network, values: Mapping[str, Expr | int] | None = None,
          convention: Convention | str = Convention.EXACT) -> Analysis:
    """The closed forms of ``network``, evaluated at ``values`` (what ``symconv net`` prints): the result keeps
    the closed forms in ``closed`` where they hold at ``values``, and is counted layer by layer where not.

    >>> from symconv.network import builtin
    >>> a = count(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, "macs")
    >>> a.value("macs"), a.closed["macs"]
    (568740352, 512*alpha*(1053696*alpha*rho**2 + 55125*rho**2 + 2000))

    Once every symbol has a number, the layers are counted at the numbers, and the symbolic pass makes only
    what is printed of it: the closed forms of the totals (each summed once, tidied once), where they hold,
    and the shapes, which must be the numeric ones.
    """
    if not values:
        return analyse(network, None, convention)
    subs = network.resolve(values)
    if all(symbol in subs and subs[symbol].is_number for symbol in network.symbols.values()):
        totals, conditions, shapes = _closed_forms(network, convention)
        concrete = analyse(network, values, convention)
        if all(expr.is_number for expr in concrete.quantities.values()):  # every symbol the network has
            holds = _conditions_hold(conditions, subs) and _shapes_agree(
                shapes, subs, [row.output for row in concrete.rows])
            closed = totals.as_dict(concrete.convention) if holds else None
            return replace(concrete, closed=closed, closed_conditions=conditions)
    return analyse(network, None, convention).evaluate(values)


def _closed_forms(network: Network,
                  convention: Convention | str) -> tuple[Counts, tuple[tuple[Expr, int], ...], list[Shape]]:
    """The symbolic pass that the totals need: their closed forms, the conditions and each layer's shape."""
    network_convention(convention)
    counts, conditions, shapes = [], [], []
    for _, _, output, layer_counts, layer_conditions in _layers(network, {}):
        counts.append(layer_counts.map(sympy.expand))  # each layer expanded: their sum collects as it goes
        conditions += layer_conditions
        shapes.append(output)
    return summed(counts).map(_tidy), strongest(conditions), shapes


def _layers(network: Network, subs: Mapping[sympy.Basic, Expr]) -> Iterator[
        tuple[Node, str, Shape, Counts, list[tuple[Expr, int]]]]:
    """Each layer under ``subs``: its node, type, output shape, counts as derived (not tidied) and the
    conditions its closed forms assume."""
    batch = as_expr(network.batch, "batch").xreplace(dict(subs))
    for node, layer, inputs, output in walk(network, subs):
        strides = layer.strides()
        # the strides are those of the last axes (the spatial ones), counted from the end
        paired = list(zip(reversed(strides), reversed(inputs[0].size), strict=False))[::-1]
        conditions = [(size / stride, 1) for stride, size in paired if stride > 1 and not size.is_number]
        out = getattr(layer, "out", None)
        if out is not None and not as_expr(out).is_number:
            conditions += network.rounding.conditions(as_expr(out))
        try:
            counts = _layer_counts(layer, inputs, output, batch)
        except SymconvError as error:
            raise NetworkError(f"{network._where()}{node.location}: {error}") from None
        yield node, layer.label(inputs), output, counts, conditions


def analyse(network: Network, values: Mapping[str, Expr | int] | None = None,
            convention: Convention | str = Convention.EXACT) -> Analysis:
    """Propagate the shapes and derive every layer's counts, under ``values`` (symbol name → value)."""
    must_be(network, Network, "network", "a Network (symconv.network)")
    subs = network.resolve(values)
    rows = []
    conditions: list[tuple[Expr, int]] = []
    for node, label, output, counts, layer_conditions in _layers(network, subs):
        rows.append(Row(node.name, label, output, counts.map(_tidy)))
        conditions += layer_conditions
    total = summed([row.counts for row in rows])
    return Analysis(network, subs, network_convention(convention), tuple(rows), total.map(_tidy),
                    strongest(conditions))


def _layer_counts(layer: LayerSpec, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
    """A layer's counts: looked up when the same layer meets the same shapes again (the blocks of a stage, a
    later analysis of the network)."""
    try:
        hash((layer, inputs, output, batch))
    except TypeError:  # a layer with a field that cannot be hashed
        return layer.counts(inputs, output, batch)
    return _cached_counts(layer, inputs, output, batch)


@lru_cache(maxsize=8192)
def _cached_counts(layer: LayerSpec, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> Counts:
    return layer.counts(inputs, output, batch)


def by_type(rows: Sequence[Any]) -> list[tuple[str, int, Counts]]:
    """Rows (each with a ``label`` and ``counts``) grouped by type, in order of first appearance: ``(type, how
    many, summed counts)``, each group summed once."""
    groups: dict[str, list[Counts]] = {}
    for row in rows:
        groups.setdefault(row.label, []).append(row.counts)
    return [(label, len(counts), summed(counts).map(_tidy)) for label, counts in groups.items()]


def strongest(conditions: list[tuple[Expr, int]]) -> tuple[tuple[Expr, int], ...]:
    """The conditions that the others do not imply: ``k·e`` is an integer of at least ``m`` when ``e`` is one
    of at least ``m/k`` and ``k ≥ 1`` is an integer.

    Only multiples of one another can imply each other: ``c·p`` with the same primitive part ``p``. Each
    condition looks up the coefficients that divide its own among those of its part, never every other
    condition.

    >>> a = sympy.Symbol("a", positive=True)
    >>> strongest([(8*a, 1), (16*a, 1), (8*a, 1), (24*a, 2), (3*a, 1)])
    ((8*a, 1), (3*a, 1))
    """
    unique = [(expr, least) for expr, least in dict.fromkeys((sympy.expand(e), m) for e, m in conditions)
              if not expr.is_number]
    parts: dict[Expr, dict[Fraction, int]] = {}  # primitive part -> coefficient -> its largest least
    split = []
    for expr, least in unique:
        content, part = expr.as_content_primitive()
        coefficient = Fraction(int(content.p), int(content.q))
        split.append((coefficient, part, least))
        coefficients = parts.setdefault(part, {})
        coefficients[coefficient] = max(least, coefficients.get(coefficient, least))
    denominators = {part: math.lcm(*(c.denominator for c in coefficients)) for part, coefficients in parts.items()}
    return tuple(condition for condition, (content, part, least) in zip(unique, split, strict=True)
                 if not _implied(content, least, parts[part], denominators[part]))


def _implied(content: Fraction, least: int, coefficients: Mapping[Fraction, int], denominator: int) -> bool:
    """Whether ``content·p`` integer ``≥ least`` follows from ``c·p`` integer ``≥ m`` for a ``c, m`` of
    ``coefficients`` (``c`` dividing ``content``; ``denominator`` makes them all whole), other than the
    condition itself."""
    if coefficients[content] > least:
        return True
    if len(coefficients) <= 32:
        divisors = [c for c in coefficients if (content / c).denominator == 1]
    else:  # found among the divisors of content, on the common denominator
        divisors = [c for c in (Fraction(d, denominator) for d in sympy.divisors(int(content * denominator)))
                    if c in coefficients]
    for coefficient in divisors:
        ratio = content / coefficient
        if ratio > 1 and coefficients[coefficient] * ratio >= least:
            return True
    return False
