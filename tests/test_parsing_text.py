"""symconv.parsing.text: formulas in plain text, read by Python's parser and a whitelist."""

from __future__ import annotations

import time

import pytest
import sympy
from hypothesis import given, settings
from strategies import formulas

from symconv.errors import FormulaError
from symconv.parsing import parse_formula, parse_latex, parse_text
from symconv.symbols import new_symbol, sym

C_in, C_out, H_in, H_out, W_out, N = (sym(n) for n in ("C_in", "C_out", "H_in", "H_out", "W_out", "N"))
k_h, k_w, g, C_in_g = sym("k_h"), sym("k_w"), sym("g"), sym("C_in_g")
k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))


# The standard convolution's FLOPs, as the examples write it.
FLOPS = 2 * k**2 * H_out * W_out * C_in * C_out


TEXT = [
    ("2*k**2*H_out*W_out*C_in*C_out", FLOPS),
    ("2 k^2 H_out W_out C_in C_out", FLOPS),
    ("2k^2 H_out W_out C_in C_out", FLOPS),
    ("(C_in * k_h * k_w + 1) * C_out", (C_in * k_h * k_w + 1) * C_out),
    ("floor((H_in + 2*p - k)/s) + 1", sympy.floor((H_in + 2 * p - k) / s) + 1),
    ("2(k+1)", 2 * (k + 1)),
    ("(a)(B)", a * b_),
    ("0.5 k", k / 2),
    ("1.25", sympy.Rational(5, 4)),
    (".5 + 5.", sympy.Rational(11, 2)),
    ("-k^2", -(k**2)),
    ("--k", k),
    ("+k - -k", 2 * k),
    ("k^-1", 1 / k),
    ("k**(1/2)", sympy.sqrt(k)),
    ("2^2^3", sympy.Integer(256)),
    ("a/B k", a / b_ * k),
    ("C_in/g", C_in / g),
    ("2 max(k_h, k_w)", 2 * sympy.Max(k_h, k_w)),
    ("min(k_h, k_w, 3)", sympy.Min(k_h, k_w, 3)),
    ("ceil(H_in/s) + ceiling(k/2)", sympy.ceiling(H_in / s) + sympy.ceiling(k / 2)),
    ("Abs(k - s) + abs(-3)", sympy.Abs(k - s) + 3),
    ("floor(7/2) + max(1, 5/2)", sympy.Rational(11, 2)),
    ("k_h × k_w · C_in − 1", k_h * k_w * C_in - 1),
    ("\tk\n+\r1\u00a0", k + 1),
]


@pytest.mark.parametrize(("text", "expected"), TEXT)
def test_text(text: str, expected: sympy.Expr) -> None:
    assert parse_text(text) == expected
    assert parse_formula(text) == expected


def test_a_known_name_before_a_bracket_multiplies() -> None:
    assert parse_text("C_in(k+1)") == C_in * (k + 1)
    assert parse_text("K(k+1)", aliases={"K": k}) == k * (k + 1)
    with pytest.raises(FormulaError, match="unknown function 'K'"):
        parse_text("K(k+1)")


TEXT_ERRORS = [
    ("(k + 1))", "unexpected '\\)'", 7),
    ("k + (1", "'\\(' is never closed", 4),
    ("exp(x)", "unknown function 'exp'", 0),
    ("9**9**9**9", "exponent 387420489 is too large \\(limit 64\\)", 6),
    ("2^2^2^2^2^2", "exponent 65536 is too large", 4),
    ("(k^40)^2", "degree 80", 7),
    ("k^n", "exponent n is not a number", 2),
    ("k 2", "number '2' needs an operator", 2),
    ("2 +", "ends too early", None),
    ("k + * 2", "unexpected '\\*'", 4),
    ("().__class__", "attribute access", 0),
    ("k[0]", "indexing", 0),
    ("k < 1", "comparison", 0),
    ("k // 2", "operator '//'", 2),
    ("__import__('os')", "strings are not allowed", 11),
    ("lambda: 1", "'lambda' is not allowed", 0),
    ("max(k, key=1)", "'=' is not allowed", 10),
    ("max(*k)", "unpacking", 4),
    ("(k, 1)", "a tuple", 0),
    ("k # note", "'#'", 2),
    ("k ? 1", "unexpected character '\\?'", 2),
    ("1e5", "unsupported number '1e5'", 0),
    ("0x1F", "unsupported number", 0),
    ("1" * 31, "more than 30 digits", 0),
    ("1/0", "division by zero", 2),
    ("0^-1", "division by zero", 3),
    ("floor(k, 2)", "floor\\(\\) takes one argument, not 2", 0),
    ("max()", "at least one argument", 0),
    ("a\x00b", "control character", 1),
    ("a\u200bb", "invisible character", 1),
    ("α + 1", "unexpected character 'α'", 0),
    ("x" * 20_001, "too long \\(20,001 characters, limit 20,000\\)", None),
    ("(" * 65 + "k" + ")" * 65, "nested too deeply \\(limit 64 levels\\)", 64),
]


@pytest.mark.parametrize(("text", "message", "position"), TEXT_ERRORS)
def test_text_error_messages(text: str, message: str, position: int | None) -> None:
    with pytest.raises(FormulaError, match=message) as caught:
        parse_text(text)
    assert caught.value.position == position


@settings(max_examples=300)
@given(formulas())
def test_text_round_trip(expr: sympy.Expr) -> None:
    assert sympy.expand(parse_text(str(expr)) - expr) == 0


def _terms(count: int) -> list[tuple[int, str, str]]:
    names = ["C_in", "C_out", "H_out", "W_out", "k_h", "k_w", "N", "g"]
    return [(i % 9 + 1, names[i % 8], names[(i * 3 + 1) % 8]) for i in range(count)]


def test_a_thousand_terms_in_text() -> None:
    terms = _terms(1000)
    text = " + ".join(f"{c}*{u}*{v}**2" for c, u, v in terms)
    start = time.process_time()
    result = parse_text(text)
    assert time.process_time() - start < 1
    assert result == sympy.Add(*(c * sym(u) * sym(v) ** 2 for c, u, v in terms))


def test_long_chains() -> None:
    assert parse_latex("+".join(["k"] * 9_000)) == 9_000 * k
    assert parse_latex(" ".join(["k"] * 9_000)) == k**9_000
    assert parse_latex("-" * 9_001 + "k") == -k
    assert parse_text("+".join(["k"] * 2_000)) == 2_000 * k
    assert parse_text("-" * 200 + "k") == k
    with pytest.raises(FormulaError, match="chain of operators"):
        parse_text("+".join(["k"] * 9_000))
