"""symconv.parsing.latex: formulas in LaTeX, as papers write them, read by a grammar and a lexer that refuses
every command it does not know."""

from __future__ import annotations

import time

import pytest
import sympy
from hypothesis import given, settings
from strategies import formulas
from test_parsing_text import _terms

from symconv.errors import FormulaError
from symconv.parsing import LIMITS, parse_formula, parse_latex, parse_text
from symconv.symbols import TABLE, latex_names, new_symbol, sym

C_in, C_out, H_in, H_out, W_out, N = (sym(n) for n in ("C_in", "C_out", "H_in", "H_out", "W_out", "N"))
k_h, k_w, g, C_in_g = sym("k_h"), sym("k_w"), sym("g"), sym("C_in_g")
k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))
D_K = new_symbol("D_K")


# The standard convolution's FLOPs, as the examples write it.
FLOPS = 2 * k**2 * H_out * W_out * C_in * C_out


LATEX = [
    (r"2k^2 \cdot H_{out} \cdot W_{out} \cdot C_{in} \cdot C_{out}", FLOPS),
    (r"2 k^{2} H_{\mathrm{out}} W_{\mathrm{out}} C_{\mathrm{in}} C_{\mathrm{out}}", FLOPS),
    (r"C_{in} \times (k^2 + C_{out})", C_in * (k**2 + C_out)),
    (r"\frac{1}{N} + \frac{1}{D_K^2}", 1 / N + 1 / D_K**2),
    (r"C_{\mathrm{in}}", C_in),
    (r"(C_{in} * k_h * k_w + 1) * C_{out}", (C_in * k_h * k_w + 1) * C_out),
    (r"\lfloor (H_{in} + 2p - k)/s \rfloor + 1", sympy.floor((H_in + 2 * p - k) / s) + 1),
    (r"\left\lfloor \frac{H_{in} + 2p - k}{s} \right\rfloor + 1", sympy.floor((H_in + 2 * p - k) / s) + 1),
    (r"\lceil H_{in} / s \rceil", sympy.ceiling(H_in / s)),
    (r"\max(k_h, k_w) - \min\left(k_h, 3\right)", sympy.Max(k_h, k_w) - sympy.Min(k_h, 3)),
    (r"a (B + k)", a * (b_ + k)),
    (r"a \left( B + k \right) [k + 1] \{ B \}", a * (b_ + k) * (k + 1) * b_),
    (r"k^2 H", k**2 * new_symbol("H")),
    (r"ab", a * new_symbol("b")),
    (r"\mathrm{FLOPs}", new_symbol("FLOPs")),
    (r"\text{FLOPs}_{conv}", new_symbol("FLOPs_conv")),
    (r"\frac12 k + \dfrac{k}{3} - \tfrac{1}{4}", k / 2 + k / 3 - sympy.Rational(1, 4)),
    (r"\frac a B", a / b_),
    (r"0.5 k + 1.25", k / 2 + sympy.Rational(5, 4)),
    (r"k^{-1} + 2^{10}", 1 / k + 1024),
    (r"{k^2}^3", k**6),
    (r"a \cdot -B", -a * b_),
    (r"a / B k", a / b_ * k),
    (r"-k^2", -(k**2)),
    (r"2 \times 3 \div 4", sympy.Rational(3, 2)),
    (r"\alpha + \rho + \beta_{1} + \lambda + \Delta", sum(new_symbol(n) for n in
                                                          ("alpha", "rho", "beta_1", "lamda", "Delta"))),
    (r"$$\displaystyle 2 a\,B\;k\!x~\quad \qquad$$", 2 * a * b_ * k * x),
    (r"$ k $", k),
    (r"C_{\mathrm{in}/g}", C_in_g),
    (r"C_{in/g}", C_in_g),
    (r"x_{i,j}", new_symbol("x_i_j")),
    (r"\mathrm{C}_{\mathrm{in}}", C_in),
    (r"k_h^2 D_{K}^{3}", k_h**2 * D_K**3),
    (r"\bigl( k \bigr) \Big( k \Big)", k**2),
    (r"k_h k_w", k_h * k_w),
]


# Every spelling of a subscripted name that papers use.
NAMES = [
    (r"C_{in}", C_in), (r"C_{\mathrm{in}}", C_in), (r"C_{\text{in}}", C_in), (r"C_\mathrm{in}", C_in),
    (r"C_{\rm in}", C_in), (r"C_\text{in}", C_in), (r"C_{\textrm{in}}", C_in), (r"C_{ \mathrm{ in } }", C_in),
    (r"H_{out}", H_out), (r"k_h", k_h), (r"k_{h}", k_h), (r"D_K", D_K), (r"D_{K}", D_K),
    (r"x_1", new_symbol("x_1")), (r"x_{12}", new_symbol("x_12")),
    (r"\sigma_{\alpha}", new_symbol("sigma_alpha")),
]


@pytest.mark.parametrize(("text", "expected"), LATEX)
def test_latex(text: str, expected: sympy.Expr) -> None:
    assert parse_latex(text) == expected
    assert parse_formula(text, syntax="latex") == expected


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_latex_names(text: str, expected: sympy.Symbol) -> None:
    assert parse_latex(text) == expected


def test_every_table_name_reads_back_from_its_latex() -> None:
    for name, row in TABLE.items():
        assert parse_latex(row.latex) == sym(name), row.latex
        assert parse_text(name) == sym(name)


def test_a_word_as_superscript_is_part_of_a_name():
    # Exponents are numbers, so p^{\mathrm{end}} can only be a name: one of the table's, or an error.
    decorated = {row.latex: name for name, row in TABLE.items() if r"^{\mathrm{" in row.latex}
    for latex, name in decorated.items():
        assert parse_latex(latex + " + 1") == sym(name) + 1
    with pytest.raises(FormulaError, match=r"unknown symbol C\^\{in\}: a superscript word names no symbol"):
        parse_latex(r"C^{\mathrm{in}}")
    with pytest.raises(FormulaError, match=r"unknown symbol x\^\{end\}_h"):
        parse_latex(r"2 x^{\text{end}}_h")
    assert parse_latex(r"k^{2} + k^2") == 2 * k**2


LATEX_ERRORS = [
    (r"\input{/etc/passwd}", "unsupported LaTeX command '\\\\input'", 0),
    (r"\sqrt{2}", "unsupported LaTeX command", 0),
    (r"\operatorname{FLOPs}", "unsupported LaTeX command", 0),
    (r"k \% 2", "unsupported LaTeX command '\\\\%'", 2),
    (r"E = m c^2", "'=' is not supported", 2),
    (r"k^{2} | k", "unexpected character '\\|'", 6),
    (r"C_out", "TeX reads _out as _{o}ut", 2),
    (r"k^23", r"TeX reads \^23 as \^\{2\}3", 2),
    (r"x_12", r"write _\{12\}", 2),
    (r"k^2 3", "unexpected digit '3'", 4),
    (r"\frac{1}{0}", "division by zero", 9),
    (r"1\,000", "must not contain spaces", 1),
    (r"\frac{1}", "ends too early", None),
    (r"\max k", "unexpected 'k'", 5),
    (r"\mathrm{C_in}", "may hold only letters and digits", 0),
    (r"k^2^3", "unexpected '\\^'", 3),
    (r"(k]", "unexpected '\\]'", 2),
    (r"{k + 1", "ends too early", None),
    (r"\{" * 65, "nested too deeply", 128),
]


@pytest.mark.parametrize(("text", "message", "position"), LATEX_ERRORS)
def test_latex_error_messages(text: str, message: str, position: int | None) -> None:
    with pytest.raises(FormulaError, match=message) as caught:
        parse_latex(text)
    assert caught.value.position == position


@settings(max_examples=300)
@given(formulas())
def test_latex_round_trip(expr: sympy.Expr) -> None:
    printed = sympy.latex(expr, symbol_names=latex_names())
    assert sympy.expand(parse_latex(printed) - expr) == 0


def test_a_thousand_terms_in_latex() -> None:
    terms = _terms(1000)
    text = " + ".join(f"{c} {u}^2" for c, u, _ in terms).replace("_in", "_{in}").replace("_out", "_{out}")
    assert len(text) <= LIMITS.max_length
    start = time.process_time()
    result = parse_latex(text)
    assert time.process_time() - start < 1
    assert result == sympy.Add(*(c * sym(u) ** 2 for c, u, _ in terms))
