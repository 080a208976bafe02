"""SymPy closed form -> tree (:mod:`symconv.codegen.tree`), refusing anything that is not integer arithmetic.

Integers, symbols, sums, products with an integer coefficient, positive integer powers and ``floor(a/b)`` are
read; a rational or float, a negative power (a quotient: write it as a Definition) or any other function is
refused with a :class:`~symconv.errors.SymconvError` naming it. :func:`to_sympy` reads a tree back.

>>> from symconv.symbols import sym
>>> C_in, k_h = sym("C_in"), sym("k_h")
>>> Converter("f()")(2*k_h*C_in + 1)
Sum(terms=(Prod(coeff=2, factors=(Var(name='C_in'), Var(name='k_h'))),), const=1)
>>> Converter("f()")(C_in/2)
Traceback (most recent call last):
    ...
symconv.errors.SymconvError: f(): the coefficient 1/2 of C_in/2 is not an integer; ...
"""

from __future__ import annotations

import keyword
import re

import sympy

from symconv.codegen.tree import Const, FloorDiv, Node, Power, Prod, Sum, Var, plain
from symconv.errors import SymconvError
from symconv.parsing import parse_text
from symconv.symbols import canonical_order

__all__ = ["Converter", "argument_key", "check_name", "read_expr", "to_sympy"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def read_expr(what: str, expr: object) -> sympy.Expr:
    """An expression as given: a SymPy expression, an int, or a formula in text read by
    :func:`symconv.parsing.parse_text` (never evaluated)."""
    if isinstance(expr, str):
        return parse_text(expr)
    if isinstance(expr, int) and not isinstance(expr, bool):
        return sympy.Integer(expr)
    if isinstance(expr, sympy.Expr):
        return expr
    raise SymconvError(f"{what}: a closed form must be a SymPy expression, an int or a formula, not {expr!r}")


def check_name(name: str, what: str) -> str:
    """``name``, if it can be a Python function or argument of a generated module."""
    if not isinstance(name, str):
        raise TypeError(f"a {what} must be a str, not {type(name).__name__}")
    if not _NAME.match(name) or keyword.iskeyword(name):
        raise SymconvError(
            f"{what} {name!r} is not usable in generated code: use a letter, then letters, digits or '_' "
            "(not a Python keyword, not starting with '_')"
        )
    return name


class Converter:
    """SymPy expression -> tree, refusing anything that is not integer arithmetic.

    One converter reads the closed form and the definitions of one function, so that it sees every symbol
    of that function: two different symbols of one name (different assumptions) are refused.
    """

    def __init__(self, context: str) -> None:
        self.context = context
        self.symbols: dict[str, sympy.Symbol] = {}

    def fail(self, message: str) -> SymconvError:
        return SymconvError(f"{self.context}: {message}")

    def __call__(self, expr: sympy.Basic) -> Node:
        if isinstance(expr, sympy.Integer):
            return Const(int(expr))
        if isinstance(expr, sympy.Symbol):
            name = check_name(expr.name, "symbol")
            if self.symbols.setdefault(name, expr) != expr:
                raise self.fail(f"two different symbols are called {name!r} (different assumptions?)")
            return Var(name)
        if isinstance(expr, sympy.Add):
            terms = [self(term) for term in expr.as_ordered_terms()]
            const = sum(term.value for term in terms if isinstance(term, Const))
            rest = tuple(term for term in terms if not isinstance(term, Const))
            return rest[0] if len(rest) == 1 and const == 0 else Sum(rest, const)
        if isinstance(expr, sympy.Mul):
            coeff, factors = expr.as_coeff_mul()
            if not isinstance(coeff, sympy.Integer):
                raise self.fail(
                    f"the coefficient {coeff} of {expr} is not an integer; write an exact quotient such as "
                    "C_in/g as a Definition"
                )
            nodes = tuple(sorted((self(factor) for factor in factors), key=_factor_key))
            return nodes[0] if coeff == 1 and len(nodes) == 1 else Prod(int(coeff), nodes)
        if isinstance(expr, sympy.Pow):
            exp = expr.exp
            if not (isinstance(exp, sympy.Integer) and exp >= 1):
                raise self.fail(
                    f"{expr} is not a positive integer power; write an exact quotient such as C_in/g as a "
                    "Definition"
                )
            return Power(self(expr.base), int(exp))
        if isinstance(expr, sympy.floor):
            num, den = expr.args[0].as_numer_denom()
            if den == 1:
                return self(num)
            return FloorDiv(self(num), self(den))
        if isinstance(expr, sympy.Rational | sympy.Float):
            raise self.fail(f"the number {expr} is not an integer")
        raise self.fail(
            f"{type(expr).__name__} ({expr}) is not supported: use +, -, *, integer powers, "
            "floor(a/b) and Definitions"
        )


def to_sympy(node: Node, symbols: dict[str, sympy.Symbol]) -> sympy.Expr:
    """The tree as a SymPy expression in ``symbols`` (the converter's), to compare it with another exactly."""
    match node:
        case Const(number):
            return sympy.Integer(number)
        case Var(name):
            return symbols[name]
        case Sum(terms, const):
            return sympy.Add(*(to_sympy(term, symbols) for term in terms), const)
        case Prod(coeff, factors):
            return sympy.Mul(coeff, *(to_sympy(factor, symbols) for factor in factors))
        case Power(base, exp):
            return to_sympy(base, symbols) ** exp
        case FloorDiv(num, den):
            return sympy.floor(to_sympy(num, symbols) / to_sympy(den, symbols))
    raise AssertionError(node)


def _factor_key(node: Node) -> tuple[int, tuple[int, str], str]:
    # Plain symbols first in argument order (N*C_out*H_out*...), then powers, then parenthesised factors.
    if isinstance(node, Var):
        return (0, argument_key(node.name), "")
    return (1 if isinstance(node, Power) else 2, (0, ""), plain(node))


def argument_key(name: str) -> tuple[int, str]:
    """The documented order of the symbol table (:func:`symconv.symbols.canonical_order`), then the alphabet."""
    order = _TABLE_ORDER.get(name)
    return (0, f"{order:04d}") if order is not None else (1, name)


_TABLE_ORDER = {name: index for index, name in enumerate(canonical_order())}
