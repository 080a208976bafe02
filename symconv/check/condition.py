"""Where a failing claim does hold: the condition read from the factors of ``derived − claimed``.

A value of one symbol (``k = 1``), values of several (``C_in = 1 and b = 0``), or an equation
(``C_out = C_in*k``); or, when every factor is provably nonzero on the domain, nowhere.

>>> from symconv.symbols import sym
>>> k = sympy.Symbol("k", integer=True, positive=True)
>>> condition(2 * sym("C_in") * k * (k - 1))
('k = 1', False)
>>> condition(2 * sym("C_in") * k**2 + 1)
(None, True)
"""

from __future__ import annotations

import sympy

from symconv.check.domain import B, low
from symconv.check.normal_form import is_rational_function, normal

__all__ = ["condition"]


def _zero_set(factor: sympy.Expr) -> str | None:
    """Where ``factor`` vanishes on the domain, when its shape shows it: ``""`` for nowhere, ``"C_in = 1 and
    k = 1"`` for a single point of some variables, ``None`` when the shape shows nothing.

    Written in ``u = v − low ≥ 0`` (each variable minus its least value), a polynomial whose coefficients all
    have one sign is a sum of terms of that sign: it vanishes only if every term does. With a nonzero
    constant term it never does; otherwise it does exactly when every monomial has a variable at 0, which is
    the case when the variables that form a monomial alone are all at their least value and every other
    monomial contains one of them.
    """
    if factor.is_positive or factor.is_negative:
        return ""
    variables = sorted(factor.free_symbols, key=lambda s: s.name)
    shifted = sympy.Poly(sympy.expand(factor.xreplace({v: v + low(v) for v in variables})), *variables)
    terms = shifted.terms()
    if len({sympy.sign(c) for _, c in terms}) != 1:
        return None
    constant = any(not any(m) for m, _ in terms)
    if constant:
        return ""
    forced = {i for m, _ in terms if sum(1 for e in m if e) == 1 for i, e in enumerate(m) if e}
    if all(any(m[i] for i in forced) for m, _ in terms):
        return " and ".join(f"{variables[i]} = {low(variables[i])}" for i in sorted(forced))
    return None


def _roots(factor: sympy.Expr, variable: sympy.Symbol) -> list[int]:
    """The integer roots of a one-variable factor that lie in its variable's domain."""
    roots = sympy.Poly(factor, variable).ground_roots()
    top = 1 if variable == B else None
    return sorted(int(r) for r in roots if r.is_integer and r >= low(variable) and (top is None or r <= top))


def _equation(factor: sympy.Expr) -> str:
    """``factor = 0`` written with positive terms on both sides: ``C_out = C_in*k``."""
    plus = [t for t in sympy.Add.make_args(sympy.expand(factor)) if not t.could_extract_minus_sign()]
    minus = [-t for t in sympy.Add.make_args(sympy.expand(factor)) if t.could_extract_minus_sign()]
    return f"{sympy.Add(*plus)} = {sympy.Add(*minus)}"


def _alternatives(expr: sympy.Expr) -> list[str]:
    """The ways a polynomial vanishes on the domain, one clause per way (``"k = 3"``, ``"C_in = 1 and
    b = 1"``, ``"C_out = C_in*k"``); empty when it provably never does."""
    if expr.is_number:
        return ["always"] if expr == 0 else []
    _, factors = sympy.factor_list(expr)
    clauses: list[str] = []
    for factor, _ in factors:
        variables = sorted(factor.free_symbols, key=lambda s: s.name)
        if len(variables) == 1:
            (variable,) = variables
            clauses += [f"{variable} = {r}" for r in _roots(factor, variable)]
        elif B in factor.free_symbols:
            # b is 0 or 1: where the factor vanishes is where it does at b = 0, and where it does at b = 1.
            for value in (0, 1):
                for clause in _alternatives(sympy.expand(factor.xreplace({B: value}))):
                    clauses.append(f"b = {value}" if clause == "always" else
                                   " and ".join(sorted([*clause.split(" and "), f"b = {value}"])))
        else:
            zeros = _zero_set(factor)
            if zeros != "":
                clauses.append(zeros or _equation(factor))
    return list(dict.fromkeys(clauses))


def condition(difference: sympy.Expr) -> tuple[str | None, bool]:
    """Where ``difference`` vanishes: a condition, or (None, True) when provably nowhere."""
    numerator, _ = sympy.fraction(normal(difference))
    if not is_rational_function(numerator) or numerator.is_number:
        return None, bool(numerator.is_number and numerator != 0)
    clauses = _alternatives(numerator)
    if not clauses:
        return None, True

    def order(clause: str) -> tuple[int, str]:
        # Single values first, then joint conditions, then equations.
        return (2 if " and " in clause else 3 if clause.count("=") == 1 and not _single(clause) else 1, clause)

    clauses.sort(key=order)
    if len(clauses) == 1:
        return clauses[0], False
    return " or ".join(f"({c})" if " and " in c else c for c in clauses), False


def _single(clause: str) -> bool:
    """``"k = 3"``: a name equal to an integer."""
    _, _, value = clause.partition(" = ")
    return value.lstrip("-").isdigit()
