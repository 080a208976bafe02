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

A :class:`Preset` is a tool's rule for a whole pass, read from its source: ``flopcounter`` is PyTorch's
FlopCounterMode (:data:`FLOPCOUNTER`), whose backward rule counts each gradient as a convolution of the shapes
involved (:func:`flop_counter_forward`, :func:`flop_counter_backward`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

import sympy

from symconv.counting import product
from symconv.errors import SymconvError

__all__ = ["BACKWARD", "FLOPCOUNTER", "PRESETS", "Convention", "Preset", "Rule", "flop_counter_backward",
           "flop_counter_forward", "parse_rule"]


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


@dataclass(frozen=True)
class Preset:
    """A tool's rule for the FLOPs of a pass, read from its source: ``value`` is its name as ``--convention``
    takes it; each part of a pass carries the count the rule gives it under that name."""

    value: str
    description: str
    latex: str
    source: str

    def of(self, counts: Mapping[str, sympy.Expr | int]) -> sympy.Expr:
        """The FLOPs of this preset from counts by name: the count the rule gave, under the preset's name."""
        total = counts[self.value]
        return sympy.Integer(total) if isinstance(total, int) else total


#: PyTorch's FlopCounterMode (torch/utils/flop_counter.py, read in torch 2.13): ``conv_flop_count`` for a
#: convolution, ``conv_backward_flop`` for its gradients.
FLOPCOUNTER = Preset(
    "flopcounter",
    "PyTorch's FlopCounterMode: every gradient a convolution of the shapes involved, 2 × its products; the "
    "weight gradient's counts every input channel against every output channel, whatever the groups",
    r"\mathrm{FLOPs}_{\mathrm{FlopCounterMode}}",
    "torch/utils/flop_counter.py (torch 2.13): conv_flop_count, conv_backward_flop",
)

#: The presets, by name.
PRESETS: dict[str, Preset] = {FLOPCOUNTER.value: FLOPCOUNTER}

#: A convention or a preset: what ``flops`` counts.
Rule: TypeAlias = Convention | Preset

#: The conventions a backward pass or a training step is counted in: the input and output grids name the two
#: grids of a transposed convolution's forward pass, which its gradients do not have.
BACKWARD = (Convention.EXACT, Convention.MACS, Convention.TWO_MACS, Convention.PERFORMED)

Shape = Sequence[sympy.Expr]


def parse_rule(name: str | Rule, backward: bool = False) -> Rule:
    """A convention or, for a backward pass or a training step (``backward``), a preset, by name.

    >>> parse_rule("flopcounter", backward=True).source
    'torch/utils/flop_counter.py (torch 2.13): conv_flop_count, conv_backward_flop'
    """
    if isinstance(name, Preset):
        found: Rule = name
    elif isinstance(name, str) and name in PRESETS:
        found = PRESETS[name]
    else:
        found = Convention.parse(name)
    if backward and isinstance(found, Convention) and found not in BACKWARD:
        raise SymconvError(f"the convention {found.value!r} counts a transposed convolution's forward grids; a "
                           f"backward pass is counted in {', '.join(c.value for c in BACKWARD)} or flopcounter")
    if not backward and isinstance(found, Preset):
        raise SymconvError(f"the preset {found.value!r} counts a backward pass or a training step; the forward "
                           "pass is counted in a convention")
    return found


def flop_counter_forward(x: Shape, w: Shape, out: Shape, transposed: bool) -> sympy.Expr:
    """FlopCounterMode's count of one convolution from its shapes (``conv_flop_count``): twice the batch times
    the spatial grid it counts on (the output's; a transposed convolution's input's) times every weight entry.
    Each product counts 2, the first product's missing addition, the bias and the padding go unseen; the
    weight's two channel axes are multiplied as they are, so the groups enter only through the weight's shape.

    >>> flop_counter_forward((1, 8, 5), (16, 4, 3), (1, 16, 3), False)  # 2 · 1 · 3 · (16 · 4 · 3)
    1152
    """
    grid = x if transposed else out
    return sympy.Integer(2) * x[0] * product(grid[2:]) * product(w)


def _swapped(shape: Shape) -> tuple[sympy.Expr, ...]:
    """A shape with its first two axes exchanged: the batch and the channels of an activation, the two
    channel axes of a weight."""
    return (shape[1], shape[0], *shape[2:])


def flop_counter_backward(dy: Shape, x: Shape, w: Shape, dx: Shape, dw: Shape,
                          transposed: bool) -> dict[str, sympy.Expr]:
    """FlopCounterMode's counts of a convolution's gradients (``conv_backward_flop``), each the count of a
    convolution of the shapes involved: the input gradient a transposed convolution of ``dy`` (a forward one,
    for a transposed layer), the weight gradient a convolution of ``x`` by ``dy`` with the batch and the
    channels exchanged. The bias gradient is not counted.

    The weight gradient's convolution has the input's channels for its batch and the batch for its input
    channels: it multiplies every input channel by every output channel, ``g`` times the products of a grouped
    convolution.

    >>> counts = flop_counter_backward((1, 8, 3), (1, 8, 5), (8, 1, 3), (1, 8, 5), (8, 1, 3), False)
    >>> counts["grad_input"], counts["grad_weight"]  # depthwise, g = 8: the weight gradient counted 8 times over
    (144, 1152)
    """
    grad_input = flop_counter_forward(dy, w, dx, not transposed)
    if transposed:
        grad_weight = flop_counter_forward(_swapped(dy), _swapped(x), _swapped(dw), False)
    else:
        grad_weight = flop_counter_forward(_swapped(x), _swapped(dy), _swapped(dw), False)
    return {"grad_input": grad_input, "grad_weight": grad_weight, "grad_bias": sympy.Integer(0)}
