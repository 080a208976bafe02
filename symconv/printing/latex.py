"""A derivation as a LaTeX ``align*`` block (amsmath), ready to paste into a paper."""

from __future__ import annotations

from collections.abc import Sequence

from symconv.printing.exprs import latex_expr
from symconv.printing.sections import Document, capitalized, latex_text, sections

__all__ = ["document", "render", "standalone"]


def render(document: Document) -> str:
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


def standalone(derivation: Document) -> str:
    """A complete document around :func:`render`, for ``pdflatex``."""
    return document(derivation.title, [latex_text(derivation.subtitle) + ".", "", render(derivation).rstrip("\n")])
