"""The exceptions symconv raises. Every one is a :class:`SymconvError`, and a ``ValueError`` too.

The CLI prints any of them as one line on stderr and exits with status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "FormulaError",
    "NetworkError",
    "SpecError",
    "SymconvError",
    "UnknownSymbolError",
    "UnknownVariantError",
    "did_you_mean",
    "must_be",
    "printable",
]


class SymconvError(ValueError):
    """Base class: bad input to symconv (an impossible layer, an unknown name, an unreadable formula)."""


class SpecError(SymconvError):
    """A layer that cannot exist: a size below 1, channels not divisible by the groups, a kernel wider than
    the padded input, an output size that contradicts the input size."""


class UnknownSymbolError(SymconvError):
    """A symbol name that is not in the symbol table (:mod:`symconv.symbols`) and cannot be introduced."""


class UnknownVariantError(SymconvError):
    """A variant name that symconv does not know."""


class NetworkError(SymconvError):
    """A network that cannot be built: an unknown layer type or field, a missing field, shapes that do not
    fit. The message names the file (when there is one), the layer and the problem."""


class FormulaError(SymconvError):
    """A formula that cannot be read: bad syntax, a forbidden construct, or input over a size limit.

    ``position`` is the 0-based character offset of the problem in the text, when known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message if position is None else f"{message} (at character {position + 1})")
        self.position = position


def must_be(value: object, kind: type | tuple[type, ...], what: str, noun: str) -> None:
    """Refuse an argument of the wrong type with the one TypeError every public function raises for it:
    ``what`` names the argument, ``noun`` what it must be.

    >>> must_be("standard", dict, "values", "a mapping of names to values")
    Traceback (most recent call last):
    ...
    TypeError: values must be a mapping of names to values, not str
    """
    if not isinstance(value, kind):
        raise TypeError(f"{what} must be {noun}, not {type(value).__name__}")


def printable(text: str) -> str:
    r"""Text as a message quotes it: control characters (a newline, a terminal's escape codes) written as
    escapes, so that a message stays one readable line.

    >>> print(printable("conv\x1b[31m\n"))
    conv\x1b[31m\n
    """
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean C_in?)`` for the known name closest to a misspelt one, or nothing: how every error
    about an unknown name suggests the right one.

    >>> did_you_mean("C_inn", ["C_in", "C_out"]), did_you_mean("zzz", ["C_in"])
    (' (did you mean C_in?)', '')
    """
    close = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
