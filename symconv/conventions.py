"""What "FLOPs" means: the conventions symconv can count in.

Tools disagree on the word. symconv's default, ``exact``, counts every multiplication and every addition that
the computation performs. ``macs`` counts multiply-accumulates (one per product, the bias ignored), as fvcore
and thop report them. ``2macs`` doubles that, the common "FLOPs ≈ 2 × MACs" (PyTorch's FlopCounterMode counts
convolutions this way); it is exact precisely when every output element adds a bias, whose addition stands in
for the first product's missing one.

>>> from symconv.conventions import Convention
>>> Convention("2macs").flops(mults=9, adds=8, macs=9)
18
>>> [c.value for c in Convention]
['exact', 'macs', '2macs']
"""

from __future__ import annotations

from enum import Enum

import sympy

from symconv.errors import SymconvError

__all__ = ["Convention"]


class Convention(Enum):
    """A meaning of "FLOPs"; ``Convention(name)`` takes the names the CLI takes."""

    EXACT = "exact"
    MACS = "macs"
    TWO_MACS = "2macs"

    @classmethod
    def parse(cls, name: str | Convention) -> Convention:
        if isinstance(name, Convention):
            return name
        try:
            return cls(name)
        except ValueError:
            known = ", ".join(c.value for c in cls)
            raise SymconvError(f"unknown convention {name!r} (known: {known})") from None

    @property
    def description(self) -> str:
        return {
            Convention.EXACT: "multiplications + additions, every one the computation performs",
            Convention.MACS: "multiply-accumulates: one per product, bias additions not counted",
            Convention.TWO_MACS: "2 × multiply-accumulates, the common FLOPs ≈ 2 × MACs",
        }[self]

    @property
    def latex(self) -> str:
        return {
            Convention.EXACT: r"\mathrm{mults} + \mathrm{adds}",
            Convention.MACS: r"\mathrm{MACs}",
            Convention.TWO_MACS: r"2\,\mathrm{MACs}",
        }[self]

    def flops(self, mults: sympy.Expr | int, adds: sympy.Expr | int, macs: sympy.Expr | int) -> sympy.Expr:
        """The FLOPs of this convention, from the exact counts."""
        if self is Convention.EXACT:
            total = mults + adds
        elif self is Convention.MACS:
            total = macs
        else:
            total = 2 * macs
        return sympy.Integer(total) if isinstance(total, int) else total
