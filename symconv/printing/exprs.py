"""Expression printers: SymPy's LaTeX and string printers, with symconv's names and order.

>>> from symconv.symbols import sym
>>> latex_expr(sym("C_out") * sym("C_in") * sym("k_h") * sym("k_w") * 2)
'2 C_{\\\\mathrm{in}} k_{h} k_{w} C_{\\\\mathrm{out}}'
>>> text_expr(sym("C_out") * sym("C_in") * sym("k_h") * sym("k_w") * 2)
'2*C_in*k_h*k_w*C_out'
"""

from __future__ import annotations

import re
from functools import cache

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from symconv.printing.order import arrange
from symconv.quantities import TABLE as QUANTITIES
from symconv.quantities import latex_name
from symconv.symbols import latex_names

__all__ = ["latex_expr", "latex_math", "text_expr"]

_STAGE_TENSOR = re.compile(r"(x|w|beta|y)(\d)\Z")


class _Latex(LatexPrinter):
    def _print_Symbol(self, expr: sympy.Symbol, style: str = "plain") -> str:
        name = expr.name
        if name in QUANTITIES or name.startswith("flops_"):
            return latex_name(name)
        count, _, qualifier = name.partition("_")
        if count in QUANTITIES and qualifier:  # a count of one kind (mults_adjoint): upright, like the table's
            return rf"{latex_name(count)}_{{\mathrm{{{qualifier}}}}}"
        stage = _STAGE_TENSOR.match(name)
        if stage:
            base = r"\beta" if stage[1] == "beta" else stage[1]
            return f"{base}^{{({stage[2]})}}"
        return super()._print_Symbol(expr, style=style)

    def _print_Sum(self, expr: sympy.Sum) -> str:
        # Nested sums, one per index, read as papers write a convolution: \sum_{c=0}^{C-1} \sum_{i=0}^{k-1}.
        sums = "".join(
            rf"\sum_{{{self._print(var)}={self._print(lo)}}}^{{{self._print(hi)}}} "
            for var, lo, hi in expr.limits
        )
        return sums + self.parenthesize(expr.function, PRECEDENCE["Mul"] - 1)


@cache
def _latex_printer() -> _Latex:
    return _Latex({"symbol_names": latex_names(), "order": "none", "mul_symbol": None})


class _Text(StrPrinter):
    def _print_Mul(self, expr: sympy.Mul) -> str:
        # An unevaluated quotient (a comparison's left / right) prints as one fraction, each side bracketed once.
        if len(expr.args) == 2 and isinstance(expr.args[1], sympy.Pow) and expr.args[1].exp == -1:
            numerator, denominator = expr.args[0], expr.args[1].base
            if isinstance(denominator, sympy.Mul | sympy.Add):
                return f"{self.parenthesize(numerator, PRECEDENCE['Mul'])}/({self._print(denominator)})"
        return super()._print_Mul(expr)


@cache
def _text_printer() -> StrPrinter:
    return _Text({"order": "none"})


def latex_expr(expr: sympy.Basic) -> str:
    """``expr`` as LaTeX, in symconv's names (``C_{\\mathrm{in}}``) and order."""
    return _latex_printer().doprint(arrange(expr))


def latex_math(math: sympy.Basic | str) -> str:
    """Math as a document holds it: a SymPy expression printed by :func:`latex_expr`, or LaTeX already."""
    return math if isinstance(math, str) else latex_expr(math)


def text_expr(expr: sympy.Basic) -> str:
    """``expr`` as plain text that SymPy parses back, in symconv's order."""
    return _text_printer().doprint(arrange(expr))
