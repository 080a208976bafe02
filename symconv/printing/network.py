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

from symconv.network.graph import Analysis
from symconv.network.layers import Counts, Shape
from symconv.printing.document import Block, Cell, Document, Heading, InlineMath, Number, Paragraph, Table, Text
from symconv.printing.exprs import latex_expr, text_expr
from symconv.printing.latex import blocks_latex
from symconv.printing.markdown import document_markdown
from symconv.printing.sections import latex_text
from symconv.printing.unicode import unicode_expr
from symconv.quantities import NETWORK_TOTALS

__all__ = ["FORMATS", "TOTALS", "conditions_text", "convention_text", "decimal", "document", "percent", "render",
           "scaled", "to_dict"]

#: The totals of the JSON form, in order (``params`` as PyTorch's ``sum(p.numel())``).
TOTALS = NETWORK_TOTALS


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


def conditions_text(analysis: Analysis) -> str:
    """Where the closed forms hold, in words ("" when they hold everywhere)."""
    conditions = analysis.conditions or analysis.closed_conditions
    parts = [f"{unicode_expr(e)} is an integer" + (f" ≥ {m}" if m > 1 else "") for e, m in conditions]
    return "; ".join(parts)


def _closed(analysis: Analysis, name: str) -> sympy.Expr | None:
    """The closed form behind an evaluated total, when it is not the total itself."""
    if analysis.closed is None or name not in analysis.closed:
        return None
    expr, value = analysis.closed[name], analysis.quantities[name]
    return None if expr == value or not value.is_number else expr


def convention_text(analysis: Analysis) -> str:
    """What ``flops`` counts in a network, in words."""
    if analysis.convention.value == "exact":
        return ("every operation performed: multiplications, additions, and the comparisons, square roots, "
                "divisions and exponentials of activations, pooling, batch norm and softmax")
    if analysis.convention.value == "macs":
        return "the multiply-accumulates of convolutions and fully connected layers, the papers' mult-adds"
    return "2 × the multiply-accumulates of convolutions and fully connected layers"


def _header(analysis: Analysis) -> str:
    return f"{_title(analysis)}: FLOPs in the {analysis.convention.value} convention ({convention_text(analysis)})"


def _title(analysis: Analysis) -> str:
    return analysis.network.title or analysis.network.name


def _values_line(analysis: Analysis) -> str:
    if not analysis.values:
        return ""
    return ", ".join(f"{k} = {unicode_expr(v)}" for k, v in analysis.values.items())


def _pc(share: str) -> str:
    return f"{share}%" if share else ""


def _layer_rows(analysis: Analysis) -> list[list[_Value]]:
    flops = analysis.totals.flops(analysis.convention)
    return [[row.name, row.label, row.output, row.counts.params, row.counts.macs, row.counts.flops("exact"),
             _pc(percent(row.counts.flops(analysis.convention), flops))] for row in analysis.rows]


def _layer_head(analysis: Analysis) -> list[str]:
    """The per-layer columns; the share is of the total FLOPs in the analysis's convention."""
    return ["layer", "type", "output", "params", "mult-adds", "exact FLOPs", f"share ({analysis.convention.value})"]


def _type_rows(analysis: Analysis) -> list[list[_Value]]:
    totals = analysis.totals
    rows: list[list[_Value]] = []
    for label, count, counts in analysis.by_type():
        shares = [percent(getattr(counts, n), getattr(totals, n)) for n in ("params", "weights", "macs")]
        flops_share = percent(counts.flops(analysis.convention), totals.flops(analysis.convention))
        rows.append([label, str(count), counts.params, _pc(shares[0]), counts.weights, _pc(shares[1]), counts.macs,
                     _pc(shares[2]), counts.flops(analysis.convention), _pc(flops_share)])
    return rows


_TYPE_HEAD = ["type", "layers", "params", "share", "weights", "share", "mult-adds", "share", "FLOPs", "share"]


def _text_table(head: list[str], rows: list[list[_Value]], numeric_from: int) -> list[str]:
    cells = [head, *([_text_cell(v) for v in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i >= numeric_from else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(r) for r in cells]


def _text(analysis: Analysis) -> str:
    out = [_header(analysis)]
    if _values_line(analysis):
        out.append(f"symbols: {_values_line(analysis)}")
    out += ["", "Layers:"]
    out += _text_table(_layer_head(analysis), _layer_rows(analysis), 3)
    out += ["", "By type:"]
    out += _text_table(_TYPE_HEAD, _type_rows(analysis), 1)
    out += ["", "Totals:"]
    for name, expr in analysis.quantities.items():
        tail = f" ({scaled(expr)} M)" if expr.is_Integer else ""
        closed = _closed(analysis, name)
        head = f"{unicode_expr(closed)} = " if closed is not None else ""
        out.append(f"  {name} = {head}{_number(expr)}{tail}")
    out += ["", *_notes(analysis)]
    return "\n".join(out) + "\n"


def _notes(analysis: Analysis) -> list[str]:
    notes = ["params: learnable parameters (PyTorch's sum(p.numel())); buffers: batch norm's running statistics; "
             "weights: convolution and fully connected weights alone; mult-adds: macs, the products of "
             "convolutions and fully connected layers (the papers' count)."]
    rounding = f"rounding: {analysis.network.rounding.describe()}"
    if analysis.conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}; {rounding}.")
    elif analysis.closed is not None and analysis.closed_conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}, as here; {rounding}.")
    elif analysis.closed_conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}, not here: these counts are the "
                     f"network's, built and counted layer by layer; {rounding}.")
    return notes


def _table(head: list[str], rows: list[list[_Value]], numeric_from: int,
           foot: Sequence[list[_Value]] = ()) -> Table:
    align = "l" * numeric_from + "r" * (len(head) - numeric_from)
    return Table(head, [[_cell(v) for v in row] for row in rows], align=align,
                 foot=[[_cell(v) for v in row] for row in foot])


def document(analysis: Analysis) -> Document:
    """The analysis as a document: the layers with their total, the counts by type, the totals, the notes."""
    totals = analysis.totals
    total = ["Total", "", "", totals.params, totals.macs, totals.flops("exact"),
             "100%" if totals.flops(analysis.convention).is_number else ""]
    closed = []
    for name, expr in analysis.quantities.items():
        form = _closed(analysis, name)
        closed.append([name, form if form is not None else expr, expr if expr.is_Integer else ""])
    blocks: list[Block] = [Paragraph(f"FLOPs in the {analysis.convention.value} convention "
                                     f"({convention_text(analysis)}).")]
    if _values_line(analysis):
        blocks.append(Paragraph(f"Symbols: {_values_line(analysis)}."))
    blocks += [_table(_layer_head(analysis), _layer_rows(analysis), 3, [total]),
               Heading(2, "By type"), _table(_TYPE_HEAD, _type_rows(analysis), 1),
               Heading(2, "Totals"),
               Table(["quantity", "closed form", "value"],
                     [[name, InlineMath(form), _cell(value)] for name, form, value in closed], align="llr"),
               *(Paragraph(note) for note in _notes(analysis))]
    return Document(_title(analysis), tuple(blocks))


def _markdown(analysis: Analysis) -> str:
    return document_markdown(document(analysis))


def _latex(analysis: Analysis) -> str:
    """The document's blocks, to paste into a paper: its first lines say what it is and what it needs."""
    body, packages = blocks_latex(document(analysis).blocks)
    return "\n".join([f"% {latex_text(_header(analysis))}", rf"% requires \usepackage{{{','.join(packages)}}}",
                      body]) + "\n"


def _quantity(expr: sympy.Expr) -> dict[str, Any]:
    return {"expr": text_expr(expr), "latex": latex_expr(expr), "value": int(expr) if expr.is_Integer else None}


def _share(part: sympy.Expr, whole: sympy.Expr) -> dict[str, Any]:
    ratio = sympy.cancel(part / whole) if whole != 0 else sympy.Integer(0)
    return {"expr": text_expr(ratio), "latex": latex_expr(ratio), "percent": percent(part, whole) or None}


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The analysis as JSON data: ``{"network", "convention", "values", "layers": [...], "by_type": [...],
    "totals": {...}, "others", "weights", "conditions"}``, every count ``{"expr", "latex", "value"}``."""
    convention = analysis.convention
    flops = analysis.totals.flops(convention)

    def counts(c: Counts) -> dict[str, Any]:
        return {name: _quantity(expr) for name, expr in c.as_dict(convention).items()}

    return {
        "network": analysis.network.name,
        "convention": convention.value,
        "values": {str(k): text_expr(v) for k, v in analysis.values.items()},
        "layers": [
            {"name": row.name, "type": row.label,
             "output": [text_expr(v) for v in (row.output.channels, *row.output.size)],
             **counts(row.counts), "exact_flops": _quantity(row.counts.flops("exact")),
             "share": _share(row.counts.flops(convention), flops)}
            for row in analysis.rows
        ],
        "by_type": [{"type": label, "layers": n, **counts(c)} for label, n, c in analysis.by_type()],
        "totals": {name: _quantity(analysis.quantities[name]) for name in TOTALS},
        "others": _quantity(analysis.totals.others),
        "weights": _quantity(analysis.totals.weights),
        "conditions": [{"integer": text_expr(e), "at_least": m} for e, m in analysis.conditions],
        "closed_forms": None if analysis.closed is None else {
            name: _quantity(analysis.closed[name]) for name in TOTALS},
        "closed_form_conditions": [{"integer": text_expr(e), "at_least": m}
                                   for e, m in analysis.closed_conditions],
    }


def _json(analysis: Analysis) -> str:
    return json.dumps(to_dict(analysis), indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[Analysis], str]] = {"table": _text, "latex": _latex, "markdown": _markdown,
                                                 "json": _json}


def render(analysis: Analysis, fmt: str = "table") -> str:
    """The analysis in one of :data:`FORMATS`."""
    return FORMATS[fmt](analysis)
