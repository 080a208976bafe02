"""Compare two derivations: the ratio (or difference) of each quantity, simplified.

The classic result, derived rather than quoted: a depthwise separable convolution costs ``m/C_out + m/(k_h
k_w)`` of a standard one, in multiplications, and in parameters without bias (``m = 1`` in MobileNet).

>>> from symconv import variants
>>> from symconv.derive import derive
>>> c = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)))
>>> c.quantities["mults"]
1/(k_h*k_w) + 1/C_out
>>> c.at_bias["params"][0]
1/(k_h*k_w) + 1/C_out
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy

from symconv.derive import Derivation
from symconv.displayed import Displayed
from symconv.errors import SymconvError, must_be
from symconv.quantities import LAYER, quantity
from symconv.steps import Step
from symconv.symbols import sym

__all__ = ["Comparison", "compare", "simplify_ratio"]


def simplify_ratio(expr: sympy.Expr) -> sympy.Expr:
    """A ratio in its most readable exact form: a sum of simple fractions when the denominator is a single
    product, else one fraction with both sides factored.

    >>> from symconv.symbols import sym
    >>> simplify_ratio((sym("k_h") + sym("C_out")) / (sym("C_out") * sym("k_h")))
    1/k_h + 1/C_out
    """
    together = sympy.cancel(sympy.together(expr))
    numer, denom = sympy.fraction(together)
    if len(sympy.Add.make_args(sympy.expand(denom))) == 1:
        return sympy.expand(together)
    return sympy.factor_terms(sympy.expand(numer)) / sympy.factor_terms(sympy.expand(denom))


@dataclass(frozen=True, repr=False)
class Comparison(Displayed):
    """``left`` against ``right``: ``quantities[name]`` is the ratio (or difference) of each quantity;
    ``at_bias[name]`` the same with the bias flag set to 0 and to 1 when it was symbolic."""

    left: Derivation
    right: Derivation
    kind: str  # "ratio" or "difference"
    quantities: Mapping[str, sympy.Expr]
    at_bias: Mapping[str, tuple[sympy.Expr, sympy.Expr]]
    steps: tuple[Step, ...]

    @property
    def title(self) -> str:
        return f"{self.left.title} versus {self.right.title[:1].lower()}{self.right.title[1:]}"

    @property
    def subtitle(self) -> str:
        return (f"{self.kind} of each count, {self.left.dims}-D, FLOPs in the {self.left.convention.value} "
                f"convention ({self.left.convention.description})")

    @property
    def convention(self):  # type: ignore[no-untyped-def]
        return self.left.convention

    @property
    def variant(self) -> str:
        return f"{self.left.variant}/{self.right.variant}"

    @property
    def dims(self) -> int:
        return self.left.dims


def compare(left: Derivation, right: Derivation, *, kind: str = "ratio",
            quantities: Sequence[str] = LAYER) -> Comparison:
    """The ratio ``left / right`` (or difference ``left - right``) of each quantity, with its steps."""
    must_be(left, Derivation, "left", "a Derivation (symconv.derive)")
    must_be(right, Derivation, "right", "a Derivation (symconv.derive)")
    if not isinstance(kind, str) or kind not in ("ratio", "difference"):
        raise SymconvError(f"kind must be 'ratio' or 'difference', not {kind!r}")
    if left.convention is not right.convention:
        raise SymconvError("both derivations must count FLOPs in the same convention")
    b = sym("b")
    results: dict[str, sympy.Expr] = {}
    at_bias: dict[str, tuple[sympy.Expr, sympy.Expr]] = {}
    steps: list[Step] = []
    for name in quantities:
        title = quantity(name, LAYER).title
        a, c = left.quantities[name], right.quantities[name]
        lhs_name = sympy.Symbol(name)
        if kind == "ratio":
            raw = sympy.Mul(a, sympy.Pow(c, -1, evaluate=False), evaluate=False)
            value = simplify_ratio(a / c)
            relation = "the ratio, every common factor cancelled"
        else:
            raw = sympy.Add(a, sympy.Mul(-1, c, evaluate=False), evaluate=False)
            value = sympy.factor_terms(sympy.expand(a - c))
            relation = "the difference, expanded and common factors taken out"
        results[name] = value
        steps.append(Step(title, lhs_name, (raw, value), f"{left.title} over {right.title.lower()}: {relation}"
                          if kind == "ratio" else f"{left.title} minus {right.title.lower()}: {relation}"))
        if b in value.free_symbols:
            simplify = simplify_ratio if kind == "ratio" else (lambda e: sympy.factor_terms(sympy.expand(e)))
            without, with_bias = simplify(value.subs(b, 0)), simplify(value.subs(b, 1))
            at_bias[name] = (without, with_bias)
            steps.append(Step(title, lhs_name, (sympy.Subs(value, b, 0), without), "Without bias (b = 0)"))
            steps.append(Step(title, lhs_name, (sympy.Subs(value, b, 1), with_bias), "With bias (b = 1)"))
        else:
            at_bias[name] = (value, value)
    return Comparison(left, right, kind, results, at_bias, tuple(steps))
