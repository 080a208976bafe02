"""What every printer shares: a derivation's steps grouped into sections, chosen by how much is shown
(:data:`STEPS`), and LaTeX-safe prose."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sympy

__all__ = ["STEPS", "Document", "Section", "latex_text", "sections", "shown_steps"]

#: How much of a derivation is shown: the closed forms alone, the steps that matter, or every step.
STEPS = ("none", "brief", "full")
#: Sections about the zeros of the padding, shown in brief only when FLOPs skip them.
_PADDING_AWARE = "padding-aware counts"
_PERFORMED_FLOPS = sympy.Symbol("flops_performed")


class _Step(Protocol):
    title: str
    lhs: sympy.Basic
    rhs: tuple[sympy.Basic, ...]
    rule: str


class Document(Protocol):
    """Anything the printers print: a derivation or a comparison."""

    @property
    def title(self) -> str: ...

    @property
    def subtitle(self) -> str: ...

    @property
    def steps(self) -> Sequence[Any]: ...

    @property
    def quantities(self) -> Mapping[str, sympy.Expr]: ...


@dataclass(frozen=True)
class Section:
    """Consecutive steps under one title; ``rules`` says why, once per change of reason."""

    title: str
    lines: tuple[tuple[str, _Step], ...]  # (the rule when it differs from the line before, or "", step)


def _performed(document: Document) -> bool:
    convention = getattr(document, "convention", None)
    return getattr(convention, "value", None) == "performed"


def _brief(step: _Step) -> _Step:
    """A step as brief shows it: a count over the taps (``V = Σ_j max(0, ...) = V(...)``) without its sum."""
    if len(step.rhs) > 1 and step.rhs[0].has(sympy.Sum) and not step.rhs[0].has(sympy.Indexed):
        return dataclasses.replace(step, rhs=step.rhs[1:])  # type: ignore[type-var]
    return step


def shown_steps(document: Document, steps: str = "full") -> list[_Step]:
    """The steps a printer shows: none, every one (``full``), or ``brief``: the padding-aware sections and the
    padding-aware conventions only when FLOPs skip the zeros of the padding, the sums over the taps as the
    counts they are, and a comparison's quotients without their values at b = 0 and b = 1 (printed with the
    answer)."""
    if steps not in STEPS:
        raise ValueError(f"steps must be one of {', '.join(STEPS)}, not {steps!r}")
    if steps == "none":
        return []
    chosen = list(document.steps)
    if steps == "full":
        return chosen
    performed = _performed(document)
    out = []
    for step in chosen:
        if not performed and (step.title.endswith(_PADDING_AWARE)
                              or (step.title == "conventions" and _PERFORMED_FLOPS in step.lhs.free_symbols)):
            continue
        if hasattr(document, "kind"):
            if not isinstance(step.rhs[0], sympy.Subs):  # the simplified values are the comparison's answer
                # the quotient as derived, not yet simplified: its rule says so, not how it was simplified
                rule = (f"{step.rule.split(':')[0]}: the closed forms as derived (simplified in the "
                        f"{document.kind}s above)")
                out.append(dataclasses.replace(step, title=f"{document.kind}s of the closed forms",  # type: ignore
                                               rhs=step.rhs[:1], rule=rule))
            continue
        out.append(_brief(step))
    return out


def sections(document: Document, steps: str = "full") -> Iterator[Section]:
    """The steps :func:`shown_steps` chooses, grouped by title."""
    title: str | None = None
    lines: list[tuple[str, _Step]] = []
    last_rule = ""
    for step in shown_steps(document, steps):
        if step.title != title:
            if title is not None:
                yield Section(title, tuple(lines))
            title, lines, last_rule = step.title, [], ""
        lines.append((step.rule if step.rule != last_rule else "", step))
        last_rule = step.rule
    if title is not None:
        yield Section(title, tuple(lines))


_LATEX_TEXT = {
    "\\": r"\textbackslash{}", "_": r"\_", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "{": r"\{",
    "}": r"\}", "^": r"\^{}", "~": r"\~{}", "×": r"$\times$", "·": r"$\cdot$", "β": r"$\beta$",
    "≈": r"$\approx$", "−": "-", "<": "$<$", ">": "$>$", "≤": r"$\leq$", "≥": r"$\geq$", "—": "---", "–": "--",
    "′": "$'$", "″": "$''$", "γ": r"$\gamma$", "α": r"$\alpha$", "ρ": r"$\rho$", "σ": r"$\sigma$", "μ": r"$\mu$",
    "ε": r"$\epsilon$", "²": "$^2$", "Σ": r"$\Sigma$", "∏": r"$\prod$",
    "⌊": r"$\lfloor$", "⌋": r"$\rfloor$", "⌈": r"$\lceil$", "⌉": r"$\rceil$",
}


def latex_text(prose: str) -> str:
    """Prose made safe for LaTeX text mode (``C_out × k`` → ``C\\_out $\\times$ k``).

    >>> latex_text("w·x, C_out × 2")
    'w$\\\\cdot$x, C\\\\_out $\\\\times$ 2'
    """
    prose = prose.replace(">=", "≥").replace("<=", "≤")  # text-mode < and > are other glyphs in OT1
    return "".join(_LATEX_TEXT.get(ch, ch) for ch in prose)


def capitalized(title: str) -> str:
    return title[:1].upper() + title[1:]
