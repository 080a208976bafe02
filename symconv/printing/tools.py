"""Every counting tool's number for one network, printed: what each reports, its difference to the exact
count, and why, layer type by layer type (:func:`symconv.presets.compare`).

>>> from symconv.network import builtin
>>> from symconv.presets import compare
>>> text = render_comparison(compare(builtin("resnet50"), {"alpha": 1, "rho": 1}, ["fvcore"]))
>>> print(text.splitlines()[4])
fvcore  FlopCountAnalysis(model, inputs).total()  4,111,512,576  −4,094,963,328  −49.90%
"""

from __future__ import annotations

import json
from typing import Any

from symconv.presets.count import Comparison, ToolCount
from symconv.printing.document import Block, Document, Heading, InlineMath, Number, Paragraph, Table
from symconv.printing.json import quantity
from symconv.printing.latex import blocks_latex
from symconv.printing.markdown import document_markdown
from symconv.printing.network import percent
from symconv.printing.presets import aligned, number, signed
from symconv.printing.sections import latex_text

__all__ = ["comparison_dict", "comparison_document", "render_comparison"]


def _share(tool: ToolCount) -> str:
    share = percent(tool.difference, tool.exact)
    return f"{share.replace('-', '−')}%" if share and share.startswith("-") else f"+{share}%" if share else ""


def _head(comparison: Comparison) -> list[str]:
    return [f"{comparison.title}: what each counting tool reports, against the exact count",
            f"exact FLOPs = {number(comparison.exact)} (every multiplication, addition and other operation)"]


def _tool_row(tool: ToolCount) -> list[str]:
    return [tool.preset.name, tool.preset.call, number(tool.total), signed(tool.difference), _share(tool)]


def _group_rows(tool: ToolCount) -> list[list[str]]:
    return [[g.label, str(g.layers), number(g.value), number(g.exact), signed(g.difference), "; ".join(g.why)]
            for g in tool.by_type()]


_TOOLS = ["tool", "the number of", "number", "− exact", "share"]
_TYPES = ["type", "layers", "tool", "exact", "tool − exact", "why"]


def _text(comparison: Comparison) -> str:
    out = [*_head(comparison), ""]
    out += aligned(_TOOLS, [_tool_row(t) for t in comparison.counts], "llrrr")
    out += ["", "Why, by layer type:"]
    for tool in comparison.counts:
        out += ["", f"{tool.preset.name}, {tool.preset.tool}: {tool.preset.reports}"]
        out += [f"  {line}" for line in aligned(_TYPES, _group_rows(tool), "lrrrrl")]
        out += [f"  known error {e.name}: {e.says} ({e.source})" for e in tool.errors]
    return "\n".join(out) + "\n"


def _cell(text: str) -> tuple[Any, ...]:
    return (Number(int(text.replace(",", ""))),) if text.replace(",", "").isdigit() else (text,)


def comparison_document(comparison: Comparison) -> Document:
    """The comparison as a document: one row per tool, then each tool's counts by layer type."""
    blocks: list[Block] = [
        Paragraph("Exact FLOPs: ", InlineMath(comparison.exact),
                  " (every multiplication, addition and other operation)."),
        Table(_TOOLS, [[_cell(c) for c in _tool_row(t)] for t in comparison.counts], align="llrrr")]
    for tool in comparison.counts:
        blocks += [Heading(2, f"{tool.preset.name}: {tool.preset.reports}"),
                   Table(_TYPES, [[_cell(c) for c in row] for row in _group_rows(tool)], align="lrrrrl")]
        if tool.errors:
            blocks.append(Paragraph("Known errors: " + "; ".join(f"{e.name}: {e.says} ({e.source})"
                                                                 for e in tool.errors) + "."))
    return Document(f"{comparison.title}: what each counting tool reports", tuple(blocks))


def comparison_dict(comparison: Comparison) -> dict[str, Any]:
    """The comparison as JSON data."""
    return {"network": comparison.title, "exact": quantity(comparison.exact), "tools": [{
        "preset": t.preset.name, "tool": t.preset.tool, "call": t.preset.call, "reports": t.preset.reports,
        "source": t.preset.source, "flops": quantity(t.total), "difference": quantity(t.difference),
        "by_type": [{"type": g.label, "layers": g.layers, "flops": quantity(g.value), "exact": quantity(g.exact),
                     "difference": quantity(g.difference), "why": list(g.why), "errors": list(g.errors)}
                    for g in t.by_type()],
        "errors": [{"name": e.name, "says": e.says, "source": e.source} for e in t.errors]}
        for t in comparison.counts]}


def render_comparison(comparison: Comparison, fmt: str = "table") -> str:
    """The comparison in ``table`` (plain text), ``markdown``, ``latex`` or ``json``."""
    if fmt == "json":
        return json.dumps(comparison_dict(comparison), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return document_markdown(comparison_document(comparison))
    if fmt == "latex":
        body, packages = blocks_latex(comparison_document(comparison).blocks)
        head = latex_text(_head(comparison)[0])
        return "\n".join([f"% {head}", rf"% requires \usepackage{{{','.join(packages)}}}", body]) + "\n"
    return _text(comparison)

