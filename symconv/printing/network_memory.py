"""A network's memory printed beside its counts: each layer's compulsory traffic, intensity and roofline bound
(:class:`~symconv.network.memory.NetworkTraffic`), and a training step's memory with the largest batch that
fits a budget (:class:`~symconv.network.memory.TrainingMemory`), as text, a document (Markdown, LaTeX) and JSON.

>>> from symconv.network import builtin
>>> from symconv.network.memory import training_memory
>>> memory = training_memory(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, bytes_per_element=4)
>>> print("\\n".join(memory_text(None, memory, 16 * 2**30)[-2:]))
  memory = 40951712N + 33943360 bytes
  largest batch in M bytes: ⌊(M − 33943360)/40951712⌋ = 418 at M = 17179869184
"""

from __future__ import annotations

import json
from typing import Any

import sympy

from symconv.network.layers import as_expr
from symconv.network.memory import LayerTraffic, NetworkTraffic, TrainingMemory
from symconv.printing.document import Block, Document, Heading, Paragraph
from symconv.printing.latex import blocks_latex
from symconv.printing.markdown import document_markdown
from symconv.printing.network import (
    Counted,
    cells_table,
    decimal,
    document,
    quantity_json,
    text_table,
    to_dict,
)
from symconv.printing.network import render as render_counts
from symconv.printing.unicode import unicode_expr

__all__ = ["memory_blocks", "memory_dict", "memory_text", "render_with_memory"]


def _traffic_words(t: NetworkTraffic) -> str:
    words = (f"compulsory traffic: every element a layer reads or writes moved once, {unicode_expr(t.per)} "
             f"byte{'' if t.per == 1 else 's'} each; intensity in FLOPs per byte")
    if t.device is not None:
        words += (f"; the roofline bound on a device of {t.device.peak} FLOP/s and {t.device.bandwidth} bytes/s, "
                  "max(FLOPs / peak, bytes / bandwidth), the network's the sum of its layers'")
    return words


def _intensity(value: sympy.Expr) -> str | sympy.Expr:
    return decimal(sympy.Rational(value), 2) if value.is_Rational else value


def _time(value: sympy.Expr | None) -> str | sympy.Expr:
    """A roofline time in microseconds while it is a number."""
    if value is None:
        return ""
    return f"{decimal(sympy.Rational(value * 10**6), 3)} µs" if value.is_Rational else value


def _traffic_row(r: LayerTraffic, device: bool) -> list[Any]:
    row: list[Any] = [r.name, r.label, r.flops, r.bytes, _intensity(r.intensity)]
    return [*row, _time(r.roofline), r.bound or ""] if device else row


def _traffic_table(t: NetworkTraffic) -> tuple[list[str], list[list[Any]], list[Any]]:
    device = t.device is not None
    head = ["layer", "type", "FLOPs", "bytes", "intensity", *(["roofline", "bound"] if device else [])]
    return head, [_traffic_row(r, device) for r in t.rows], _traffic_row(t.total, device)


def _memory_words(m: TrainingMemory) -> str:
    return (f"the parameters, the trainable ones' gradients and the tensors kept for the backward pass, "
            f"{unicode_expr(m.per)} bytes each, 8 per index; {m.batch} the batch")


def _kept_rows(m: TrainingMemory) -> list[list[Any]]:
    return [[layer, ", ".join(what for _, what, _ in kept), sum((e for _, _, e in kept), sympy.Integer(0))]
            for layer, kept in m.layers if kept]


def _memory_lines(m: TrainingMemory, budget: sympy.Expr | int | None) -> list[str]:
    formula, value = m.largest(budget)
    at = f" = {unicode_expr(value)} at M = {budget}" if value is not None else ""
    return [f"kept tensors: {unicode_expr(m.kept_elements)} elements, each once",
            f"parameters: {unicode_expr(m.params)}; their gradients: {unicode_expr(m.gradients)} entries",
            f"memory = {unicode_expr(m.bytes)} bytes",
            f"largest batch in M bytes: {unicode_expr(formula)}{at}"]


def memory_text(t: NetworkTraffic | None, m: TrainingMemory | None,
                budget: sympy.Expr | int | None = None) -> list[str]:
    """The lines of the memory sections, as the plain-text table prints them."""
    out: list[str] = []
    if t is not None:
        head, rows, total = _traffic_table(t)
        out += ["", f"Memory traffic ({_traffic_words(t)}):", *text_table(head, [*rows, total], 2)]
    if m is not None:
        out += ["", f"Training memory ({_memory_words(m)}):",
                *text_table(["layer", "keeps", "elements"], _kept_rows(m), 2),
                *(f"  {line}" for line in _memory_lines(m, budget))]
    return out


def memory_blocks(t: NetworkTraffic | None, m: TrainingMemory | None,
                  budget: sympy.Expr | int | None = None) -> list[Block]:
    """The memory sections as blocks of a document."""
    blocks: list[Block] = []
    if t is not None:
        head, rows, total = _traffic_table(t)
        blocks += [Heading(2, "Memory traffic"), Paragraph(f"{_traffic_words(t)[:1].upper()}{_traffic_words(t)[1:]}."),
                   cells_table(head, rows, 2, [total])]
    if m is not None:
        blocks += [Heading(2, "Training memory"),
                   Paragraph(f"{_memory_words(m)[:1].upper()}{_memory_words(m)[1:]}."),
                   cells_table(["layer", "keeps", "elements"], _kept_rows(m), 2),
                   *(Paragraph(line[:1].upper() + line[1:] + ".") for line in _memory_lines(m, budget))]
    return blocks


def _layer_dict(r: LayerTraffic) -> dict[str, Any]:
    data: dict[str, Any] = {"name": r.name, "flops": quantity_json(r.flops), "elements": quantity_json(r.elements),
            "bytes": quantity_json(r.bytes), "intensity": quantity_json(r.intensity)}
    if r.roofline is not None:
        data["roofline"] = quantity_json(r.roofline)
        data["bound"] = r.bound
    return data


def memory_dict(t: NetworkTraffic | None, m: TrainingMemory | None,
                budget: sympy.Expr | int | None = None) -> dict[str, Any]:
    """The memory sections in JSON: ``"memory"`` (per layer and ``total``) and ``"training_memory"``."""
    data: dict[str, Any] = {}
    if t is not None:
        data["memory"] = {"bytes_per_element": quantity_json(t.per), "layers": [_layer_dict(r) for r in t.rows],
                          "total": _layer_dict(t.total)}
    if m is not None:
        formula, value = m.largest(budget)
        data["training_memory"] = {
            "batch": str(m.batch), "bytes_per_element": quantity_json(m.per),
            "layers": [{"name": layer, "kept": [{"tensor": tensor, "what": what, "elements": quantity_json(e)}
                                                for tensor, what, e in kept]} for layer, kept in m.layers],
            "kept": quantity_json(m.kept_elements), "params": quantity_json(m.params),
            "gradients": quantity_json(m.gradients),
            "bytes": quantity_json(m.bytes),
            "largest_batch": {"formula": quantity_json(formula),
                              "budget": None if budget is None else quantity_json(as_expr(budget, "budget")),
                              "value": None if value is None else quantity_json(value)}}
    return data


def render_with_memory(analysis: Counted, t: NetworkTraffic | None, m: TrainingMemory | None, fmt: str = "table",
                       budget: sympy.Expr | int | None = None, extra: dict[str, Any] | None = None) -> str:
    """The analysis in ``fmt`` with its memory sections (JSON: ``extra`` keys added last)."""
    if fmt == "json":
        data = {**to_dict(analysis), **memory_dict(t, m, budget), **(extra or {})}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "table":
        return render_counts(analysis, "table") + "\n".join(memory_text(t, m, budget)) + "\n"
    doc = document(analysis)
    doc = Document(doc.title, (*doc.blocks, *memory_blocks(t, m, budget)))
    if fmt == "markdown":
        return document_markdown(doc)
    body, packages = blocks_latex(doc.blocks)
    first = render_counts(analysis, "latex").splitlines()[0]
    return "\n".join([first, rf"% requires \usepackage{{{','.join(packages)}}}", body]) + "\n"
