r"""LaTeX: a derivation as ``align*`` blocks (amsmath) under run-in paragraphs, ready to paste into a paper
(:func:`render`), and a whole document as an ``article`` for ``pdflatex`` (:func:`document_latex`), tables as
booktabs tabulars.

>>> from symconv.printing.document import Code, Document, Paragraph, Table
>>> print(blocks_latex([Paragraph("Mode ", Code("same"), ": 50% of k_h."), Table(["mode"], [["same"]])])[0])
Mode \texttt{same}: 50\% of k\_h.
<BLANKLINE>
\begin{center}
\begin{tabular}{l}
\toprule
mode \\
\midrule
same \\
\bottomrule
\end{tabular}
\end{center}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from symconv.printing.document import (
    Block,
    Code,
    Document,
    Emphasis,
    Heading,
    Inline,
    InlineMath,
    Item,
    Link,
    List,
    Math,
    Number,
    Paragraph,
    Steps,
    Table,
    Text,
)
from symconv.printing.exprs import latex_expr, latex_math
from symconv.printing.latex_layout import broken, math_width, table_layout
from symconv.printing.sections import Document as Stepped
from symconv.printing.sections import capitalized, latex_text, sections
from symconv.quantities import LAYER
from symconv.quantities import named as named_symbol

__all__ = ["blocks_latex", "document", "document_latex", "equation_rows", "inline_latex", "render", "standalone"]


def equation_rows(lhs: str, rhs: Sequence[str]) -> list[str]:
    """The rows of ``lhs = rhs[0] = rhs[1] ...`` in an ``align*`` (or ``aligned``) block, one ``=`` a row, each
    side broken where it is wider than the line (:func:`~symconv.printing.latex_layout.broken`)."""
    rows = []
    for number, side in enumerate(rhs):
        left = lhs if number == 0 else ""
        for part, line in enumerate(broken(side, first=math_width(lhs) + 2)):
            if part == 0:
                rows.append(f"{left} &= {line}")
            else:
                rows.append(rf"&\quad {{}}{line}" if line[:1] in "+-" else rf"&\qquad {line}")
    return rows


def _align(rows: Sequence[str]) -> str:
    return "\n".join([r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"])


def _closed_forms(document: Stepped, names: Sequence[str]) -> list[str]:
    every = {**getattr(document, "counts", {}), **getattr(document, "quantities", {})}
    return [row for name in names for row in equation_rows(latex_expr(named_symbol(name)), [latex_expr(every[name])])]


def render(document: Stepped, *, steps: str = "full", quantities: Sequence[str] | None = None) -> str:
    """The steps ``steps`` chooses, each section a run-in paragraph of why, then its equations in ``align*``
    (no ``\\intertext``, so that MathJax and KaTeX read the blocks too); ``steps="none"`` or ``quantities``:
    the closed forms alone."""
    out = [f"% {latex_text(document.title)}: {latex_text(document.subtitle)}"]
    if quantities or steps == "none":
        names = quantities or [n for n in LAYER if n in document.quantities]
        return "\n".join([*out, _align(_closed_forms(document, names))]) + "\n"
    for section in sections(document, steps):
        rows: list[str] = []
        for rule, step in section.lines:
            first = step is section.lines[0][1]
            if rule or first:
                if rows:
                    out.append(_align(rows))
                    rows = []
                heading = rf"\paragraph{{{latex_text(capitalized(section.title))}.}} " if first else ""
                out.append(heading + latex_text(rule))
            rows += equation_rows(latex_expr(step.lhs), [latex_expr(r) for r in step.rhs])
        out.append(_align(rows))
    return "\n".join(out) + "\n"


def document(title: str, body: Sequence[str], *, comment: str | None = None, packages: Sequence[str] = ()) -> str:
    """A complete ``article`` for ``pdflatex``: amsmath (and ``packages``), the title, ``body``."""
    return "\n".join([
        r"\documentclass{article}",
        r"\usepackage{amsmath}",
        *(rf"\usepackage{{{package}}}" for package in packages),
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
        r"\setlength{\emergencystretch}{3em}",  # a paragraph with long code breaks loosely rather than overflow
        r"\begin{document}",
        rf"\section*{{{latex_text(title)}}}",
        *([f"% {comment}"] if comment is not None else []),
        *body,
        r"\end{document}",
    ]) + "\n"


def standalone(derivation: Stepped) -> str:
    """A complete document around :func:`render`, for ``pdflatex``."""
    return document(derivation.title, [latex_text(derivation.subtitle) + ".", "", render(derivation).rstrip("\n")])


_INLINE: dict[type, Callable[[Any], str]] = {
    Text: lambda p: latex_text(p.text),
    Code: lambda p: rf"\texttt{{{latex_text(p.text)}}}",
    Emphasis: lambda p: rf"\textbf{{{latex_text(p.text)}}}" if p.strong else rf"\emph{{{latex_text(p.text)}}}",
    InlineMath: lambda p: f"${latex_math(p.math)}$",
    Number: lambda p: f"{p.value:,}".replace(",", "{,}"),
    Link: lambda p: latex_text(p.text),  # no hyperref: the text alone
}


def inline_latex(pieces: Sequence[Inline]) -> str:
    """Inline pieces as LaTeX text, prose escaped."""
    return "".join(_INLINE[type(piece)](piece) for piece in pieces)


_SECTIONS = {1: "section", 2: "subsection", 3: "subsubsection", 4: "paragraph"}


def _heading(level: int, title: str) -> str:
    return rf"\{_SECTIONS[level]}*{{{title}}}"


def _math(block: Math) -> str:
    if block.expression is not None:
        return rf"\[{latex_math(block.expression)}\]"
    rows = " \\\\\n".join(f"{latex_math(lhs)} &= {latex_math(rhs)}" for lhs, rhs in block.rows)
    return "\n".join([r"\begin{align*}", rows, r"\end{align*}"])


def _items(items: Sequence[Item]) -> list[str]:
    out = [r"\begin{itemize}"]
    for item in items:
        out.append(rf"\item {inline_latex(item.pieces)}")
        if item.children:
            out += _items(item.children)
    return [*out, r"\end{itemize}"]


def _steps(block: Steps) -> str:
    return _heading(block.level, latex_text(block.title)) + "\n" + render(block.subject).rstrip("\n")


#: The packages a body may need, in the order the preamble loads them.
_PACKAGES = ("booktabs", "array", "tabularx", "longtable")
_AROUND = {"longtable": (r"\begingroup", r"\endgroup")}  # longtable centres itself and breaks across pages


#: A dot inside a name (``ResNet18_Weights.IMAGENET1K_V1``), where a narrow column may break the line.
_DOTTED = re.compile(r"(?<=[A-Za-z0-9}])\.(?=[A-Za-z])")


def _table(table: Table) -> tuple[str, list[str]]:
    """A booktabs table, set as :func:`~symconv.printing.latex_layout.table_layout` says, and the packages it
    needs."""
    layout = table_layout(table)
    long = layout.environment == "longtable"

    def cell_latex(cell: Sequence[Inline], limit: float) -> str:
        if limit and len(cell) == 1 and isinstance(cell[0], InlineMath):
            lines = broken(latex_math(cell[0].math), width=limit)
            if len(lines) > 1:  # math too wide for its column: its lines stacked in the cell
                rows = " \\\\ ".join([lines[0], *(rf"\quad {line}" for line in lines[1:])])
                return rf"$\begin{{array}}[t]{{@{{}}l@{{}}}}{rows}\end{{array}}$"
        if layout.environment == "tabular":
            return inline_latex(cell)
        return "".join(_DOTTED.sub(r".\\allowbreak{}", latex_text(piece.text)) if isinstance(piece, Text)
                       else inline_latex((piece,)) for piece in cell)

    limits = layout.math or (0,) * len(table.head)

    def line(cells: Sequence[Sequence[Inline]]) -> str:
        return " & ".join(cell_latex(cell, limit) for cell, limit in zip(cells, limits, strict=True)) + r" \\"

    rows = [r"\toprule", line(table.head), r"\midrule", *([r"\endhead"] if long else []),
            *(line(row) for row in table.rows), *([r"\midrule"] if table.foot else []),
            *(line(row) for row in table.foot), r"\bottomrule"]
    width = r"{\linewidth}" if layout.environment == "tabularx" else ""
    begin, end = _AROUND.get(layout.environment, (r"\begin{center}", r"\end{center}"))
    out = [begin, *([rf"\{layout.size}"] if layout.size else []),
           rf"\begin{{{layout.environment}}}{width}{{{layout.columns}}}", *rows, rf"\end{{{layout.environment}}}",
           end, *([inline_latex(table.caption)] if table.caption else [])]
    packages = ["booktabs", *(["array"] if long and ">" in layout.columns else [])]
    return "\n".join(out), packages + ([layout.environment] if layout.environment != "tabular" else [])


_BLOCKS: dict[type, Callable[[Any], str]] = {
    Heading: lambda b: _heading(b.level, inline_latex(b.pieces)),
    Paragraph: lambda b: inline_latex(b.pieces),
    Math: _math,
    List: lambda b: "\n".join(_items(b.items)),
    Steps: _steps,
}


def blocks_latex(blocks: Sequence[Block]) -> tuple[str, tuple[str, ...]]:
    """Blocks as LaTeX, and the packages they need beside amsmath (booktabs for a table, ...).

    Display math follows the block before it directly (it belongs to that paragraph); other blocks are
    paragraphs apart.
    """
    out: list[str] = []
    packages: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            text, needs = _table(block)
            packages += needs
        else:
            text = _BLOCKS[type(block)](block)
        if out:
            out.append("\n" if isinstance(block, Math) else "\n\n")
        out.append(text)
    return "".join(out), tuple(p for p in _PACKAGES if p in packages)


def document_latex(doc: Document) -> str:
    """The document as a complete ``article`` (:func:`document`), with the packages its blocks need."""
    body, packages = blocks_latex(doc.blocks)
    return document(doc.title, [body], comment=doc.comment, packages=packages)
