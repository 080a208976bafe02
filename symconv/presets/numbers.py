"""A number as a paper, a README or a tool prints it, and whether an exact count is that number: equal, or
rounded or cut to the printed digits in the printed unit.

>>> n = reported("4.089G")
>>> n.fit(4_089_184_256), n.fit(4_090_000_000)
('rounded', None)
>>> reported("569").fit(568_740_352)  # no unit given: millions fit
'rounded'
>>> reported("14,336").fit(14_336), reported("1.2e9").fit(1_234_567_890)
('exact', 'rounded')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy

from symconv.errors import SymconvError

__all__ = ["UNITS", "Reported", "reported"]

#: The units a printed number may be in, by the letter that names them.
UNITS: dict[str, int] = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}

_NUMBER = re.compile(r"^\s*(?P<digits>\d[\d,_]*(?:\.\d+)?)(?:e(?P<exp>[+-]?\d+))?\s*"
                     r"(?P<unit>[kKMGT]?)\s*(?P<word>[A-Za-z-]*)\s*$")


@dataclass(frozen=True)
class Reported:
    """A printed number: its text, its value in its unit, the decimals printed, and the unit (one of
    :data:`UNITS`; None when the text names none, then any unit may fit)."""

    text: str
    value: sympy.Rational
    decimals: int
    unit: int | None

    def _fits_in(self, count: sympy.Rational, unit: int) -> str | None:
        exact = sympy.Rational(count, unit)
        if exact == self.value:
            return "exact"
        ulp = sympy.Rational(1, 10**self.decimals)
        if self.decimals == 0 and unit == 1 and self.unit is not None:
            return None  # an integer printed in full is the count or not
        if abs(exact - self.value) * 2 <= ulp:
            return "rounded"
        if self.value <= exact < self.value + ulp:
            return "truncated"
        return None

    def fit(self, count: sympy.Expr | int) -> str | None:
        """How ``count`` gives this number: ``exact``, ``rounded``, ``truncated``, or None (it does not)."""
        count = sympy.Integer(count) if isinstance(count, int) else count
        if not count.is_number or count <= 0:
            return None
        units = [self.unit] if self.unit is not None else list(UNITS.values())
        for unit in units:
            found = self._fits_in(sympy.Rational(count), unit)
            if found is not None:
                return found
        return None

    def unit_of(self, count: sympy.Expr) -> str:
        """The unit's letter in which ``count`` fits (``""``, ``K``, ``M``, ...)."""
        for letter, unit in UNITS.items():
            if (self.unit is None or unit == self.unit) and self._fits_in(sympy.Rational(count), unit):
                return letter
        return ""

    def interval(self, unit: int) -> tuple[sympy.Rational, sympy.Rational]:
        """The counts, in ``unit``, that print as this number (rounded or truncated)."""
        ulp = sympy.Rational(1, 10**self.decimals)
        if self.decimals == 0 and unit == 1:
            return self.value, self.value
        return (self.value - ulp / 2) * unit, (self.value + ulp) * unit

    @property
    def units(self) -> list[int]:
        return [self.unit] if self.unit is not None else list(UNITS.values())

    @property
    def approximate(self) -> float:
        """The number's size in counts, for choosing the nearest count (its unit, or millions when none)."""
        return float(self.value * (self.unit if self.unit is not None else 1))


def reported(text: str) -> Reported:
    """Read a printed number: ``14336``, ``14,336``, ``4.089``, ``4.09G``, ``569 M``, ``4.09 GFLOPs``,
    ``1.2e9``. A letter K, M, G or T names the unit; a word after it (FLOPs, MACs, Mac) is read and left."""
    match = _NUMBER.match(text)
    if match is None:
        raise SymconvError(f"{text!r} is not a number (write it as 14336, 14,336, 4.09G, 569M or 1.2e9)")
    digits = match["digits"].replace(",", "").replace("_", "")
    decimals = len(digits.partition(".")[2])
    value = sympy.Rational(digits)
    letter = match["unit"].upper()
    if match["exp"] is not None:
        if letter:
            raise SymconvError(f"{text!r}: give an exponent or a unit letter, not both")
        return Reported(text, value, decimals, 10 ** int(match["exp"]) if int(match["exp"]) >= 0 else None)
    unit = UNITS[letter] if letter else (1 if decimals == 0 and "," in match["digits"] else None)
    return Reported(text, value, decimals, unit)
