r"""LaTeX: a derivation as an ``align*`` block (amsmath), ready to paste into a paper (:func:`render`), and a
whole document as an ``article`` for ``pdflatex`` (:func:`document_latex`), tables as booktabs tabulars.

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
from symconv.printing.latex_layout import table_layout
from symconv.printing.sections import Document as Stepped
from symconv.printing.sections import capitalized, latex_text, sections

__all__ = ["blocks_latex", "document", "document_latex", "inline_latex", "render", "standalone"]


def render(document: Stepped) -> str:
    """The steps as one ``align*`` block; each section opens with an ``\\intertext`` saying why."""
    out = [f"% {latex_text(document.title)}: {latex_text(document.subtitle)}", r"\begin{align*}"]
    rows: list[str] = []
    for section in sections(document):
        for rule, step in section.lines:
            first = step is section.lines[0][1]
            if rule or first:
                heading = rf"\textbf{{{latex_text(capitalized(section.title))}.}} " if first else ""
                rows.append(rf"\intertext{{{heading}{latex_text(rule)}}}" if rule or heading else "")
            rhs = " \\\\\n  &= ".join(latex_expr(r) for r in step.rhs)
            rows.append(f"{latex_expr(step.lhs)} &= {rhs} \\\\")
    if rows and rows[-1].endswith(" \\\\"):
        rows[-1] = rows[-1][:-3]
    out += rows
    out.append(r"\end{align*}")
    return "\n".join(out) + "\n"


def document(title: str, body: Sequence[str], *, comment: str | None = None, packages: Sequence[str] = ()) -> str:
    """A complete ``article`` for ``pdflatex``: amsmath (and ``packages``), the title, ``body``."""
    return "\n".join([
        r"\documentclass{article}",
        r"\usepackage{amsmath}",
        *(rf"\usepackage{{{package}}}" for package in packages),
        r"\usepackage[margin=2cm]{geometry}",
        r"\allowdisplaybreaks",
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


def _table(table: Table) -> tuple[str, list[str]]:
    """A booktabs table, set as :func:`~symconv.printing.latex_layout.table_layout` says, and the packages it
    needs."""
    layout = table_layout(table)
    long = layout.environment == "longtable"

    def line(cells: Sequence[Sequence[Inline]]) -> str:
        return " & ".join(inline_latex(cell) for cell in cells) + r" \\"

    rows = [r"\toprule", line(table.head), r"\midrule", *([r"\endhead"] if long else []),
            *(line(row) for row in table.rows), *([r"\midrule"] if table.foot else []),
            *(line(row) for row in table.foot), r"\bottomrule"]
    width = r"{\linewidth}" if layout.environment == "tabularx" else ""
    begin, end = _AROUND.get(layout.environment, (r"\begin{center}", r"\end{center}"))
    out = [begin, *([r"\small"] if layout.small else []),
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
