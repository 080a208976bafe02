r"""The bounds every formula keeps, and the screening every formula passes before it is tokenized.

Each limit is checked in linear time before the work it guards (the package docstring, :mod:`symconv.parsing`,
says why each exists). :func:`screen` checks the length and the characters:

>>> screen("2 k × C_in")
'2 k * C_in'
>>> screen("k\x00")
Traceback (most recent call last):
    ...
symconv.errors.FormulaError: control character '\x00' is not allowed (at character 2)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from symconv.errors import FormulaError

__all__ = ["LIMITS", "TOO_DEEP", "Limits", "clip", "screen"]


@dataclass(frozen=True)
class Limits:
    """The bounds every formula must keep; :mod:`symconv.parsing` says why each exists."""

    max_length: int = 20_000  # characters in a formula
    max_depth: int = 64  # nested ( [ { \lfloor \lceil
    max_digits: int = 30  # digits of one number as written
    max_exponent: int = 64  # |numerator| and denominator of an exponent; degree of a power of a power
    max_power_digits: int = 10_000  # digits that powers may create, summed over the formula
    max_number_digits: int = 1_000  # digits of any number in the result
    max_evaluated_calls: int = 16  # floor/ceiling/abs/min/max calls that SymPy evaluates
    max_evaluated_size: int = 64  # nodes in the arguments of a call that SymPy evaluates


#: The limits in force.
LIMITS = Limits()

#: The message of a formula nested deeper than :attr:`Limits.max_depth`, in either syntax.
TOO_DEEP = f"formula is nested too deeply (limit {LIMITS.max_depth} levels)"

_READ_AS = {"×": "*", "·": "*", "⋅": "*", "∗": "*", "−": "-", "\t": " ", "\n": " ", "\r": " "}
_UNUSUAL = re.compile(r"[^\x20-\x7e]")


def screen(text: str) -> str:
    """The text with its length and characters checked, and the characters read as others replaced, one for
    one (so positions stay valid)."""
    if not isinstance(text, str):
        raise TypeError(f"a formula must be a str, not {type(text).__name__}")
    if len(text) > LIMITS.max_length:
        raise FormulaError(f"formula is too long ({len(text):,} characters, limit {LIMITS.max_length:,})")

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char in _READ_AS:
            return _READ_AS[char]
        category = unicodedata.category(char)
        if category == "Zs":
            return " "
        if category == "Cc":
            raise FormulaError(f"control character {char!r} is not allowed", match.start())
        if category.startswith("C"):
            raise FormulaError(f"invisible character {char!r} is not allowed", match.start())
        raise FormulaError(f"unexpected character {char!r}", match.start())

    text = _UNUSUAL.sub(replace, text)
    if not text.strip():
        raise FormulaError("empty formula")
    return text


def clip(text: str, width: int = 40) -> str:
    """``text`` cut to ``width`` characters, as an error message quotes it."""
    return text if len(text) <= width else text[: width - 1] + "…"

