"""What a tool preset is: a counting tool's rule for each layer type, each with the tool's source beside it,
and the tool's known errors; :data:`PRESETS` holds one entry per tool.

A rule receives a layer's :class:`~symconv.presets.facts.Facts` — the counts symconv derived for it (``mults``,
``macs``, the input and output grids, ``params``, the output elements) and the operation a model calls for it
— and recombines them the tool's way into one or more :class:`Tally` (ptflops counts a ReLU module twice: its
hook and the patched function it calls). Nothing is typed in: every value is an expression in those counts.

>>> from symconv.presets import PRESETS
>>> list(PRESETS)
['flopcounter', 'fvcore', 'ptflops-pytorch', 'ptflops-aten', 'thop', 'torchinfo', 'calflops', 'torchvision']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

import sympy

from symconv.errors import SymconvError, did_you_mean

if TYPE_CHECKING:
    from symconv.presets.facts import Facts

__all__ = ["PRESETS", "KnownError", "Preset", "Rule", "Tally", "find", "not_counted"]

Expr: TypeAlias = sympy.Expr


@dataclass(frozen=True)
class Tally:
    """What a tool counts for a layer, or for one part of it: the count, why it is that count (a phrase that
    says how it parts from the exact count: ``products only``, ``not counted``), the tool's source of the
    rule, and the name of the tool's known error when the count is one."""

    value: Expr
    why: str
    source: str
    error: str = ""


@dataclass(frozen=True)
class KnownError:
    """A tool's known error: its name, what goes wrong, and the source line that does it."""

    name: str
    says: str
    source: str


#: A rule: a layer's facts to what the tool counts for it.
Rule: TypeAlias = "Callable[[Facts], Tally | tuple[Tally, ...]]"


def not_counted(source: str) -> Rule:
    """The rule of the layers a tool has no entry for: zero, the tool's table of entries named."""

    def rule(facts: Facts) -> Tally:
        return Tally(sympy.Integer(0), "not counted", source)

    return rule


@dataclass(frozen=True)
class Preset:
    """A counting tool, as symconv reproduces it: its name (as ``--convention`` takes it), the tool and the
    call whose number it gives, what that number is, the tool's source files, its known errors, its rule
    for each layer type of the forward pass (registered with :meth:`counts`) and for every other type, and
    how the tool combines the layers' counts into its total (ptflops truncates its per-sample average)."""

    name: str
    tool: str
    call: str
    reports: str
    source: str
    other: Rule
    errors: tuple[KnownError, ...] = ()
    forward: dict[str, Rule] = field(default_factory=dict)
    combine: Callable[[Expr], Expr] = field(default=lambda total: total)
    combines: str = "the sum of its layers' counts"

    def counts(self, *types: str) -> Callable[[Rule], Rule]:
        """Register a rule for the layer ``types`` (network-file type names: ``conv``, ``relu``, ...)."""

        def add(rule: Rule) -> Rule:
            for kind in types:
                if kind in self.forward:
                    raise SymconvError(f"preset {self.name}: two rules for {kind!r}")
                self.forward[kind] = rule
            return rule

        return add

    def tally(self, facts: Facts) -> tuple[Tally, ...]:
        """What the tool counts for one layer."""
        result = self.forward.get(facts.type, self.other)(facts)
        return result if isinstance(result, tuple) else (result,)

    def error(self, name: str) -> KnownError:
        return next(e for e in self.errors if e.name == name)


#: Every tool preset, by name.
PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    """Add a preset to :data:`PRESETS`."""
    if preset.name in PRESETS:
        raise SymconvError(f"two presets named {preset.name!r}")
    PRESETS[preset.name] = preset
    return preset


def find(name: str) -> Preset:
    """The preset called ``name``; an unknown name is a :class:`SymconvError` listing the known ones."""
    if name not in PRESETS:
        raise SymconvError(f"unknown preset {name!r}{did_you_mean(name, PRESETS)} (known: {', '.join(PRESETS)})")
    return PRESETS[name]

