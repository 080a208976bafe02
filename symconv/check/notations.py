"""The notations of well-known papers: their names for symconv's symbols and what their formulas assume.

The notations are data, in ``notations.toml`` beside this module; each gives a paper's names as aliases (read
as ``--let`` reads them) and the values its formulas take for granted (put in as ``--set`` puts them in).

>>> notation("mobilenet").aliases["N"]
'C_out'
>>> notation("mobilenet").value_exprs()["W_out"]
H_out
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import sympy

from symconv.errors import FormulaError, SymconvError
from symconv.parsing import parse_aliases, parse_assignment

__all__ = ["NOTATIONS", "Notation", "load_notations", "notation"]


@dataclass(frozen=True)
class Notation:
    """The names a paper gives to symconv's symbols, and what its formulas take for granted.

    ``aliases`` maps the paper's names to expressions in symconv's (as ``--let`` does); they shadow the
    table, so MobileNet's ``N`` reads as ``C_out``, not the batch. ``values`` are the substitutions its
    formulas assume, applied to both sides of a check (as ``--set`` does): MobileNet's costs are per image,
    for a square kernel on a square map. Both hold the expressions as written, in text syntax.
    """

    name: str
    source: str
    aliases: Mapping[str, str]
    values: Mapping[str, str]
    note: str

    def alias_exprs(self) -> dict[str, sympy.Expr]:
        """The aliases, read."""
        return parse_aliases(f"{name}={text}" for name, text in self.aliases.items())

    def value_exprs(self) -> dict[str, sympy.Expr]:
        """The values, read."""
        return dict(parse_assignment(f"{name}={text}") for name, text in self.values.items())


_FIELDS = ("name", "source", "note", "aliases", "values")


def load_notations(path: str | Path | Traversable) -> dict[str, Notation]:
    """The notations of a file of ``[[notation]]`` tables (as ``notations.toml``), by name. A file that cannot
    be read, or a notation with a missing, unknown or malformed field, is a one-line :class:`SymconvError`."""
    path = Path(path) if isinstance(path, str) else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SymconvError(f"{path}: {error}") from None
    rows = data.get("notation", [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise SymconvError(f"{path}: 'notation' must be an array of tables ([[notation]])")
    notations: dict[str, Notation] = {}
    for number, row in enumerate(rows, start=1):
        found = _notation(row, f"{path}: notation {row.get('name', number)}")
        if found.name in notations:
            raise SymconvError(f"{path}: notation {found.name} is defined twice")
        notations[found.name] = found
    return notations


def _notation(row: Mapping[str, Any], where: str) -> Notation:
    """One ``[[notation]]`` table, its fields checked and its expressions read once."""
    unknown = sorted(set(row) - set(_FIELDS))
    if unknown:
        raise SymconvError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(_FIELDS)})")
    missing = [name for name in _FIELDS if name not in row]
    if missing:
        raise SymconvError(f"{where}: has no field {missing[0]!r}")
    for name in ("name", "source", "note"):
        if not isinstance(row[name], str) or not row[name]:
            raise SymconvError(f"{where}: {name} must be a non-empty string")
    tables = {name: _assignments(row[name], f"{where}: {name}") for name in ("aliases", "values")}
    return Notation(row["name"], row["source"], tables["aliases"], tables["values"], row["note"])


def _assignments(table: object, where: str) -> dict[str, str]:
    """A table of ``NAME = "EXPR"``, each read as ``--let`` and ``--set`` read ``NAME=EXPR``."""
    if not isinstance(table, dict) or not all(isinstance(text, str) for text in table.values()):
        raise SymconvError(f'{where} must be a table of expressions in quotes (N = "C_out")')
    for name, text in table.items():
        try:
            parse_assignment(f"{name}={text}")
        except FormulaError as error:
            raise SymconvError(f"{where}: {name}={text}: {error}") from None
    return dict(table)


#: The built-in notations, by the name ``--notation`` takes.
NOTATIONS: dict[str, Notation] = load_notations(resources.files("symconv.check") / "notations.toml")


def notation(name: str) -> Notation:
    """A built-in notation by name.

    >>> notation("shufflenet").source
    'Zhang et al. 2018, ShuffleNet, section 3.2'
    """
    try:
        return NOTATIONS[name]
    except KeyError:
        known = ", ".join(NOTATIONS)
        raise FormulaError(f"unknown notation {name!r} (known: {known})") from None
