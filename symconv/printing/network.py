"""A network's analysis printed: a plain-text table, a document (:func:`document`) in Markdown or in LaTeX
(booktabs tables), and JSON. ``symconv.network.tables`` re-exports these names.

Every table names its convention. ``mult-adds`` is the ``macs`` count (products of convolutions and fully
connected layers, no bias, batch norm, activation or pooling), as papers and torchvision report it; ``FLOPs``
follows the chosen convention (``exact`` by default: every multiplication, addition and other operation).

>>> from symconv.network import builtin, count
>>> a = count(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1})
>>> print(render(a, "table").splitlines()[0])
MobileNetV1 (Howard et al. 2017, Table 1), depthwise separable: FLOPs in the exact convention (every ...)
>>> to_dict(a)["totals"]["macs"]["value"]
568740352
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, TypeAlias

import sympy

from symconv.network.graph import Analysis, Rounding
from symconv.network.layers import Counts, Shape
from symconv.network.passes import PassAnalysis
from symconv.printing.document import Block, Cell, Document, Heading, InlineMath, Number, Paragraph, Table, Text
from symconv.printing.exprs import latex_expr, text_expr
from symconv.printing.latex import blocks_latex
from symconv.printing.markdown import document_markdown
from symconv.printing.sections import latex_text
from symconv.printing.unicode import unicode_expr
from symconv.quantities import NETWORK_TOTALS

__all__ = ["FORMATS", "PART_TITLES", "TOTALS", "cells_table", "conditions_text", "convention_text", "decimal",
           "document", "pass_text", "percent", "quantity_json", "render", "rounding_text", "scaled", "text_table",
           "to_dict"]

#: The totals of the JSON form, in order (``params`` as PyTorch's ``sum(p.numel())``).
TOTALS = NETWORK_TOTALS

#: A forward analysis, or a backward pass or training step (:class:`~symconv.network.passes.PassAnalysis`).
Counted: TypeAlias = "Analysis | PassAnalysis"


def percent(part: sympy.Expr, whole: sympy.Expr, digits: int = 2) -> str:
    """``part/whole`` as a percentage rounded half up to ``digits`` decimals, computed exactly; ``""`` while
    symbolic.

    >>> percent(sympy.Integer(539492352), sympy.Integer(568740352))
    '94.86'
    """
    if not (part.is_number and whole.is_number) or whole == 0:
        return ""
    return decimal(_fraction(part) / _fraction(whole) * 100, digits)


def _fraction(value: sympy.Expr | Fraction) -> Fraction:
    """An exact number as a Fraction: Python's rationals are cheaper than SymPy's for a table of shares."""
    if isinstance(value, Fraction):
        return value
    rational = sympy.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def decimal(value: sympy.Rational | Fraction, digits: int = 2) -> str:
    """An exact rational written with ``digits`` decimals, rounded half up.

    >>> decimal(sympy.Rational(568740352, 10**6), 1), decimal(sympy.Rational(-1, 8))
    ('568.7', '-0.13')
    """
    ratio = _fraction(value) * 10**digits
    rounded = math.floor(abs(ratio) + Fraction(1, 2))
    sign = "-" if ratio < 0 else ""
    whole_part, frac = divmod(rounded, 10**digits)
    return f"{sign}{whole_part}.{frac:0{digits}d}" if digits else f"{sign}{whole_part}"


def scaled(value: sympy.Expr, unit: int = 10**6, digits: int = 2) -> str:
    """An exact integer in units (millions by default), rounded half up: ``568.74`` for 568,740,352."""
    return decimal(sympy.Rational(value) / unit, digits) if value.is_number else ""


#: A cell before it is printed: text, a count, or a shape.
_Value: TypeAlias = "str | sympy.Expr | Shape"


def _number(expr: sympy.Expr) -> str:
    return f"{int(expr):,}" if expr.is_Integer else unicode_expr(expr)


def _shape_text(shape: Shape) -> str:
    return "×".join(unicode_expr(v) for v in (shape.channels, *shape.size))


def _text_cell(value: _Value) -> str:
    if isinstance(value, str):
        return value
    return _shape_text(value) if isinstance(value, Shape) else _number(value)


def _cell(value: _Value) -> Cell:
    """A cell of the document: a count as an exact integer or math, a shape as text while it is numeric."""
    if isinstance(value, Shape):
        sizes = (value.channels, *value.size)
        if all(v.is_Integer for v in sizes):
            return (Text(_shape_text(value)),)
        return (InlineMath(r" \times ".join(latex_expr(v) for v in sizes)),)
    if isinstance(value, str):
        return (Text(value),) if value else ()
    return (Number(int(value)),) if value.is_Integer else (InlineMath(value),)


def conditions_text(analysis: Counted) -> str:
    """Where the closed forms hold, in words ("" when they hold everywhere)."""
    conditions = analysis.conditions or analysis.closed_conditions
    parts = [f"{unicode_expr(e)} is an integer" + (f" ≥ {m}" if m > 1 else "") for e, m in conditions]
    return "; ".join(parts)


def _closed(analysis: Counted, name: str) -> sympy.Expr | None:
    """The closed form behind an evaluated total, when it is not the total itself."""
    if analysis.closed is None or name not in analysis.closed:
        return None
    expr, value = analysis.closed[name], analysis.quantities[name]
    return None if expr == value or not value.is_number else expr


def convention_text(analysis: Counted) -> str:
    """What ``flops`` counts in a network, in words."""
    if analysis.convention.value == "exact":
        return ("every operation performed: multiplications, additions, and the comparisons, square roots, "
                "divisions and exponentials of activations, pooling, batch norm and softmax")
    if analysis.convention.value == "macs":
        return "the multiply-accumulates of convolutions and fully connected layers, the papers' mult-adds"
    return "2 × the multiply-accumulates of convolutions and fully connected layers"


def pass_text(analysis: Counted) -> str:
    """Which pass an analysis counts, in words ("" for the forward pass).

    >>> from symconv.network import builtin
    >>> from symconv.network.passes import analyse_pass
    >>> pass_text(analyse_pass(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, pass_="training"))
    'a training step (the forward pass and the gradients of the weights and biases)'
    """
    if not isinstance(analysis, PassAnalysis):
        return ""
    names = {"input": "the network input", "weight": "the weights", "bias": "biases"}
    wanted = [names[g] for g in analysis.grads]
    if "the weights" in wanted and "biases" in wanted:
        wanted[wanted.index("the weights"):wanted.index("biases") + 1] = ["the weights and biases"]
    elif "biases" in wanted:
        wanted[wanted.index("biases")] = "the biases"
    grads = "the gradients of " + " and ".join(wanted)
    if analysis.pass_.value == "training":
        return f"a training step (the forward pass and {grads})"
    return f"the backward pass ({grads})"


def _header(analysis: Counted) -> str:
    counted = pass_text(analysis)
    head = f"{_title(analysis)}, {counted}" if counted else _title(analysis)
    return f"{head}: FLOPs in the {analysis.convention.value} convention ({convention_text(analysis)})"


#: How a part of a pass is headed in a table.
PART_TITLES = {"forward": "forward", "grad_input": "grad input", "grad_weight": "grad weight",
               "grad_bias": "grad bias"}


def _parts(analysis: Counted) -> list[str]:
    return list(analysis.parts) if isinstance(analysis, PassAnalysis) else []


def _title(analysis: Counted) -> str:
    return analysis.network.title or analysis.network.name


def _values_line(analysis: Counted) -> str:
    if not analysis.values:
        return ""
    return ", ".join(f"{k} = {unicode_expr(v)}" for k, v in analysis.values.items())


def _pc(share: str) -> str:
    return f"{share}%" if share else ""


def _layer_rows(analysis: Counted) -> list[list[_Value]]:
    convention = analysis.convention
    flops = analysis.totals.flops(convention)
    return [[row.name, row.label, row.output, row.counts.params, row.counts.macs, row.counts.flops("exact"),
             *(row.parts[p].flops(convention) for p in _parts(analysis)),  # type: ignore[union-attr]
             _pc(percent(row.counts.flops(convention), flops))] for row in analysis.rows]


def _layer_head(analysis: Counted) -> list[str]:
    """The per-layer columns, with a pass's FLOPs of each part in the analysis's convention; the share is of
    the total FLOPs in that convention."""
    return ["layer", "type", "output", "params", "mult-adds", "exact FLOPs",
            *(PART_TITLES[p] for p in _parts(analysis)), f"share ({analysis.convention.value})"]


def _part_rows(analysis: Counted) -> list[list[_Value]]:
    """A pass's parts: each one's multiply-accumulates, FLOPs and share of the FLOPs."""
    if not isinstance(analysis, PassAnalysis):
        return []
    convention, flops = analysis.convention, analysis.totals.flops(analysis.convention)
    return [[PART_TITLES[p], c.macs, c.flops(convention), _pc(percent(c.flops(convention), flops))]
            for p, c in analysis.parts.items()]


_PART_HEAD = ["part", "mult-adds", "FLOPs", "share"]


def _type_rows(analysis: Counted) -> list[list[_Value]]:
    totals = analysis.totals
    rows: list[list[_Value]] = []
    for label, count, counts in analysis.by_type():
        shares = [percent(getattr(counts, n), getattr(totals, n)) for n in ("params", "weights", "macs")]
        flops_share = percent(counts.flops(analysis.convention), totals.flops(analysis.convention))
        rows.append([label, str(count), counts.params, _pc(shares[0]), counts.weights, _pc(shares[1]), counts.macs,
                     _pc(shares[2]), counts.flops(analysis.convention), _pc(flops_share)])
    return rows


_TYPE_HEAD = ["type", "layers", "params", "share", "weights", "share", "mult-adds", "share", "FLOPs", "share"]


def text_table(head: list[str], rows: list[list[_Value]], numeric_from: int) -> list[str]:
    """A plain-text table's lines: the columns from ``numeric_from`` on aligned right."""
    cells = [head, *([_text_cell(v) for v in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i >= numeric_from else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(r) for r in cells]


def _text(analysis: Counted) -> str:
    out = [_header(analysis)]
    if _values_line(analysis):
        out.append(f"symbols: {_values_line(analysis)}")
    out += ["", "Layers:"]
    out += text_table(_layer_head(analysis), _layer_rows(analysis), 3)
    if _part_rows(analysis):
        out += ["", "By part:"]
        out += text_table(_PART_HEAD, _part_rows(analysis), 1)
    out += ["", "By type:"]
    out += text_table(_TYPE_HEAD, _type_rows(analysis), 1)
    out += ["", "Totals:"]
    for name, expr in analysis.quantities.items():
        tail = f" ({scaled(expr)} M)" if expr.is_Integer else ""
        closed = _closed(analysis, name)
        head = f"{unicode_expr(closed)} = " if closed is not None else ""
        out.append(f"  {name} = {head}{_number(expr)}{tail}")
    out += ["", *_notes(analysis)]
    return "\n".join(out) + "\n"


def rounding_text(rounding: Rounding) -> str:
    """How a network rounds its scaled channel counts, in the text conventions of the rest of the output.

    >>> rounding_text(Rounding("floor", minimum=8))
    "channels max(⌊c·α⌋, 8) (TF-slim MobileNetV1's depth rule)"
    """
    if rounding.rule == "exact":
        return "channels c·α used as they are: they must be integers"
    if rounding.rule == "floor":
        return f"channels max(⌊c·α⌋, {rounding.minimum}) (TF-slim MobileNetV1's depth rule)"
    return (f"channels rounded to the nearest multiple of {rounding.divisor}, at least {rounding.minimum}, "
            f"plus {rounding.divisor} when that loses more than 10% (_make_divisible)")


def _notes(analysis: Counted) -> list[str]:
    notes = ["params: learnable parameters (PyTorch's sum(p.numel())); buffers: batch norm's running statistics; "
             "weights: convolution and fully connected weights alone; mult-adds: macs, the products of "
             "convolutions and fully connected layers (the papers' count)."]
    rounding = f"rounding: {rounding_text(analysis.network.rounding)}"
    if analysis.conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}; {rounding}.")
    elif analysis.closed is not None and analysis.closed_conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}, as here; {rounding}.")
    elif analysis.closed_conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}, not here: these counts are the "
                     f"network's, built and counted layer by layer; {rounding}.")
    return notes


def cells_table(head: list[str], rows: list[list[_Value]], numeric_from: int,
                foot: Sequence[list[_Value]] = ()) -> Table:
    """A document's table of counts, shapes and text: the columns from ``numeric_from`` on aligned right."""
    align = "l" * numeric_from + "r" * (len(head) - numeric_from)
    return Table(head, [[_cell(v) for v in row] for row in rows], align=align,
                 foot=[[_cell(v) for v in row] for row in foot])


def document(analysis: Counted) -> Document:
    """The analysis as a document: the layers with their total, the counts by type, the totals, the notes."""
    totals = analysis.totals
    total = ["Total", "", "", totals.params, totals.macs, totals.flops("exact"),
             *(analysis.parts[p].flops(analysis.convention) for p in _parts(analysis)),  # type: ignore[union-attr]
             "100%" if totals.flops(analysis.convention).is_number else ""]
    closed = []
    for name, expr in analysis.quantities.items():
        form = _closed(analysis, name)
        closed.append([name, form if form is not None else expr, expr if expr.is_Integer else ""])
    counted = pass_text(analysis)
    blocks: list[Block] = [Paragraph((f"{counted[0].upper()}{counted[1:]}: " if counted else "")
                                     + f"FLOPs in the {analysis.convention.value} convention "
                                     f"({convention_text(analysis)}).")]
    if _values_line(analysis):
        blocks.append(Paragraph(f"Symbols: {_values_line(analysis)}."))
    blocks.append(cells_table(_layer_head(analysis), _layer_rows(analysis), 3, [total]))
    if _part_rows(analysis):
        blocks += [Heading(2, "By part"), cells_table(_PART_HEAD, _part_rows(analysis), 1)]
    blocks += [Heading(2, "By type"), cells_table(_TYPE_HEAD, _type_rows(analysis), 1),
               Heading(2, "Totals"),
               Table(["quantity", "closed form", "value"],
                     [[name, InlineMath(form), _cell(value)] for name, form, value in closed], align="llr"),
               *(Paragraph(note) for note in _notes(analysis))]
    return Document(_title(analysis), tuple(blocks))


def _markdown(analysis: Counted) -> str:
    return document_markdown(document(analysis))


def _latex(analysis: Counted) -> str:
    """The document's blocks, to paste into a paper: its first lines say what it is and what it needs."""
    body, packages = blocks_latex(document(analysis).blocks)
    return "\n".join([f"% {latex_text(_header(analysis))}", rf"% requires \usepackage{{{','.join(packages)}}}",
                      body]) + "\n"


def quantity_json(expr: sympy.Expr) -> dict[str, Any]:
    """A count in JSON: ``{"expr", "latex", "value"}``, the value while it is an integer."""
    return {"expr": text_expr(expr), "latex": latex_expr(expr), "value": int(expr) if expr.is_Integer else None}


def _share(part: sympy.Expr, whole: sympy.Expr) -> dict[str, Any]:
    ratio = sympy.cancel(part / whole) if whole != 0 else sympy.Integer(0)
    return {"expr": text_expr(ratio), "latex": latex_expr(ratio), "percent": percent(part, whole) or None}


def to_dict(analysis: Counted) -> dict[str, Any]:
    """The analysis as JSON data: ``{"network", "convention", "values", "layers": [...], "by_type": [...],
    "totals": {...}, "others", "weights", "conditions"}``, every count ``{"expr", "latex", "value"}``. A
    backward pass or a training step adds ``"pass"`` and ``"grad"`` after ``"convention"``, each layer's
    ``"parts"``, and the ``"parts"`` totals after ``"totals"`` (``grad_input``, ``grad_weight``,
    ``grad_bias``; a training step's ``forward`` first), each shaped like ``"totals"``."""
    convention = analysis.convention
    flops = analysis.totals.flops(convention)

    def counts(c: Counts) -> dict[str, Any]:
        return {name: quantity_json(expr) for name, expr in c.as_dict(convention).items()}

    passed = isinstance(analysis, PassAnalysis)

    def parts(row: Any) -> dict[str, Any]:
        return {"parts": {p: counts(c) for p, c in row.parts.items()}} if passed else {}

    return {
        "network": analysis.network.name,
        "convention": convention.value,
        **({"pass": analysis.pass_.value, "grad": list(analysis.grads)} if passed else {}),  # type: ignore[union-attr]
        "values": {str(k): text_expr(v) for k, v in analysis.values.items()},
        "layers": [
            {"name": row.name, "type": row.label,
             "output": [text_expr(v) for v in (row.output.channels, *row.output.size)],
             **counts(row.counts), "exact_flops": quantity_json(row.counts.flops("exact")),
             "share": _share(row.counts.flops(convention), flops), **parts(row)}
            for row in analysis.rows
        ],
        "by_type": [{"type": label, "layers": n, **counts(c)} for label, n, c in analysis.by_type()],
        "totals": {name: quantity_json(analysis.quantities[name]) for name in TOTALS},
        **({"parts": {p: {name: quantity_json(q) for name, q in c.as_dict(convention).items() if name in TOTALS}
                      for p, c in analysis.parts.items()}} if passed else {}),  # type: ignore[union-attr]
        "others": quantity_json(analysis.totals.others),
        "weights": quantity_json(analysis.totals.weights),
        "conditions": [{"integer": text_expr(e), "at_least": m} for e, m in analysis.conditions],
        "closed_forms": None if analysis.closed is None else {
            name: quantity_json(analysis.closed[name]) for name in TOTALS},
        "closed_form_conditions": [{"integer": text_expr(e), "at_least": m}
                                   for e, m in analysis.closed_conditions],
    }


def _json(analysis: Counted) -> str:
    return json.dumps(to_dict(analysis), indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[Counted], str]] = {"table": _text, "latex": _latex, "markdown": _markdown,
                                                 "json": _json}


def render(analysis: Counted, fmt: str = "table") -> str:
    """The analysis in one of :data:`FORMATS`."""
    return FORMATS[fmt](analysis)
