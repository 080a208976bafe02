r"""How a LaTeX table is set: ``tabular``, ``tabularx`` when a column of prose wraps, ``longtable`` when it
breaks across pages, small when it is wide. :mod:`symconv.printing.latex` prints it.

The widths are estimates in characters of text (LaTeX alone knows the real ones): prose as its length, math by
:func:`math_width`.

>>> from symconv.printing.document import Table
>>> table_layout(Table(["mode", "size"], [["same", "1"]], align="lr"))
Layout(environment='tabular', columns='lr', small=False)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from symconv.printing.document import Inline, InlineMath, Number, Table
from symconv.printing.exprs import latex_math

__all__ = ["LONG_TABLE", "WIDE_TABLE", "Layout", "math_width", "table_layout"]

#: A table of more rows than this breaks across pages (longtable); one of more columns prints small.
LONG_TABLE = 30
WIDE_TABLE = 5
#: The line in characters of text, at the normal size and small (the 2 cm margins of :func:`document`).
_LINE = {False: 100, True: 110}
_SEPARATION = 2.4  # the space between two columns, in characters
_WRAPS = 10  # a column wraps only when that saves this many characters
_RAGGED = {"l": r"\raggedright", "r": r"\raggedleft", "c": r"\centering"}
_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|[{}^_]|[+=<>-]|\s+|.")
_UPRIGHT = {r"\mathrm", r"\mathit", r"\operatorname", r"\text", r"\left", r"\right", r"\substack"}


def _group(tokens: list[str]) -> float:
    """The estimated width, in characters, of the math up to the end of the group it is in."""
    width = 0.0
    while tokens:
        token = tokens.pop(0)
        if token == "}":
            break
        if token == "{":
            width += _group(tokens)
        elif token == r"\frac":
            width += max(_argument(tokens), _argument(tokens))
        elif token in "^_":
            width += 0.7 * _argument(tokens)
        elif token in "+=<>-":
            width += 2
        elif token in _UPRIGHT or token.isspace():
            continue
        else:
            width += 1
    return width


def _argument(tokens: list[str]) -> float:
    if not tokens:
        return 0
    if tokens[0] == "{":
        tokens.pop(0)
        return _group(tokens)
    return _group([tokens.pop(0)])


def math_width(tex: str) -> float:
    r"""How wide LaTeX math prints, roughly, in characters of text: a fraction as its wider part, an index small.

    >>> math_width(r"\frac{m}{C_{\mathrm{out}}} + 1")
    6.1
    """
    return round(_group(_TOKEN.findall(tex)), 1)


def _extent(cell: Sequence[Inline]) -> tuple[float, float]:
    """A cell's length in characters, as printed, and its longest part that cannot break (its math, a word)."""
    length, unbroken = 0.0, 0.0
    for piece in cell:
        if isinstance(piece, InlineMath):
            size = math_width(latex_math(piece.math))
            length, unbroken = length + size, max(unbroken, size)
        else:
            text = f"{piece.value:,}" if isinstance(piece, Number) else piece.text
            length += len(text)
            unbroken = max(unbroken, *(len(word) for word in text.split()), 0)
    return length, unbroken


@dataclass(frozen=True)
class Layout:
    """How one table is set."""

    environment: str  # tabular, tabularx (a column wraps) or longtable (the table breaks across pages)
    columns: str
    small: bool


def table_layout(table: Table) -> Layout:
    """How a table is set: its environment, its column specification, its size.

    A table of many columns prints small. When a table is wider than the line its columns of prose (no math)
    wrap: each keeps room for its longest word, and the rest of the line is shared in proportion to what each
    would need unwrapped; when even that does not fit (the math alone is too wide), it prints small instead.
    Lengths are estimated in characters; the widths of the columns that do not wrap are left to LaTeX.
    """
    long = len(table.rows) + len(table.foot) > LONG_TABLE
    environment, small = "longtable" if long else "tabular", len(table.head) > WIDE_TABLE
    cells = [table.head, *table.rows, *table.foot]
    extents = [[_extent(row[i]) for row in cells] for i in range(len(table.head))]
    natural = [max(length for length, _ in column) for column in extents]
    least = [max(unbroken for _, unbroken in column) for column in extents]
    wraps = [i for i in range(len(table.head)) if natural[i] - least[i] >= _WRAPS
             and not any(isinstance(p, InlineMath) for row in cells for p in row[i])]
    line = _LINE[small] - _SEPARATION * len(table.head)
    spare = line - sum(n for i, n in enumerate(natural) if i not in wraps) - sum(least[i] for i in wraps)
    if sum(natural) <= line:
        return Layout(environment, table.align, small)
    if not wraps or spare < 0:
        return Layout(environment, table.align, True)
    wants = sum(natural[i] - least[i] for i in wraps)
    width = {i: least[i] + spare * (natural[i] - least[i]) / wants for i in wraps}
    spec = []
    for i, align in enumerate(table.align):
        if i not in width:
            spec.append(align)
        elif long:
            spec.append(rf">{{{_RAGGED[align]}\arraybackslash}}p{{{width[i] / line:.2f}\linewidth}}")
        else:
            share = width[i] * len(width) / sum(width.values())
            spec.append(rf">{{{_RAGGED[align]}\arraybackslash\hsize={share:.2f}\hsize}}X")
    return Layout("longtable" if long else "tabularx", "".join(spec), small)
