"""Printers of derivations: LaTeX, Markdown, text for people (Unicode math) and JSON; of documents
(:mod:`symconv.printing.document`, printed by the Markdown and LaTeX modules); and of network analyses
(:mod:`symconv.printing.network`).

Each format lives in its own module and knows nothing of how a derivation or a document is made; expressions
are put in a fixed order first (:mod:`symconv.printing.order`) so that every run prints the same bytes. Reports
of verifications and verdicts of checks have printers of their own (:mod:`symconv.printing.verify`,
:mod:`symconv.printing.check`), imported where they are printed.
"""

from collections.abc import Sequence
from typing import Any

from symconv.printing import json, latex, markdown, text
from symconv.printing.exprs import latex_expr, text_expr
from symconv.printing.unicode import unicode_expr
from symconv.printing.wrap import WIDTH

__all__ = ["FORMATS", "json", "latex", "latex_expr", "markdown", "render", "render_with_memory", "text", "text_expr",
           "unicode_expr"]

FORMATS = {"text": text.render, "latex": latex.render, "markdown": markdown.render, "json": json.render}


def render(derivation, fmt: str = "text", *, steps: str = "full",  # type: ignore[no-untyped-def]
           quantities: Sequence[str] | None = None, width: int = WIDTH) -> str:
    """The derivation (or comparison) in one of :data:`FORMATS`: the steps ``steps`` chooses (``none``,
    ``brief`` or ``full``; JSON has them all), or with ``quantities`` those closed forms alone; text wrapped
    to ``width``."""
    if fmt == "json":
        return json.render(derivation, quantities=quantities)
    if fmt == "text":
        return text.render(derivation, steps=steps, quantities=quantities, width=width)
    printer = {"latex": latex.render, "markdown": markdown.render}[fmt]
    return printer(derivation, steps=steps, quantities=quantities)


def render_with_memory(derivation, traffic, fmt: str = "text", **options: Any) -> str:  # type: ignore[no-untyped-def]
    """The derivation and its memory traffic (:class:`symconv.memory.Traffic`) in one of :data:`FORMATS`: one
    JSON object with a ``"memory"`` entry, or the two documents one after the other."""
    if fmt == "json":
        return json.render_with_memory(derivation, traffic)
    return render(derivation, fmt, **options) + "\n" + render(traffic, fmt)
