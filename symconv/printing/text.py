"""A derivation as plain text, one equation a line, each expression in SymPy's syntax."""

from __future__ import annotations

from symconv.printing.exprs import text_expr
from symconv.printing.sections import Document, capitalized, sections

__all__ = ["render"]


def render(document: Document) -> str:
    out = [f"{document.title}: {document.subtitle}"]
    conditions = getattr(document, "conditions", ())
    if conditions:
        out.append("Holds where the layer exists: " + ", ".join(text_expr(c) for c in conditions))
    for section in sections(document):
        out.append("")
        out.append(f"{capitalized(section.title)}:")
        for rule, step in section.lines:
            if rule:
                out.append(f"  # {rule}")
            out.append(f"  {text_expr(step.lhs)} = " + " = ".join(text_expr(r) for r in step.rhs))
    return "\n".join(out) + "\n"
