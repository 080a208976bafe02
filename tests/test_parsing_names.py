"""symconv.parsing.names: what a name means: an alias, a symbol of the table, or a new one where allowed."""

from __future__ import annotations

import pytest

from symconv.errors import FormulaError
from symconv.parsing import parse_formula, parse_latex, parse_text
from symconv.symbols import new_symbol, sym

C_in, C_out, H_in, H_out, W_out, N = (sym(n) for n in ("C_in", "C_out", "H_in", "H_out", "W_out", "N"))
k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))
D_K = new_symbol("D_K")


def test_aliases_shadow_the_table() -> None:
    aliases = {"N": C_out}  # MobileNet's N is the number of output channels, not the batch
    assert parse_text("M N D_K^2", aliases=aliases) == new_symbol("M") * C_out * D_K**2
    assert parse_latex(r"\frac{1}{N} + \frac{1}{D_K^2}", aliases=aliases) == 1 / C_out + 1 / D_K**2
    assert parse_text("N", aliases={"N": 3}) == 3
    assert parse_text("N") == N


def test_allow_new() -> None:
    assert parse_text("C_in k", allow_new=True) == C_in * k
    assert parse_text("C_in N", allow_new=False) == C_in * N
    with pytest.raises(FormulaError, match="unknown symbol 'k'") as caught:
        parse_text("C_in k", allow_new=False)
    assert caught.value.position == 5
    with pytest.raises(FormulaError, match="unknown symbol 'q'"):
        parse_latex(r"\frac{1}{q}", allow_new=False)


@pytest.mark.parametrize("text", ["_k", "k" * 33, r"\mathrm{in}", r"\mathrm{2D}"])
def test_unusable_names_are_formula_errors(text: str) -> None:
    with pytest.raises(FormulaError, match="not a usable name"):
        parse_formula(text)
