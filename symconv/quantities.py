r"""The one table of quantities: every count symconv derives, with its title, meaning and LaTeX name.

Derivations, comparisons, generated code, printers and networks read this table; none keeps a list of count
names of its own. Adding a count is one :class:`Quantity` here plus its derivation.

* :data:`LAYER` — the closed forms every derivation has (``Derivation.quantities``), in printed order;
* :data:`FURTHER` — the further counts every derivation has (``Derivation.counts``): the multiply-accumulates
  on the input and the output grid, and the counts that skip the zeros of the padding;
* :data:`NETWORK` — what one layer of a network costs (:class:`symconv.network.layers.Counts`), and
  :data:`NETWORK_TOTALS` the totals a network analysis reports;
* :data:`PARTS` — the gradients a backward pass computes, each a part of its counts (:mod:`symconv.passes`);
* :data:`MEMORY` — the memory traffic of a pass and its arithmetic intensity (:mod:`symconv.memory`).

>>> quantity("mults").title, quantity("mults").latex
('multiplications', '\\mathrm{mults}')
>>> latex_name("flops_2macs"), latex_name("performed_mults")
('\\mathrm{flops}_{\\mathrm{2macs}}', '\\mathrm{mults}_{\\mathrm{performed}}')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy

from symconv.errors import SymconvError

__all__ = [
    "FURTHER",
    "LAYER",
    "MEMORY",
    "NETWORK",
    "NETWORK_TOTALS",
    "PARTS",
    "TABLE",
    "Quantity",
    "latex_name",
    "named",
    "quantity",
    "title",
]


@dataclass(frozen=True)
class Quantity:
    """A count: its name (as JSON, ``--quantity`` and generated functions spell it), a title (a plural noun for
    prose and headings), one sentence of meaning, and its upright LaTeX name."""

    name: str
    title: str
    meaning: str
    latex: str


def _upright(name: str, sub: str | None = None) -> str:
    return rf"\mathrm{{{name}}}" if sub is None else rf"\mathrm{{{name}}}_{{\mathrm{{{sub}}}}}"


_ROWS = (
    Quantity("params", "parameters", "learnable parameters: the entries of every weight and bias tensor",
             _upright("params")),
    Quantity("mults", "multiplications", "multiplications one forward pass performs", _upright("mults")),
    Quantity("adds", "additions", "additions one forward pass performs, the bias additions included",
             _upright("adds")),
    Quantity("flops", "FLOPs", "floating-point operations in the chosen convention (symconv.conventions)",
             _upright("flops")),
    Quantity("macs", "multiply-accumulates", "multiply-accumulates: one per product of a weight and an input",
             _upright("macs")),
    Quantity("input_grid", "multiply-accumulates on the input grid",
             "one per product of a transposed convolution's scatter (the macs of an ordinary convolution)",
             _upright("macs", r"input\ grid")),
    Quantity("output_grid", "multiply-accumulates on the output grid",
             "those of a dense convolution over a transposed convolution's zero-spread input (the macs of an "
             "ordinary convolution)", _upright("macs", r"output\ grid")),
    Quantity("performed_mults", "performed multiplications",
             "multiplications of a computation that skips the zeros of the padding", _upright("mults", "performed")),
    Quantity("performed_adds", "performed additions",
             "additions of a computation that skips the zeros of the padding", _upright("adds", "performed")),
    Quantity("buffers", "buffers", "entries of the non-learnable state tensors (batch norm's running statistics)",
             _upright("buffers")),
    Quantity("weights", "weights",
             "entries of the weight tensors of convolutions and fully connected layers alone (no bias, no batch "
             "norm): the parameters papers count", _upright("weights")),
    Quantity("others", "other operations",
             "operations that are neither a multiplication nor an addition: comparisons, divisions, square "
             "roots, exponentials", _upright("others")),
    Quantity("outputs", "output elements", "elements of the output tensor", _upright("outputs")),
    Quantity("forward", "forward pass", "the operations of the forward pass, as a part of a training step",
             _upright("forward")),
    Quantity("grad_input", "gradient of the input",
             "the operations of the backward pass that compute the gradient with respect to the layer's input",
             _upright("grad", "input")),
    Quantity("grad_weight", "gradient of the weight",
             "the operations of the backward pass that compute the gradient with respect to the weight",
             _upright("grad", "weight")),
    Quantity("grad_bias", "gradient of the bias",
             "the operations of the backward pass that compute the gradient with respect to the bias",
             _upright("grad", "bias")),
    Quantity("elements", "tensor elements moved",
             "tensor elements a pass reads or writes, each once (the compulsory traffic of symconv.memory)",
             _upright("elements")),
    Quantity("bytes", "bytes of memory traffic",
             "bytes a pass moves under the compulsory traffic model: every element it reads or writes, once, "
             "B bytes each", _upright("bytes")),
    Quantity("intensity", "arithmetic intensity", "FLOPs per byte of memory traffic: flops / bytes",
             _upright("intensity")),
    Quantity("roofline", "roofline time", "the least time on a device of peak FLOP/s and bandwidth B/s: "
             "max(flops / peak, bytes / bandwidth), in seconds", _upright("time", "roofline")),
)

#: Every quantity, by name.
TABLE: dict[str, Quantity] = {row.name: row for row in _ROWS}

#: The closed forms every derivation has, in the order they are printed.
LAYER = ("params", "mults", "adds", "flops", "macs")

#: The further counts every derivation has.
FURTHER = ("input_grid", "output_grid", "performed_mults", "performed_adds")

#: What one layer of a network costs, in the order tables print it.
NETWORK = ("params", "buffers", "weights", "mults", "adds", "others", "macs")

#: The totals of a network analysis (``params`` as PyTorch's ``sum(p.numel())``).
NETWORK_TOTALS = ("params", "buffers", "mults", "adds", "macs", "flops")

#: The parts of a backward pass, one per gradient, in printed order (``Derivation.parts``); a training step
#: has the ``forward`` part first.
PARTS = ("grad_input", "grad_weight", "grad_bias")

#: The memory figures of a pass (:mod:`symconv.memory`): its traffic and its arithmetic intensity.
MEMORY = ("bytes", "intensity")


def quantity(name: str, known: tuple[str, ...] | None = None) -> Quantity:
    """The quantity called ``name``; with ``known``, only one of those names is accepted."""
    allowed = known if known is not None else tuple(TABLE)
    if name not in allowed or name not in TABLE:
        raise SymconvError(f"unknown quantity {name!r} (known: {', '.join(allowed)})")
    return TABLE[name]


def _convention_flops(name: str) -> str | None:
    """``flops_macs`` names the FLOPs in the convention (or preset) ``macs``: its name, else None."""
    if not name.startswith("flops_"):
        return None
    from symconv.conventions import PRESETS, Convention

    rest = name[len("flops_"):]
    return rest if rest in {c.value for c in Convention} | set(PRESETS) else None


def title(name: str) -> str:
    """A quantity's title, also for ``flops_<convention>`` (``FLOPs in the macs convention``)."""
    convention = _convention_flops(name)
    if convention is not None:
        return f"FLOPs in the {convention} convention"
    return quantity(name).title


def latex_name(name: str) -> str:
    """A quantity's upright LaTeX name, also for ``flops_<convention>``."""
    convention = _convention_flops(name)
    if convention is not None:
        return _upright("flops", convention)
    return quantity(name).latex


@cache
def named(name: str) -> sympy.Symbol:
    """The symbol that names a quantity on the left of a derivation step (printers set it upright)."""
    if name not in TABLE and _convention_flops(name) is None:
        raise SymconvError(f"unknown quantity {name!r}")
    return sympy.Symbol(name)
