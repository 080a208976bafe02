"""A derivation as JSON: the closed forms (SymPy-parseable text, LaTeX, exact value) and the steps.

The shape is a public contract::

    {"variant": ..., "dims": ..., "convention": ...,
     "quantities": {"params": {"expr": ..., "latex": ..., "value": ...}, "mults": ..., "adds": ...,
                    "flops": ..., "macs": ...},
     "sizes": {"H_out": {...}, ...},
     "counts": {"input_grid": {...}, "output_grid": ..., "performed_mults": ..., "performed_adds": ...,
                "flops_exact": ..., "flops_macs": ..., ...},
     "steps": [{"title": ..., "rule": ..., "lhs": ..., "rhs": [...], "latex": ...}, ...]}

``value`` is the exact integer once every symbol is set, else ``null``.
"""

from __future__ import annotations

import json as _json
from collections.abc import Mapping, Sequence
from typing import Any

import sympy

from symconv.printing.exprs import latex_expr, text_expr

__all__ = ["quantity", "render", "to_dict"]


def quantity(expr: sympy.Expr) -> dict[str, Any]:
    """``{"expr", "latex", "value"}`` of one closed form."""
    return {
        "expr": text_expr(expr),
        "latex": latex_expr(expr),
        "value": int(expr) if expr.is_Integer else None,
    }


def _quantities(exprs: Mapping[str, sympy.Expr]) -> dict[str, Any]:
    return {name: quantity(expr) for name, expr in exprs.items()}


def to_dict(document: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("variant", "dims"):
        if hasattr(document, key):
            data[key] = getattr(document, key)
    data["convention"] = document.convention.value
    data["quantities"] = _quantities(document.quantities)
    if getattr(document, "sizes", None):
        data["sizes"] = _quantities(document.sizes)
    if getattr(document, "conditions", None):
        # Where the values given leave open whether the layer exists: the closed forms hold there.
        data["conditions"] = [{"expr": text_expr(c), "latex": latex_expr(c)} for c in document.conditions]
    if getattr(document, "counts", None):
        # The further counts: input_grid, output_grid, performed_mults, performed_adds and flops_<convention>.
        data["counts"] = _quantities(document.counts)
    data["steps"] = [
        {
            "title": step.title,
            "rule": step.rule,
            "lhs": text_expr(step.lhs),
            "rhs": [text_expr(r) for r in step.rhs],
            "latex": " = ".join([latex_expr(step.lhs), *(latex_expr(r) for r in step.rhs)]),
        }
        for step in document.steps
    ]
    return data


def render(document: Any, *, quantities: Sequence[str] | None = None) -> str:
    """The document as JSON (:func:`to_dict`); with ``quantities``, ``{name: quantity(...)}`` of those alone."""
    if quantities:
        every = {**getattr(document, "counts", {}), **document.quantities}
        return _json.dumps({name: quantity(every[name]) for name in quantities}, indent=2, ensure_ascii=False) + "\n"
    return _json.dumps(to_dict(document), indent=2, ensure_ascii=False) + "\n"
