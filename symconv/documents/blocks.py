"""The blocks document: each published block formula (MobileNetV2, ShuffleNet, ResNet, ResNeXt) against the
block derived from its layers (:mod:`symconv.network.blocks`), and what each block computes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sympy

from symconv.documents.mobilenet import QUANTITY_NAMES, quantity_table
from symconv.documents.notes import FROM_NETWORKS
from symconv.network.blocks import CONDITIONS, BlockCheck, checks
from symconv.printing.document import Block, Code, Document, Heading, InlineMath, List, Paragraph, Table

__all__ = ["blocks"]

_BUILT = ("Each block is built from its layers (batch norm after every convolution) and derived like any "
          "network; each published formula is compared with the derived count exactly. The published forms "
          "assume:")


def _published(found: Sequence[BlockCheck]) -> Table:
    rows = [[f.source, f.block, f.stated, Code(f.formula), QUANTITY_NAMES[f.quantity], f.verdict.summary,
             f.verdict.difference] for f in found]
    return Table(["source", "block", "stated", "formula", "quantity", "verdict", "derived − published"], rows)


def _unique_blocks(found: Sequence[BlockCheck]) -> list[BlockCheck]:
    seen: dict[str, BlockCheck] = {}
    for f in found:
        if f.block not in seen and not f.analysis.values:
            seen[f.block] = f
    return list(seen.values())


def _computes(f: BlockCheck) -> list[Block]:
    totals = f.analysis.totals
    exact_gap = sympy.factor(totals.flops("exact") - 2 * totals.macs)
    return [Heading(3, f"{f.analysis.network.title} (", Code(f.block), ")"),
            Paragraph(f"Layers: {', '.join(row.label for row in f.analysis.rows)}."),
            quantity_table(f.analysis),
            Paragraph("Exact FLOPs − 2 × mult-adds = ", InlineMath(exact_gap), ": the additions that do not "
                      "accumulate a product, and the batch norm, activation and residual operations.")]


def blocks(claims: Path) -> Document:
    """Block formulas, derived and checked."""
    found = checks()
    return Document("Block formulas, derived and checked", (
        Paragraph(_BUILT), List(*CONDITIONS),
        Heading(2, "Published formulas"), _published(found),
        Heading(2, "What each block computes"), *(b for f in _unique_blocks(found) for b in _computes(f)),
    ), comment=FROM_NETWORKS)
