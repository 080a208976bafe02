"""symconv.printing.sections: prose in LaTeX is escaped."""

from __future__ import annotations

from symconv.printing.sections import latex_text


def test_latex_text_escapes_prose():
    assert latex_text("C_out & 50% #1 {x}") == r"C\_out \& 50\% \#1 \{x\}"
