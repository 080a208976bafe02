"""What every printer shares: a derivation's steps grouped into sections, and LaTeX-safe prose."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sympy

__all__ = ["Document", "Section", "latex_text", "sections"]


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


@dataclass(frozen=True)
class Section:
    """Consecutive steps under one title; ``rules`` says why, once per change of reason."""

    title: str
    lines: tuple[tuple[str, _Step], ...]  # (the rule when it differs from the line before, or "", step)


def sections(document: Document) -> Iterator[Section]:
    title: str | None = None
    lines: list[tuple[str, _Step]] = []
    last_rule = ""
    for step in document.steps:
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
