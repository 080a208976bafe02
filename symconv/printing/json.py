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

A backward pass or a training step (:class:`symconv.passes.PassDerivation`) adds ``"pass"`` (``"backward"``,
``"training"``) and ``"grad"`` (the gradients computed) after ``"convention"``, and ``"parts"`` after
``"quantities"``: ``{"grad_input": {...}, "grad_weight": ..., "grad_bias": ...}`` (a training step's
``"forward"`` first), each shaped like ``"quantities"``. A forward derivation has neither.

With its memory traffic (:func:`symconv.memory.traffic`, ``symconv derive --memory``) the derivation has a
``"memory"`` entry last: ``{"model": ..., "reads": {"x": {...}, ...}, "writes": {...}, "elements": {...},
"bytes": {...}, "intensity": {...}}`` and, on a device, ``"device": {"peak": ..., "bandwidth": ...,
"ridge": ...}``, ``"roofline": {...}`` (seconds) and ``"bound"`` (``"compute"``, ``"memory"`` or null).
"""

from __future__ import annotations

import json as _json
from collections.abc import Mapping, Sequence
from typing import Any

import sympy

from symconv.printing.exprs import latex_expr, text_expr

__all__ = ["memory_dict", "quantity", "render", "render_with_memory", "to_dict"]


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
    if getattr(document, "pass_", None) is not None:
        data["pass"] = document.pass_.value
        data["grad"] = list(document.grads)
    data["quantities"] = _quantities(document.quantities)
    if getattr(document, "parts", None):
        data["parts"] = {name: _quantities(counts) for name, counts in document.parts.items()}
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


def memory_dict(traffic: Any) -> dict[str, Any]:
    """The ``"memory"`` entry of a derivation's JSON (:class:`symconv.memory.Traffic`)."""
    data: dict[str, Any] = {"model": traffic.subtitle.split(": ", 1)[-1],
                            "reads": {name: quantity(e) for name, e in traffic.reads},
                            "writes": {name: quantity(e) for name, e in traffic.writes},
                            **_quantities({k: v for k, v in traffic.quantities.items() if k != "roofline"})}
    if traffic.device is not None:
        data["device"] = {name: quantity(getattr(traffic.device, name)) for name in ("peak", "bandwidth", "ridge")}
        data["roofline"] = quantity(traffic.quantities["roofline"])
        data["bound"] = traffic.bound
    return data


def render_with_memory(document: Any, traffic: Any) -> str:
    """The derivation's JSON with its ``"memory"`` entry."""
    data = to_dict(document)
    data["memory"] = memory_dict(traffic)
    return _json.dumps(data, indent=2, ensure_ascii=False) + "\n"
