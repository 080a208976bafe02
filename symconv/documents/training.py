"""The MobileNetV1 training-step document: the forward pass in training and each gradient of the backward pass
as closed forms in ``alpha`` and ``rho``, a training step against the forward pass at every width of the paper,
by layer type, and the memory a training step keeps (:mod:`symconv.network.passes`,
:mod:`symconv.network.memory`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sympy

from symconv.documents.notes import FROM_NETWORKS
from symconv.network.fileformat import builtin
from symconv.network.memory import training_memory
from symconv.network.passes import PassAnalysis, analyse_pass
from symconv.printing.document import Block, Code, Document, Heading, Number, Paragraph, Table, prose
from symconv.printing.network import PART_TITLES, conditions_text, decimal

__all__ = ["mobilenet_training"]

_NOTES = (
    "A training step of MobileNetV1 (Table 1 of Howard et al. 2017, the network of `mobilenet_v1.md`): the "
    "forward pass in training, where batch norm computes its batch statistics, then the backward pass from the "
    "loss's gradient at the output to every weight and bias. The network input needs no gradient, so the first "
    "convolution computes none for its input; every other layer computes the gradient of its input. Each "
    "gradient is counted from the element that computes it (docs/backward.md), layer by layer, and proven "
    "against a backward computation that really runs.",
    "Mult-adds are the products of the convolutions' and the fully connected layer's gradients; exact FLOPs "
    "count every operation, batch norm's, the activations' and the pooling's gradients included.",
)

#: The widths of the paper's Table 6, at the full resolution.
_WIDTHS = (sympy.Integer(1), sympy.Rational(3, 4), sympy.Rational(1, 2), sympy.Rational(1, 4))

#: The budget and the bytes per element of the memory section: 16 GiB of 4-byte values.
_BUDGET, _BYTES = 16 * 2**30, 4


@lru_cache(maxsize=1)
def _step() -> PassAnalysis:
    return analyse_pass(builtin("mobilenet_v1"), None, "macs", pass_="training")


def _closed_forms(step: PassAnalysis) -> list[Block]:
    rows = [[PART_TITLES[p], c.macs, c.flops("exact")] for p, c in step.parts.items()]
    rows.append(["training step", step.totals.macs, step.totals.flops("exact")])
    rows.append(["forward pass at inference", step.analysis.totals.macs, step.analysis.totals.flops("exact")])
    return [Heading(2, "Closed forms"), Table(["part", "mult-adds", "exact FLOPs"], rows),
            Paragraph(f"Exact where {conditions_text(step.analysis)}: every width and resolution of the paper.")]


def _ratio(part: sympy.Expr, whole: sympy.Expr) -> str:
    return decimal(sympy.Rational(part) / sympy.Rational(whole), 3) + " ×"


def _widths(step: PassAnalysis) -> list[Block]:
    rows = []
    for alpha in _WIDTHS:
        at = step.evaluate({"alpha": alpha, "rho": 1})
        forward = at.analysis.totals
        rows.append([f"alpha = {alpha}", Number(int(at.totals.macs)), _ratio(at.totals.macs, forward.macs),
                     Number(int(at.totals.flops("exact"))), _ratio(at.totals.flops("exact"), forward.flops("exact"))])
    return [Heading(2, "A training step against the forward pass (rho = 1)"),
            Paragraph(*prose("The rule people quote is *training = 3 × forward*. In mult-adds a step is three "
                             "forward passes less the first layer's input gradient and the padding's products "
                             "the input gradients skip; in exact FLOPs batch norm's gradient costs more than its "
                             "forward pass, and the step is further from 3.")),
            Table(["width", "mult-adds", "× forward", "exact FLOPs", "× forward"], rows, align="lrrrr")]


def _by_type(step: PassAnalysis) -> list[Block]:
    at = step.evaluate({"alpha": 1, "rho": 1})
    groups: dict[str, list[sympy.Expr]] = {}
    for row in at.rows:
        counts = [row.parts[p].macs for p in at.parts] + [row.parts[p].flops("exact") for p in at.parts]
        groups[row.label] = [a + b for a, b in zip(groups.get(row.label, [0] * len(counts)), counts, strict=True)]
    head = ["type", *(f"{PART_TITLES[p]} mult-adds" for p in at.parts)]
    rows = [[label, *(Number(int(v)) for v in values[:len(at.parts)])] for label, values in groups.items()
            if any(values[:len(at.parts)])]
    flops = [[label, *(Number(int(v)) for v in values[len(at.parts):])] for label, values in groups.items()]
    return [Heading(2, "By layer type (alpha = 1, rho = 1)"), Table(head, rows, align="l" + "r" * len(at.parts)),
            Table(["type", *(f"{PART_TITLES[p]} FLOPs" for p in at.parts)], flops, align="l" + "r" * len(at.parts))]


def _memory() -> list[Block]:
    memory = training_memory(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, bytes_per_element=_BYTES)
    formula, largest = memory.largest(_BUDGET)
    return [Heading(2, "Training memory (alpha = 1, rho = 1)"),
            Paragraph("What a step holds when its forward pass ends: the parameters, their gradients and the "
                      "tensors the layers keep for the backward pass (a convolution its input, batch norm its "
                      f"input and statistics, ReLU its output), each once, {_BYTES} bytes each, for a batch of N; ",
                      Code("symconv net mobilenet_v1 --pass training --budget BYTES"), " prints it."),
            Table(["quantity", "closed form"], [
                ["kept elements", memory.kept_elements], ["parameters", memory.params],
                ["bytes", memory.bytes], ["largest batch in M bytes", formula]]),
            Paragraph(f"In 16 GiB (M = {_BUDGET}) a batch of {largest} fits.")]


def mobilenet_training(claims: Path) -> Document:
    """A training step of MobileNetV1, exactly."""
    step = _step()
    return Document("MobileNetV1: a training step, exactly", (
        *(Paragraph(*prose(note)) for note in _NOTES), *_closed_forms(step), *_widths(step), *_by_type(step),
        *_memory()), comment=FROM_NETWORKS)
