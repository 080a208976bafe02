"""What a check found: a verdict, and the point where two sides differ. Data only; printers render them
(:mod:`symconv.printing.check`).

>>> v = Verdict("fails", sympy.Integer(1), sympy.Integer(2), sympy.Integer(1), condition="b = 1")
>>> v.holds, v.summary
(False, 'holds exactly when b = 1')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy

from symconv.displayed import Displayed

__all__ = ["Counterexample", "Verdict"]


@dataclass(frozen=True)
class Counterexample:
    """Values of the free symbols where the two sides differ, and the value of each side there."""

    values: Mapping[str, int]
    claimed: sympy.Rational
    derived: sympy.Rational

    def __str__(self) -> str:
        where = ", ".join(f"{name} = {value}" for name, value in self.values.items())
        return f"at {where}: claimed {self.claimed}, derived {self.derived}"


@dataclass(frozen=True, repr=False)
class Verdict(Displayed):
    """What a check found.

    ``status`` is ``"holds"``, ``"fails"`` or ``"undecided"``; ``difference`` is ``derived − claimed``,
    factored; ``method`` says how a verdict of "holds" was proven; ``counterexample`` is the smallest point
    found where the sides differ; ``condition`` is where a failing claim does hold (``"b = 1"``, ``"k = 1 or
    k = 3"``, ``"C_out = C_in"``), ``None`` when it holds nowhere (``nowhere`` is then True, proven) or when
    that could not be worked out.
    """

    status: str
    claimed: sympy.Expr
    derived: sympy.Expr
    difference: sympy.Expr
    method: str | None = None
    counterexample: Counterexample | None = None
    condition: str | None = None
    nowhere: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def holds(self) -> bool | None:
        """True, False, or None when undecided."""
        return {"holds": True, "fails": False}.get(self.status)

    @property
    def summary(self) -> str:
        """One phrase: ``holds``, ``holds exactly when b = 1``, ``does not hold`` or ``undecided``."""
        if self.status == "holds":
            return "holds"
        if self.status == "undecided":
            return "undecided"
        if self.condition:
            return f"holds exactly when {self.condition}"
        return "does not hold"
