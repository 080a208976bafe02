"""Lines wrapped to a width: prose at its spaces, equations at their operators, the terminal's width or 100.

An equation breaks before a ``+``, ``−`` or ``=``, after a comma or between the sides of a quotient,
preferring the break nearest the outside of its brackets; the continuation is indented under the right-hand
side.

>>> print(wrap_equation("flops = ", "2C_in·k² + C_in·C_out − C_in − C_out", width=30, indent="  "))
  flops = 2C_in·k² + C_in·C_out
          − C_in − C_out
"""

from __future__ import annotations

import shutil
import sys
import textwrap

__all__ = ["WIDTH", "terminal_width", "wrap_equation", "wrap_prose"]

#: The width when the output is not a terminal.
WIDTH = 100
_OPEN, _CLOSE = "([{⌊⌈", ")]}⌋⌉"
_NARROWEST = 40  # never wrap narrower than this, however narrow the terminal


def terminal_width() -> int:
    """The terminal's width when standard output is one, else :data:`WIDTH`."""
    if sys.stdout.isatty():
        return max(_NARROWEST, shutil.get_terminal_size((WIDTH, 24)).columns)
    return WIDTH


def wrap_prose(text: str, *, width: int = WIDTH, prefix: str = "") -> list[str]:
    """Prose in lines of at most ``width`` characters, each after ``prefix``."""
    return textwrap.wrap(text, width=max(_NARROWEST, width), initial_indent=prefix, subsequent_indent=prefix,
                         break_long_words=False, break_on_hyphens=False) or [prefix.rstrip()]


def _breaks(text: str) -> list[tuple[int, int]]:
    """Where ``text`` may break, as (position, bracket depth): before `` + ``, `` − ``, `` = `` and after ``, ``."""
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == " " and text[i + 1:i + 3] in ("+ ", "− ", "= ") and i > 0:
            out.append((i + 1, depth))
        elif ch == "," and text[i + 1:i + 2] == " ":
            out.append((i + 2, depth))
        elif ch == "/" and text[i - 1:i] in _CLOSE and text[i + 1:i + 2] == "(":  # between a quotient's sides
            out.append((i + 1, depth))
    return out


def wrap_equation(head: str, text: str, *, width: int = WIDTH, indent: str = "") -> str:
    """``head`` (``lhs = ``) and the math ``text`` in lines of at most ``width`` characters where a break
    allows; the continuation lines line up under the start of ``text``."""
    width = max(_NARROWEST, width)
    first = indent + head
    hang = " " * min(len(first), width // 2)
    lines, start, room = [], 0, width - len(first)
    while len(text) - start > room:
        fits = [(pos, depth) for pos, depth in _breaks(text) if start < pos <= start + room]
        if not fits:
            later = [pos for pos, _ in _breaks(text) if pos > start]
            if not later:
                break
            fits = [(later[0], 0)]
        shallowest = min(depth for _, depth in fits)
        # The shallowest break past the first quarter of the room, else the last break that fits.
        good = [pos for pos, depth in fits if depth == shallowest and pos - start >= room // 4]
        cut = good[-1] if good else fits[-1][0]
        lines.append(text[start:cut].rstrip())
        start, room = cut, width - len(hang)
    lines.append(text[start:])
    return "\n".join([first + lines[0], *(hang + line for line in lines[1:])])
