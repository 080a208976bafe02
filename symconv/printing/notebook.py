r"""Rich display in Jupyter and VS Code: derivations, comparisons, network analyses, verdicts and verification
reports as Markdown (tables where there are tables), LaTeX that MathJax and KaTeX both render (one
``aligned`` block: no ``\intertext``, no package KaTeX lacks), and a short ``repr``.

The classes of derivations, comparisons and verdicts display themselves through these functions
(``_repr_markdown_``, ``_repr_latex_``); network analyses and verification reports are registered with
IPython's display formatters by :func:`symconv.printing.displays.register`, which ``import symconv`` calls
inside IPython (and ``%load_ext symconv`` calls explicitly).

>>> from symconv import derive, variants
>>> d = derive(variants.pointwise(1, bias=False))
>>> short_repr(d)
'<Derivation pointwise 1-D, exact convention: flops = N·L_out·C_out·(2C_in − 1)>'
>>> print(latex(d).splitlines()[1])
\begin{aligned}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from symconv.printing.exprs import latex_expr
from symconv.printing.sections import capitalized, sections
from symconv.printing.unicode import unicode_expr
from symconv.quantities import LAYER, named

__all__ = ["bold_headings", "latex", "markdown", "short_repr"]

_REPR_LIMIT = 160


def short_repr(obj: Any) -> str:
    """One line: what the object is, and its headline count."""
    kind = type(obj).__name__
    if hasattr(obj, "layer"):  # a derivation
        head = f"{obj.variant} {obj.dims}-D, {obj.convention.value} convention"
        line = f"<{kind} {head}: flops = {unicode_expr(obj.quantities['flops'])}>"
    elif hasattr(obj, "kind"):  # a comparison
        names = ", ".join(obj.quantities)
        line = f"<{kind} {obj.variant} ({obj.kind} of {names})>"
    elif hasattr(obj, "claimed"):  # a verdict
        line = f"<{kind} {obj.summary}: {unicode_expr(obj.claimed)} vs {unicode_expr(obj.derived)}>"
    elif hasattr(obj, "network"):  # a network analysis
        head = f"{obj.network.name}, {obj.convention.value} convention"
        line = f"<{kind} {head}: macs = {unicode_expr(obj.quantities['macs'])}>"
    elif hasattr(obj, "grid"):  # a verification report
        line = f"<{kind} {obj.derivation.variant} {obj.derivation.dims}-D: {'VERIFIED' if obj.ok else 'FAILED'}>"
    else:
        line = f"<{kind}>"
    return line if len(line) <= _REPR_LIMIT else line[:_REPR_LIMIT - 4] + "...>"


def _rows(lhs: str, rhs: Sequence[str]) -> list[str]:
    return [f"{lhs} &= {' = '.join(rhs)}"]


def bold_headings(text: str) -> str:
    """Markdown with its headings set bold: a result sits inside a notebook or a page, whose outline its titles
    would crowd."""
    return "\n".join(f"**{line.lstrip('#').strip()}**" if line.startswith("#") else line for line in text.splitlines())


def _answer_rows(document: Any) -> list[str]:
    rows = []
    every = document.quantities
    for name in (n for n in LAYER if n in every):
        rows += _rows(latex_expr(named(name)), [latex_expr(every[name])])
        without, with_bias = getattr(document, "at_bias", {}).get(name, (every[name], every[name]))
        if without != every[name] or with_bias != every[name]:
            rows.append(rf"&\text{{at }} b = 0: {latex_expr(without)},\quad b = 1: {latex_expr(with_bias)}")
    return rows


def _aligned(rows: Sequence[str]) -> str:
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def _stepped_latex(document: Any, steps: str) -> list[str]:
    rows = [rf"&\text{{{_escape(document.title)}: closed forms}}", *_answer_rows(document)]
    for section in sections(document, steps):
        if section.title == "totals":
            continue
        rows.append(rf"&\text{{{_escape(capitalized(section.title))}}}")
        rows += [row for _, step in section.lines
                 for row in _rows(latex_expr(step.lhs), [latex_expr(r) for r in step.rhs])]
    return rows


def _escape(text: str) -> str:
    return "".join({"_": r"\_", "&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}"}.get(c, c)
                   for c in text)


def latex(obj: Any, *, steps: str = "brief") -> str:
    r"""The object as display math for a notebook: ``$$\begin{aligned} ... \end{aligned}$$``, the answer first."""
    if hasattr(obj, "steps"):
        rows = _stepped_latex(obj, steps)
    elif hasattr(obj, "claimed"):
        rows = [rf"&\text{{claimed}} && {latex_expr(obj.claimed)}", rf"&\text{{derived}} && {latex_expr(obj.derived)}",
                rf"&\text{{derived}} - \text{{claimed}} && {latex_expr(obj.difference)}",
                rf"&\text{{verdict}} && \text{{{_escape(obj.summary)}}}"]
    elif hasattr(obj, "network"):
        rows = [rf"&\text{{{_escape(obj.network.title or obj.network.name)}: totals}}",
                *(f"{latex_expr(named(name))} &= {latex_expr(value)}" for name, value in obj.quantities.items())]
    else:
        raise TypeError(f"no LaTeX display for {type(obj).__name__}")
    return _aligned(rows)


def markdown(obj: Any, *, steps: str = "brief") -> str:
    """The object as Markdown: a derivation's or a comparison's answer, then its steps folded; a verdict as a
    table (network analyses and reports: :mod:`symconv.printing.displays`)."""
    if hasattr(obj, "steps"):
        from symconv.printing import markdown as md

        answer = _aligned(_answer_rows(obj))
        body = bold_headings("\n".join(md.render(obj, 3, title="Steps", steps=steps).splitlines()[4:]))
        folded = f"<details markdown='1'><summary>Steps</summary>\n\n{body}\n</details>\n"
        return f"**{obj.title}**: {obj.subtitle}.\n\n{answer}\n\n{folded}"
    if hasattr(obj, "claimed"):
        rows = [("claimed", f"${latex_expr(obj.claimed)}$"), ("derived", f"${latex_expr(obj.derived)}$"),
                ("derived − claimed", f"${latex_expr(obj.difference)}$"), ("verdict", obj.summary)]
        rows += [("proof", obj.method)] if obj.method else []
        rows += [("counterexample", str(obj.counterexample))] if obj.counterexample is not None else []
        return "| | |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows) + "\n"
    raise TypeError(f"no Markdown display for {type(obj).__name__}")
