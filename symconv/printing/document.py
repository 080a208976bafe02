"""A document as frozen nodes: headings, paragraphs, display math, tables, lists and a derivation's steps.

The model knows nothing of Markdown or LaTeX; :func:`symconv.printing.markdown.document_markdown` and
:func:`symconv.printing.latex.document_latex` print it, and the documents of ``derivations/`` are built once
as a model (:mod:`symconv.documents`). Text is plain prose, math is a SymPy expression or a LaTeX string:

>>> from symconv.symbols import sym
>>> p = Paragraph("The ", Code("b"), " term: ", sym("b") * sym("C_out"), ".")
>>> [type(piece).__name__ for piece in p.pieces]
['Text', 'Code', 'Text', 'InlineMath', 'Text']
>>> prose("a *real* pair, `s u + d j - p` in range") == (
...     Text("a "), Emphasis("real"), Text(" pair, "), Code("s u + d j - p"), Text(" in range"))
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import sympy

from symconv.printing.sections import Document as Stepped

__all__ = ["Block", "Cell", "Code", "Document", "Emphasis", "Heading", "Inline", "InlineMath", "Item", "Link",
           "List", "Math", "MathText", "Number", "Paragraph", "Steps", "Table", "Text", "inline", "prose"]

#: Math as the printers take it: a SymPy expression (printed by ``latex_expr``) or a LaTeX string.
MathText: TypeAlias = "sympy.Basic | str"


@dataclass(frozen=True)
class Text:
    """Plain prose; a printer escapes it for its format."""

    text: str


@dataclass(frozen=True)
class Code:
    """Code or a name as typed (``symconv.geometry``, ``p_h``), printed in a monospace font."""

    text: str


@dataclass(frozen=True)
class Emphasis:
    """Prose in italics, or in bold when ``strong``."""

    text: str
    strong: bool = False


@dataclass(frozen=True)
class InlineMath:
    """Math within a line of text."""

    math: MathText


@dataclass(frozen=True)
class Number:
    """An exact integer, printed with its thousands grouped (568,740,352)."""

    value: int


@dataclass(frozen=True)
class Link:
    """Text that leads to ``target`` (an anchor such as ``#claim-id``, or an address)."""

    text: str
    target: str


Inline: TypeAlias = "Text | Code | Emphasis | InlineMath | Number | Link"
#: A table cell: its pieces in order; ``()`` is an empty cell.
Cell: TypeAlias = "tuple[Inline, ...]"
_INLINE = (Text, Code, Emphasis, InlineMath, Number, Link)


def inline(*parts: Inline | str | sympy.Basic) -> tuple[Inline, ...]:
    """Pieces from shorthand: a ``str`` is :class:`Text`, a SymPy expression :class:`InlineMath`."""
    pieces: list[Inline] = []
    for part in parts:
        if isinstance(part, str):
            if part:
                pieces.append(Text(part))
        elif isinstance(part, sympy.Basic):
            pieces.append(InlineMath(part))
        elif isinstance(part, _INLINE):
            pieces.append(part)
        else:
            raise TypeError(f"not an inline piece: {part!r}")
    return tuple(pieces)


_MARKUP = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")


def prose(markup: str) -> tuple[Inline, ...]:
    """Pieces from prose written in the document modules: ```code```, ``*emphasis*``, ``**strong**``.

    For the documents' own sentences only; text that comes from data (a claim's source, a verdict) is
    :class:`Text`, whatever characters it holds.
    """
    if markup.count("`") % 2:
        raise ValueError(f"unbalanced backquote in {markup!r}")
    pieces: list[Inline | str] = []
    end = 0
    for match in _MARKUP.finditer(markup):
        pieces.append(markup[end:match.start()])
        code, strong, emphasis = match.groups()
        if code is not None:
            pieces.append(Code(code))
        else:
            pieces.append(Emphasis(strong, strong=True) if strong is not None else Emphasis(emphasis))
        end = match.end()
    pieces.append(markup[end:])
    return inline(*pieces)


def _cell(value: Any) -> Cell:
    if isinstance(value, tuple):
        return inline(*value)
    return inline(value)


@dataclass(frozen=True, init=False)
class Heading:
    """A section title; level 1 is the document's own, 2 a section, 3 a subsection, 4 a paragraph title."""

    level: int
    pieces: tuple[Inline, ...]

    def __init__(self, level: int, *pieces: Inline | str | sympy.Basic) -> None:
        if not 1 <= level <= 4:
            raise ValueError(f"heading level {level}: expected 1 to 4")
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "pieces", inline(*pieces))


@dataclass(frozen=True, init=False)
class Paragraph:
    """A paragraph of inline pieces."""

    pieces: tuple[Inline, ...]

    def __init__(self, *pieces: Inline | str | sympy.Basic) -> None:
        object.__setattr__(self, "pieces", inline(*pieces))


@dataclass(frozen=True, init=False)
class Math:
    """Display math: equations ``(lhs, rhs)`` read one under the other, or one expression alone."""

    rows: tuple[tuple[MathText, MathText], ...]
    expression: MathText | None

    def __init__(self, *rows: tuple[MathText, MathText] | MathText) -> None:
        alone = [row for row in rows if not isinstance(row, tuple)]
        if alone and len(rows) > 1:
            raise ValueError("display math is either equations (lhs, rhs) or one expression alone")
        if not rows:
            raise ValueError("display math needs an equation or an expression")
        object.__setattr__(self, "expression", alone[0] if alone else None)
        object.__setattr__(self, "rows", tuple(row for row in rows if isinstance(row, tuple)))


@dataclass(frozen=True, init=False)
class Table:
    """A table: a head, rows of cells, each column aligned ``l``, ``r`` or ``c``, a caption below.

    ``foot`` rows (a total) come last, set apart where the format can. A cell is a string (text), a SymPy
    expression (math), a piece, or a tuple of them.
    """

    head: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: str
    caption: tuple[Inline, ...]
    foot: tuple[tuple[Cell, ...], ...]

    def __init__(self, head: Sequence[Any], rows: Sequence[Sequence[Any]], align: str = "",
                 caption: Sequence[Inline | str] = (), foot: Sequence[Sequence[Any]] = ()) -> None:
        columns = len(head)
        align = align or "l" * columns
        if len(align) != columns or set(align) - set("lrc"):
            raise ValueError(f"alignment {align!r}: one of l, r, c for each of the {columns} columns")
        for row in (*rows, *foot):
            if len(row) != columns:
                raise ValueError(f"a row of {len(row)} cells in a table of {columns} columns")
        object.__setattr__(self, "head", tuple(_cell(c) for c in head))
        object.__setattr__(self, "rows", tuple(tuple(_cell(c) for c in row) for row in rows))
        object.__setattr__(self, "align", align)
        object.__setattr__(self, "caption", inline(*caption))
        object.__setattr__(self, "foot", tuple(tuple(_cell(c) for c in row) for row in foot))


@dataclass(frozen=True, init=False)
class Item:
    """One entry of a list, with the entries nested under it."""

    pieces: tuple[Inline, ...]
    children: tuple[Item, ...]

    def __init__(self, *pieces: Inline | str | sympy.Basic, children: Sequence[Item] = ()) -> None:
        object.__setattr__(self, "pieces", inline(*pieces))
        object.__setattr__(self, "children", tuple(children))


@dataclass(frozen=True, init=False)
class List:
    """A bulleted list; an entry is an :class:`Item`, or pieces that make one."""

    items: tuple[Item, ...]

    def __init__(self, *items: Item | Inline | str | tuple[Inline | str | sympy.Basic, ...]) -> None:
        made = [i if isinstance(i, Item) else Item(*i) if isinstance(i, tuple) else Item(i) for i in items]
        object.__setattr__(self, "items", tuple(made))


@dataclass(frozen=True)
class Steps:
    """A section that holds a derivation's (or a comparison's) steps, printed as the step printers print them:
    :func:`symconv.printing.markdown.render` and :func:`symconv.printing.latex.render`."""

    subject: Stepped
    title: str = "Derivation"
    level: int = 2


Block: TypeAlias = "Heading | Paragraph | Math | Table | List | Steps"


@dataclass(frozen=True)
class Document:
    """A titled document; ``comment`` says where it comes from (a visible note in Markdown, a comment in
    LaTeX)."""

    title: str
    blocks: tuple[Block, ...]
    comment: str | None = None
