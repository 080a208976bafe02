r"""What a name in a formula means: an alias, a symbol of the table, or (when allowed) a new symbol.

Aliases come first and shadow the table (an alias ``N`` = ``C_out`` makes ``N`` the output channels, not the
batch); then :data:`symconv.symbols.TABLE`; then, with ``allow_new``, :func:`symconv.symbols.new_symbol`.

>>> from symconv.symbols import sym
>>> names = Names({"N": sym("C_out")}, allow_new=False)
>>> names.resolve("N", 0), names.resolve("C_in", 0)
(C_out, C_in)
>>> names.resolve("D_K", 7)
Traceback (most recent call last):
    ...
symconv.errors.FormulaError: unknown symbol 'D_K' (at character 8)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import sympy

from symconv.errors import FormulaError, UnknownSymbolError
from symconv.symbols import TABLE, new_symbol, sym

__all__ = ["Names"]


class Names:
    """How names resolve: aliases, then the symbol table, then (with ``allow_new``) new symbols."""

    def __init__(self, aliases: Mapping[str, sympy.Expr] | None, allow_new: bool) -> None:
        self._aliases = {name: _alias(name, value) for name, value in (aliases or {}).items()}
        self._allow_new = allow_new

    def known(self, name: str) -> bool:
        """Whether ``name`` is an alias or a symbol of the table (so that ``name(`` is a product, not a call)."""
        return name in self._aliases or name in TABLE

    def resolve(self, name: str, pos: int) -> sympy.Expr:
        """The expression ``name`` stands for; ``pos`` is where it is written, for the error."""
        if name in self._aliases:
            return self._aliases[name]
        if name in TABLE:
            return sym(name)
        if "^" in name:
            # A name with a word as superscript (p^{\mathrm{end}}_{h}) is one of the table's, or nothing.
            if name in _decorated_names():
                return sym(_decorated_names()[name])
            raise FormulaError(f"unknown symbol {name.replace('^', '^{', 1).replace('_', '}_', 1)}"
                               f"{'' if '_' in name else '}'}: a superscript word names no symbol here", pos)
        if not self._allow_new:
            raise FormulaError(f"unknown symbol {name!r}", pos)
        try:
            return new_symbol(name)
        except UnknownSymbolError as error:
            raise FormulaError(str(error), pos) from None


_DECORATED = re.compile(r"([A-Za-z])\^\{\\mathrm\{([A-Za-z]+)\}\}(?:_\{([A-Za-z0-9]+)\})?\Z")


@cache
def _decorated_names() -> dict[str, str]:
    r"""The table's names whose LaTeX has a word as superscript, keyed as the LaTeX reader spells them:
    ``p^{\mathrm{end}}_{h}`` is ``"p^end_h"``."""
    names = {}
    for name, row in TABLE.items():
        match = _DECORATED.match(row.latex)
        if match:
            base, word, sub = match.groups()
            names[f"{base}^{word}" + (f"_{sub}" if sub else "")] = name
    return names


def _alias(name: str, value: object) -> sympy.Expr:
    if isinstance(value, int):
        return sympy.Integer(value)
    if not isinstance(value, sympy.Expr):
        raise TypeError(f"alias {name!r} must be a sympy expression, not {type(value).__name__}")
    return value

