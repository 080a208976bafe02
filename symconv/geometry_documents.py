"""The geometry documents of ``derivations/``: the output-size relations and the padding-aware counts.

Each function returns the document as (Markdown, LaTeX); :mod:`symconv.documents` writes them.
"""

from __future__ import annotations

import sympy

from symconv import variants
from symconv.derive import derive
from symconv.geometry import (
    PADDING_MODES,
    Covered,
    Hit,
    ValidPairs,
    output_size,
    output_size_relations,
    padding_for,
    transposed_output_size,
    valid_pairs_regimes,
    valid_pairs_sum,
)
from symconv.printing import latex
from symconv.printing.exprs import latex_expr
from symconv.printing.sections import latex_text
from symconv.symbols import sym

__all__ = ["output_sizes", "padding_aware"]


def _latex_document(title: str, header: str, body: list[str]) -> str:
    return latex.document(title, body, comment=header)


def _axis() -> tuple[sympy.Symbol, ...]:
    return tuple(sym(n) for n in ("H_in", "k_h", "s_h", "p_h", "d_h", "pe_h", "op_h", "H_out"))


def output_sizes(header: str) -> tuple[str, str]:
    """The general relations, the padding modes and the relations of Dumoulin & Visin's guide."""
    size, k, s, p, d, pe, op, _ = _axis()
    forward = output_size(size, k, s, p, d, pe)
    transposed = transposed_output_size(size, k, s, p, d, op)
    modes = []
    for mode in PADDING_MODES:
        start, end, stride = padding_for(mode, k, d, sym("s_h") if mode != "same" else sympy.Integer(1))
        relation = sympy.simplify(output_size(size, k, stride, start, d, end))
        modes.append((mode, start, end, stride, relation))
    relations = output_size_relations()
    title = "Output sizes"
    md = [f"# {title}", "", header, "",
          "One axis of a convolution: input size, kernel, stride, padding at the start and at the end (`pe_h`, "
          "equal to `p_h` unless set), dilation; a transposed convolution adds the output padding `op_h`. Every "
          "relation below is derived from the two general ones by SymPy (`symconv.geometry`), and checked "
          "against the output shape of the direct counters (`tests/test_geometry.py`).", "",
          "## The general relations", "",
          f"$$H_{{\\mathrm{{out}}}} = {latex_expr(forward)}$$", "",
          f"$$H_{{\\mathrm{{out}}}}^{{\\mathrm{{transposed}}}} = {latex_expr(transposed)}$$", "",
          "The transposed one ends where its scatter lands last (`s(H_in - 1) + d(k - 1)`), one past it, "
          "plus the output padding, minus the padding cropped at both ends. PyTorch refuses an output padding "
          "that is not smaller than the stride or the dilation; so does symconv.", "",
          "## Padding modes", "",
          "`same` follows PyTorch's rule (`padding='same'`): stride 1, total padding `d(k - 1)`, "
          "`floor(d(k - 1)/2)` at the start and the rest at the end, so an even kernel pads the end one more.",
          "", "| mode | start | end | stride | output size |", "| --- | --- | --- | --- | --- |"]
    md += [f"| `{m}` | ${latex_expr(a)}$ | ${latex_expr(b)}$ | ${latex_expr(st)}$ | ${latex_expr(r)}$ |"
           for m, a, b, st, r in modes]
    md += ["", "## The relations of Dumoulin and Visin", "",
           "V. Dumoulin and F. Visin, *A guide to convolution arithmetic for deep learning* (2016). `i, k, s, p` "
           "are the input size, kernel, stride and padding, `d` the dilation; `i_t` and `o_t` the input and "
           "output of the transposed convolution, `a` its output padding.", "",
           "| # | relation | conditions | derived |", "| --- | --- | --- | --- |"]
    md += [f"| {r.number} | {r.name} | {r.conditions or '—'} | ${latex_expr(r.lhs)} = {latex_expr(r.value)}$ |"
           for r in relations]
    body = [r"\subsection*{The general relations}", r"\begin{align*}",
            rf"H_{{\mathrm{{out}}}} &= {latex_expr(forward)} \\",
            rf"H_{{\mathrm{{out}}}}^{{\mathrm{{transposed}}}} &= {latex_expr(transposed)}", r"\end{align*}",
            r"\subsection*{Padding modes}", r"\begin{itemize}"]
    body += [rf"\item \texttt{{{m}}}: start ${latex_expr(a)}$, end ${latex_expr(b)}$, stride ${latex_expr(st)}$, "
             rf"output ${latex_expr(r)}$." for m, a, b, st, r in modes]
    body += [r"\end{itemize}", r"\subsection*{The relations of Dumoulin and Visin}", r"\begin{itemize}"]
    body += [rf"\item ({r.number}) {latex_text(r.name)}"
             + (f" ({latex_text(r.conditions)})" if r.conditions else "")
             + rf": ${latex_expr(r.lhs)} = {latex_expr(r.value)}$." for r in relations]
    body.append(r"\end{itemize}")
    return "\n".join(md) + "\n", _latex_document(title, header, body)


def _example() -> tuple[dict[str, sympy.Expr], dict[str, sympy.Expr]]:
    values = {"N": 1, "H_in": 7, "W_in": 7, "k_h": 3, "k_w": 3, "d_h": 1, "d_w": 1}
    d = derive(variants.standard(2, values, padding="same"))
    nominal = {"mults": d.quantities["mults"], "adds": d.quantities["adds"], "flops": d.counts["flops_exact"]}
    performed = {"mults": d.counts["performed_mults"], "adds": d.counts["performed_adds"],
                 "flops": d.counts["flops_performed"]}
    return nominal, performed


def padding_aware(header: str) -> tuple[str, str]:
    """The counts that skip the zeros of the padding: V, Z, H, their closed forms by regime, an example."""
    size, k, s, p, d, _, _, out = _axis()
    exact_sum = valid_pairs_sum(out, size, k, s, p, d)
    regimes = valid_pairs_regimes()
    nominal, performed = _example()
    one = {sym("C_in"): 1, sym("C_out"): 1, sym("b"): 0}
    rows = []
    for name in ("mults", "adds", "flops"):
        gap = sympy.factor(performed[name] - nominal[name])
        rows.append((name, nominal[name], performed[name], gap, nominal[name].xreplace(one),
                     performed[name].xreplace(one)))
    title = "Padding-aware counts"
    md = [f"# {title}", "", header, "",
          "The convention `performed` counts what a computation does that never multiplies by the implicit zeros "
          "of the padding. Tap `j` of output position `u` reads input `s u + d j - p`; the pair is *real* when "
          "that lies in `[0, H_in)`. Per axis:", "",
          f"- $V = {latex_expr(exact_sum)}$, the real (position, tap) pairs "
          f"(`ValidPairs`, printed ${latex_expr(ValidPairs(out, size, k, s, p, d))}$);",
          f"- ${latex_expr(Covered(out, size, k, s, p, d))}$, the positions with at least one real tap "
          "(`Covered`): with dilation a position can have none, and then it costs nothing, its value is the "
          "bias (or 0);",
          f"- ${latex_expr(Hit(size, out, k, s, p, d))}$, for a transposed convolution, the output positions "
          "some product lands on (`Hit`).", "",
          "An element's products are its channels times the real taps of every axis, so "
          "`mults = N C_out C_in/g ∏ V` and `adds = mults - (1 - b) N C_out ∏ Z`. These counts are piecewise "
          "in the geometry, not polynomials: the grid proof does not apply to them. `symconv verify` checks "
          "them on random configurations against `conv_direct(..., skip_padding=True)`, which skips the padded "
          "taps, and `tests/test_geometry.py` checks them and the closed forms below, per regime, with "
          "hypothesis.", "",
          "## Closed forms of V by regime", "",
          "`r = (H_in + 2p - d(k - 1) - 1) mod s` is what the stride leaves over, and "
          "`F(q) = Σ_{j<k} max(0, ceil((q - d j)/s))` the pairs an edge padded by `q` loses.", "",
          "| regime | conditions | V |", "| --- | --- | --- |"]
    md += [f"| {r.name} | {r.conditions} | ${latex_expr(r.value)}$ |" for r in regimes]
    md += ["", "Derivation steps:", ""]
    for r in regimes:
        md += [f"- {r.name}: " + "; ".join(f"`{lhs}` $= {latex_expr(rhs)}$" for lhs, rhs in r.steps)]
    md += ["", "Elsewhere `V` is evaluated exactly from its sum; `symconv codegen` refuses a count that still "
           "contains it, in one line.", "",
           "## Example: a 3×3 `same` convolution on a 7×7 map", "",
           "Stride 1, padding 1 on every side, batch 1. The nominal (`exact`) count multiplies every one of the "
           "9 taps of the 49 positions; the 24 border positions have taps on the padding: 5 real taps at an "
           "edge, 4 at a corner, so `V = 7·3 - 2 = 19` per axis and 361 real pairs of 441.", "",
           "| count | nominal (`exact`) | `performed` | performed − nominal | nominal, C_in = C_out = 1, b = 0 | "
           "performed, C_in = C_out = 1, b = 0 |", "| --- | --- | --- | --- | --- | --- |"]
    md += [f"| {n} | ${latex_expr(a)}$ | ${latex_expr(b)}$ | ${latex_expr(g)}$ | {x} | {y} |"
           for n, a, b, g, x, y in rows]
    ratio = sympy.Rational(int(rows[0][5]), int(rows[0][4]))
    md += ["", f"With one channel in and out and no bias the performed multiplications are {ratio} of the "
           f"nominal ones: the nominal count is {int(rows[0][4]) - int(rows[0][5])} multiplications "
           f"({float(1 - ratio):.0%}) too many."]
    body = [latex_text("The convention performed skips the multiplications by the zeros of the padding."),
            r"\begin{align*}", rf"V &= {latex_expr(exact_sum)}", r"\end{align*}",
            r"\subsection*{Closed forms of $V$ by regime}", r"\begin{itemize}"]
    body += [rf"\item {latex_text(r.name)} ({latex_text(r.conditions)}): $V = {latex_expr(r.value)}$."
             for r in regimes]
    body += [r"\end{itemize}", r"\subsection*{Example: a $3\times3$ same convolution on a $7\times7$ map}",
             r"\begin{itemize}"]
    body += [rf"\item {n}: nominal ${latex_expr(a)}$, performed ${latex_expr(b)}$, difference ${latex_expr(g)}$; "
             rf"with one channel and no bias {x} and {y}." for n, a, b, g, x, y in rows]
    body.append(r"\end{itemize}")
    return "\n".join(md) + "\n", _latex_document(title, header, body)
