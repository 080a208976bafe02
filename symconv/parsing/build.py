"""The tree into SymPy, with the limits that need values: exponents, the digits powers create, number sizes.

>>> from symconv.parsing.tree import Name, Num, Power
>>> Builder(lambda name, pos: sympy.Symbol(name)).result(Power(Name("k", 0), ((1, Num(sympy.Integer(2), 2)),), 0))
k**2
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import sympy

from symconv.errors import FormulaError
from symconv.parsing.limits import LIMITS, clip
from symconv.parsing.tree import Call, Name, Node, Num, Power, Product, Sum

__all__ = ["SYMPY_FUNCTIONS", "Builder"]

#: The functions a formula may call, by the name a :class:`~symconv.parsing.tree.Call` gives.
SYMPY_FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "floor": sympy.floor, "ceiling": sympy.ceiling, "abs": sympy.Abs, "min": sympy.Min, "max": sympy.Max,
}
_ONE_ARGUMENT = frozenset({"floor", "ceiling", "abs"})


class Builder:
    """Turns a Node tree into SymPy, enforcing the limits that need values: exponents and number sizes."""

    def __init__(self, resolve: Callable[[str, int], sympy.Expr]) -> None:
        self._resolve = resolve
        self._power_digits = 0
        self._evaluated_calls = 0

    def result(self, tree: Node) -> sympy.Expr:
        """The expression of a whole formula, its numbers checked."""
        try:
            expr = self.build(tree)
        except RecursionError:
            # 64 levels need about 400 frames; a caller already deep in its own recursion may not have them.
            raise FormulaError("formula is nested too deeply for the stack left to the parser") from None
        for number in expr.atoms(sympy.Rational):
            if _digits(number) > LIMITS.max_number_digits:
                raise FormulaError(f"the formula makes {_show(number)}, too large (limit "
                                   f"{LIMITS.max_number_digits:,} digits)")
        return expr

    def build(self, node: Node) -> sympy.Expr:
        match node:
            case Num(value):
                return value
            case Name(name, pos):
                return self._resolve(name, pos)
            case Sum(terms):
                return sympy.Add(*(self.build(t) if sign > 0 else -self.build(t) for sign, t in terms))
            case Product():
                return self._product(node)
            case Power():
                return self._power(node)
            case Call():
                return self._call(node)
        raise AssertionError(node)

    def _product(self, node: Product) -> sympy.Expr:
        factors = []
        for divides, child in node.factors:
            value = self.build(child)
            if divides:
                if value == 0:
                    raise FormulaError("division by zero", child.pos)
                value = sympy.Pow(value, -1)
            factors.append(value)
        return sympy.Mul(*factors)

    def _power(self, node: Power) -> sympy.Expr:
        # From the top of the tower down, so that 9**9**9**9 stops at 9**387420489 without computing it.
        exponent: sympy.Expr | None = None
        position = node.pos
        for sign, child in reversed(node.exponents):
            value = self.build(child)
            if exponent is not None:
                value = self._raise(value, exponent, position)
            exponent = value if sign > 0 else -value
            position = child.pos
        assert exponent is not None
        return self._raise(self.build(node.base), exponent, position)

    def _raise(self, base: sympy.Expr, exponent: sympy.Expr, pos: int) -> sympy.Expr:
        limit = LIMITS.max_exponent
        if not isinstance(exponent, sympy.Rational):
            raise FormulaError(f"exponent {_show(exponent)} is not a number", pos)
        if abs(exponent.p) > limit or exponent.q > limit:
            raise FormulaError(f"exponent {_show(exponent)} is too large (limit {limit})", pos)
        if base == 0 and exponent < 0:
            raise FormulaError("division by zero (0 to a negative power)", pos)
        degree, digits = _degree_and_digits(base)
        if degree * abs(exponent) > limit:
            raise FormulaError(f"exponent {exponent} on a power of degree {degree} gives degree "
                               f"{degree * abs(exponent)}, too large (limit {limit})", pos)
        self._power_digits += math.ceil(digits * abs(exponent))
        if self._power_digits > LIMITS.max_power_digits:
            raise FormulaError("the numbers that powers create are too large "
                               f"(over {LIMITS.max_power_digits:,} digits in all)", pos)
        return sympy.Pow(base, exponent)

    def _call(self, node: Call) -> sympy.Expr:
        args = [self.build(arg) for arg in node.args]
        name = node.function
        if name in _ONE_ARGUMENT and len(args) != 1:
            raise FormulaError(f"{name}() takes one argument, not {len(args)}", node.pos)
        if not args:
            raise FormulaError(f"{name}() needs at least one argument", node.pos)
        if all(isinstance(arg, sympy.Rational) for arg in args):
            if name in _ONE_ARGUMENT:
                return SYMPY_FUNCTIONS[name](*args)
            return max(args) if name == "max" else min(args)
        if self._worth_evaluating(name, args):
            self._evaluated_calls += 1
            return SYMPY_FUNCTIONS[name](*args)
        return SYMPY_FUNCTIONS[name](*args, evaluate=False)

    def _worth_evaluating(self, name: str, args: list[sympy.Expr]) -> bool:
        """Whether SymPy may simplify this call: its evaluation queries assumptions, superlinearly."""
        if self._evaluated_calls >= LIMITS.max_evaluated_calls:
            return False
        budget = LIMITS.max_evaluated_size
        for arg in args:
            budget -= sum(1 for _ in itertools.islice(sympy.preorder_traversal(arg), budget + 1))
            if budget < 0:
                return False
        if name in ("min", "max"):
            return len(args) <= 4 and not any(arg.has(sympy.Min, sympy.Max) for arg in args)
        return True


def _degree_and_digits(base: sympy.Expr) -> tuple[sympy.Rational, int]:
    """The largest exponent inside ``base`` (1 if none) and the digits of the numbers that raising ``base``
    to a power multiplies: those of its numeric factors, not those inside sums, which a power leaves alone."""
    degree: sympy.Rational = sympy.Integer(1)
    for power in base.atoms(sympy.Pow):
        if isinstance(power.exp, sympy.Rational):
            degree = max(degree, abs(power.exp))
    digits = 0
    pending = [base]
    while pending:
        expr = pending.pop()
        if isinstance(expr, sympy.Rational):
            digits += _digits(expr)
        elif isinstance(expr, sympy.Mul):
            pending.extend(expr.args)
        elif isinstance(expr, sympy.Pow):
            pending.append(expr.base)
    return degree, digits


def _digits(number: sympy.Rational) -> int:
    """About how many decimal digits ``number`` has (numerator and denominator), without printing it."""

    def digits(n: int) -> int:
        return int((n.bit_length() - 1) * math.log10(2)) + 1 if n else 1

    return digits(abs(number.p)) + (digits(number.q) if number.q != 1 else 0)


def _show(value: sympy.Expr) -> str:
    """A short rendering for error messages; Python refuses to print integers over 4,300 digits."""
    if isinstance(value, sympy.Rational) and abs(value.p).bit_length() + value.q.bit_length() > 200:
        return f"a {_digits(value):,}-digit number"
    return clip(str(value))

