"""The padding-aware document: the counts that skip the zeros of the padding (``V``, ``Z``, ``H``), the closed
forms of ``V`` by regime, and a worked example."""

from __future__ import annotations

from pathlib import Path

import sympy

from symconv import variants
from symconv.derive import derive
from symconv.documents.notes import FROM_CODE
from symconv.documents.output_sizes import axis
from symconv.geometry import Covered, Hit, ValidPairs, valid_pairs_regimes, valid_pairs_sum
from symconv.printing.document import Block, Code, Document, Heading, InlineMath, Item, List, Paragraph, Table, prose
from symconv.printing.exprs import latex_expr
from symconv.symbols import sym

__all__ = ["padding_aware"]

_CONVENTION = (
    "The convention `performed` counts what a computation does that never multiplies by the implicit zeros of "
    "the padding. Tap `j` of output position `u` reads input `s u + d j - p`; the pair is *real* when that lies "
    "in `[0, H_in)`. Per axis:")
_PIECEWISE = (
    "An element's products are its channels times the real taps of every axis, so `mults = N C_out C_in/g ∏ V` "
    "and `adds = mults - (1 - b) N C_out ∏ Z`. These counts are piecewise in the geometry, not polynomials: the "
    "grid proof does not apply to them. `symconv verify` checks them on random configurations against "
    "`conv_direct(..., skip_padding=True)`, which skips the padded taps, and `tests/test_geometry.py` checks "
    "them and the closed forms below, per regime, with hypothesis.")
_REGIMES = (
    "`r = (H_in + 2p - d(k - 1) - 1) mod s` is what the stride leaves over, and "
    "`F(q) = Σ_{j<k} max(0, ceil((q - d j)/s))` the pairs an edge padded by `q` loses.")
_ELSEWHERE = ("Elsewhere `V` is evaluated exactly from its sum; `symconv codegen` refuses a count that still "
              "contains it, in one line.")
_EXAMPLE = (
    "Stride 1, padding 1 on every side, batch 1. The nominal (`exact`) count multiplies every one of the 9 taps "
    "of the 49 positions; the 24 border positions have taps on the padding: 5 real taps at an edge, 4 at a "
    "corner, so `V = 7·3 - 2 = 19` per axis and 361 real pairs of 441.")


def _counts() -> List:
    size, k, s, p, d, _, _, out = axis()
    return List(
        Item(InlineMath(f"V = {latex_expr(valid_pairs_sum(out, size, k, s, p, d))}"),
             *prose(", the real (position, tap) pairs (`ValidPairs`, printed "),
             ValidPairs(out, size, k, s, p, d), ");"),
        Item(Covered(out, size, k, s, p, d),
             *prose(", the positions with at least one real tap (`Covered`): with dilation a position can have "
                    "none, and then it costs nothing, its value is the bias (or 0);")),
        Item(Hit(size, out, k, s, p, d),
             *prose(", for a transposed convolution, the output positions some product lands on (`Hit`).")),
    )


def _regimes() -> list[Block]:
    regimes = valid_pairs_regimes()
    steps = []
    for r in regimes:
        pieces: list[Code | InlineMath | str] = [f"{r.name}: "]
        for number, (lhs, rhs) in enumerate(r.steps):
            pieces += [*(["; "] if number else []), Code(lhs), " ", InlineMath(f"= {latex_expr(rhs)}")]
        steps.append(Item(*pieces))
    return [Table(["regime", "conditions", "V"], [[r.name, r.conditions, r.value] for r in regimes]),
            Paragraph("Derivation steps:"), List(*steps)]


def _example() -> list[Block]:
    values = {"N": 1, "H_in": 7, "W_in": 7, "k_h": 3, "k_w": 3, "d_h": 1, "d_w": 1}
    d = derive(variants.standard(2, values, padding="same"))
    nominal = {"mults": d.quantities["mults"], "adds": d.quantities["adds"], "flops": d.counts["flops_exact"]}
    performed = {"mults": d.counts["performed_mults"], "adds": d.counts["performed_adds"],
                 "flops": d.counts["flops_performed"]}
    one = {sym("C_in"): 1, sym("C_out"): 1, sym("b"): 0}
    rows = [[name, nominal[name], performed[name], sympy.factor(performed[name] - nominal[name]),
             str(nominal[name].xreplace(one)), str(performed[name].xreplace(one))] for name in nominal]
    single = {name: (int(nominal[name].xreplace(one)), int(performed[name].xreplace(one))) for name in nominal}
    ratio = sympy.Rational(single["mults"][1], single["mults"][0])
    head = ["count", prose("nominal (`exact`)"), Code("performed"), "performed − nominal",
            "nominal, C_in = C_out = 1, b = 0", "performed, C_in = C_out = 1, b = 0"]
    return [Paragraph(*prose(_EXAMPLE)), Table(head, rows),
            Paragraph(f"With one channel in and out and no bias the performed multiplications are {ratio} of the "
                      f"nominal ones: the nominal count is {single['mults'][0] - single['mults'][1]} "
                      f"multiplications ({float(1 - ratio):.0%}) too many.")]


def padding_aware(claims: Path) -> Document:
    """The counts that skip the zeros of the padding: V, Z, H, their closed forms by regime, an example."""
    return Document("Padding-aware counts", (
        Paragraph(*prose(_CONVENTION)),
        _counts(),
        Paragraph(*prose(_PIECEWISE)),
        Heading(2, "Closed forms of V by regime"),
        Paragraph(*prose(_REGIMES)),
        *_regimes(),
        Paragraph(*prose(_ELSEWHERE)),
        Heading(2, "Example: a 3×3 ", Code("same"), " convolution on a 7×7 map"),
        *_example(),
    ), comment=FROM_CODE)
