r"""How a LaTeX table is set: ``tabular``, ``tabularx`` when a column of prose wraps, ``longtable`` when it
breaks across pages, small when it is wide. :mod:`symconv.printing.latex` prints it.

The widths are estimates in characters of text (LaTeX alone knows the real ones): prose as its length, math by
:func:`math_width`.

>>> from symconv.printing.document import Table
>>> table_layout(Table(["mode", "size"], [["same", "1"]], align="lr"))
Layout(environment='tabular', columns='lr', small=False, math=(0, 0), size='')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from symconv.printing.document import Cell, Inline, InlineMath, Number, Table
from symconv.printing.exprs import latex_math

__all__ = ["LONG_TABLE", "WIDE_TABLE", "Layout", "math_width", "table_layout"]

#: A table of more rows than this breaks across pages (longtable); one of more columns prints small.
LONG_TABLE = 30
WIDE_TABLE = 5
#: The line in characters of text, at the normal size and small (the 2 cm margins of :func:`document`).
_LINE = {False: 100, True: 110}
#: The line in characters at the sizes a table too wide for it tries, in order.
_SMALLER = {"small": 110, "footnotesize": 122, "scriptsize": 132}
_SEPARATION = 2.4  # the space between two columns, in characters
_WRAPS = 10  # a column wraps only when that saves this many characters
_RAGGED = {"l": r"\raggedright", "r": r"\raggedleft", "c": r"\centering"}
_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|[{}^_]|[+=<>-]|\s+|.")
_MATH_SHARE = 0.8
_NARROWEST_MATH = 9  # a column of math never breaks narrower than this
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
    math: tuple[float, ...] = ()  # per column, the widest math a cell holds on one line (0: no limit)
    size: str = ""  # the font size when not the text's: small, footnotesize or scriptsize


def _math_limits(natural: list[float], maths: list[int], line: float) -> tuple[float, ...]:
    """The room of each column of math when the table is too wide: the line less the other columns, shared
    so that a narrow column keeps its width and the wide ones break (lines of math stacked in their cell)."""
    limits = [0.0] * len(natural)
    room = line - sum(n for i, n in enumerate(natural) if i not in maths)
    chosen = sorted(maths, key=lambda i: natural[i])
    for done, i in enumerate(chosen):
        share = max(_NARROWEST_MATH, room / (len(chosen) - done))
        if natural[i] > share:
            limits[i] = share
        room -= min(natural[i], share)
    return tuple(round(limit, 1) for limit in limits)


def _smaller(table: Table, environment: str, natural: list[float], cells: list[tuple[Cell, ...]]) -> Layout:
    """A table too wide for the line: small, or smaller still while it does not fit, its math broken into lines
    where even the smallest size is too narrow."""
    maths = [i for i in range(len(table.head)) if any(isinstance(p, InlineMath) for row in cells for p in row[i])]
    none = (0,) * len(table.head)
    for size, line in _SMALLER.items():
        # Math estimates run short of the set width in a table (wide digits, spaced operators): keep a margin.
        room = (_MATH_SHARE if maths else 1) * line - _SEPARATION * len(table.head)
        if sum(natural) <= room:
            return Layout(environment, table.align, True, none, size)
        limits = _math_limits(natural, maths, room)
        if sum(limit or width for limit, width in zip(limits, natural, strict=True)) <= room:
            return Layout(environment, table.align, True, limits, size)
    return Layout(environment, table.align, True, limits, size)


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
    none = (0,) * len(table.head)
    if sum(natural) <= line:
        return Layout(environment, table.align, small, none, "small" if small else "")
    if not wraps or spare < 0:
        return _smaller(table, environment, natural, cells)
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
    return Layout("longtable" if long else "tabularx", "".join(spec), small, none, "small" if small else "")


#: Display math wider than this, in characters of :func:`math_width`, is broken into lines (the 2 cm margins of
#: :func:`symconv.printing.latex.document`, with room for the left side and the indent of a continuation).
MATH_LINE = 62
_BREAKS_BEFORE = {"+", "-", r"\times"}
_BINARY_AFTER = {"", "(", "[", ",", "=", "{", "&", "+", "-", r"\left(", r"\bigl(", r"\Bigl(", r"\cdot", r"\times"}


def _delimiters(tokens: list[str]) -> list[str]:
    r"""``\left``/``\right`` pairs made ``\bigl``/``\bigr`` (``\Bigl``/``\Bigr`` around a fraction), so that a
    line may break between them."""
    out, opened = list(tokens), []
    for i, token in enumerate(tokens):
        if token == r"\left":
            opened.append(i)
        elif token == r"\right" and opened:
            start = opened.pop()
            size = "Big" if r"\frac" in tokens[start:i] else "big"
            out[start], out[i] = rf"\{size}l", rf"\{size}r"
    return out


def _candidates(tokens: list[str]) -> list[tuple[int, int]]:
    """Where math may break, as (token index, bracket depth): before a binary ``+`` or ``-`` and after a comma,
    outside every ``{...}`` group."""
    out, braces, depth, previous = [], 0, 0, ""
    for i, token in enumerate(tokens):
        if token == "{":
            braces += 1
        elif token == "}":
            braces -= 1
        elif token in (r"\left", r"\bigl", r"\Bigl") or token in ("(", "["):
            depth += 1
        elif token in (r"\right", r"\bigr", r"\Bigr") or token in (")", "]"):
            depth -= 1
        if braces == 0 and token in _BREAKS_BEFORE and previous not in _BINARY_AFTER and i > 0:
            out.append((i, depth))
        elif braces == 0 and token == "," and previous:
            out.append((i + 1, depth))
        if not token.isspace():
            previous = token
    return out


def broken(tex: str, width: float = MATH_LINE, first: float = 0) -> list[str]:
    r"""Display math in lines of at most ``width`` characters of :func:`math_width` (the first ``first``
    narrower, for the left side), broken before a ``+`` or ``-`` or after a comma nearest the outside of its
    brackets; unbroken when it fits or cannot break.

    >>> broken(r"a + b + c", width=5)
    ['a + b', '+ c']
    """
    if math_width(tex) + first <= width:
        return [tex]
    tokens = _TOKEN.findall(tex)
    if r"\left" in tokens:
        tokens = _delimiters(tokens)
    candidates = _candidates(tokens)
    lines: list[str] = []
    start, room = 0, width - first
    while math_width("".join(tokens[start:])) > room:
        fits = [(i, d) for i, d in candidates if i > start and math_width("".join(tokens[start:i])) <= room]
        if not fits:
            later = [i for i, _ in candidates if i > start]
            if not later:
                break
            fits = [(later[0], 0)]
        shallowest = min(d for _, d in fits)
        good = [i for i, d in fits if d == shallowest and math_width("".join(tokens[start:i])) >= room / 4]
        cut = good[-1] if good else fits[-1][0]
        lines.append("".join(tokens[start:cut]).strip())
        start, room = cut, width - 4  # a continuation is indented by a \quad
    lines.append("".join(tokens[start:]).strip())
    return lines
