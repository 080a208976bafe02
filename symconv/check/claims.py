r"""Claims files: published formulas, typed in from their sources, to check against symconv's derivations.

A claim is a formula typed in from a paper or an article: something to check, never a source of truth. It
lives in a claims file (``derivations/claims.toml``), read in the source's own notation, with what it is about
(a variant's count, a ratio of two variants, or the sum of the layers of a unit) and the setting it assumes;
:func:`check_claim` gives its verdict (:func:`symconv.check.check_count`).

``[[claim]]`` tables are the reference article's claims, which the variant documents check; ``[[paper]]``
tables are those of other papers, which the catalogue adds (:mod:`symconv.documents.claims`); ``[[rule]]``
tables are the rules people quote without a source to cite ("backward = 2 × forward"), which the documents of
the backward pass check (:func:`load_rules`), and ``[[memory]]`` tables claims about memory traffic. A claim
about another pass names it (``pass``, ``grad``), and a claim about the ratio of two passes of one layer
names the other (``versus_pass``, ``versus_convention``). A file that cannot be read, or a claim with a
missing, unknown or malformed field, is a one-line :class:`SymconvError` naming the file and the claim.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from symconv.backward import GRADS, parse_grads
from symconv.check.layers import Part, Setting, check_count
from symconv.check.notations import NOTATIONS
from symconv.check.verdict import Verdict
from symconv.errors import SymconvError
from symconv.quantities import LAYER, MEMORY

#: The passes a claim can be about (:class:`symconv.passes.Pass`).
PASSES = ("forward", "backward", "training")

__all__ = ["Claim", "check_claim", "load_catalogue", "load_claims", "load_rules"]


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
    values: Mapping[str, str | int] = field(default_factory=dict)
    versus: str | None = None
    aliases: Mapping[str, str | int] = field(default_factory=dict)
    notation: str | None = None
    convention: str = "exact"
    bias: bool | None = None
    parts: tuple[Part, ...] = ()
    fits: str = ""
    pass_: str = "forward"
    grad: tuple[str, ...] = GRADS
    versus_pass: str | None = None
    versus_convention: str | None = None

    @property
    def setting(self) -> Setting:
        """What the claimed count is counted in (:class:`symconv.check.layers.Setting`)."""
        return Setting(self.convention, self.bias, self.pass_, self.grad)

    @property
    def versus_setting(self) -> Setting | None:
        """What the count it is divided by is counted in, for a ratio of two passes of one layer."""
        if self.versus_pass is None:
            return None
        return Setting(self.versus_convention or self.convention, self.bias, self.versus_pass, self.grad)


_REQUIRED = ("id", "source", "stated", "formula", "quantity")
_TEXT = (*_REQUIRED, "variant", "versus", "notation", "convention", "fits", "pass", "versus_pass",
         "versus_convention")
_FIELDS = frozenset({*_TEXT, "bias", "set", "let", "layer", "grad"})


def load_claims(path: str | Path) -> tuple[Claim, ...]:
    """The reference article's claims of a claims file (its ``[[claim]]`` tables)."""
    return _load(path, ["claim"])


def load_catalogue(path: str | Path) -> tuple[Claim, ...]:
    """Every claim of a claims file: the article's (``[[claim]]``), then other papers' (``[[paper]]``)."""
    return _load(path, ["claim", "paper"])


def load_rules(path: str | Path, tables: Sequence[str] = ("rule",)) -> tuple[Claim, ...]:
    """The rules people quote of a claims file (its ``[[rule]]`` tables), or the claims of other ``tables``
    (``[[memory]]``: claims about memory traffic)."""
    return _load(path, list(tables))


def check_claim(claim: Claim, dims: int = 2, *, grid: bool = False) -> tuple[sympy.Expr, sympy.Expr, Verdict]:
    """The claim as read, the derived count, and the verdict."""
    verdict = check_count(claim.formula, claim.variant or None, claim.quantity, versus=claim.versus,
                          parts=claim.parts, convention=claim.convention, bias=claim.bias, dims=dims,
                          values=claim.values, aliases=claim.aliases, notation=claim.notation, grid=grid,
                          setting=claim.setting, versus_setting=claim.versus_setting)
    return verdict.claimed, verdict.derived, verdict


def _load(path: str | Path, tables: Sequence[str]) -> tuple[Claim, ...]:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SymconvError(f"{path}: {error}") from None
    claims = []
    for table in tables:
        rows = data.get(table, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise SymconvError(f"{path}: '{table}' must be an array of tables ([[{table}]])")
        for number, row in enumerate(rows, start=1):
            claims.append(_claim(row, path, number))
    return tuple(claims)


def _claim(row: Mapping[str, Any], path: Path, number: int) -> Claim:
    """One claim of a file, its fields checked."""
    missing = [name for name in _REQUIRED if name not in row]
    if missing:
        raise SymconvError(f"{path}: claim {number} has no field '{missing[0]}'")
    where = f"{path}: claim {row['id']}"
    unknown = sorted(set(row) - _FIELDS)
    if unknown:
        raise SymconvError(f"{where}: unknown field {unknown[0]!r}")
    text = _texts(row, where)
    claim = Claim(
        id=text["id"], source=text["source"], stated=text["stated"], formula=text["formula"],
        variant=text.get("variant", ""), quantity=text["quantity"], values=_assignments(row, "set", where),
        versus=text.get("versus"), aliases=_assignments(row, "let", where), notation=text.get("notation"),
        convention=text.get("convention", "exact"), bias=_bias(row, where), parts=_parts(row, path, number, where),
        fits=text.get("fits", ""), pass_=text.get("pass", "forward"), grad=_grads(row, where),
        versus_pass=text.get("versus_pass"), versus_convention=text.get("versus_convention"),
    )
    for name in ("pass", "versus_pass"):
        if name in text and text[name] not in PASSES:
            raise SymconvError(f"{where}: unknown {name} {text[name]!r} (known: {', '.join(PASSES)})")
    if claim.quantity not in (*LAYER, *MEMORY):
        raise SymconvError(f"{where}: unknown quantity {claim.quantity!r}")
    if not claim.variant and not claim.parts:
        raise SymconvError(f"{where}: give a variant or layers")
    if claim.notation is not None and claim.notation not in NOTATIONS:
        raise SymconvError(f"{where}: unknown notation {claim.notation!r} (known: {', '.join(NOTATIONS)})")
    return claim


def _texts(row: Mapping[str, Any], where: str) -> dict[str, str]:
    """The text fields the claim has."""
    for name in _TEXT:
        if name in row and not isinstance(row[name], str):
            raise SymconvError(f"{where}: {name} must be a string")
    return {name: row[name] for name in _TEXT if name in row}


def _grads(row: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """The gradients a claim's backward pass computes (``grad = ["weight", "bias"]``; all when not given)."""
    grad = row.get("grad", list(GRADS))
    if not isinstance(grad, list) or not all(isinstance(g, str) for g in grad):
        raise SymconvError(f'{where}: grad must be a list of gradients (grad = ["weight", "bias"])')
    try:
        return parse_grads(grad)
    except SymconvError as error:
        raise SymconvError(f"{where}: {error}") from None


def _bias(row: Mapping[str, Any], where: str) -> bool | None:
    bias = row.get("bias")
    if bias is not None and not isinstance(bias, bool):
        raise SymconvError(f"{where}: bias must be true or false")
    return bias


def _assignments(row: Mapping[str, Any], name: str, where: str) -> dict[str, str | int]:
    """A table of substitutions (``set``) or aliases (``let``): names to expressions in quotes, or integers."""
    table = row.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(value, str | int) and not isinstance(value, bool)
                                              for value in table.values()):
        raise SymconvError(f'{where}: {name} must be a table of expressions or integers (k_h = "k", N = 1)')
    return dict(table)


def _parts(row: Mapping[str, Any], path: Path, number: int, where: str) -> tuple[Part, ...]:
    """The layers of a unit, each a variant and its own substitutions."""
    layers = row.get("layer", [])
    if not isinstance(layers, list) or not all(isinstance(layer, dict) for layer in layers):
        raise SymconvError(f"{where}: layer must be an array of tables ({{ variant = ..., set = {{...}} }})")
    parts = []
    for layer in layers:
        if "variant" not in layer:
            raise SymconvError(f"{path}: claim {number} has no field 'variant'")
        unknown = sorted(set(layer) - {"variant", "set"})
        if unknown:
            raise SymconvError(f"{where}: a layer has an unknown field {unknown[0]!r}")
        if not isinstance(layer["variant"], str):
            raise SymconvError(f"{where}: a layer's variant must be a string")
        parts.append(Part(layer["variant"], _assignments(layer, "set", where)))
    return tuple(parts)
