r"""Claims files: published formulas, typed in from their sources, to check against symconv's derivations.

A claim is a formula typed in from a paper or an article: something to check, never a source of truth. It
lives in a claims file (``derivations/claims.toml``), read in the source's own notation, with what it is about
(a variant's count, a ratio of two variants, or the sum of the layers of a unit) and the setting it assumes;
:func:`check_claim` gives its verdict (:func:`symconv.check.check_count`).

``[[claim]]`` tables are the reference article's claims, which the variant documents check; ``[[paper]]``
tables are those of other papers, which the catalogue adds (:mod:`symconv.check.catalogue`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from symconv.check.layers import Part, check_count
from symconv.check.verdict import Verdict
from symconv.errors import SymconvError
from symconv.quantities import LAYER

__all__ = ["Claim", "check_claim", "load_catalogue", "load_claims"]


@dataclass(frozen=True)
class Claim:
    """One entry of a claims file.

    ``values`` (``set``) are substitutions in symconv's names on both sides; ``aliases`` (``let``) and
    ``notation`` read the formula's own names; ``parts`` make the derived count the sum of several layers.
    """

    id: str
    source: str
    stated: str
    formula: str
    variant: str
    quantity: str
    values: Mapping[str, str] = field(default_factory=dict)
    versus: str | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    notation: str | None = None
    convention: str = "exact"
    bias: bool | None = None
    parts: tuple[Part, ...] = ()
    fits: str = ""


def load_claims(path: str | Path) -> tuple[Claim, ...]:
    """The reference article's claims of a claims file (its ``[[claim]]`` tables)."""
    return _load(path, ["claim"])


def load_catalogue(path: str | Path) -> tuple[Claim, ...]:
    """Every claim of a claims file: the article's (``[[claim]]``), then other papers' (``[[paper]]``)."""
    return _load(path, ["claim", "paper"])


def check_claim(claim: Claim, dims: int = 2, *, grid: bool = False) -> tuple[sympy.Expr, sympy.Expr, Verdict]:
    """The claim as read, the derived count, and the verdict."""
    verdict = check_count(claim.formula, claim.variant or None, claim.quantity, versus=claim.versus,
                          parts=claim.parts, convention=claim.convention, bias=claim.bias, dims=dims,
                          values=claim.values, aliases=claim.aliases, notation=claim.notation, grid=grid)
    return verdict.claimed, verdict.derived, verdict


def _load(path: str | Path, tables: Sequence[str]) -> tuple[Claim, ...]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SymconvError(f"{path}: {error}") from None
    claims = []
    for table in tables:
        for number, row in enumerate(data.get(table, []), start=1):
            claims.append(_claim(row, path, number))
    return tuple(claims)


def _claim(row: Mapping[str, Any], path: Path, number: int) -> Claim:
    try:
        layers: list[Mapping[str, Any]] = list(row.get("layer", []))
        parts = tuple(Part(str(p["variant"]), dict(p.get("set", {}))) for p in layers)
        claim = Claim(
            id=str(row["id"]), source=str(row["source"]), stated=str(row["stated"]), formula=str(row["formula"]),
            variant=str(row.get("variant", "")), quantity=str(row["quantity"]),
            values=dict(row.get("set", {})), versus=row.get("versus"), aliases=dict(row.get("let", {})),
            notation=row.get("notation"), convention=str(row.get("convention", "exact")), bias=row.get("bias"),
            parts=parts, fits=str(row.get("fits", "")),
        )
    except KeyError as missing:
        raise SymconvError(f"{path}: claim {number} has no field {missing}") from None
    if claim.quantity not in LAYER:
        raise SymconvError(f"{path}: claim {claim.id}: unknown quantity {claim.quantity!r}")
    if not claim.variant and not claim.parts:
        raise SymconvError(f"{path}: claim {claim.id}: give a variant or layers")
    return claim
