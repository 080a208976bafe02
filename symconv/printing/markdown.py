"""A derivation as Markdown with display math (``$$ ... $$``, as GitHub and Jupyter render it)."""

from __future__ import annotations

from symconv.printing.exprs import latex_expr
from symconv.printing.sections import Document, capitalized, sections

__all__ = ["render"]


def render(document: Document, level: int = 2) -> str:
    hashes = "#" * level
    out = [f"{hashes} {document.title}", "", f"{document.subtitle}.", ""]
    for section in sections(document):
        out.append(f"{hashes}# {capitalized(section.title)}")
        out.append("")
        for rule, step in section.lines:
            if rule:
                out += [rule + ".", ""]
            rhs = " = ".join(latex_expr(r) for r in step.rhs)
            out += ["$$", f"{latex_expr(step.lhs)} = {rhs}", "$$", ""]
    return "\n".join(out)
