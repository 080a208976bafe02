"""The closed form as a small tree of integer operations: its nodes, its walks, and how it reads as text.

Six kinds of node are enough for the counts: a constant, a variable, a sum (its constant apart), a product
(its integer coefficient apart), a power with an exponent of at least 2, and a floor division. A defined
symbol such as ``C_in_g = C_in/g`` stands for the exact quotient of two trees (:class:`Defined`).

>>> tree = Sum((Prod(2, (Var("C_in"), Var("k_h"))), Var("b")), -1)
>>> plain(tree), code(tree)
('2*C_in*k_h + b - 1', '2 * C_in * k_h + b - 1')

42 = 2*3*7 + 1 - 1:

>>> value(tree, {"C_in": 3, "k_h": 7, "b": 1})
42
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "ATOM",
    "PRODUCT",
    "Const",
    "Defined",
    "FloorDiv",
    "Node",
    "Power",
    "Prod",
    "Sum",
    "Var",
    "code",
    "constants",
    "definition_text",
    "is_leaf",
    "needs_parens",
    "nodes",
    "plain",
    "product_operands",
    "signed",
    "sum_operands",
    "value",
    "variables",
    "wrapped",
]


@dataclass(frozen=True, slots=True)
class Const:
    value: int


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Sum:
    terms: tuple[Node, ...]  # no constants among them: those are summed in ``const``
    const: int


@dataclass(frozen=True, slots=True)
class Prod:
    coeff: int
    factors: tuple[Node, ...]  # neither constants nor products


@dataclass(frozen=True, slots=True)
class Power:
    base: Node
    exp: int  # >= 2


@dataclass(frozen=True, slots=True)
class FloorDiv:
    num: Node
    den: Node


Node = Const | Var | Sum | Prod | Power | FloorDiv


@dataclass(frozen=True)
class Defined:
    """A symbol defined as the exact quotient of two trees: ``C_in_g = C_in/g``, a whole number."""

    name: str
    num: Node
    den: Node


# --- walks ------------------------------------------------------------------------------------------------


def is_leaf(node: Node) -> bool:
    return isinstance(node, Const | Var)


def nodes(node: Node) -> Iterator[Node]:
    """Every node of the tree, the root first."""
    yield node
    match node:
        case Sum(terms, _) | Prod(_, terms):
            for term in terms:
                yield from nodes(term)
        case Power(base, _):
            yield from nodes(base)
        case FloorDiv(num, den):
            yield from nodes(num)
            yield from nodes(den)


def variables(node: Node) -> Iterator[str]:
    return (n.name for n in nodes(node) if isinstance(n, Var))


def constants(node: Node) -> tuple[int, ...]:
    """The integers a node itself holds (not those of its children)."""
    match node:
        case Const(number) | Sum(_, number) | Prod(number, _):
            return (number,)
    return ()


def signed(term: Node) -> tuple[int, Node]:
    """A term as (sign, magnitude): ``-d_h*k_h`` is ``(-1, d_h*k_h)``."""
    if isinstance(term, Prod) and term.coeff < 0:
        factors = term.factors
        return -1, (factors[0] if term.coeff == -1 and len(factors) == 1 else Prod(-term.coeff, factors))
    return 1, term


def value(node: Node, values: dict[str, int]) -> int:
    """The tree's value on Python ints, with Python's floor division."""
    match node:
        case Const(number):
            return number
        case Var(name):
            return values[name]
        case Sum(terms, const):
            return sum((value(term, values) for term in terms), const)
        case Prod(coeff, factors):
            result = coeff
            for factor in factors:
                result *= value(factor, values)
            return result
        case Power(base, exp):
            return value(base, values) ** exp
        case FloorDiv(num, den):
            return value(num, values) // value(den, values)
    raise AssertionError(node)


# --- text: plain for docstrings, Python for code ----------------------------------------------------------

ATOM, POWER, PRODUCT, SUM = 4, 3, 2, 1  # precedences, binding tightest first


def plain(node: Node) -> str:
    """The closed form as plain text, the way the docs write it: ``N*C_out*(2*C_in*k_h*k_w + b - 1)``."""
    return _print(node, code=False)[0]


def code(node: Node) -> str:
    """The closed form as a Python expression, with ``//`` for floor: ``N * C_out * (2 * C_in + b - 1)``."""
    return _print(node, code=True)[0]


def definition_text(d: Defined) -> str:
    """``C_in_g = C_in/g``, as the docstrings and the error messages of a generated module write it."""
    return f"{d.name} = {wrapped(d.num, PRODUCT, code=False)}/{wrapped(d.den, ATOM, code=False)}"


def _print(node: Node, *, code: bool) -> tuple[str, int]:
    times = " * " if code else "*"
    match node:
        case Const(number):
            return str(number), (ATOM if number >= 0 else PRODUCT)
        case Var(name):
            return name, ATOM
        case Sum():
            return " ".join(_sum_pieces(node, code=code)), SUM
        case Prod(coeff, factors):
            texts = [wrapped(factor, PRODUCT, code=code, floors_need_parens=True) for factor in factors]
            if abs(coeff) != 1:
                texts.insert(0, str(abs(coeff)))
            return ("-" if coeff < 0 else "") + times.join(texts), PRODUCT
        case Power(base, exp):
            return f"{wrapped(base, ATOM, code=code)}**{exp}", POWER
        case FloorDiv(num, den):
            if code:
                return (
                    f"{wrapped(num, PRODUCT, code=True, floors_need_parens=True)} // "
                    f"{wrapped(den, ATOM, code=True)}",
                    PRODUCT,
                )
            return f"floor({wrapped(num, PRODUCT, code=False)}/{wrapped(den, ATOM, code=False)})", ATOM
    raise AssertionError(node)


def _sum_pieces(node: Sum, *, code: bool) -> list[str]:
    """The terms of a sum as printed: ``["2*C_in*k_h", "+ b", "- 1"]``."""
    pieces: list[str] = []
    for operator, magnitude in sum_operands(node):
        # ``-a // b`` is ``(-a) // b``: a leading minus keeps a floor division in parentheses.
        text = wrapped(magnitude, PRODUCT, code=code, floors_need_parens=operator == "- " and not pieces)
        pieces.append(
            (operator.strip() if operator == "- " else "") + text if not pieces else operator + text
        )
    return pieces


def sum_operands(node: Sum) -> list[tuple[str, Node]]:
    """The terms of a sum with the sign before each: ``[("+ ", 2*C_in*k_h), ("+ ", b), ("- ", 1)]``."""
    const = [(1 if node.const > 0 else -1, Const(abs(node.const)))] if node.const else []
    terms = [*map(signed, node.terms), *const]
    return [("- " if sign < 0 else "+ ", term) for sign, term in terms]


def product_operands(node: Prod) -> list[Node]:
    """The factors of a product as printed, its coefficient's magnitude first."""
    return [*([Const(abs(node.coeff))] if abs(node.coeff) != 1 else []), *node.factors]


def wrapped(node: Node, at_least: int, *, code: bool, floors_need_parens: bool = False) -> str:
    """The node's text, in parentheses where an operand of precedence ``at_least`` needs them."""
    text, precedence = _print(node, code=code)
    floors = floors_need_parens and code and isinstance(node, FloorDiv)
    return f"({text})" if precedence < at_least or floors else text


def needs_parens(node: Node, at_least: int, *, floors: bool = False) -> bool:
    """Whether Python code needs ``node`` in parentheses as an operand of precedence ``at_least``.

    ``a * b // c`` is ``(a*b) // c``, so a floor division inside a product or a dividend (``floors``) keeps
    its parentheses too.
    """
    return _print(node, code=True)[1] < at_least or (floors and isinstance(node, FloorDiv))
