"""Generate standalone numeric Python functions from closed forms: exact on ints, fast and safe on arrays.

A closed form is an integer polynomial in the layer's sizes, possibly with ``floor(a/b)`` (output sizes) and
with "defined" symbols such as ``C_in_g = C_in/g`` that must divide exactly. :func:`generate_module` prints
a module whose only import is NumPy; :func:`compile_functions` runs it and hands back the functions.

>>> from symconv.symbols import sym
>>> N, C_in, C_out, H_out, W_out, k_h, k_w, b = map(sym, "N C_in C_out H_out W_out k_h k_w b".split())
>>> flops = NumericFunction("flops", N*C_out*H_out*W_out*(2*C_in*k_h*k_w + b - 1), "exact FLOPs")
>>> flops.parameters
('N', 'C_in', 'C_out', 'H_out', 'W_out', 'k_h', 'k_w', 'b')
>>> f = compile_functions([flops])["flops"]

236027904 = 64*112*112 * (2*3*7*7 + 1 - 1), as a Python int; arrays give int64 arrays.

>>> f(N=1, C_in=3, C_out=64, H_out=112, W_out=112, k_h=7, k_w=7, b=1)
236027904
>>> import numpy as np
>>> f(N=np.array([1, 2]), C_in=3, C_out=64, H_out=112, W_out=112, k_h=7, k_w=7, b=1)
array([236027904, 472055808])

How a generated function evaluates a closed form on arrays, and why it never wraps around:

* It works in blocks of 2**16 elements (of whole rows, for n-d results), so that a block of each argument
  and of the result stay in cache together. One read-only pass over each block finds its largest value;
  seen as uint64, a negative int64 is at least 2**63, so the same pass finds negative values.
* A bound on ``|result|`` follows from the largest values seen so far by reading the closed form with every
  minus as a plus (``|a*b| <= |a|*|b|``, ``|a + b| <= |a| + |b|``, ``|floor(a/b)| <= |a|`` for an integer
  ``b != 0``). int64 ``+``, ``-`` and ``*`` are exact modulo 2**64, so when the bound is below 2**63 the
  int64 result is exact even if some partial product wrapped; a floor division or exact division is not
  exact modulo 2**64, so its dividend and divisor are bounded too.
* While every bound fits, the block runs in int64, in place in the output array: one ufunc call per
  operation, no temporary array per operation, numeric coefficients last. The bounds only grow from block
  to block, so once one does not fit, the whole closed form runs on object arrays of Python ints instead
  and that exact object array is returned.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import linecache
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy

from symconv.errors import SymconvError
from symconv.spec import Definition
from symconv.symbols import TABLE, canonical_order

__all__ = ["Definition", "NumericFunction", "compile_functions", "functions_for", "generate_module", "module_for"]

_WIDTH = 110  # generated code stays narrower than the project's limit (pyproject.toml)
_INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class NumericFunction:
    """One public function of a generated module: its name, closed form, one-line doc and definitions."""

    name: str
    expr: sympy.Expr
    doc: str = ""
    definitions: tuple[Definition, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"a NumericFunction's name must be a str, not {type(self.name).__name__}")
        object.__setattr__(self, "expr", sympy.sympify(self.expr))
        object.__setattr__(self, "doc", " ".join(str(self.doc).split()))
        object.__setattr__(self, "definitions", tuple(self.definitions))

    @property
    def parameters(self) -> tuple[str, ...]:
        """The keyword arguments of the generated function: the documented order, then alphabetical."""
        return tuple(name for name, _ in _plan(self).parameters)


def generate_module(functions: Sequence[NumericFunction], *, title: str) -> str:
    """The source of a standalone module (NumPy its only import) with one public function per entry.

    The text depends only on the input: the same closed forms give the same bytes on every run.
    Raises :class:`~symconv.errors.SymconvError` for a closed form that is not an integer polynomial with
    ``floor`` and definitions, and for names that cannot be Python functions or arguments.
    """
    plans = [_plan(function) for function in functions]
    seen: set[str] = set()
    for plan in plans:
        if plan.name in seen:
            raise SymconvError(f"two functions are called {plan.name!r}")
        seen.add(plan.name)
    helpers = _HELPERS + (_QUOTIENT_HELPER if any(plan.definitions for plan in plans) else "")
    blocks = [
        _wrap_call(
            "__all__ = [", [f'"{name}"' for name in sorted(seen, key=_isort_key)], "]", collection=True
        ),
        helpers.strip("\n"),
        *(block for plan in plans for block in _function_blocks(plan)),
    ]
    return f"{_module_docstring(title)}\n\nimport numpy as _np\n\n" + "\n\n\n".join(blocks) + "\n"


def _isort_key(name: str) -> tuple[int, str]:
    # The order ruff's RUF022 keeps __all__ in: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def compile_functions(functions: Sequence[NumericFunction]) -> dict[str, Callable[..., Any]]:
    """Compile :func:`generate_module`'s source in a fresh namespace; map each name to its function."""
    source = generate_module(functions, title="symconv generated functions")
    # A stable file name registered in linecache, so that tracebacks and inspect.getsource show the lines.
    filename = f"<symconv.codegen {hashlib.sha256(source.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"__name__": "symconv.generated"}
    exec(compile(source, filename, "exec"), namespace)
    return {function.name: namespace[function.name] for function in functions}


# --- the closed form as a small tree of integer operations -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Const:
    value: int


@dataclass(frozen=True, slots=True)
class _Var:
    name: str


@dataclass(frozen=True, slots=True)
class _Sum:
    terms: tuple[_Node, ...]  # no constants among them: those are summed in ``const``
    const: int


@dataclass(frozen=True, slots=True)
class _Prod:
    coeff: int
    factors: tuple[_Node, ...]  # neither constants nor products


@dataclass(frozen=True, slots=True)
class _Power:
    base: _Node
    exp: int  # >= 2


@dataclass(frozen=True, slots=True)
class _FloorDiv:
    num: _Node
    den: _Node


_Node = _Const | _Var | _Sum | _Prod | _Power | _FloorDiv

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def _is_leaf(node: _Node) -> bool:
    return isinstance(node, _Const | _Var)


def _check_name(name: str, what: str) -> str:
    if not _NAME.match(name) or keyword.iskeyword(name):
        raise SymconvError(
            f"{what} {name!r} is not usable in generated code: use a letter, then letters, digits or '_' "
            "(not a Python keyword, not starting with '_')"
        )
    return name


class _Converter:
    """SymPy expression -> tree, refusing anything that is not integer arithmetic."""

    def __init__(self, context: str) -> None:
        self.context = context
        self.symbols: dict[str, sympy.Symbol] = {}

    def fail(self, message: str) -> SymconvError:
        return SymconvError(f"{self.context}: {message}")

    def __call__(self, expr: sympy.Basic) -> _Node:
        if isinstance(expr, sympy.Integer):
            return _Const(int(expr))
        if isinstance(expr, sympy.Symbol):
            name = _check_name(expr.name, "symbol")
            if self.symbols.setdefault(name, expr) != expr:
                raise self.fail(f"two different symbols are called {name!r} (different assumptions?)")
            return _Var(name)
        if isinstance(expr, sympy.Add):
            terms = [self(term) for term in expr.as_ordered_terms()]
            const = sum(term.value for term in terms if isinstance(term, _Const))
            rest = tuple(term for term in terms if not isinstance(term, _Const))
            return rest[0] if len(rest) == 1 and const == 0 else _Sum(rest, const)
        if isinstance(expr, sympy.Mul):
            coeff, factors = expr.as_coeff_mul()
            if not isinstance(coeff, sympy.Integer):
                raise self.fail(
                    f"the coefficient {coeff} of {expr} is not an integer; write an exact quotient such as "
                    "C_in/g as a Definition"
                )
            nodes = tuple(sorted((self(factor) for factor in factors), key=_factor_key))
            return nodes[0] if coeff == 1 and len(nodes) == 1 else _Prod(int(coeff), nodes)
        if isinstance(expr, sympy.Pow):
            exp = expr.exp
            if not (isinstance(exp, sympy.Integer) and exp >= 1):
                raise self.fail(
                    f"{expr} is not a positive integer power; write an exact quotient such as C_in/g as a "
                    "Definition"
                )
            return _Power(self(expr.base), int(exp))
        if isinstance(expr, sympy.floor):
            num, den = expr.args[0].as_numer_denom()
            if den == 1:
                return self(num)
            return _FloorDiv(self(num), self(den))
        if isinstance(expr, sympy.Rational | sympy.Float):
            raise self.fail(f"the number {expr} is not an integer")
        raise self.fail(
            f"{type(expr).__name__} ({expr}) is not supported: use +, -, *, integer powers, "
            "floor(a/b) and Definitions"
        )


def _factor_key(node: _Node) -> tuple[int, tuple[int, str], str]:
    # Plain symbols first in argument order (N*C_out*H_out*...), then powers, then parenthesised factors.
    if isinstance(node, _Var):
        return (0, _argument_key(node.name), "")
    return (1 if isinstance(node, _Power) else 2, (0, ""), _plain(node))


def _argument_key(name: str) -> tuple[int, str]:
    order = _TABLE_ORDER.get(name)
    return (0, f"{order:04d}") if order is not None else (1, name)


_TABLE_ORDER = {name: index for index, name in enumerate(canonical_order())}


def _domain(symbol: sympy.Symbol) -> str:
    row = TABLE.get(symbol.name)
    if row is not None:
        return row.domain
    return "positive" if symbol.is_positive else "nonnegative"


def _variables(node: _Node) -> Iterator[str]:
    return (n.name for n in _nodes(node) if isinstance(n, _Var))


def _nodes(node: _Node) -> Iterator[_Node]:
    yield node
    match node:
        case _Sum(terms, _) | _Prod(_, terms):
            for term in terms:
                yield from _nodes(term)
        case _Power(base, _):
            yield from _nodes(base)
        case _FloorDiv(num, den):
            yield from _nodes(num)
            yield from _nodes(den)


# --- the plan: what one public function needs ----------------------------------------------------------


@dataclass(frozen=True)
class _DefinitionPlan:
    name: str
    num: _Node
    den: _Node


@dataclass(frozen=True)
class _Plan:
    name: str
    doc: str
    given: _Node  # the closed form as written, for the docstring
    form: _Node  # the equal form that takes the fewest array operations, for the code
    parameters: tuple[tuple[str, str], ...]  # (name, domain) in signature order
    definitions: tuple[_DefinitionPlan, ...]  # the used ones, in dependency order


@lru_cache(maxsize=512)
def _plan(function: NumericFunction) -> _Plan:
    name = _check_name(function.name, "function name")
    if name in vars(builtins):
        raise SymconvError(f"function name {name!r} would hide the Python builtin of that name")
    convert = _Converter(f"{name}()")
    given = convert(function.expr)
    defined: dict[str, _DefinitionPlan] = {}
    for definition in function.definitions:
        var = convert(definition.symbol)
        assert isinstance(var, _Var)  # a Definition's symbol is a sympy.Symbol, checked on construction
        symbol = var.name
        if symbol in defined:
            raise convert.fail(f"{symbol} is defined twice")
        num, den = convert(definition.numerator), convert(definition.denominator)
        if den == _Const(0):
            raise convert.fail(f"{symbol} = {definition.numerator}/{definition.denominator} divides by 0")
        for used in (*_variables(num), *_variables(den)):
            if used == symbol:
                raise convert.fail(f"{symbol} is defined in terms of itself")
            if any(later.symbol.name == used for later in function.definitions) and used not in defined:
                raise convert.fail(
                    f"{symbol} uses {used}, which is defined after it: reorder the definitions"
                )
        defined[symbol] = _DefinitionPlan(symbol, num, den)
    # The definitions the closed form needs, with everything they need in turn, in the given order.
    needed: set[str] = set()
    pending = list(_variables(given))
    while pending:
        used = pending.pop()
        if used in defined and used not in needed:
            needed.add(used)
            pending += [*_variables(defined[used].num), *_variables(defined[used].den)]
    definitions = tuple(plan for symbol, plan in defined.items() if symbol in needed)
    free = {
        used
        for node in (given, *(d.num for d in definitions), *(d.den for d in definitions))
        for used in _variables(node)
    } - needed
    parameters = tuple((used, _domain(convert.symbols[used])) for used in sorted(free, key=_argument_key))
    return _Plan(
        name, function.doc, given, _cheapest_form(function.expr, given, convert), parameters, definitions
    )


def _cheapest_form(expr: sympy.Expr, given: _Node, convert: _Converter) -> _Node:
    """The equal form needing the fewest array operations; the given one unless another is strictly better.

    The form does not change the value, only the work: ``N*C_out*(2*C_in + b - 1)`` as written takes 5
    in-place ufunc calls; expanded, it takes 8 and a temporary array. A temporary counts as one call.
    """
    best, best_cost = given, _cost(given)
    for rewrite in (sympy.expand, sympy.factor_terms, sympy.factor, sympy.horner):
        try:
            candidate = rewrite(expr)
            if candidate == expr or sympy.expand(candidate - expr) != 0:
                continue
            node = convert(candidate)
        except Exception:  # a rewrite SymPy cannot do, or one that leaves integer arithmetic, is no candidate
            continue
        cost = _cost(node)
        if cost < best_cost:
            best, best_cost = node, cost
    return best


def _cost(node: _Node) -> int:
    kernel = _Int64Kernel()
    kernel.into(node, "_out")
    return kernel.ops + kernel.temps


# --- printers: plain text for docstrings, Python for the exact kernel, and the bound ----------------------

_ATOM, _POWER, _PRODUCT, _SUM = 4, 3, 2, 1


def _plain(node: _Node) -> str:
    """The closed form as plain text, the way the docs write it: ``N*C_out*(2*C_in*k_h*k_w + b - 1)``."""
    return _print(node, code=False)[0]


def _code(node: _Node) -> str:
    """The closed form as a Python expression, with ``//`` for floor: ``N * C_out * (2 * C_in + b - 1)``."""
    return _print(node, code=True)[0]


def _print(node: _Node, *, code: bool) -> tuple[str, int]:
    times = " * " if code else "*"
    match node:
        case _Const(value):
            return str(value), (_ATOM if value >= 0 else _PRODUCT)
        case _Var(name):
            return name, _ATOM
        case _Sum():
            return " ".join(_sum_pieces(node, code=code)), _SUM
        case _Prod(coeff, factors):
            texts = [_wrapped(factor, _PRODUCT, code=code, floors_need_parens=True) for factor in factors]
            if abs(coeff) != 1:
                texts.insert(0, str(abs(coeff)))
            return ("-" if coeff < 0 else "") + times.join(texts), _PRODUCT
        case _Power(base, exp):
            return f"{_wrapped(base, _ATOM, code=code)}**{exp}", _POWER
        case _FloorDiv(num, den):
            if code:
                return (
                    f"{_wrapped(num, _PRODUCT, code=True, floors_need_parens=True)} // "
                    f"{_wrapped(den, _ATOM, code=True)}",
                    _PRODUCT,
                )
            return f"floor({_wrapped(num, _PRODUCT, code=False)}/{_wrapped(den, _ATOM, code=False)})", _ATOM
    raise AssertionError(node)


def _sum_pieces(node: _Sum, *, code: bool) -> list[str]:
    """The terms of a sum as printed: ``["2*C_in*k_h", "+ b", "- 1"]``."""
    pieces: list[str] = []
    for operator, magnitude in _sum_operands(node):
        # ``-a // b`` is ``(-a) // b``: a leading minus keeps a floor division in parentheses.
        text = _wrapped(magnitude, _PRODUCT, code=code, floors_need_parens=operator == "- " and not pieces)
        pieces.append(
            (operator.strip() if operator == "- " else "") + text if not pieces else operator + text
        )
    return pieces


def _sum_operands(node: _Sum) -> list[tuple[str, _Node]]:
    """The terms of a sum with the sign before each: ``[("+ ", 2*C_in*k_h), ("+ ", b), ("- ", 1)]``."""
    const = [(1 if node.const > 0 else -1, _Const(abs(node.const)))] if node.const else []
    signed = [*map(_signed, node.terms), *const]
    return [("- " if sign < 0 else "+ ", term) for sign, term in signed]


def _product_operands(node: _Prod) -> list[_Node]:
    return [*([_Const(abs(node.coeff))] if abs(node.coeff) != 1 else []), *node.factors]


def _wrapped(node: _Node, at_least: int, *, code: bool, floors_need_parens: bool = False) -> str:
    text, precedence = _print(node, code=code)
    floors = floors_need_parens and code and isinstance(node, _FloorDiv)
    return f"({text})" if precedence < at_least or floors else text


def _needs_parens(node: _Node, at_least: int, *, floors: bool = False) -> bool:
    """Whether Python code needs ``node`` in parentheses as an operand of precedence ``at_least``.

    ``a * b // c`` is ``(a*b) // c``, so a floor division inside a product or a dividend (``floors``) keeps
    its parentheses too.
    """
    return _print(node, code=True)[1] < at_least or (floors and isinstance(node, _FloorDiv))


def _signed(term: _Node) -> tuple[int, _Node]:
    """A term as (sign, magnitude): ``-d_h*k_h`` is ``(-1, d_h*k_h)``."""
    if isinstance(term, _Prod) and term.coeff < 0:
        factors = term.factors
        return -1, (factors[0] if term.coeff == -1 and len(factors) == 1 else _Prod(-term.coeff, factors))
    return 1, term


def _bound(node: _Node, definitions: dict[str, _DefinitionPlan]) -> _Node:
    """A closed form that bounds ``|node|`` when its symbols stand for bounds on the arguments' ``|values|``.

    Every minus becomes a plus, ``floor(a/b)`` becomes ``a`` and a defined quotient its numerator: exact
    division by a nonzero integer does not grow a magnitude.
    """
    match node:
        case _Const(value):
            return _Const(abs(value))
        case _Var(name) if name in definitions:
            return _bound(definitions[name].num, definitions)
        case _Var():
            return node
        case _Sum(terms, const):
            return _flat_sum([_bound(_signed(term)[1], definitions) for term in terms], abs(const))
        case _Prod(coeff, factors):
            return _flat_product(abs(coeff), [_bound(factor, definitions) for factor in factors])
        case _Power(base, exp):
            return _Power(_bound(base, definitions), exp)
        case _FloorDiv(num, _):
            return _bound(num, definitions)
    raise AssertionError(node)


def _flat_sum(terms: list[_Node], const: int) -> _Node:
    flat: list[_Node] = []
    for term in terms:
        if isinstance(term, _Sum):
            flat += term.terms
            const += term.const
        elif isinstance(term, _Const):
            const += term.value
        else:
            flat.append(term)
    if not flat:
        return _Const(const)
    return flat[0] if len(flat) == 1 and const == 0 else _Sum(tuple(flat), const)


def _flat_product(coeff: int, factors: list[_Node]) -> _Node:
    flat: list[_Node] = []
    for factor in factors:
        if isinstance(factor, _Prod):
            coeff *= factor.coeff
            flat += factor.factors
        elif isinstance(factor, _Const):
            coeff *= factor.value
        else:
            flat.append(factor)
    if not flat:
        return _Const(coeff)
    return flat[0] if coeff == 1 and len(flat) == 1 else _Prod(coeff, tuple(flat))


# --- the int64 kernel: one in-place ufunc call per operation ---------------------------------------------


class _Int64Kernel:
    """Emit in-place NumPy calls computing a tree into a named int64 array.

    Products and sums are computed left to right into the target array; a parenthesised operand that is not
    the first needs a temporary array, so the operand needing the most temporaries goes first and numeric
    coefficients come last (``2*C_in*k_h`` is ``C_in*k_h``, then times 2).
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ops = 0
        self.temps = 0
        self._free: list[str] = []

    def call(self, ufunc: str, *operands: str) -> None:
        *inputs, out = operands
        self.lines.append(f"_np.{ufunc}({', '.join(inputs)}, out={out})")
        self.ops += 1

    def _temp(self) -> str:
        if self._free:
            return self._free.pop()
        self.temps += 1
        return f"_t{self.temps}"

    def operand(self, node: _Node) -> tuple[str, str | None]:
        """The node as a ufunc operand: a name or number, or a temporary array (returned second, to free)."""
        if isinstance(node, _Var):
            return node.name, None
        if isinstance(node, _Const):
            return str(node.value), None
        temp = self._temp()
        self.into(node, temp)
        return temp, temp

    def free(self, temp: str | None) -> None:
        if temp is not None:
            self._free.append(temp)

    def into(self, node: _Node, target: str) -> None:
        match node:
            case _Var() | _Const():
                self.lines.append(f"_np.copyto({target}, {self.operand(node)[0]})")
                self.ops += 1
            case _Prod():
                self._product(node, target)
            case _Sum():
                self._sum(node, target)
            case _Power(base, exp):
                if _is_leaf(base):
                    source = self.operand(base)[0]
                else:
                    self.into(base, target)
                    source = target
                if exp == 2:
                    self.call("multiply", source, source, target)
                else:
                    self.call("power", source, str(exp), target)
            case _FloorDiv(num, den):
                if _is_leaf(num) and not _is_leaf(den):
                    self.into(den, target)
                    self.call("floor_divide", self.operand(num)[0], target, target)
                    return
                if _is_leaf(num):
                    dividend = self.operand(num)[0]
                else:
                    self.into(num, target)
                    dividend = target
                divisor, temp = self.operand(den)
                self.call("floor_divide", dividend, divisor, target)
                self.free(temp)

    def _product(self, node: _Prod, target: str) -> None:
        compounds = sorted((f for f in node.factors if not _is_leaf(f)), key=_temporaries, reverse=True)
        leaves = [self.operand(f)[0] for f in node.factors if _is_leaf(f)]
        if compounds:
            self.into(compounds[0], target)
            for factor in compounds[1:]:
                operand, temp = self.operand(factor)
                self.call("multiply", target, operand, target)
                self.free(temp)
        elif len(leaves) >= 2:
            self.call("multiply", leaves[0], leaves[1], target)
            leaves = leaves[2:]
        else:
            if node.coeff == -1:
                self.call("negative", leaves[0], target)
            else:
                self.call("multiply", leaves[0], str(node.coeff), target)
            return
        for leaf in leaves:
            self.call("multiply", target, leaf, target)
        if node.coeff == -1:
            self.call("negative", target, target)
        elif node.coeff != 1:
            self.call("multiply", target, str(node.coeff), target)

    def _sum(self, node: _Sum, target: str) -> None:
        items = [_signed(term) for term in node.terms]
        compounds = sorted(
            (i for i in items if not _is_leaf(i[1])), key=lambda i: (i[0] < 0, -_temporaries(i[1]))
        )
        leaves = sorted((i for i in items if _is_leaf(i[1])), key=lambda i: i[0] < 0)
        ordered, const = compounds + leaves, node.const
        (sign, first), rest = ordered[0], ordered[1:]
        if not _is_leaf(first):
            self.into(first, target)
        elif rest:
            # Leaves only, positive ones first: either x + y, x - y, or (x + y) negated at the end.
            (second_sign, second), rest = rest[0], rest[1:]
            ufunc = "add" if second_sign == sign else "subtract"
            self.call(ufunc, self.operand(first)[0], self.operand(second)[0], target)
        elif sign > 0:
            self.call("add" if const > 0 else "subtract", self.operand(first)[0], str(abs(const)), target)
            return
        else:
            self.call("subtract", str(const), self.operand(first)[0], target)
            return
        # ``target`` now holds sign * (the terms so far).
        for term_sign, term in rest:
            operand, temp = self.operand(term)
            self.call("add" if term_sign == sign else "subtract", target, operand, target)
            self.free(temp)
        if sign < 0:
            if const:
                self.call("subtract", str(const), target, target)
            else:
                self.call("negative", target, target)
        elif const:
            self.call("add" if const > 0 else "subtract", target, str(abs(const)), target)


def _temporaries(node: _Node) -> int:
    """How many temporary arrays computing ``node`` into a target needs (Sethi-Ullman numbering)."""
    match node:
        case _Sum(terms, _) | _Prod(_, terms):
            compounds = sorted((_temporaries(t) for t in terms if not _is_leaf(_signed(t)[1])), reverse=True)
            return max([0, *compounds[:1], *(1 + need for need in compounds[1:])])
        case _Power(base, _):
            return _temporaries(base)
        case _FloorDiv(num, den):
            if _is_leaf(num) or _is_leaf(den):
                return max(_temporaries(num), _temporaries(den))
            return max(_temporaries(num), 1 + _temporaries(den))
    return 0


# --- the module text -------------------------------------------------------------------------------------


def _module_docstring(title: str) -> str:
    title = _docstring_text(" ".join(title.split()) or "Generated numeric functions")
    return f'"""{title}\n\n{_CONTRACT}"""'


_CONTRACT = """\
Generated by symconv.codegen; do not edit, regenerate it from the closed forms.

Every function takes keyword arguments only and works in one of two modes.

* Python ints (or NumPy integer scalars): the result is an exact Python int, computed with Python's
  arbitrary-precision integers. Checked: every argument is an int (a bool, float, complex, str or any other
  type raises TypeError); an argument documented ">= 1" is >= 1, one documented ">= 0" is >= 0 and a flag
  is 0 or 1 (ValueError otherwise).
* NumPy integer arrays, broadcast together with any ints: the result is an int64 array, computed in place.
  One read-only pass over each array, a block at a time just before the block is computed, finds its
  largest value (and any negative value), and a bound from those maxima proves that the result and every
  dividend and divisor fit in int64; int64 +, - and * are exact modulo 2**64, so a result that fits is
  exact. When the bound cannot prove it, the result is an object array of exact Python ints instead: no
  value ever wraps around. Checked: the dtype is an integer one (bool, float, complex, str or object arrays
  of non-ints raise TypeError), no value is negative and a flag is 0 or 1 (ValueError); object arrays of
  ints are checked element by element like ints. Not checked, to keep to that one pass: that arguments
  documented ">= 1" have no 0 in an integer array; such a 0 gives the closed form's value there, and a 0
  divisor raises ValueError.
* A defined quotient such as C_in_g = C_in/g must be a whole number wherever it is used (ValueError naming
  the operands otherwise).
"""


def _docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _function_blocks(plan: _Plan) -> list[str]:
    """The public function, its exact, bounds and int64 kernels, and the record that ties them together."""
    names = [name for name, _ in plan.parameters]
    call = _wrap_call("return _evaluate(", [f"_{plan.name}_spec", _tuple(names)], ")", offset=4)
    public = "\n".join(
        [
            _wrap_call(f"def {plan.name}(", ["*", *names] if names else [], "):"),
            textwrap.indent(_public_docstring(plan), "    "),
            textwrap.indent(call, "    "),
        ]
    )
    int64 = _int64_kernel(plan, names)
    spec = _wrap_call(
        f"_{plan.name}_spec = _Function(",
        [
            f'"{plan.name}"',
            _wrap_call(
                "(",
                [f'("{name}", "{domain}")' for name, domain in plan.parameters],
                ",)" if len(plan.parameters) == 1 else ")",
                offset=4,
                collection=True,
            ),
            f"_{plan.name}_exact",
            f"_{plan.name}_bounds",
            f"_{plan.name}_int64" if int64 else "None",
        ],
        ")",
    )
    return [
        public,
        _exact_kernel(plan, names),
        _bounds_kernel(plan, names),
        *([int64] if int64 else []),
        spec,
    ]


def _tuple(items: Sequence[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _public_docstring(plan: _Plan) -> str:
    lines = [plan.doc, ""] if plan.doc else []
    lines += textwrap.wrap(
        f"{plan.name} = {_plain(plan.given)}",
        _WIDTH - 8,
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    for d in plan.definitions:
        lines.append(
            f"where {d.name} = {_wrapped(d.num, _PRODUCT, code=False)}/"
            f"{_wrapped(d.den, _ATOM, code=False)}, a whole number"
        )
    by_domain = {"positive": ">= 1", "nonnegative": ">= 0", "flag": "a flag, 0 or 1"}
    groups = [
        f"{', '.join(name for name, d in plan.parameters if d == domain)} {rule}"
        for domain, rule in by_domain.items()
        if any(d == domain for _, d in plan.parameters)
    ]
    if groups:
        lines += [
            "",
            *textwrap.wrap(
                "Arguments: "
                + "; ".join(groups)
                + ". Ints are checked against all of this; arrays as the module "
                "docstring says.",
                _WIDTH - 8,
            ),
        ]
    example = _example(plan)
    if example is not None:
        call, value = example
        lines += ["", *_doctest_lines(call), str(value)]
    return '"""' + _docstring_text("\n".join(lines)) + '\n"""'


def _example(plan: _Plan) -> tuple[str, int] | None:
    """A doctest call with small sizes (flags 1), if some such sizes make every defined quotient whole."""
    for size in (2, 4, 6, 12):
        values = {name: {"flag": 1, "nonnegative": 1}.get(domain, size) for name, domain in plan.parameters}
        try:
            for d in plan.definitions:
                quotient, remainder = divmod(_value(d.num, values), _value(d.den, values))
                if remainder:
                    raise ZeroDivisionError
                values[d.name] = quotient
            result = _value(plan.given, values)
        except ZeroDivisionError:
            continue
        arguments = ", ".join(f"{name}={values[name]}" for name, _ in plan.parameters)
        return f"{plan.name}({arguments})", result
    return None


def _value(node: _Node, values: dict[str, int]) -> int:
    match node:
        case _Const(value):
            return value
        case _Var(name):
            return values[name]
        case _Sum(terms, const):
            return sum((_value(term, values) for term in terms), const)
        case _Prod(coeff, factors):
            result = coeff
            for factor in factors:
                result *= _value(factor, values)
            return result
        case _Power(base, exp):
            return _value(base, values) ** exp
        case _FloorDiv(num, den):
            return _value(num, values) // _value(den, values)
    raise AssertionError(node)


def _doctest_lines(call: str) -> list[str]:
    lines = textwrap.wrap(call, _WIDTH - 8 - 4, break_long_words=False, break_on_hyphens=False)
    return [(">>> " if i == 0 else "... ") + line for i, line in enumerate(lines)]


def _definition_labels(d: _DefinitionPlan) -> str:
    """The texts that ``_quotient`` names in its error message."""
    text = f"{d.name} = {_wrapped(d.num, _PRODUCT, code=False)}/{_wrapped(d.den, _ATOM, code=False)}"
    return f'"{text}", "{_plain(d.num)}", "{_plain(d.den)}"'


def _int64_definitions(plan: _Plan, kernel: _Int64Kernel) -> None:
    for d in plan.definitions:
        if _is_leaf(d.num):
            dividend = kernel.operand(d.num)[0]
        else:
            kernel.lines.append(f"{d.name} = _np.empty_like(_out)")
            kernel.into(d.num, d.name)
            dividend = d.name
        divisor, temp = kernel.operand(d.den)
        kernel.lines.append(f"{d.name} = _quotient({dividend}, {divisor}, {_definition_labels(d)})")
        kernel.free(temp)


def _exact_kernel(plan: _Plan, names: list[str]) -> str:
    head = _wrap_call(
        f"def _{plan.name}_exact(",
        names,
        "):",
    )
    body = [
        *(
            f"{d.name} = _quotient({_code(d.num)}, {_code(d.den)}, {_definition_labels(d)})"
            for d in plan.definitions
        ),
        *_return([plan.form], tuple_=False),
    ]
    return head + "\n" + textwrap.indent("\n".join(body), "    ")


def _bounds_kernel(plan: _Plan, names: list[str]) -> str:
    """Bounds on |result| and on each compound dividend and divisor; arguments are bounded by their maxima."""
    operands = [plan.form]
    for node in _nodes(plan.form):
        if isinstance(node, _FloorDiv):
            operands += [node.num, node.den]
    for d in plan.definitions:
        operands += [d.num, d.den]
    definitions = {d.name: d for d in plan.definitions}
    bounds: list[_Node] = []
    for node in operands:
        bound = _bound(node, definitions)
        if (node is plan.form or not _is_leaf(node)) and bound not in bounds:
            bounds.append(bound)
    head = _wrap_call(
        f"def _{plan.name}_bounds(",
        names,
        "):",
    )
    body = "\n".join(_return(bounds, tuple_=True))
    return head + "\n" + textwrap.indent(body, "    ")


def _int64_kernel(plan: _Plan, names: list[str]) -> str | None:
    """The in-place int64 kernel, or None when a constant of the closed form does not fit in int64."""
    roots = (plan.form, *(n for d in plan.definitions for n in (d.num, d.den)))
    constants = [abs(constant) for root in roots for node in _nodes(root) for constant in _constants(node)]
    if any(constant > _INT64_MAX for constant in constants):
        return None
    kernel = _Int64Kernel()
    _int64_definitions(plan, kernel)
    kernel.into(plan.form, "_out")
    head = _wrap_call(
        f"def _{plan.name}_int64(",
        ["_out", *names],
        "):",
    )
    temps = [f"_t{i} = _np.empty_like(_out)" for i in range(1, kernel.temps + 1)]
    return head + "\n" + textwrap.indent("\n".join(temps + kernel.lines), "    ")


def _constants(node: _Node) -> tuple[int, ...]:
    match node:
        case _Const(value) | _Sum(_, value) | _Prod(value, _):
            return (value,)
    return ()


def _return(nodes: Sequence[_Node], *, tuple_: bool) -> list[str]:
    """``return <expression>`` or ``return (<expression>, ...)``, split the way black splits long lines."""
    texts = [_code(node) for node in nodes]
    if not tuple_:
        line = f"return {texts[0]}"
    else:
        line = f"return ({texts[0]},)" if len(texts) == 1 else f"return ({', '.join(texts)})"
    if 4 + len(line) <= _WIDTH:
        return [line]
    lines = []
    for node in nodes:
        lines += _layout(node, 8, suffix="," if tuple_ else "")
    return ["return (", *("    " + line for line in lines), ")"]


def _layout(node: _Node, indent: int, prefix: str = "", suffix: str = "") -> list[str]:
    """``prefix + node + suffix`` as lines starting at column ``indent``, split black's way when too long.

    A sum is split before each + and -, a product before each *, and a parenthesised operand that is still
    too long is opened up: ``* (`` on one line, its contents indented, ``)`` on a line of its own.
    """
    text = prefix + _code(node) + suffix
    if indent + len(text) <= _WIDTH:
        return [text]
    operands: list[tuple[str, _Node, bool]] = []  # (operator before it, operand, parenthesised)
    if isinstance(node, _Sum):
        for i, (operator, term) in enumerate(_sum_operands(node)):
            negative = operator == "- "
            if i == 0:
                operands.append(
                    ("-" if negative else "", term, _needs_parens(term, _PRODUCT, floors=negative))
                )
            else:
                operands.append((operator, term, _needs_parens(term, _PRODUCT)))
    elif isinstance(node, _Prod):
        for i, factor in enumerate(_product_operands(node)):
            operator = ("-" if node.coeff < 0 else "") if i == 0 else "* "
            operands.append((operator, factor, _needs_parens(factor, _PRODUCT, floors=True)))
    elif isinstance(node, _FloorDiv):
        operands.append(("", node.num, _needs_parens(node.num, _PRODUCT, floors=True)))
        operands.append(("// ", node.den, _needs_parens(node.den, _ATOM)))
    else:
        return [text]
    lines: list[str] = []
    for i, (operator, operand, parenthesised) in enumerate(operands):
        head = (prefix if i == 0 else "") + operator
        tail = suffix if i == len(operands) - 1 else ""
        inner = _code(operand)
        if not parenthesised:
            lines += _layout(operand, indent, head, tail)
        elif indent + len(head) + len(inner) + 2 + len(tail) <= _WIDTH:
            lines.append(f"{head}({inner}){tail}")
        else:
            lines += [f"{head}(", *("    " + line for line in _layout(operand, indent + 4)), f"){tail}"]
    return lines


def _wrap_call(
    head: str, items: Sequence[str], tail: str, *, offset: int = 0, collection: bool = False
) -> str:
    """``head + items + tail`` in black's style, for a line that will be indented by ``offset`` columns.

    On one line if it fits; else, for a call or signature, the items on one indented line of their own if
    that fits; else one item per line, as black always does for a collection literal.
    """
    one_line = f"{head}{', '.join(items)}{tail}"
    if "\n" not in one_line and offset + len(one_line) <= _WIDTH:
        return one_line
    joined = ", ".join(items)
    if not collection and "\n" not in joined and offset + 4 + len(joined) <= _WIDTH:
        return f"{head}\n    {joined}\n{tail}"
    return f"{head}\n" + "".join(textwrap.indent(f"{item},", "    ") + "\n" for item in items) + tail


_HELPERS = '''
_INT64_MAX = 2**63 - 1
_LOWEST = {"positive": 1, "nonnegative": 0, "flag": 0}
_BLOCK = 2**16  # elements per block: a block of each argument and of the result stay in cache together


class _Function:
    """What the shared evaluator needs to know about one public function."""

    __slots__ = ("bounds", "exact", "int64", "name", "parameters")

    def __init__(self, name, parameters, exact, bounds, int64):
        self.name = name
        self.parameters = parameters  # ((argument name, domain), ...) in signature order
        self.exact = exact  # the closed form on Python ints, or on object arrays of them
        self.bounds = bounds  # bounds on |result| and each |dividend| and |divisor|, from bounds on arguments
        self.int64 = int64  # the closed form in place in int64, or None when a constant does not fit


def _evaluate(function, values):
    """Check the arguments; evaluate exactly for ints, in int64 for arrays that provably fit, else exactly."""
    parameters = function.parameters
    if not any(isinstance(value, _np.ndarray) for value in values):
        checked = [
            _integer(function.name, name, domain, value)
            for (name, domain), value in zip(parameters, values, strict=True)
        ]
        return _call(function, function.exact, checked)
    checked, maxima = [], []
    for (name, domain), value in zip(parameters, values, strict=True):
        if isinstance(value, _np.ndarray):
            value, largest = _array(function.name, name, domain, value)
        else:
            value = largest = _integer(function.name, name, domain, value)
        checked.append(value)
        maxima.append(largest)  # None for an int64 array not scanned yet
    shape = _np.broadcast_shapes(*(_np.shape(value) for value in checked))
    if function.int64 is not None:
        result = _int64_blocks(function, checked, maxima, shape)
        if result is not None:
            return result
    for (name, domain), value, largest in zip(parameters, checked, maxima, strict=True):
        if largest is None:
            _largest(function.name, name, domain, value)
    exact = [value.astype(object) if isinstance(value, _np.ndarray) else value for value in checked]
    result = _np.empty(shape, object)
    result[...] = _call(function, function.exact, exact)
    return result


def _int64_blocks(function, checked, maxima, shape):
    """The result computed in int64, one block of rows at a time; None when int64 is not provably exact.

    int64 +, - and * are exact modulo 2**64, so a result bounded below 2**63 is exact even if a partial
    product wrapped; floor and exact divisions are not, so the bounds cover their operands too. Each block
    of an array is scanned for its largest value just before the kernel reads it, while it is in cache, and
    the bounds are checked with the largest values seen so far: those only grow, so every block computed
    passed the check, and a failed check would fail for the whole arrays too. An error in a block (a zero
    divisor, an inexact quotient) returns None as well, for the exact evaluation to report it.
    """
    rows, row_size = (shape[0], 1) if shape else (1, 1)
    for size in shape[1:]:
        row_size *= size
    step = max(1, _BLOCK // max(1, row_size))
    sliced = [
        rows > step and isinstance(value, _np.ndarray) and value.ndim == len(shape) and value.shape[0] == rows
        for value in checked
    ]
    running = list(maxima)
    for index, ((name, domain), value) in enumerate(zip(function.parameters, checked, strict=True)):
        if maxima[index] is None and not sliced[index]:
            maxima[index] = running[index] = _largest(function.name, name, domain, value)
        elif maxima[index] is None:
            running[index] = 0
    if max(running) > _INT64_MAX:
        return None
    result = _np.empty(shape, _np.int64)
    arguments = list(checked)
    blocks = [slice(start, start + step) for start in range(0, rows, step)] if any(sliced) else [...]
    with _np.errstate(divide="raise"):
        for block in blocks:
            for index, value in enumerate(checked):
                if sliced[index]:
                    part = arguments[index] = value[block]
                    if maxima[index] is None:
                        largest = int(part.view(_np.uint64).max()) if part.size else 0
                        if largest > _INT64_MAX or (largest > 1 and function.parameters[index][1] == "flag"):
                            _largest(function.name, *function.parameters[index], value)  # names the element
                        running[index] = max(running[index], largest)
            if max(function.bounds(*running)) > _INT64_MAX:
                return None
            try:
                function.int64(result[block], *arguments)
            except (ArithmeticError, ValueError):
                return None
    return result


def _call(function, kernel, arguments):
    try:
        return kernel(*arguments)
    except ZeroDivisionError:
        message = "a divisor in the closed form is 0 for these arguments"
        raise ValueError(f"{function.name}(): {message}") from None
    except ValueError as error:
        raise ValueError(f"{function.name}(): {error}") from None


def _integer(function, name, domain, value, index=None):
    """An int argument (or array element) as a Python int, after checking its type and range."""
    if type(value) is not int:
        if isinstance(value, bool | _np.bool_) or not isinstance(value, int | _np.integer):
            kind = type(value).__name__
            raise TypeError(
                f"{function}(): {name} must be an int or an integer NumPy array, not {kind}{_at(index)}"
            )
        value = int(value)
    if value < _LOWEST[domain] or (domain == "flag" and value > 1):
        rule = "0 or 1" if domain == "flag" else f">= {_LOWEST[domain]}"
        raise ValueError(f"{function}(): {name} must be {rule}, got {value}{_at(index)}")
    return value


def _array(function, name, domain, value):
    """An integer array as int64 when it fits, and its largest value (None: not scanned yet)."""
    kind = value.dtype.kind
    if kind == "O":
        checked = _np.empty(value.shape, object)
        for index, item in _np.ndenumerate(value):
            checked[index] = _integer(function, name, domain, item, index)
        largest = max(checked.flat, default=0)
        return (checked.astype(_np.int64) if largest <= _INT64_MAX else checked), largest
    if kind not in "iu":
        raise TypeError(
            f"{function}(): {name} must be an int or an integer NumPy array, not an array of {value.dtype}"
        )
    if kind == "u" and value.itemsize == 8:
        value = value.astype(_np.uint64, copy=False)
        largest = int(value.max()) if value.size else 0
        if domain == "flag" and largest > 1:
            raise ValueError(f"{function}(): {name} must be 0 or 1, got {_first(value, value > 1)}")
        return (value.view(_np.int64) if largest <= _INT64_MAX else value), largest
    return value.astype(_np.int64, copy=False), None


def _largest(function, name, domain, value):
    """The largest value of an int64 array, after checking that none is negative and flags are 0 or 1."""
    # Seen as uint64, a negative int64 is >= 2**63: one max finds the largest value and any negative one.
    largest = int(value.view(_np.uint64).max()) if value.size else 0
    if largest > _INT64_MAX:
        raise ValueError(f"{function}(): {name} must not be negative, got {_first(value, value < 0)}")
    if domain == "flag" and largest > 1:
        raise ValueError(f"{function}(): {name} must be 0 or 1, got {_first(value, value > 1)}")
    return largest


def _first(value, bad):
    index = _np.unravel_index(_np.flatnonzero(bad)[0], bad.shape)
    return f"{_np.broadcast_to(value, bad.shape)[index]}{_at(index)}"


def _at(index):
    if index is None or len(index) == 0:
        return ""
    index = tuple(int(i) for i in index)
    return f" at index {index[0] if len(index) == 1 else index}"
'''

_QUOTIENT_HELPER = '''

def _quotient(numerator, denominator, definition, numerator_text, denominator_text):
    """numerator // denominator, after checking that the division is exact."""
    if any(isinstance(x, _np.ndarray) and x.dtype.kind == "O" for x in (numerator, denominator)):
        quotient, remainder = numerator // denominator, numerator % denominator  # no divmod loop for objects
    else:
        quotient, remainder = divmod(numerator, denominator)
    if not (remainder.any() if isinstance(remainder, _np.ndarray) else remainder):
        return quotient
    where = ""
    if isinstance(remainder, _np.ndarray):
        bad = remainder != 0
        where = _at(_np.unravel_index(_np.flatnonzero(bad)[0], bad.shape))
        numerator, denominator = (_np.broadcast_to(x, bad.shape)[bad][0] for x in (numerator, denominator))
    raise ValueError(
        f"{definition} must be a whole number, but {numerator_text} = {numerator} is not divisible by "
        f"{denominator_text} = {denominator}{where}"
    )
'''


def functions_for(derivation: Any) -> list[NumericFunction]:
    """One numeric function per count of a :class:`~symconv.derive.Derivation`, and one per output size that
    follows from an input size.

    The counts are evaluated in the channels per group (``derivation.polynomials``, with its definitions), so
    that every operation is on integers.
    """
    from symconv.derive import tidy
    from symconv.quantities import LAYER, TABLE

    what = f"{derivation.title[:1].lower()}{derivation.title[1:]} ({derivation.dims}-D)"
    docs = {name: f"{TABLE[name].title} of a {what}" for name in LAYER}
    docs["params"] = f"learnable parameters of a {what}"
    docs["flops"] += f", {derivation.convention.value} convention: {derivation.convention.description}"
    functions = []
    first = derivation.layer.stages[0].conv
    for axis, a in enumerate(first.axes):
        relation = first.relation(axis)
        if isinstance(first.out_size[axis], sympy.Symbol) and relation.free_symbols:
            functions.append(NumericFunction(f"{a.upper()}_out", relation, f"output {a.upper()} size of a {what}"))
    for name in LAYER:
        expr = tidy(derivation.polynomials[name])
        _refuse_piecewise(name, expr, what)
        used = tuple(d for d in derivation.definitions if d.symbol in expr.free_symbols)
        functions.append(NumericFunction(name, expr, docs[name], used))
    return functions


def _refuse_piecewise(name: str, expr: sympy.Expr, what: str) -> None:
    """Generated code is integer arithmetic (+, -, *, powers, floor(a/b)); a count that is piecewise in the
    geometry (the padding-aware pairs V, Z, H of :mod:`symconv.geometry`) is refused in one line."""
    from symconv.geometry import Covered, Hit, PaddedTaps, ValidPairs

    for kind in (ValidPairs, Covered, Hit, PaddedTaps):
        found = sorted(expr.atoms(kind), key=str)
        if found:
            raise SymconvError(
                f"codegen: {name} of a {what} is piecewise in the geometry ({found[0]}); generated code is integer "
                "arithmetic only: set the sizes, kernel, stride, padding, dilation and output padding of every "
                "axis to numbers (--set) to generate it"
            )


def module_for(derivation: Any) -> str:
    """The standalone module of :func:`functions_for`, as ``symconv codegen`` prints it."""
    title = (f"Counts of a {derivation.title[:1].lower()}{derivation.title[1:]} ({derivation.dims}-D), "
             f"FLOPs in the {derivation.convention.value} convention.")
    return generate_module(functions_for(derivation), title=title)
