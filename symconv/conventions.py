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
['exact', 'macs', '2macs', 'input-grid', 'output-grid', 'performed']
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import sympy

from symconv.errors import SymconvError

__all__ = ["Convention"]


class Convention(Enum):
    """A meaning of "FLOPs"; ``Convention(name)`` takes the names the CLI takes."""

    EXACT = "exact"
    MACS = "macs"
    TWO_MACS = "2macs"
    INPUT_GRID = "input-grid"
    OUTPUT_GRID = "output-grid"
    PERFORMED = "performed"

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
            Convention.INPUT_GRID: "multiply-accumulates on the input grid, one per product of a transposed "
                                   "convolution's scatter (the macs of an ordinary convolution)",
            Convention.OUTPUT_GRID: "multiply-accumulates of a dense convolution on the output grid, as thop counts "
                                    "a transposed convolution (the macs of an ordinary convolution)",
            Convention.PERFORMED: "multiplications + additions of a computation that skips the zeros of the "
                                  "padding",
        }[self]

    @property
    def latex(self) -> str:
        return {
            Convention.EXACT: r"\mathrm{mults} + \mathrm{adds}",
            Convention.MACS: r"\mathrm{MACs}",
            Convention.TWO_MACS: r"2\,\mathrm{MACs}",
            Convention.INPUT_GRID: r"\mathrm{MACs}_{\mathrm{in}}",
            Convention.OUTPUT_GRID: r"\mathrm{MACs}_{\mathrm{out}}",
            Convention.PERFORMED: r"\mathrm{mults}_{\mathrm{perf}} + \mathrm{adds}_{\mathrm{perf}}",
        }[self]

    def flops(self, mults: sympy.Expr | int, adds: sympy.Expr | int, macs: sympy.Expr | int, *,
              others: sympy.Expr | int = 0, input_grid: sympy.Expr | int | None = None,
              output_grid: sympy.Expr | int | None = None,
              performed: sympy.Expr | int | None = None) -> sympy.Expr:
        """The FLOPs of this convention, from the exact counts; ``others`` (comparisons, divisions, ...) count
        in the conventions that count every operation; ``input_grid`` and ``output_grid`` default to ``macs``
        (an ordinary convolution), ``performed`` (mults + adds skipping the padding) to the exact count (no
        padding)."""
        if self is Convention.EXACT:
            total = mults + adds + others
        elif self is Convention.MACS:
            total = macs
        elif self is Convention.TWO_MACS:
            total = 2 * macs
        elif self is Convention.INPUT_GRID:
            total = macs if input_grid is None else input_grid
        elif self is Convention.OUTPUT_GRID:
            total = macs if output_grid is None else output_grid
        else:
            total = (mults + adds if performed is None else performed) + others
        return sympy.Integer(total) if isinstance(total, int) else total

    def of(self, counts: Mapping[str, sympy.Expr | int]) -> sympy.Expr:
        """The FLOPs of this convention from counts by name (``mults``, ``adds``, ``macs`` and, where they
        exist, ``others``, ``input_grid``, ``output_grid``, ``performed_mults``, ``performed_adds``).

        >>> Convention("exact").of({"mults": 9, "adds": 8, "macs": 9, "others": 2})
        19
        """
        performed = None
        if "performed_mults" in counts:
            performed = counts["performed_mults"] + counts["performed_adds"]
        return self.flops(counts["mults"], counts["adds"], counts["macs"], others=counts.get("others", 0),
                          input_grid=counts.get("input_grid"), output_grid=counts.get("output_grid"),
                          performed=performed)
