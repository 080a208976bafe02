"""A derivation or a comparison as text for people: the answer first, then the steps, in Unicode math.

The closed forms come first (a comparison's ratios with their values without and with a bias), then the steps
``steps`` chooses (:data:`symconv.printing.sections.STEPS`), one equation a line, each under the rule that
justifies it; substitutions read "at b = 0:". Lines are wrapped to ``width``. The JSON output has the
SymPy-parseable text (:mod:`symconv.printing.json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from symconv.printing.sections import Document, capitalized, sections
from symconv.printing.unicode import unicode_expr
from symconv.printing.wrap import WIDTH, wrap_equation, wrap_prose
from symconv.quantities import LAYER

__all__ = ["answer_lines", "render", "step_line"]

_INDENT = "  "


def _value(expr: sympy.Expr) -> str:
    return f"{int(expr):,}" if expr.is_Integer and abs(expr) >= 10_000 else unicode_expr(expr)


def step_line(lhs: sympy.Basic, rhs: Sequence[sympy.Basic], *, width: int = WIDTH, indent: str = _INDENT) -> str:
    """``lhs = rhs[0] = ...`` wrapped; a substitution ``Subs(e, b, 0) = v`` reads ``at b = 0: lhs = v``."""
    head = ""
    if rhs and isinstance(rhs[0], sympy.Subs):
        sub = rhs[0]
        head = "at " + ", ".join(f"{unicode_expr(v)} = {unicode_expr(p)}"
                                 for v, p in zip(sub.variables, sub.point, strict=True)) + ": "
        rhs = rhs[1:] or (sub.doit(),)
    return wrap_equation(f"{head}{unicode_expr(lhs)} = ", " = ".join(_value(r) for r in rhs), width=width,
                         indent=indent)


def answer_lines(document: Any, names: Sequence[str] | None = None, *, width: int = WIDTH) -> list[str]:
    """The closed forms of ``names`` (every count by default): a comparison's with their values at b = 0 and
    b = 1 where they differ, a derivation's with their further counts when asked for by name."""
    every = {**getattr(document, "counts", {}), **getattr(document, "sizes", {}), **document.quantities}
    chosen = list(names) if names else [n for n in LAYER if n in document.quantities]
    at_bias = getattr(document, "at_bias", {})
    out = []
    for name in chosen:
        expr = every[name]
        out.append(step_line(sympy.Symbol(name), [expr], width=width))
        without, with_bias = at_bias.get(name, (expr, expr))
        if without != expr or with_bias != expr:
            for flag, value in ((0, without), (1, with_bias)):
                out.append(wrap_equation(f"at b = {flag}: ", _value(value), width=width, indent=_INDENT * 2))
    return out


def _answer_title(document: Any) -> str:
    kind = getattr(document, "kind", None)
    return {"ratio": "Ratios", "difference": "Differences"}.get(kind, "Closed forms") if kind else "Closed forms"


def render(document: Document, *, steps: str = "full", quantities: Sequence[str] | None = None,
           width: int = WIDTH) -> str:
    """The answer, then the steps ``steps`` chooses; with ``quantities``, those closed forms alone."""
    if quantities:
        return "\n".join(answer_lines(document, quantities, width=width)) + "\n"
    out = wrap_prose(f"{document.title}: {document.subtitle}", width=width)
    conditions = getattr(document, "conditions", ())
    if conditions:
        out += wrap_prose("Holds where the layer exists: " + ", ".join(unicode_expr(c) for c in conditions),
                          width=width)
    out += ["", f"{_answer_title(document)}:", *answer_lines(document, width=width)]
    last_rule = ""
    for section in sections(document, steps):
        if section.title == "totals":
            continue  # the answer, printed first
        out += ["", f"{capitalized(section.title)}:"]
        for rule, step in section.lines:
            if rule and rule != last_rule:
                out += wrap_prose(rule, width=width, prefix=_INDENT + "# ")
            last_rule = rule or last_rule
            out.append(step_line(step.lhs, step.rhs, width=width))
    return "\n".join(out) + "\n"
