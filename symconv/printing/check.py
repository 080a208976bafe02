"""Printers of verdicts: the lines ``symconv check`` and the assertions of :mod:`symconv.testing` print, and
the JSON of ``symconv check --format json`` (docs/checking.md describes both).

>>> from symconv.check import equivalent
>>> from symconv.symbols import sym
>>> print(verdict_text(equivalent(sym("C_in") * sym("C_out"), sym("C_out") * (sym("C_in") + sym("b")))))
claimed:    C_in·C_out
derived:    C_out·(C_in + b)
difference: derived − claimed = C_out·b
verdict:    does not hold
counterexample: at C_in = 1, C_out = 1, b = 1: claimed 1, derived 2
condition:  holds exactly when b = 0
"""

from __future__ import annotations

import sympy

from symconv.check.layers import CheckRequest
from symconv.check.notations import notation as find_notation
from symconv.check.verdict import Verdict
from symconv.printing.exprs import latex_expr, text_expr
from symconv.printing.unicode import unicode_expr

__all__ = ["result_dict", "result_text", "setting", "verdict_text"]


def verdict_text(verdict: Verdict) -> str:
    """The verdict in a few lines: both sides, their difference, the verdict and how it was reached."""
    status = "does not hold" if verdict.status == "fails" else verdict.summary
    lines = [f"claimed:    {unicode_expr(verdict.claimed)}", f"derived:    {unicode_expr(verdict.derived)}",
             f"difference: derived − claimed = {unicode_expr(verdict.difference)}", f"verdict:    {status}"]
    if verdict.method:
        lines.append(f"proof:      {verdict.method}")
    if verdict.counterexample is not None:
        lines.append(f"counterexample: {verdict.counterexample}")
    if verdict.status == "fails":
        if verdict.condition:
            lines.append(f"condition:  holds exactly when {verdict.condition}")
        elif verdict.nowhere:
            lines.append("condition:  holds for no values of the symbols")
    lines += [f"note:       {note}" for note in verdict.notes]
    return "\n".join(lines)


def setting(quantity: str, convention: str, bias: bool | None) -> str:
    """The setting a count is derived in: its convention (for FLOPs, the only count it changes) and the bias.

    >>> setting("flops", "exact", None), setting("params", "exact", False)
    ('exact convention, b symbolic', 'without bias')
    """
    stated = {None: "b symbolic", True: "with bias", False: "without bias"}[bias]
    return f"{convention} convention, {stated}" if quantity == "flops" else stated


def _against(request: CheckRequest) -> str:
    what = f"{request.variant} / {request.versus}" if request.versus else request.variant
    return (f"{request.quantity} of {what}, {request.dims}-D, "
            f"{setting(request.quantity, request.convention, request.bias)}")


def result_text(verdict: Verdict, request: CheckRequest) -> str:
    """What ``symconv check`` prints: what was checked, then :func:`verdict_text`."""
    lines = [f"against:    {_against(request)}"]
    if request.notation:
        used = find_notation(request.notation)
        names = ", ".join(f"{k} = {v}" for k, v in used.aliases.items())
        sets = ", ".join(f"{k} = {v}" for k, v in used.values.items())
        lines.append(f"notation:   {used.name} ({used.source}): {names}; assumes {sets}")
    lines.append(verdict_text(verdict))
    return "\n".join(lines) + "\n"


def _expr(expr: sympy.Expr) -> dict[str, str]:
    return {"expr": text_expr(expr), "latex": latex_expr(expr)}


def result_dict(verdict: Verdict, request: CheckRequest) -> dict[str, object]:
    """The JSON that ``symconv check --format json`` prints (docs/checking.md describes it)."""
    example = verdict.counterexample
    return {
        "formula": request.formula,
        "against": {"variant": request.variant, "versus": request.versus, "quantity": request.quantity,
                    "convention": request.convention, "dims": request.dims, "bias": request.bias,
                    "notation": request.notation, "set": list(request.values), "let": list(request.aliases)},
        "claimed": _expr(verdict.claimed),
        "derived": _expr(verdict.derived),
        "difference": _expr(verdict.difference),
        "verdict": verdict.status,
        "holds": verdict.holds,
        "summary": verdict.summary,
        "method": verdict.method,
        "counterexample": None if example is None else {
            "values": dict(example.values), "claimed": str(example.claimed), "derived": str(example.derived)},
        "condition": verdict.condition,
        "nowhere": verdict.nowhere,
        "notes": list(verdict.notes),
    }
