r"""Published formulas, checked against symconv's derivations: the claims file and its catalogue.

A claim is a formula typed in from a paper or an article: something to check, never a source of truth. It
lives in ``derivations/claims.toml``, read in the source's own notation, with what it is about (a variant's
count, a ratio of two variants, or the sum of the layers of a unit) and the setting it assumes. Its verdict
comes from :func:`symconv.check.equivalent`.

>>> from symconv.symbols import sym
>>> C_in, C_out, b = sym("C_in"), sym("C_out"), sym("b")
>>> check(C_in * C_out, C_out * (C_in + b)).condition
'b = 0'

``[[claim]]`` tables are the reference article's claims, which the variant documents check; ``[[paper]]``
tables are those of other papers. :func:`write_catalogue` writes all of them, with their verdicts, to
``derivations/claims.md`` (``python -m symconv.documents derivations``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from symconv.check import Part, Verdict, check_count, claim_expr, derived_count, equivalent
from symconv.errors import SymconvError
from symconv.parsing import notation as find_notation
from symconv.parsing import parse_text
from symconv.quantities import LAYER

__all__ = ["Claim", "Verdict", "check", "check_claim", "load_catalogue", "load_claims", "write_catalogue"]


def check(claimed: sympy.Expr, derived: sympy.Expr) -> Verdict:
    """Compare a claimed closed form with a derived one, exactly: :func:`symconv.check.equivalent`."""
    return equivalent(claimed, derived)


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

    @property
    def subject(self) -> str:
        """What the claim is about, in words."""
        if self.parts:
            layers = " + ".join(part.variant for part in self.parts)
            about = f"{self.quantity} of {layers}, each derived and summed"
        elif self.versus:
            about = f"{self.quantity} of {self.variant} over {self.versus}"
        else:
            about = f"{self.quantity} of {self.variant}"
        bias = {None: "b symbolic", True: "with bias", False: "without bias"}[self.bias]
        convention = f"{self.convention} convention, " if self.quantity == "flops" else ""
        return f"{about} ({convention}{bias})"


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


def load_claims(path: str | Path) -> tuple[Claim, ...]:
    """The reference article's claims of a claims file (its ``[[claim]]`` tables)."""
    return _load(path, ["claim"])


def load_catalogue(path: str | Path) -> tuple[Claim, ...]:
    """Every claim of a claims file: the article's (``[[claim]]``), then other papers' (``[[paper]]``)."""
    return _load(path, ["claim", "paper"])


def claim_values(claim: Claim) -> dict[str, sympy.Expr]:
    return {name: parse_text(text) for name, text in claim.values.items()}


def derived_for(claim: Claim, dims: int = 2) -> sympy.Expr:
    """The count the claim is about, derived with the claim's substitutions."""
    values: dict[str, str] = dict(find_notation(claim.notation).values) if claim.notation else {}
    values.update(claim.values)
    derived, _ = derived_count(claim.quantity, claim.variant or None, versus=claim.versus, parts=claim.parts,
                               convention=claim.convention, bias=claim.bias, dims=dims, values=values)
    return derived


def check_claim(claim: Claim, dims: int = 2, *, grid: bool = False) -> tuple[sympy.Expr, sympy.Expr, Verdict]:
    """The claim as read, the derived count, and the verdict."""
    verdict = check_count(claim.formula, claim.variant or None, claim.quantity, versus=claim.versus,
                          parts=claim.parts, convention=claim.convention, bias=claim.bias, dims=dims,
                          values=claim.values, aliases=claim.aliases, notation=claim.notation, grid=grid)
    return verdict.claimed, verdict.derived, verdict


def _claimed_latex(claim: Claim) -> str:
    from symconv.printing.exprs import latex_expr

    return latex_expr(claim_expr(claim.formula, aliases=claim.aliases, notation=claim.notation))


def catalogue_markdown(claims: Sequence[Claim]) -> str:
    """The catalogue: every claim with what it is checked against, symconv's verdict and why."""
    from symconv.printing.exprs import latex_expr

    out = ["# Published formulas, checked", "",
           "Generated by `python -m symconv.documents derivations` from `derivations/claims.toml`: edit that "
           "file or the code, not this one.", "",
           "Each formula is typed in as its source states it and read in the source's notation; symconv derives "
           "the count it is about (a unit of several layers is the sum of each layer's derived count) and "
           "decides whether the two are equal for every value of the symbols: positive integers, `b` 0 or 1, "
           "channels divisible by the groups. When they are not, it gives the smallest counterexample and the "
           "values where the formula does hold. `symconv check` does the same for one formula.", "",
           "| claim | source | verdict |", "| --- | --- | --- |"]
    checked = []
    for claim in claims:
        _, _, verdict = check_claim(claim, grid=True)
        checked.append((claim, verdict))
        out.append(f"| [{claim.id}](#{claim.id}) | {claim.source} | {verdict.summary} |")
    out.append("")
    for claim, verdict in checked:
        written = claim.formula.replace("`", "")
        out += [f"## {claim.id}", "", f"{claim.source}: {claim.stated}. As written: `{written}`, read as", "",
                f"$${_claimed_latex(claim)}$$", ""]
        reading = []
        if claim.notation:
            reading.append(f"notation `{claim.notation}` ({find_notation(claim.notation).note})")
        if claim.aliases:
            reading.append("read with " + ", ".join(f"`{k}` = `{v}`" for k, v in claim.aliases.items()))
        if claim.values:
            reading.append("set " + ", ".join(f"`{k}` = `{v}`" for k, v in claim.values.items()))
        out.append(f"- Checked against: {claim.subject}" + (f"; {'; '.join(reading)}" if reading else "") + ".")
        if claim.parts:
            for number, part in enumerate(claim.parts, start=1):
                sets = ", ".join(f"`{k}` = `{v}`" for k, v in part.values.items())
                out.append(f"  - layer {number}: {part.variant}" + (f" with {sets}" if sets else ""))
        if claim.fits:
            out.append(f"- Where it fits symconv's variants: {claim.fits}.")
        out.append(f"- Derived: ${latex_expr(verdict.derived)}$")
        out.append(f"- Derived − claimed: ${latex_expr(verdict.difference)}$")
        out.append(f"- Verdict: **{verdict.summary}**.")
        if verdict.method:
            out.append(f"- Proof: {verdict.method}.")
        if verdict.counterexample is not None:
            out.append(f"- Smallest counterexample: {verdict.counterexample}.")
        if verdict.status == "fails" and verdict.nowhere:
            out.append("- It holds for no values of the symbols.")
        out += [f"- Note: {note}." for note in verdict.notes]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def write_catalogue(folder: str | Path) -> list[Path]:
    """Write ``claims.md`` into ``folder`` from ``folder/claims.toml``; returns the path written."""
    folder = Path(folder)
    path = folder / "claims.md"
    path.write_text(catalogue_markdown(load_catalogue(folder / "claims.toml")), encoding="utf-8")
    return [path]
