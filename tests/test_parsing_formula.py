"""symconv.parsing.formula: the entry points that choose the syntax, and the NAME=VALUE assignments and aliases."""

from __future__ import annotations

import pytest
import sympy

from symconv.errors import FormulaError
from symconv.parsing import parse_assignment, parse_formula, parse_latex, parse_text
from symconv.symbols import new_symbol, sym

C_in, C_out, H_in, H_out, W_out, N = (sym(n) for n in ("C_in", "C_out", "H_in", "H_out", "W_out", "N"))
k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))


def test_both_syntaxes_agree_on_the_examples() -> None:
    assert parse_formula("2 k^2 H_out W_out C_in C_out") == parse_formula(
        r"2k^2 \cdot H_{out} \cdot W_{out} \cdot C_{in} \cdot C_{out}")


@pytest.mark.parametrize(("text", "syntax"), [
    ("k_h", "text"), ("2*k", "text"), (r"\frac{1}{2}", "latex"), ("k^{2}", "latex"), ("$k$", "latex"),
])
def test_auto_syntax(text: str, syntax: str) -> None:
    reader = parse_text if syntax == "text" else parse_latex
    assert parse_formula(text) == reader(text)


def test_syntax_must_be_known() -> None:
    with pytest.raises(ValueError, match="syntax"):
        parse_formula("k", syntax="python")
    with pytest.raises(TypeError):
        parse_formula(b"k")  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "name", "value"), [
    ("k_h=2*k+1", "k_h", 2 * k + 1),
    ("  k_h = 2k + 1 ", "k_h", 2 * k + 1),
    ("C_out=m C_in", "C_out", sym("m") * C_in),
    ("k=3", "k", 3),
    ("H_out=floor((H_in+2p-k)/s)+1", "H_out", sympy.floor((H_in + 2 * p - k) / s) + 1),
])
def test_parse_assignment(text: str, name: str, value: sympy.Expr) -> None:
    assert parse_assignment(text) == (name, value)


@pytest.mark.parametrize(("text", "message", "position"), [
    ("k_h", "expected NAME=VALUE", None),
    ("=3", "name is missing", 0),
    ("2x=3", "not a usable name", 0),
    ("lambda=3", "not a usable name", 0),
    ("a.b=3", "not a usable name", 0),
    ("k_h=", "empty formula", None),
    ("k_h==3", "'=' is not allowed", 4),
    ("k_h=2+*3", "unexpected '\\*'", 6),
    ("k_h=x[0]", "indexing", 4),
])
def test_parse_assignment_refuses(text: str, message: str, position: int | None) -> None:
    with pytest.raises(FormulaError, match=message) as caught:
        parse_assignment(text)
    assert caught.value.position == position


def test_parse_aliases():
    from symconv.parsing import parse_aliases

    assert parse_aliases(["D_K=k", "M = C_in", "N=C_out"]) == {"D_K": k, "M": C_in, "N": C_out}
    assert parse_aliases(["N=C_out"], base={"N": N, "M": C_in}) == {"N": C_out, "M": C_in}
    assert parse_aliases(["h=2*H_out+1"]) == {"h": 2 * H_out + 1}
    for bad in ("D_K", "2x=k", "D_K=__import__('os')", "D_K=k^99", "lambda=1"):
        with pytest.raises(FormulaError):
            parse_aliases([bad])
