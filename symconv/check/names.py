"""The names of a claim: whatever object the user built a formula from, its symbols are read by name, and a
name that is neither the layer's, nor the claim's own, nor declared free is refused with the closest known one.

>>> import sympy
>>> C_in, k = sympy.symbols("C_in k")  # the user's own symbols, without symconv's assumptions
>>> claimed = by_name(2 * C_in * k)
>>> [(s.name, s.is_positive, s.is_integer) for s in sorted(claimed.free_symbols, key=str)]
[('C_in', True, True), ('k', True, True)]
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any

import sympy

from symconv.errors import SymconvError, UnknownSymbolError, did_you_mean
from symconv.symbols import TABLE, new_symbol, sym

__all__ = ["by_name", "check_names", "claim_from"]


def _symbol(name: str) -> sympy.Symbol:
    return sym(name) if name in TABLE else new_symbol(name)


def by_name(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every symbol replaced by symconv's symbol of that name (a table name keeps its documented
    assumptions; any other name is a positive integer, like the sizes it stands for)."""
    return expr.xreplace({s: _symbol(s.name) for s in expr.free_symbols if isinstance(s, sympy.Symbol)})


def claim_from(formula: object, read: Callable[[str], sympy.Expr]) -> sympy.Expr:
    """A claim as given: a formula in text or LaTeX (``read``), a SymPy expression in any symbols, a plain
    number (a concrete layer's count), or a Python callable — the user's own FLOP function — called with
    symconv's symbols named by its parameters.

    >>> from symconv.parsing import parse_text
    >>> claim_from(lambda C_in, C_out: C_in * C_out + C_out, read=parse_text)
    C_in*C_out + C_out
    """
    if isinstance(formula, str):
        return read(formula)
    if isinstance(formula, bool):
        raise SymconvError(f"a claim must be a formula, a number, a SymPy expression or a function, not {formula!r}")
    if isinstance(formula, int):
        return sympy.Integer(formula)
    if isinstance(formula, sympy.Expr):
        return by_name(formula)
    if callable(formula):
        return _called(formula)
    raise SymconvError(f"a claim must be a formula, a number, a SymPy expression or a function, not {formula!r}")


def _called(function: Callable[..., Any]) -> sympy.Expr:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        raise SymconvError("a claimed function must have a signature symconv can read") from None
    names = [p.name for p in parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if len(names) != len(parameters):
        raise SymconvError("a claimed function takes named parameters only (no *args or **kwargs)")
    result = function(**{name: _symbol(name) for name in names})
    if isinstance(result, int) and not isinstance(result, bool):
        return sympy.Integer(result)
    if not isinstance(result, sympy.Expr):
        raise SymconvError(f"a claimed function must return a number or a SymPy expression, not {result!r}")
    return by_name(result)


def check_names(claimed: sympy.Expr, layer: Collection[str], values: Collection[str], introduced: Collection[str],
                free: Collection[str]) -> None:
    """Refuse a name of the claim that is not the layer's, not introduced by a value or an alias and not
    declared ``free``; and a value given to a name that is neither symconv's nor the claim's.

    ``layer`` names the layer's symbols, ``values`` the names given values, ``introduced`` the names the
    values and aliases are written in.
    """
    own = {s.name for s in claimed.free_symbols}
    allowed = set(layer) | set(introduced) | set(free) | set(values)
    for name in sorted(own - allowed):
        hint = did_you_mean(name, set(layer) | set(TABLE))
        raise UnknownSymbolError(f"unknown name {name} in the claimed formula{hint}; "
                                 "a name of its own needs a value, an alias or to be declared free")
    for name in sorted(set(values) - set(TABLE) - own - set(introduced)):
        raise UnknownSymbolError(f"{name} is given a value but is no symbol of the layer or the claim"
                                 f"{did_you_mean(name, set(layer) | own)}")
