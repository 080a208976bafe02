"""Markdown with display math (``$$ ... $$``, as GitHub and Jupyter render it): a derivation's steps
(:func:`render`) and a whole document (:func:`document_markdown`).

>>> from symconv.printing.document import Code, Document, Heading, Paragraph, Table
>>> print(document_markdown(Document("Sizes", (Heading(2, "Padding"), Paragraph("Mode ", Code("same"), "."),
...                                           Table(["mode", "start"], [["same", "1"]], align="lr")))))
# Sizes
<BLANKLINE>
## Padding
<BLANKLINE>
Mode `same`.
<BLANKLINE>
| mode | start |
| --- | ---: |
| same | 1 |
<BLANKLINE>
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
from symconv.printing.sections import Document as Stepped
from symconv.printing.sections import capitalized, sections
from symconv.quantities import LAYER, named

__all__ = ["blocks_markdown", "document_markdown", "inline_markdown", "render"]


def render(document: Stepped, level: int = 2, *, title: str | None = None, steps: str = "full",
           quantities: Sequence[str] | None = None) -> str:
    """The steps ``steps`` chooses under a heading of ``level`` (the derivation's title, or ``title``), one
    section a level below, each equation in display math; ``steps="none"`` or ``quantities``: the closed forms
    alone."""
    hashes = "#" * level
    out = [f"{hashes} {document.title if title is None else title}", "", f"{document.subtitle}.", ""]
    if quantities or steps == "none":
        every = {**getattr(document, "counts", {}), **document.quantities}
        names = quantities or [n for n in LAYER if n in document.quantities]
        return "\n".join(out + [f"$${latex_expr(named(n))} = {latex_expr(every[n])}$$\n" for n in names])
    for section in sections(document, steps):
        out.append(f"{hashes}# {capitalized(section.title)}")
        out.append("")
        for rule, step in section.lines:
            if rule:
                out += [rule + ".", ""]
            rhs = " = ".join(latex_expr(r) for r in step.rhs)
            out += ["$$", f"{latex_expr(step.lhs)} = {rhs}", "$$", ""]
    return "\n".join(out)


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_INLINE: dict[type, Callable[[Any], str]] = {
    Text: lambda p: p.text,
    Code: lambda p: _code(p.text),
    Emphasis: lambda p: f"**{p.text}**" if p.strong else f"*{p.text}*",
    InlineMath: lambda p: f"${latex_math(p.math)}$",
    Number: lambda p: f"{p.value:,}",
    Link: lambda p: f"[{p.text}]({p.target})",
}


def inline_markdown(pieces: Sequence[Inline]) -> str:
    """Inline pieces as one line of Markdown."""
    return "".join(_INLINE[type(piece)](piece) for piece in pieces)


def _heading(block: Heading) -> str:
    return f"{'#' * block.level} {inline_markdown(block.pieces)}"


def _math(block: Math) -> str:
    if block.expression is not None:
        return f"$${latex_math(block.expression)}$$"
    return "\n\n".join(f"$${latex_math(lhs)} = {latex_math(rhs)}$$" for lhs, rhs in block.rows)


_RULES = {"l": "---", "r": "---:", "c": ":---:"}


def _table(block: Table) -> str:
    def line(cells: Sequence[Sequence[Inline]]) -> str:
        return "| " + " | ".join(inline_markdown(c).replace("|", "\\|") for c in cells) + " |"

    out = [line(block.head), "| " + " | ".join(_RULES[a] for a in block.align) + " |"]
    out += [line(row) for row in (*block.rows, *block.foot)]
    if block.caption:
        out += ["", inline_markdown(block.caption)]
    return "\n".join(out)


def _items(items: Sequence[Item], indent: str) -> list[str]:
    out = []
    for item in items:
        out.append(f"{indent}- {inline_markdown(item.pieces)}")
        out += _items(item.children, indent + "  ")
    return out


def _steps(block: Steps) -> str:
    return render(block.subject, block.level, title=block.title).rstrip("\n")


_BLOCKS: dict[type, Callable[[Any], str]] = {
    Heading: _heading,
    Paragraph: lambda b: inline_markdown(b.pieces),
    Math: _math,
    Table: _table,
    List: lambda b: "\n".join(_items(b.items, "")),
    Steps: _steps,
}


def blocks_markdown(blocks: Sequence[Block]) -> str:
    """Blocks as Markdown, a blank line between two."""
    return "\n\n".join(_BLOCKS[type(block)](block) for block in blocks)


def document_markdown(document: Document) -> str:
    """The document as Markdown: its title, the note of where it comes from, its blocks."""
    head = [f"# {document.title}", *([document.comment] if document.comment is not None else [])]
    return "\n\n".join([*head, blocks_markdown(document.blocks)]).rstrip("\n") + "\n"
