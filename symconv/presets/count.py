"""A network or a derivation counted the way a tool counts it: one row per layer with what the tool counts
and why, the tool's total, and its difference to the exact count by layer type.

>>> from symconv.network import builtin
>>> resnet = count(builtin("resnet50"), "fvcore", {"alpha": 1, "rho": 1})
>>> resnet.total, resnet.exact  # torchvision's 4.09 GFLOPS plus batch norm's and the average pool's estimates
(4111512576, 8206475904)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import sympy

from symconv.derive import Derivation
from symconv.network.graph import Network
from symconv.network.layers.base import Expr, Shape
from symconv.presets.base import PRESETS, KnownError, Preset, Tally, find
from symconv.presets.facts import Facts, network_facts, presented, stage_facts

__all__ = ["Comparison", "Group", "ToolCount", "ToolRow", "compare", "compare_facts", "count", "count_derivation",
           "count_facts"]


@dataclass(frozen=True)
class ToolRow:
    """One layer: its name, its type's label, its output's shape, its exact FLOPs and what the tool counts
    for it."""

    name: str
    label: str
    output: Shape
    exact: Expr
    tallies: tuple[Tally, ...]

    @property
    def value(self) -> Expr:
        return sympy.Add(*(t.value for t in self.tallies))

    @property
    def why(self) -> str:
        return "; ".join(dict.fromkeys(t.why for t in self.tallies))


@dataclass(frozen=True)
class Group:
    """The layers of one type: how many, the tool's count and the exact one, and why they differ."""

    label: str
    layers: int
    value: Expr
    exact: Expr
    why: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def difference(self) -> Expr:
        return sympy.expand(self.value - self.exact)


def _tidy(expr: Expr) -> Expr:
    expr = sympy.expand(expr)
    return expr if expr.is_number else sympy.factor_terms(expr)


@dataclass(frozen=True)
class ToolCount:
    """What a tool reports for a network (or a derived layer), reproduced layer by layer: ``rows`` in order,
    ``total`` the tool's headline number (its rows combined as the tool combines them), ``exact`` symconv's
    exact FLOPs."""

    preset: Preset
    title: str
    rows: tuple[ToolRow, ...]

    @cached_property
    def total(self) -> Expr:
        return _tidy(self.preset.combine(sympy.expand(sympy.Add(*(row.value for row in self.rows)))))

    @cached_property
    def exact(self) -> Expr:
        return _tidy(sympy.Add(*(row.exact for row in self.rows)))

    @property
    def difference(self) -> Expr:
        return _tidy(self.total - self.exact)

    def by_type(self) -> list[Group]:
        """The rows grouped by type, in order of first appearance."""
        groups: dict[str, list[ToolRow]] = {}
        for row in self.rows:
            groups.setdefault(row.label, []).append(row)
        return [Group(label, len(rows), _tidy(sympy.Add(*(r.value for r in rows))),
                      _tidy(sympy.Add(*(r.exact for r in rows))),
                      tuple(dict.fromkeys(t.why for r in rows for t in r.tallies)),
                      tuple(dict.fromkeys(e for r in rows for t in r.tallies for e in t.error.split(", ") if e)))
                for label, rows in groups.items()]

    @property
    def errors(self) -> tuple[KnownError, ...]:
        """The tool's known errors that this network shows, in the tool's order."""
        seen = {e for r in self.rows for t in r.tallies for e in t.error.split(", ") if e}
        return tuple(e for e in self.preset.errors if e.name in seen)


def count_facts(preset: Preset | str, title: str, layers: Sequence[tuple[str, Facts]],
                subs: Mapping[sympy.Basic, Expr] | None = None) -> ToolCount:
    """The tool's count of named layers' facts; ``subs`` writes the values back (``C_in_g`` → ``C_in/g``)."""
    tool = find(preset) if isinstance(preset, str) else preset
    back = dict(subs or {})
    rows = []
    for name, facts in layers:
        tallies = tuple(Tally(_tidy(t.value.xreplace(back)), t.why, t.source, t.error) for t in tool.tally(facts))
        output = facts.output.xreplace(back)
        rows.append(ToolRow(name, facts.label, output, _tidy(facts.exact.xreplace(back)), tallies))
    return ToolCount(tool, title, tuple(rows))


def count(network: Network, preset: Preset | str, values: Mapping[str, Expr | int] | None = None) -> ToolCount:
    """What the tool reports for ``network`` at ``values`` (its symbols kept where not given)."""
    layers = [(node.name, facts) for node, facts in network_facts(network, values)]
    return count_facts(preset, network.title or network.name, layers)


def count_derivation(derivation: Derivation, preset: Preset | str) -> ToolCount:
    """What the tool reports for a derived layer, its stages as the convolutions a model would hold."""
    layers = [(facts.label, facts) for facts in stage_facts(derivation)]
    return count_facts(preset, derivation.title, layers, presented(derivation))


@dataclass(frozen=True)
class Comparison:
    """Every tool's number for one network: what each reports, its difference to the exact count and why, by
    layer type."""

    title: str
    exact: Expr
    counts: tuple[ToolCount, ...]


def compare(network: Network, values: Mapping[str, Expr | int] | None = None,
            presets: Sequence[str] | None = None) -> Comparison:
    """What every tool (or the ``presets`` named) reports for ``network`` at ``values``.

    >>> from symconv.network import builtin
    >>> c = compare(builtin("resnet50"), {"alpha": 1, "rho": 1}, ["flopcounter", "thop"])
    >>> [(t.preset.name, t.total) for t in c.counts]
    [('flopcounter', 8178368512), ('thop', 4133742592)]
    """
    layers = [(node.name, facts) for node, facts in network_facts(network, values)]
    return compare_facts(network.title or network.name, layers, presets)


def compare_facts(title: str, layers: Sequence[tuple[str, Facts]], presets: Sequence[str] | None = None
                  ) -> Comparison:
    """Every tool's (or the ``presets`` named) count of named layers' facts."""
    names = list(presets) if presets is not None else list(PRESETS)
    counts = tuple(count_facts(name, title, layers) for name in names)
    return Comparison(title, counts[0].exact if counts else sympy.Integer(0), counts)
