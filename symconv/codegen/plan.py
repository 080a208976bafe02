"""What one public function of a generated module needs: its arguments, its definitions, the cheapest form of
its closed form, and the bounds that prove its int64 evaluation exact.

>>> from symconv.symbols import sym
>>> N, C_in, C_out, g, C_in_g = map(sym, ["N", "C_in", "C_out", "g", "C_in_g"])
>>> plan = plan_for(NumericFunction("params", C_in_g*C_out - N, definitions=(Definition(C_in_g, C_in, g),)))
>>> plan.parameters
(('N', 'positive'), ('C_in', 'positive'), ('C_out', 'positive'), ('g', 'positive'))

Reading every minus as a plus bounds the magnitude, and an exact quotient is bounded by its dividend:
``|C_in_g*C_out - N| <= C_in*C_out + N`` for any ``|C_in| <= C_in``, ... (the arguments' largest values).

>>> from symconv.codegen.tree import plain
>>> [plain(bound) for bound in plan.bounds]
['C_out*C_in + N']
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from functools import cached_property, lru_cache

import sympy

from symconv.codegen.conditions import AtLeastZero, Requirement, at_least_zero, zeros_shown
from symconv.codegen.convert import Converter, argument_key, check_name, read_expr
from symconv.codegen.kernel import cost
from symconv.codegen.tree import (
    Const,
    Defined,
    FloorDiv,
    Node,
    Power,
    Prod,
    Sum,
    Var,
    is_leaf,
    nodes,
    signed,
    variables,
)
from symconv.errors import SymconvError
from symconv.spec import Definition
from symconv.symbols import TABLE

__all__ = ["Definition", "NumericFunction", "Plan", "Requirement", "bound", "plan_for"]


@dataclass(frozen=True)
class NumericFunction:
    """One public function of a generated module: its name, closed form, one-line doc, definitions, and what
    its arguments must meet (``requires``: :class:`Requirement` s, expressions that must be at least 0, and
    :class:`Definition` s, quotients that must be whole even where the closed form does not use them)."""

    name: str
    expr: sympy.Expr
    doc: str = ""
    definitions: tuple[Definition, ...] = ()
    requires: tuple[Requirement | Definition, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"a NumericFunction's name must be a str, not {type(self.name).__name__}")
        object.__setattr__(self, "expr", read_expr(f"{self.name}()", self.expr))
        object.__setattr__(self, "doc", " ".join(str(self.doc).split()))
        for field, kinds in (("definitions", Definition), ("requires", Requirement | Definition)):
            items = getattr(self, field)
            if isinstance(items, str | Definition | Requirement) or not hasattr(items, "__iter__"):
                raise TypeError(f"{self.name}(): {field} must be a tuple, not {type(items).__name__}")
            items = tuple(items)
            wrong = [item for item in items if not isinstance(item, kinds)]
            if wrong:
                raise TypeError(f"{self.name}(): {field} holds {type(wrong[0]).__name__} {wrong[0]!r}")
            object.__setattr__(self, field, items)

    @property
    def parameters(self) -> tuple[str, ...]:
        """The keyword arguments of the generated function: the documented order, then alphabetical."""
        return tuple(name for name, _ in plan_for(self).parameters)


@dataclass(frozen=True)
class Plan:
    name: str
    doc: str
    given: Node  # the closed form as written, for the docstring
    form: Node  # the equal form that takes the fewest array operations, for the code
    parameters: tuple[tuple[str, str], ...]  # (name, domain) in signature order
    definitions: tuple[Defined, ...]  # the used and the required ones, in dependency order: each must be whole
    conditions: tuple[AtLeastZero, ...] = ()  # the inequalities the arguments must meet
    unused: frozenset[str] = frozenset()  # the definitions only checked: the closed form does not use them
    shown: tuple[str, ...] = ()  # the arguments >= 1 whose zeros show in the result (conditions.zeros_shown)

    @cached_property
    def bounds(self) -> tuple[Node, ...]:
        """Bounds on ``|result|`` and on each compound dividend and divisor, in the arguments' largest values.

        int64 ``+``, ``-`` and ``*`` are exact modulo 2**64, so only the result needs to fit; a floor or an
        exact division is not, so its operands need to fit too.
        """
        operands = [self.form]
        operands += [part for node in nodes(self.form) if isinstance(node, FloorDiv) for part in (node.num, node.den)]
        operands += [part for d in self.definitions for part in (d.num, d.den)]
        operands += [condition.node for condition in self.conditions if condition.watch is None]
        definitions = {d.name: d for d in self.definitions}
        found: list[Node] = []
        for node in operands:
            magnitude = bound(node, definitions)
            if (node is self.form or not is_leaf(node)) and magnitude not in found:
                found.append(magnitude)
        return tuple(found)


@lru_cache(maxsize=512)
def plan_for(function: NumericFunction) -> Plan:
    """The plan of one function; raises :class:`~symconv.errors.SymconvError` for what cannot be generated."""
    name = check_name(function.name, "function name")
    if name in vars(builtins):
        raise SymconvError(f"function name {name!r} would hide the Python builtin of that name")
    convert = Converter(f"{name}()")
    given = convert(function.expr)
    required = tuple(item for item in function.requires if isinstance(item, Definition))
    extra = tuple(d for d in required if d not in function.definitions)
    defined = _definitions((*function.definitions, *extra), convert)
    # The definitions the closed form needs and the required ones, with everything they need, in order.
    used = _closure(set(variables(given)), defined)
    needed = _closure(used | {d.symbol.name for d in required}, defined)
    definitions = tuple(d for symbol, d in defined.items() if symbol in needed)
    form = _cheapest_form(function.expr, given, convert)
    inequalities = tuple(item for item in function.requires if isinstance(item, Requirement))
    conditions = at_least_zero(inequalities, form, convert)
    for condition in conditions:
        if set(variables(condition.node)) & set(defined):
            raise convert.fail(f"the requirement {condition.text} >= 0 uses a defined symbol: write it in the "
                               "arguments")
    free = {
        symbol
        for node in (given, *(d.num for d in definitions), *(d.den for d in definitions), *(c.node for c in conditions))
        for symbol in variables(node)
    } - needed
    parameters = tuple((symbol, _domain(convert.symbols[symbol])) for symbol in sorted(free, key=argument_key))
    used_definitions = tuple(d for d in (*function.definitions, *extra) if d.symbol.name in needed)
    shown = zeros_shown(function.expr, dict(parameters), used_definitions)
    return Plan(name, function.doc, given, form, parameters, definitions, conditions, frozenset(needed - used), shown)


def _closure(symbols: set[str], defined: dict[str, Defined]) -> set[str]:
    """The defined symbols among ``symbols``, with the defined symbols their definitions use, and so on."""
    found: set[str] = set()
    pending = [symbol for symbol in symbols if symbol in defined]
    while pending:
        symbol = pending.pop()
        if symbol not in found:
            found.add(symbol)
            definition = defined[symbol]
            pending += [used for used in (*variables(definition.num), *variables(definition.den)) if used in defined]
    return found


def _definitions(given: tuple[Definition, ...], convert: Converter) -> dict[str, Defined]:
    """Every definition as trees, checked: each defined once, from earlier ones only."""
    defined: dict[str, Defined] = {}
    for definition in given:
        var = convert(definition.symbol)
        assert isinstance(var, Var)  # a Definition's symbol is a sympy.Symbol, checked on construction
        symbol = var.name
        if symbol in defined:
            raise convert.fail(f"{symbol} is defined twice")
        num, den = convert(definition.numerator), convert(definition.denominator)
        if den == Const(0):
            raise convert.fail(f"{symbol} = {definition.numerator}/{definition.denominator} divides by 0")
        for used in (*variables(num), *variables(den)):
            if used == symbol:
                raise convert.fail(f"{symbol} is defined in terms of itself")
            if any(later.symbol.name == used for later in given) and used not in defined:
                raise convert.fail(f"{symbol} uses {used}, which is defined after it: reorder the definitions")
        defined[symbol] = Defined(symbol, num, den)
    return defined


def _domain(symbol: sympy.Symbol) -> str:
    row = TABLE.get(symbol.name)
    if row is not None:
        return row.domain
    return "positive" if symbol.is_positive else "nonnegative"


def _cheapest_form(expr: sympy.Expr, given: Node, convert: Converter) -> Node:
    """The equal form needing the fewest array operations; the given one unless another is strictly better.

    The form does not change the value, only the work: ``N*C_out*(2*C_in + b - 1)`` as written takes 5
    in-place ufunc calls; expanded, it takes 8 and a temporary array. A temporary counts as one call.
    """
    best, best_cost = given, cost(given)
    for rewrite in (sympy.expand, sympy.factor_terms, sympy.factor, sympy.horner):
        try:
            candidate = rewrite(expr)
            if candidate == expr or sympy.expand(candidate - expr) != 0:
                continue
            node = convert(candidate)
        except Exception:  # a rewrite SymPy cannot do, or one that leaves integer arithmetic, is no candidate
            continue
        candidate_cost = cost(node)
        if candidate_cost < best_cost:
            best, best_cost = node, candidate_cost
    return best


def bound(node: Node, definitions: dict[str, Defined]) -> Node:
    """A closed form that bounds ``|node|`` when its symbols stand for bounds on the arguments' ``|values|``.

    Every minus becomes a plus, ``floor(a/b)`` becomes ``a`` and a defined quotient its numerator: exact
    division by a nonzero integer does not grow a magnitude.
    """
    match node:
        case Const(value):
            return Const(abs(value))
        case Var(name) if name in definitions:
            return bound(definitions[name].num, definitions)
        case Var():
            return node
        case Sum(terms, const):
            return _flat_sum([bound(signed(term)[1], definitions) for term in terms], abs(const))
        case Prod(coeff, factors):
            return _flat_product(abs(coeff), [bound(factor, definitions) for factor in factors])
        case Power(base, exp):
            return Power(bound(base, definitions), exp)
        case FloorDiv(num, _):
            return bound(num, definitions)
    raise AssertionError(node)


def _flat_sum(terms: list[Node], const: int) -> Node:
    flat: list[Node] = []
    for term in terms:
        if isinstance(term, Sum):
            flat += term.terms
            const += term.const
        elif isinstance(term, Const):
            const += term.value
        else:
            flat.append(term)
    if not flat:
        return Const(const)
    return flat[0] if len(flat) == 1 and const == 0 else Sum(tuple(flat), const)


def _flat_product(coeff: int, factors: list[Node]) -> Node:
    flat: list[Node] = []
    for factor in factors:
        if isinstance(factor, Prod):
            coeff *= factor.coeff
            flat += factor.factors
        elif isinstance(factor, Const):
            coeff *= factor.value
        else:
            flat.append(factor)
    if not flat:
        return Const(coeff)
    return flat[0] if coeff == 1 and len(flat) == 1 else Prod(coeff, tuple(flat))
