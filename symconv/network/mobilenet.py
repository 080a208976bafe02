"""MobileNetV1's published tables, reproduced from one symbolic analysis in ``alpha`` and ``rho``.

The figures printed in Howard et al. 2017 (Tables 2, 4, 6 and 7) are claims in ``published.toml``; this module
evaluates the built-in networks' closed forms at each figure's setting and says whether the printed figure is
the exact value rounded, truncated, both, or neither.

>>> f = {fig.id: fig for fig in figures()}
>>> f["table7-160-macs"].exact_text, f["table7-160-macs"].verdict
('290.68', 'truncated (rounded: 291)')
>>> f["table2-conv3x3-macs"].exact_text, f["table2-conv3x3-macs"].verdict
('1.91', 'differs: the exact figure is 1.91')
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import sympy

from symconv.conventions import Convention
from symconv.network.fileformat import builtin
from symconv.network.graph import Analysis, analyse
from symconv.parsing import parse_text
from symconv.printing.network import decimal

__all__ = ["UNITS", "Figure", "closed_forms", "figures", "load_published", "verdict"]


@cache
def load_published(name: str = "published.toml") -> dict[str, Any]:
    """The published figures and formulas of a file of ``symconv.network`` (``published.toml``: the
    papers'; ``published_tables.toml``: TF-slim's and torchvision's tables)."""
    return tomllib.loads((resources.files("symconv.network") / name).read_text(encoding="utf-8"))


#: What a figure's unit is: millions, billions, the count itself; "%" is a share of the network's total.
UNITS = {"M": 10**6, "G": 10**9, "": 1}


@cache
def symbolic(network: str) -> Analysis:
    """The closed forms of a built-in network, every symbol kept (mult-adds as ``flops``)."""
    return analyse(builtin(network), None, Convention.MACS)


def closed_forms(network: str = "mobilenet_v1") -> dict[str, sympy.Expr]:
    """Mult-adds, weights and learnable parameters of a built-in network in its symbols.

    >>> closed_forms()["macs"]
    512*alpha*(1053696*alpha*rho**2 + 55125*rho**2 + 2000)
    """
    q = symbolic(network).quantities
    return {"macs": q["macs"], "weights": symbolic(network).totals.weights, "params": q["params"]}


def verdict(exact: sympy.Rational, printed: str) -> str:
    """How a printed decimal relates to the exact value: ``exact``, ``rounded``, ``truncated``, ``rounded or
    truncated`` (both give it), or ``differs``.

    >>> verdict(sympy.Rational(5687403, 10000), "569"), verdict(sympy.Rational(29068, 100), "290")
    ('rounded (truncated: 568)', 'truncated (rounded: 291)')
    """
    digits = len(printed.partition(".")[2])
    scale = 10**digits
    if sympy.Rational(printed) == exact:
        return "exact"
    rounded = decimal(exact, digits)
    truncated = _digits(sympy.floor(exact * scale), digits)
    if printed == rounded and printed == truncated:
        return "rounded or truncated"
    if printed == rounded:
        return f"rounded (truncated: {truncated})"
    if printed == truncated:
        return f"truncated (rounded: {rounded})"
    return f"differs: the exact figure is {rounded}"


def _digits(scaled: sympy.Integer, digits: int) -> str:
    whole, frac = divmod(int(scaled), 10**digits)
    return f"{whole}.{frac:0{digits}d}" if digits else str(whole)


@dataclass(frozen=True)
class Figure:
    """A printed figure beside the exact value at its setting."""

    id: str
    source: str
    what: str
    setting: Mapping[str, sympy.Expr]
    quantity: str
    printed: str
    unit: str
    exact: sympy.Rational  # in the unit: millions, billions, the count, or percent
    count: int  # the exact count (the whole of the share's numerator for a percentage)
    without: tuple[str, ...]

    @property
    def exact_text(self) -> str:
        return decimal(self.exact, 2)

    @property
    def verdict(self) -> str:
        return verdict(self.exact, self.printed)


def _count(analysis: Analysis, quantity: str, without: Sequence[str], layer_type: str | None) -> tuple[int, int]:
    part = whole = sympy.Integer(0)
    for label, _, counts in analysis.by_type():
        value = getattr(counts, quantity)
        if label in without:
            continue
        whole += value
        if layer_type is None or label == layer_type:
            part += value
    return int(part), int(whole)


def figures(name: str = "published.toml") -> list[Figure]:
    """Every published figure of a file (by default the MobileNet paper's), with the exact value and the
    verdict."""
    result = []
    for row in load_published(name)["figure"]:
        setting = {name: parse_text(text) for name, text in row["set"].items()}
        analysis = symbolic(row["network"]).evaluate(setting)
        without = tuple(row.get("without", ()))
        part, whole = _count(analysis, row["quantity"], without, row.get("layer_type"))
        exact = sympy.Rational(part, whole) * 100 if row["unit"] == "%" else sympy.Rational(part, UNITS[row["unit"]])
        result.append(Figure(row["id"], row["source"], row["what"], setting, row["quantity"], row["printed"],
                             row["unit"], exact, part, without))
    return result
