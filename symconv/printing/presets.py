"""A network or a derived layer counted the way a tool counts it (:mod:`symconv.presets`), printed: the layer
table with the tool's count beside the exact one and why they differ, the counts by type, the totals, and the
tool's rules and known errors with their sources; and the JSON of ``symconv net`` / ``symconv derive`` with
``flops`` the tool's.

>>> from symconv.network import builtin
>>> from symconv.presets import count
>>> print(render(count(builtin("mobilenet_v1"), "thop", {"alpha": 1, "rho": 1})).splitlines()[0])
MobileNetV1 (Howard et al. 2017, Table 1), depthwise separable: FLOPs as thop reports them ...
"""

from __future__ import annotations

import json
from typing import Any

import sympy

from symconv.network.graph import Analysis
from symconv.presets.count import Group, ToolCount
from symconv.printing.document import Block, Document, Heading, InlineMath, Item, List, Number, Paragraph, Table
from symconv.printing.exprs import text_expr
from symconv.printing.json import quantity
from symconv.printing.latex import blocks_latex
from symconv.printing.markdown import document_markdown
from symconv.printing.network import percent, scaled
from symconv.printing.sections import latex_text

__all__ = ["FORMATS", "aligned", "derivation_text", "document", "error_lines", "header", "number", "preset_dict",
           "render", "render_derivation", "rule_lines", "signed", "with_preset"]

FORMATS = ("table", "text", "markdown", "latex", "json")


def number(expr: sympy.Expr) -> str:
    """An exact integer with thousands separators, a fraction as it is, an expression in text."""
    return f"{int(expr):,}" if expr.is_Integer else text_expr(expr)


def signed(expr: sympy.Expr) -> str:
    """A difference: ``+1,024``, ``−512``, or an expression."""
    if expr.is_Integer:
        return f"{'+' if expr > 0 else '−' if expr < 0 else ''}{abs(int(expr)):,}"
    return text_expr(expr)


def header(tool: ToolCount) -> str:
    preset = tool.preset
    return f"{tool.title}: FLOPs as {preset.name} reports them ({preset.tool}, {preset.call}: {preset.reports})"


def rule_lines(tool: ToolCount) -> list[str]:
    """How the tool counted each type of layer, with the source of each rule."""
    lines = []
    for group in tool.by_type():
        sources = dict.fromkeys(t.source for r in tool.rows if r.label == group.label for t in r.tallies)
        lines.append(f"{group.label}: {'; '.join(group.why)} ({'; '.join(sources)})")
    return lines


def error_lines(tool: ToolCount) -> list[str]:
    return [f"{e.name}: {e.says} ({e.source})" for e in tool.errors]


def aligned(head: list[str], rows: list[list[str]], numeric: str) -> list[str]:
    """A plain-text table: ``numeric`` says per column whether it is right-aligned (``r``) or not (``l``)."""
    cells = [head, *rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    return ["  ".join(c.rjust(w) if kind == "r" else c.ljust(w)
                      for c, w, kind in zip(row, widths, numeric, strict=True)).rstrip() for row in cells]


def _layer_rows(tool: ToolCount) -> list[list[str]]:
    return [[row.name, row.label, "×".join(text_expr(v) for v in row.output.dims), number(row.exact),
             number(row.value), signed(sympy.expand(row.value - row.exact)), row.why] for row in tool.rows]


def _group_row(group: Group) -> list[str]:
    return [group.label, str(group.layers), number(group.exact), number(group.value), signed(group.difference),
            "; ".join(group.why)]


def _total_line(name: str, expr: sympy.Expr, difference: bool = False) -> str:
    tail = f" ({scaled(expr)} M)" if expr.is_Integer else ""
    return f"  {name} = {signed(expr) if difference else number(expr)}{tail}"


def _text(tool: ToolCount, values: str) -> str:
    name = tool.preset.name
    out = [header(tool), *([f"symbols: {values}"] if values else []), "", "Layers:"]
    out += aligned(["layer", "type", "output", "exact FLOPs", name, f"{name} − exact", "why"], _layer_rows(tool),
                   "lllrrrl")
    out += ["", "By type:"]
    out += aligned(["type", "layers", "exact FLOPs", name, f"{name} − exact", "why"],
                   [_group_row(g) for g in tool.by_type()], "lrrrrl")
    out += ["", "Totals:", _total_line("flops", tool.total), _total_line("exact", tool.exact),
            _total_line(f"{name} − exact", tool.difference, difference=True), "",
            f"How {name} counts ({tool.preset.source}):"]
    out += [f"  {line}" for line in rule_lines(tool)]
    out.append(f"  total: {tool.preset.combines}")
    if tool.errors:
        out += ["", f"Known errors of {name} in this count:", *(f"  {line}" for line in error_lines(tool))]
    return "\n".join(out) + "\n"


def _cell(text: str) -> tuple[Any, ...]:
    return (Number(int(text.replace(",", ""))),) if text.replace(",", "").isdigit() else (text,)


def document(tool: ToolCount, values: str = "") -> Document:
    """The tool's count as a document: the layers, the counts by type, the totals, the rules and errors."""
    name = tool.preset.name
    blocks: list[Block] = [Paragraph(header(tool) + ".")]
    if values:
        blocks.append(Paragraph(f"Symbols: {values}."))
    blocks += [
        Table(["layer", "type", "output", "exact FLOPs", name, f"{name} − exact", "why"],
              [[_cell(c) for c in row] for row in _layer_rows(tool)], align="lllrrrl"),
        Heading(2, "By type"),
        Table(["type", "layers", "exact FLOPs", name, f"{name} − exact", "why"],
              [[_cell(c) for c in _group_row(g)] for g in tool.by_type()], align="lrrrrl"),
        Heading(2, "Totals"),
        Table(["quantity", "value"], [[f"flops ({name})", (InlineMath(tool.total),)],
                                      ["exact FLOPs", (InlineMath(tool.exact),)],
                                      [f"{name} − exact", (InlineMath(tool.difference),)]], align="lr"),
        Heading(2, f"How {name} counts"),
        Paragraph(f"Sources: {tool.preset.source}. Its total: {tool.preset.combines}."),
        List(*(Item(line) for line in rule_lines(tool))),
    ]
    if tool.errors:
        blocks += [Heading(2, f"Known errors of {name} in this count"),
                   List(*(Item(line) for line in error_lines(tool)))]
    return Document(tool.title, tuple(blocks))


def preset_dict(tool: ToolCount) -> dict[str, Any]:
    """The ``"preset"`` entry of the JSON: the tool, its total against the exact count, its rules and errors."""
    preset = tool.preset
    return {
        "name": preset.name, "tool": preset.tool, "call": preset.call, "reports": preset.reports,
        "source": preset.source, "combines": preset.combines,
        "total": quantity(tool.total), "exact": quantity(tool.exact), "difference": quantity(tool.difference),
        "by_type": [{"type": g.label, "layers": g.layers, "flops": quantity(g.value), "exact": quantity(g.exact),
                     "why": list(g.why), "errors": list(g.errors)} for g in tool.by_type()],
        "rules": rule_lines(tool),
        "errors": [{"name": e.name, "says": e.says, "source": e.source} for e in tool.errors],
    }


def with_preset(data: dict[str, Any], tool: ToolCount, closed: ToolCount | None = None) -> dict[str, Any]:
    """A network's JSON (``symconv net --format json``) with ``flops`` the tool's: per layer, by type, in the
    totals and (from ``closed``, the tool's count in the network's symbols) in the closed forms."""
    data = {**data, "convention": tool.preset.name}
    total = tool.total
    for layer, row in zip(data.get("layers", []), tool.rows, strict=False):
        layer["flops"] = quantity(row.value)
        layer["share"] = {"expr": text_expr(sympy.cancel(row.value / total)) if total != 0 else "0",
                          "percent": percent(row.value, total) or None}
    groups = {g.label: g for g in tool.by_type()}
    for entry in data.get("by_type", []):
        if entry.get("type") in groups:
            entry["flops"] = quantity(groups[entry["type"]].value)
    data["totals"] = {**data.get("totals", {}), "flops": quantity(total)}
    if data.get("closed_forms") is not None and closed is not None:
        data["closed_forms"] = {**data["closed_forms"], "flops": quantity(closed.total)}
    data["preset"] = preset_dict(tool)
    return data


def _values(analysis: Analysis | None) -> str:
    if analysis is None or not analysis.values:
        return ""
    return ", ".join(f"{k} = {text_expr(v)}" for k, v in analysis.values.items())


def render(tool: ToolCount, fmt: str = "table", analysis: Analysis | None = None) -> str:
    """The tool's count in ``table`` (or ``text``), ``markdown`` or ``latex``."""
    values = _values(analysis)
    if fmt in ("table", "text"):
        return _text(tool, values)
    doc = document(tool, values)
    if fmt == "markdown":
        return document_markdown(doc)
    body, packages = blocks_latex(doc.blocks)
    return "\n".join([f"% {latex_text(header(tool))}", rf"% requires \usepackage{{{','.join(packages)}}}", body]) + "\n"


def derivation_text(tool: ToolCount) -> list[str]:
    """The lines a derivation ends in under a preset: the tool's count, against the exact one, and why."""
    name = tool.preset.name
    lines = [f"Preset {name}: {tool.preset.tool}, {tool.preset.call}: {tool.preset.reports}",
             f"  flops = {text_expr(tool.total)}", f"  exact − {name} = {text_expr(-tool.difference)}"]
    lines += [f"  {line}" for line in rule_lines(tool)]
    return lines + [f"  known error {line}" for line in error_lines(tool)]


def render_derivation(derivation: Any, tool: ToolCount, fmt: str = "text", **options: Any) -> str:
    """A derivation printed in ``fmt`` (with :func:`symconv.printing.render`'s ``options``) and followed by the
    tool's count of it; in JSON, ``flops`` is the tool's and ``"preset"`` says how it counts."""
    from symconv.printing import json as derivation_json
    from symconv.printing import render as render_plain

    if fmt == "json":
        data = derivation_json.to_dict(derivation)
        data["convention"] = tool.preset.name
        data["quantities"]["flops"] = quantity(tool.total)
        data["preset"] = preset_dict(tool)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    text = render_plain(derivation, fmt, **options).rstrip("\n")
    lines = derivation_text(tool)
    if fmt == "markdown":
        items = [f"- {line.strip()}" for line in lines]
        return "\n".join([text, "", f"## Preset {tool.preset.name}", "", *items]) + "\n"
    if fmt == "latex":
        return "\n".join([text, *(f"% {latex_text(line)}" for line in lines)]) + "\n"
    return "\n".join([text, "", *lines]) + "\n"

