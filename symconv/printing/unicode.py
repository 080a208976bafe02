"""Expressions as people read them: Unicode math in symconv's names and order, for the text output.

Powers are superscripts (``k²``), quotients are fractions (``C_in/g``, ``1/C_out + 1/k²``), floors and ceilings
brackets (``⌊·⌋``, ``⌈·⌉``), a sum ``Σ`` over its ranges, the padding-aware counts by their letters (``V``,
``Z``, ``H``, ``F``), and subtraction a minus sign. Nothing of SymPy's own spelling (``Subs``, ``Sum``,
``Max``, ``floor(``, ``**``) is left. JSON keeps SymPy-parseable text (:func:`symconv.printing.text_expr`); this
is for people.

>>> from symconv.symbols import new_symbol, sym
>>> k, c_in, c_out = new_symbol("k"), sym("C_in"), sym("C_out")
>>> unicode_expr(2 * k**2 * c_in * c_out)
'2C_in·k²·C_out'
>>> unicode_expr(1 / c_out + k**-2)
'1/C_out + 1/k²'
>>> unicode_expr(sympy.floor((sym("H_in") - k) / sym("s_h")) + 1)
'⌊(H_in − k)/s_h⌋ + 1'
"""

from __future__ import annotations

from functools import cache

import sympy
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from symconv.printing.order import arrange

__all__ = ["unicode_expr"]

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK = {"beta": "β", "alpha": "α", "rho": "ρ", "gamma": "γ", "sigma": "σ", "mu": "μ", "epsilon": "ε"}
_RELATIONS = {"==": "=", ">=": "≥", "<=": "≤", "!=": "≠", ">": ">", "<": "<"}
_MINUS = "−"


class _Unicode(StrPrinter):
    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return _GREEK.get(expr.name, expr.name)

    def _print_Indexed(self, expr: sympy.Indexed) -> str:
        base = expr.base.name if hasattr(expr.base, "name") else str(expr.base)
        return f"{_GREEK.get(base, base)}[{', '.join(self._print(i) for i in expr.indices)}]"

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return str(expr.p).replace("-", _MINUS)

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return f"{expr.p}/{expr.q}".replace("-", _MINUS)

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp.is_Integer and exp < 0:
            return f"1/{self._power(base, -exp)}"
        if exp == sympy.Rational(1, 2):
            return f"√{self.parenthesize(base, PRECEDENCE['Pow'])}"
        return self._power(base, exp)

    def _power(self, base: sympy.Basic, exp: sympy.Basic) -> str:
        printed = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        if exp == 1:
            return printed
        if exp.is_Integer:
            return printed + str(exp).translate(_SUPERSCRIPT)
        return f"{printed}^({self._print(exp)})"

    def _factors(self, factors: list[sympy.Basic]) -> str:
        out, number = "", False
        for factor in factors:
            printed = self.parenthesize(factor, PRECEDENCE["Mul"], strict=True)
            # A number stands before what it multiplies (2k², 2(k² + C_out)); other factors are dotted.
            out += printed if not out or (number and not factor.is_Number) else "·" + printed
            number = factor.is_Number
        return out

    def _print_Mul(self, expr: sympy.Mul) -> str:
        numerator: list[sympy.Basic] = []
        denominator: list[sympy.Basic] = []
        sign = ""
        for factor in expr.args:
            if factor.is_Rational and not factor.is_Integer:
                factor_p, factor_q = abs(factor.p), factor.q
                sign = _MINUS if (factor.p < 0) != (sign == _MINUS) else ""
                if factor_p != 1:
                    numerator.append(sympy.Integer(factor_p))
                denominator.append(sympy.Integer(factor_q))
            elif factor.is_Number and factor.is_negative:
                sign = _MINUS if sign == "" else ""
                if factor != -1:
                    numerator.append(-factor)
            elif factor.is_Pow and factor.exp.is_Integer and factor.exp < 0:
                denominator.append(sympy.Pow(factor.base, -factor.exp, evaluate=False))
            else:
                numerator.append(factor)
        top = self._factors(numerator) if numerator else "1"
        if not denominator:
            return sign + top
        bottom = self._factors(denominator)
        if len(denominator) > 1 or precedence(denominator[0]) < PRECEDENCE["Pow"]:
            bottom = bottom if len(denominator) == 1 and bottom.startswith("(") else f"({bottom})"
        return f"{sign}{top}/{bottom}"

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        out = ""
        for term in expr.args:
            coeff, _ = term.as_coeff_Mul()
            negative = bool(coeff.is_negative)
            printed = self._print(-term if negative else term)
            if precedence(term) < PRECEDENCE["Add"]:
                printed = f"({printed})"
            if not out:
                out = (_MINUS if negative else "") + printed
            else:
                out += f" {_MINUS if negative else '+'} {printed}"
        return out

    def _print_floor(self, expr: sympy.floor) -> str:
        return f"⌊{self._print(expr.args[0])}⌋"

    def _print_ceiling(self, expr: sympy.ceiling) -> str:
        return f"⌈{self._print(expr.args[0])}⌉"

    def _print_Max(self, expr: sympy.Max) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sympy.Min) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Mod(self, expr: sympy.Mod) -> str:
        a, b = (self.parenthesize(arg, PRECEDENCE["Mul"], strict=True) for arg in expr.args)
        return f"{a} mod {b}"

    def _print_Sum(self, expr: sympy.Sum) -> str:
        ranges = []
        for var, lo, hi in expr.limits:
            name = self._print(var)
            if lo == 0:
                ranges.append(f"{name} < {self._print(hi + 1)}")
            else:
                ranges.append(f"{self._print(lo)} ≤ {name} ≤ {self._print(hi)}")
        body = self._print(expr.function)
        body = f"({body})" if isinstance(expr.function, sympy.Add) else body
        return f"Σ[{', '.join(ranges)}] {body}"

    def _print_Subs(self, expr: sympy.Subs) -> str:
        at = ", ".join(f"{self._print(v)} = {self._print(p)}" for v, p in zip(expr.variables, expr.point, strict=True))
        return f"({self._print(expr.expr)} at {at})"

    def _print_Relational(self, expr: sympy.Rel) -> str:
        return f"{self._print(expr.lhs)} {_RELATIONS.get(expr.rel_op, expr.rel_op)} {self._print(expr.rhs)}"

    def _print_Function(self, expr: sympy.Function) -> str:
        letter = getattr(expr, "letter", "")  # the padding-aware counts V, Z, H, F (symconv.geometry)
        name = letter or expr.func.__name__
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        parts = [f"{self._print(e)} if {self._print(c)}" if c is not sympy.true else f"{self._print(e)} otherwise"
                 for e, c in expr.args]
        return "{" + "; ".join(parts) + "}"


@cache
def _printer() -> _Unicode:
    return _Unicode({"order": "none"})


def unicode_expr(expr: sympy.Basic) -> str:
    """``expr`` as Unicode math for people, in symconv's order (not parseable: JSON has the parseable text)."""
    return _printer().doprint(arrange(expr))
