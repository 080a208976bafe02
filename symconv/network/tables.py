"""A network's analysis as tables: plain text, Markdown, a booktabs LaTeX ``tabular`` and JSON.

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
from collections.abc import Callable
from typing import Any

import sympy

from symconv.network.graph import Analysis
from symconv.network.layers import Counts, Shape
from symconv.printing.exprs import latex_expr, text_expr
from symconv.printing.sections import latex_text
from symconv.quantities import NETWORK_TOTALS

__all__ = ["FORMATS", "TOTALS", "conditions_text", "convention_text", "decimal", "percent", "render", "scaled",
           "to_dict"]

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
    return decimal(sympy.Rational(part) / sympy.Rational(whole) * 100, digits)


def decimal(value: sympy.Rational, digits: int = 2) -> str:
    """An exact rational written with ``digits`` decimals, rounded half up.

    >>> decimal(sympy.Rational(568740352, 10**6), 1), decimal(sympy.Rational(-1, 8))
    ('568.7', '-0.13')
    """
    ratio = value * 10**digits
    rounded = int(sympy.floor(abs(ratio) + sympy.Rational(1, 2)))
    sign = "-" if ratio < 0 else ""
    whole_part, frac = divmod(rounded, 10**digits)
    return f"{sign}{whole_part}.{frac:0{digits}d}" if digits else f"{sign}{whole_part}"


def scaled(value: sympy.Expr, unit: int = 10**6, digits: int = 2) -> str:
    """An exact integer in units (millions by default), rounded half up: ``568.74`` for 568,740,352."""
    return decimal(sympy.Rational(value) / unit, digits) if value.is_number else ""


def _number(expr: sympy.Expr) -> str:
    return f"{int(expr):,}" if expr.is_Integer else text_expr(expr)


def _latex_number(expr: sympy.Expr) -> str:
    return f"{int(expr):,}".replace(",", "{,}") if expr.is_Integer else f"${latex_expr(expr)}$"


def _shape_text(shape: Shape) -> str:
    return "×".join(text_expr(v) for v in (shape.channels, *shape.size))


def _shape_latex(shape: Shape) -> str:
    return "$" + r" \times ".join(latex_expr(v) for v in (shape.channels, *shape.size)) + "$"


def conditions_text(analysis: Analysis) -> str:
    """Where the closed forms hold, in words ("" when they hold everywhere)."""
    conditions = analysis.conditions or analysis.closed_conditions
    parts = [f"{text_expr(e)} is an integer" + (f" >= {m}" if m > 1 else "") for e, m in conditions]
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
    network = analysis.network
    title = network.title or network.name
    return f"{title}: FLOPs in the {analysis.convention.value} convention ({convention_text(analysis)})"


def _values_line(analysis: Analysis) -> str:
    if not analysis.values:
        return ""
    return ", ".join(f"{k} = {text_expr(v)}" for k, v in analysis.values.items())


def _layer_cells(analysis: Analysis, number: Callable[[sympy.Expr], str],
                 shape: Callable[[Shape], str]) -> list[list[str]]:
    flops = analysis.totals.flops(analysis.convention)
    rows = []
    for row in analysis.rows:
        share = percent(row.counts.flops(analysis.convention), flops)
        rows.append([row.name, row.label, shape(row.output), number(row.counts.params), number(row.counts.macs),
                     number(row.counts.flops("exact")), f"{share}%" if share else ""])
    return rows


def _layer_head(analysis: Analysis) -> list[str]:
    """The per-layer columns; the share is of the total FLOPs in the analysis's convention."""
    return ["layer", "type", "output", "params", "mult-adds", "exact FLOPs", f"share ({analysis.convention.value})"]


def _type_cells(analysis: Analysis, number: Callable[[sympy.Expr], str]) -> list[list[str]]:
    totals = analysis.totals
    rows = []
    for label, count, counts in analysis.by_type():
        shares = [percent(getattr(counts, n), getattr(totals, n)) for n in ("params", "weights", "macs")]
        flops_share = percent(counts.flops(analysis.convention), totals.flops(analysis.convention))
        rows.append([label, str(count), number(counts.params), _pc(shares[0]), number(counts.weights),
                     _pc(shares[1]), number(counts.macs), _pc(shares[2]), number(counts.flops(analysis.convention)),
                     _pc(flops_share)])
    return rows


def _pc(share: str) -> str:
    return f"{share}%" if share else ""


_TYPE_HEAD = ["type", "layers", "params", "share", "weights", "share", "mult-adds", "share", "FLOPs", "share"]


def _totals_lines(analysis: Analysis, quantity: Callable[[str, sympy.Expr], str]) -> list[str]:
    return [quantity(name, expr) for name, expr in analysis.quantities.items()]


def _text_table(head: list[str], rows: list[list[str]], numeric_from: int) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i >= numeric_from else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(head), *(line(r) for r in rows)]


def _text(analysis: Analysis) -> str:
    out = [_header(analysis)]
    if _values_line(analysis):
        out.append(f"symbols: {_values_line(analysis)}")
    out += ["", "Layers:"]
    out += _text_table(_layer_head(analysis), _layer_cells(analysis, _number, _shape_text), 3)
    out += ["", "By type:"]
    out += _text_table(_TYPE_HEAD, _type_cells(analysis, _number), 1)
    out += ["", "Totals:"]

    def quantity(name: str, expr: sympy.Expr) -> str:
        tail = f" ({scaled(expr)} M)" if expr.is_Integer else ""
        closed = _closed(analysis, name)
        head = f"{text_expr(closed)} = " if closed is not None else ""
        return f"  {name} = {head}{_number(expr)}{tail}"

    out += _totals_lines(analysis, quantity)
    out += _notes(analysis)
    return "\n".join(out) + "\n"


def _notes(analysis: Analysis) -> list[str]:
    notes = ["", "params: learnable parameters (PyTorch's sum(p.numel())); buffers: batch norm's running "
                 "statistics; weights: convolution and fully connected weights alone; mult-adds: macs, the "
                 "products of convolutions and fully connected layers (the papers' count)."]
    rounding = f"rounding: {analysis.network.rounding.describe()}"
    if analysis.conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}; {rounding}.")
    elif analysis.closed is not None and analysis.closed_conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}, as here; {rounding}.")
    elif analysis.closed_conditions:
        notes.append(f"The closed forms hold where {conditions_text(analysis)}, not here: these counts are the "
                     f"network's, built and counted layer by layer; {rounding}.")
    return notes


def _markdown(analysis: Analysis) -> str:
    out = [f"# {analysis.network.title or analysis.network.name}", "",
           f"FLOPs in the {analysis.convention.value} convention ({convention_text(analysis)}).", ""]
    if _values_line(analysis):
        out += [f"Symbols: {_values_line(analysis)}.", ""]

    def table(head: list[str], rows: list[list[str]], numeric_from: int) -> list[str]:
        align = ["---:" if i >= numeric_from else "---" for i in range(len(head))]
        cells = [head, align, *rows]
        return ["| " + " | ".join(c.replace("|", "\\|") if c not in ("---", "---:") else c for c in r) + " |"
                for r in cells]

    def md_number(e: sympy.Expr) -> str:
        return f"{int(e):,}" if e.is_Integer else f"${latex_expr(e)}$"

    out += table(_layer_head(analysis), _layer_cells(analysis, md_number, _shape_text), 3)
    out += ["", "## By type", ""]
    out += table(_TYPE_HEAD, _type_cells(analysis, md_number), 1)
    out += ["", "## Totals", "", "| quantity | closed form | value |", "| --- | --- | ---: |"]

    def total(name: str, expr: sympy.Expr) -> str:
        closed = _closed(analysis, name)
        form = closed if closed is not None else expr
        return f"| {name} | ${latex_expr(form)}$ | {md_number(expr) if expr.is_Integer else ''} |"

    out += _totals_lines(analysis, total)
    for line in _notes(analysis):
        out += [line, ""] if line else []
    return "\n".join(out) + "\n"


def _latex(analysis: Analysis) -> str:
    rows = _layer_cells(analysis, _latex_number, _shape_latex)
    totals = analysis.totals
    flops = totals.flops(analysis.convention)
    lines = [
        f"% {latex_text(_header(analysis))}",
        r"% requires \usepackage{booktabs}",
        r"\begin{tabular}{lllrrrr}",
        r"\toprule",
        rf"Layer & Type & Output & Params & Mult-adds & Exact FLOPs & Share ({analysis.convention.value}) \\",
        r"\midrule",
    ]
    for name, label, shape, params, macs, f, share in rows:
        lines.append(" & ".join([latex_text(name), latex_text(label), shape, params, macs, f,
                                 share.replace("%", r"\%")]) + r" \\")
    lines += [r"\midrule",
              " & ".join(["Total", "", "", _latex_number(totals.params), _latex_number(totals.macs),
                          _latex_number(totals.flops("exact")), r"100\%" if flops.is_number else ""]) + r" \\",
              r"\bottomrule", r"\end{tabular}"]
    lines += ["", r"\begin{tabular}{lrrrrrrrr}", r"\toprule",
              r"Type & Layers & Params & Weights & Share & Mult-adds & Share & Exact FLOPs & "
              rf"Share ({analysis.convention.value}) \\", r"\midrule"]
    for label, count, counts in analysis.by_type():
        shares = [percent(counts.weights, totals.weights), percent(counts.macs, totals.macs),
                  percent(counts.flops(analysis.convention), flops)]
        lines.append(" & ".join([latex_text(label), str(count), _latex_number(counts.params),
                                 _latex_number(counts.weights), _tex_share(shares[0]), _latex_number(counts.macs),
                                 _tex_share(shares[1]), _latex_number(counts.flops("exact")),
                                 _tex_share(shares[2])]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    forms = {name: _closed(analysis, name) or expr for name, expr in analysis.quantities.items()}
    if any(not expr.is_number for expr in forms.values()):
        lines += [r"\begin{align*}", " \\\\\n".join(rf"\mathrm{{{name}}} &= {latex_expr(expr)}"
                                                     for name, expr in forms.items()), r"\end{align*}"]
    return "\n".join(lines) + "\n"


def _tex_share(share: str) -> str:
    return share + r"\%" if share else ""


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
