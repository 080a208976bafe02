"""The output-sizes document: the two general relations of one axis, the padding modes, and the relations of
Dumoulin and Visin's guide, each derived by :mod:`symconv.geometry`."""

from __future__ import annotations

from pathlib import Path

import sympy

from symconv.documents.notes import FROM_CODE
from symconv.geometry import PADDING_MODES, output_size, output_size_relations, padding_for, transposed_output_size
from symconv.printing.document import Code, Document, Heading, InlineMath, Math, Paragraph, Table, prose
from symconv.printing.exprs import latex_expr
from symconv.symbols import sym

__all__ = ["axis", "output_sizes"]

_INTRODUCTION = (
    "One axis of a convolution: input size, kernel, stride, padding at the start and at the end (`pe_h`, equal "
    "to `p_h` unless set), dilation; a transposed convolution adds the output padding `op_h`. Every relation "
    "below is derived from the two general ones by SymPy (`symconv.geometry`), and checked against the output "
    "shape of the direct counters (`tests/test_geometry.py`).")
_TRANSPOSED = (
    "The transposed one ends where its scatter lands last (`s(H_in - 1) + d(k - 1)`), one past it, plus the "
    "output padding, minus the padding cropped at both ends. PyTorch refuses an output padding that is not "
    "smaller than the stride or the dilation; so does symconv.")
_SAME = (
    "`same` follows PyTorch's rule (`padding='same'`): stride 1, total padding `d(k - 1)`, `floor(d(k - 1)/2)` "
    "at the start and the rest at the end, so an even kernel pads the end one more.")
_GUIDE = (
    "V. Dumoulin and F. Visin, *A guide to convolution arithmetic for deep learning* (2016). `i, k, s, p` are "
    "the input size, kernel, stride and padding, `d` the dilation; `i_t` and `o_t` the input and output of the "
    "transposed convolution, `a` its output padding.")


def axis() -> tuple[sympy.Symbol, ...]:
    """One axis's symbols: input size, kernel, stride, padding, dilation, end padding, output padding, output."""
    return tuple(sym(n) for n in ("H_in", "k_h", "s_h", "p_h", "d_h", "pe_h", "op_h", "H_out"))


def _modes() -> Table:
    size, k, _, _, d, _, _, _ = axis()
    rows = []
    for mode in PADDING_MODES:
        start, end, stride = padding_for(mode, k, d, sym("s_h") if mode != "same" else sympy.Integer(1))
        rows.append([Code(mode), start, end, stride, sympy.simplify(output_size(size, k, stride, start, d, end))])
    return Table(["mode", "start", "end", "stride", "output size"], rows)


def _guide() -> Table:
    rows = [[str(r.number), r.name, r.conditions or "—", InlineMath(f"{latex_expr(r.lhs)} = {latex_expr(r.value)}")]
            for r in output_size_relations()]
    return Table(["#", "relation", "conditions", "derived"], rows)


def output_sizes(claims: Path) -> Document:
    """The general relations, the padding modes and the relations of Dumoulin & Visin's guide."""
    size, k, s, p, d, pe, op, _ = axis()
    return Document("Output sizes", (
        Paragraph(*prose(_INTRODUCTION)),
        Heading(2, "The general relations"),
        Math((r"H_{\mathrm{out}}", output_size(size, k, s, p, d, pe)),
             (r"H_{\mathrm{out}}^{\mathrm{transposed}}", transposed_output_size(size, k, s, p, d, op))),
        Paragraph(*prose(_TRANSPOSED)),
        Heading(2, "Padding modes"),
        Paragraph(*prose(_SAME)),
        _modes(),
        Heading(2, "The relations of Dumoulin and Visin"),
        Paragraph(*prose(_GUIDE)),
        _guide(),
    ), comment=FROM_CODE)
