"""Claimed formulas checked against symconv's derivations.

A claim is a formula typed in from a paper or an article: something to check, never a source of truth. Its
verdict says whether it equals the derived count for every value of the symbols, and if not, for which bias
setting it does and what the exact difference is.

>>> from symconv.symbols import sym
>>> C_in, C_out, b = sym("C_in"), sym("C_out"), sym("b")
>>> check(C_in * C_out, C_out * (C_in + b)).condition
'b = 0'
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from symconv import variants
from symconv.compare import compare
from symconv.derive import QUANTITIES, derive
from symconv.errors import SymconvError
from symconv.parsing import parse_formula, parse_text
from symconv.symbols import sym

__all__ = ["Claim", "Verdict", "check", "check_claim", "load_claims"]


@dataclass(frozen=True)
class Verdict:
    """``holds``: equal for every value of the symbols; ``condition``: the bias setting under which it is
    equal when it is not always (``"b = 0"``, ``"b = 1"``), else ``None``; ``difference``: derived − claimed."""

    holds: bool
    condition: str | None
    difference: sympy.Expr

    @property
    def summary(self) -> str:
        if self.holds:
            return "holds"
        if self.condition:
            return f"holds exactly when {self.condition}"
        return "does not hold"


def check(claimed: sympy.Expr, derived: sympy.Expr) -> Verdict:
    """Compare a claimed closed form with a derived one, exactly (their difference in normal form)."""
    difference = sympy.factor(sympy.cancel(sympy.together(derived - claimed)))
    if difference == 0:
        return Verdict(True, None, difference)
    b = sym("b")
    if b in difference.free_symbols:
        settings = [value for value in (0, 1) if sympy.cancel(difference.subs(b, value)) == 0]
        if settings:
            return Verdict(False, f"b = {settings[0]}", difference)
    return Verdict(False, None, difference)


@dataclass(frozen=True)
class Claim:
    """One entry of a claims file."""

    id: str
    source: str
    stated: str
    formula: str
    variant: str
    quantity: str
    values: Mapping[str, str] = field(default_factory=dict)
    versus: str | None = None


def load_claims(path: str | Path) -> tuple[Claim, ...]:
    """Read a claims file (TOML, a ``[[claim]]`` table per claim)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SymconvError(f"{path}: {error}") from None
    claims = []
    for number, row in enumerate(data.get("claim", []), start=1):
        try:
            claim = Claim(id=row["id"], source=row["source"], stated=row["stated"], formula=row["formula"],
                          variant=row["variant"], quantity=row["quantity"], values=row.get("set", {}),
                          versus=row.get("versus"))
        except KeyError as missing:
            raise SymconvError(f"{path}: claim {number} has no field {missing}") from None
        if claim.quantity not in QUANTITIES:
            raise SymconvError(f"{path}: claim {claim.id}: unknown quantity {claim.quantity!r}")
        claims.append(claim)
    return tuple(claims)


def claim_values(claim: Claim) -> dict[str, sympy.Expr]:
    return {name: parse_text(text) for name, text in claim.values.items()}


def derived_for(claim: Claim, dims: int = 2) -> sympy.Expr:
    """The count the claim is about, derived with the claim's substitutions (the bias flag left symbolic)."""
    values = claim_values(claim)
    left = derive(variants.make(claim.variant, dims, values))
    if claim.versus is None:
        return left.quantities[claim.quantity]
    right = derive(variants.make(claim.versus, dims, values))
    return compare(left, right, quantities=[claim.quantity]).quantities[claim.quantity]


def check_claim(claim: Claim, dims: int = 2) -> tuple[sympy.Expr, sympy.Expr, Verdict]:
    """The claim as parsed, the derived count, and the verdict."""
    claimed = parse_formula(claim.formula)
    derived = derived_for(claim, dims)
    return claimed, derived, check(claimed, derived)
