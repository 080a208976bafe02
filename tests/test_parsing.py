"""symconv.parsing: user formulas, in text and in LaTeX, read into SymPy without ever running them."""

from __future__ import annotations

import ast
import builtins
import contextlib
import dataclasses
import pathlib
import re
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import parsing
from symconv.errors import FormulaError, UnknownSymbolError
from symconv.parsing import LIMITS, parse_assignment, parse_formula, parse_latex, parse_text
from symconv.symbols import TABLE, latex_names, new_symbol, sym

C_in, C_out, H_in, H_out, W_out, N = (sym(n) for n in ("C_in", "C_out", "H_in", "H_out", "W_out", "N"))
k_h, k_w, g, C_in_g = sym("k_h"), sym("k_w"), sym("g"), sym("C_in_g")
k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))
D_K = new_symbol("D_K")

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


@pytest.mark.parametrize(("text", "expected"), TEXT)
def test_text(text: str, expected: sympy.Expr) -> None:
    assert parse_text(text) == expected
    assert parse_formula(text) == expected


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


def test_decimals_are_exact() -> None:
    for parse in (parse_text, parse_latex):
        result = parse("0.1 k + 0.25")
        assert result == k / 10 + sympy.Rational(1, 4)
        assert not result.atoms(sympy.Float)


# --- Names --------------------------------------------------------------------------------------------------


def test_aliases_shadow_the_table() -> None:
    aliases = {"N": C_out}  # MobileNet's N is the number of output channels, not the batch
    assert parse_text("M N D_K^2", aliases=aliases) == new_symbol("M") * C_out * D_K**2
    assert parse_latex(r"\frac{1}{N} + \frac{1}{D_K^2}", aliases=aliases) == 1 / C_out + 1 / D_K**2
    assert parse_text("N", aliases={"N": 3}) == 3
    assert parse_text("N") == N


def test_a_known_name_before_a_bracket_multiplies() -> None:
    assert parse_text("C_in(k+1)") == C_in * (k + 1)
    assert parse_text("K(k+1)", aliases={"K": k}) == k * (k + 1)
    with pytest.raises(FormulaError, match="unknown function 'K'"):
        parse_text("K(k+1)")


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


# --- Assignments --------------------------------------------------------------------------------------------


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


# --- Refusals -----------------------------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('echo hi')",
    "__import__ ( os ) . system ( echo )",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "(lambda x: x)(1)",
    "9**9**9**9",
    "2^2^2^2^2^2",
    "9^9^9^9",
    "((9^64)^64)^64",
    "(((k^64)^64)^64)^64",
    "(" * 10_000 + "1" + ")" * 10_000,
    "(" * 5_000 + "1" + ")" * 5_000,
    "{" * 5_000 + "1" + "}" * 5_000,
    r"\lfloor" * 3_000,
    "-" * 19_000 + "1",
    "1" + "**1" * 6_000,
    "a\x00b",
    "\x00",
    "k\x1b[2J",
    "exp(x)",
    "eval(k)",
    "getattr(k, k)",
    "x" * 100_000,
    "k+" * 50_000 + "k",
    r"\input{/etc/passwd}",
    r"\def\x{1}",
    r"\include{secret}",
    r"\write18{rm -rf /}",
    r"\catcode`\^=7",
    "f'{k}'",
    "k if k else k",
    "[k for k in k]",
    "k.real",
    "k[0]",
    "k < 2",
    "k // 2",
    "k % 2",
    "k @ k",
    "~k",
    "not k",
    "k and k",
    "(k := 2)",
    "max(k, key=k)",
    "max(*k)",
    "1e999999999",
    "1" * 10_000,
    "1/0",
    r"\frac{k}{0}",
    "0^-1",
    "k^n",
    r"k^{\frac{1}{100}}",
    "2 3",
    r"1\,000",
    "k = 2",
    r"E = m c^2",
    "",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_input_is_refused_quickly(text: str) -> None:
    start = time.process_time()  # the work done, not the wall clock a loaded machine stretches
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert time.process_time() - start < 1
    assert "\n" not in str(caught.value)


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


@pytest.mark.parametrize(("text", "message", "position"), TEXT_ERRORS)
def test_text_error_messages(text: str, message: str, position: int | None) -> None:
    with pytest.raises(FormulaError, match=message) as caught:
        parse_text(text)
    assert caught.value.position == position


@pytest.mark.parametrize(("text", "message", "position"), LATEX_ERRORS)
def test_latex_error_messages(text: str, message: str, position: int | None) -> None:
    with pytest.raises(FormulaError, match=message) as caught:
        parse_latex(text)
    assert caught.value.position == position


def test_limits_are_frozen_and_documented() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LIMITS.max_length = 10**9  # type: ignore[misc]
    for field in dataclasses.fields(LIMITS):
        assert field.name in parsing.__doc__, field.name


def test_limits_are_inclusive() -> None:
    assert parse_text("1" + " " * (LIMITS.max_length - 1)) == 1
    assert parse_text("(" * LIMITS.max_depth + "k" + ")" * LIMITS.max_depth) == k
    assert parse_latex("{" * LIMITS.max_depth + "k" + "}" * LIMITS.max_depth) == k
    assert parse_text("9" * LIMITS.max_digits) == 10**LIMITS.max_digits - 1
    assert parse_text("k^64 + k^-64 + k^(63/64)") == k**64 + k**-64 + k ** sympy.Rational(63, 64)
    for text in ("k^65", "k^-65", "k^(1/65)"):
        with pytest.raises(FormulaError, match="too large"):
            parse_text(text)


def test_numbers_stay_printable() -> None:
    with pytest.raises(FormulaError, match="limit 1,000 digits"):
        parse_text("*".join(["9" * 30] * 40))
    assert parse_text("*".join(["9" * 30] * 30)) == (10**30 - 1) ** 30


def test_the_parser_never_evaluates() -> None:
    parse_latex("k")  # builds the LaTeX parser (lark compiles its tables) before the traps are set
    real_compile = builtins.compile

    def trap(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser evaluated something")

    def parse_only(source: str, filename: str, mode: str, flags: int = 0, *args: object,
                   **kwargs: object) -> object:
        # ast.parse compiles to a syntax tree only; anything else would make code.
        if not flags & ast.PyCF_ONLY_AST:
            trap()
        return real_compile(source, filename, mode, flags, *args, **kwargs)  # type: ignore[call-overload]

    originals = {name: getattr(builtins, name) for name in ("eval", "exec", "compile")}
    builtins.eval, builtins.exec, builtins.compile = trap, trap, parse_only  # type: ignore[assignment]
    try:
        results = [parse_text("2*k**2*H_out*W_out*C_in*C_out + floor(k/2) + max(k, 3)"),
                   parse_latex(r"\frac{1}{N} + \lfloor k/2 \rfloor")]
        refused = []
        for text in ("__import__('os').system('echo hi')", "().__class__", "lambda: 1"):
            try:
                parse_text(text)
            except FormulaError as error:
                refused.append(error)
    finally:
        for name, original in originals.items():
            setattr(builtins, name, original)
    assert results[1] == 1 / N + sympy.floor(k / 2)
    assert len(refused) == 3


@pytest.mark.parametrize("module", sorted(pathlib.Path(parsing.__file__).parent.glob("*.py")), ids=lambda p: p.name)
def test_no_module_of_the_parser_calls_an_evaluator(module: pathlib.Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = {"eval", "exec", "compile", "sympify", "parse_expr", "parse_latex", "__import__"}
    attributes = {"eval", "exec", "sympify", "parse_expr", "parse_latex", "S"}  # re.compile is fine
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                assert node.func.id not in names or node.func.id == "parse_latex", ast.unparse(node)
            if isinstance(node.func, ast.Attribute):
                assert node.func.attr not in attributes, ast.unparse(node)


def test_the_parser_knows_nothing_of_papers() -> None:
    # The papers' names are data of the checker (symconv/check/notations.toml), read as aliases.
    for path in pathlib.Path(parsing.__file__).parent.iterdir():
        if path.suffix in (".py", ".lark"):
            found = re.findall(r"mobilenet|shufflenet|\bnotations?\b", path.read_text(encoding="utf-8").lower())
            assert not found, (path.name, found)


# --- Size and speed -----------------------------------------------------------------------------------------


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


def test_a_thousand_terms_in_latex() -> None:
    terms = _terms(1000)
    text = " + ".join(f"{c} {u}^2" for c, u, _ in terms).replace("_in", "_{in}").replace("_out", "_{out}")
    assert len(text) <= LIMITS.max_length
    start = time.process_time()
    result = parse_latex(text)
    assert time.process_time() - start < 1
    assert result == sympy.Add(*(c * sym(u) ** 2 for c, u, _ in terms))


def test_long_chains() -> None:
    assert parse_latex("+".join(["k"] * 9_000)) == 9_000 * k
    assert parse_latex(" ".join(["k"] * 9_000)) == k**9_000
    assert parse_latex("-" * 9_001 + "k") == -k
    assert parse_text("+".join(["k"] * 2_000)) == 2_000 * k
    assert parse_text("-" * 200 + "k") == k
    with pytest.raises(FormulaError, match="chain of operators"):
        parse_text("+".join(["k"] * 9_000))


def test_large_calls_are_built_unevaluated_and_fast() -> None:
    xs = [new_symbol(f"x{i}") for i in range(2000)]
    start = time.process_time()
    result = parse_text("floor(" + " + ".join(f"x{i}/7" for i in range(2000)) + ")")
    assert time.process_time() - start < 2
    assert result == sympy.floor(sympy.Add(*xs) / 7, evaluate=False)
    nested = parse_text("max(" * 60 + "k" + ", x1)" * 60)
    assert nested.doit() == sympy.Max(k, xs[1])
    many = parse_text(" + ".join(f"floor(x{i})" for i in range(40)))
    assert many != sympy.Add(*xs[:40])  # the first 16 floors are evaluated, the rest are not
    assert many.doit() == sympy.Add(*xs[:40])


# --- Properties ---------------------------------------------------------------------------------------------

SYMBOLS = [sym(name) for name in TABLE] + [new_symbol(name) for name in ("k", "x", "alpha", "rho", "lamda")]


def _formulas() -> st.SearchStrategy[sympy.Expr]:
    leaves = st.one_of(st.sampled_from(SYMBOLS), st.integers(-12, 12).map(sympy.Integer))

    def extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        return st.one_of(
            st.lists(children, min_size=2, max_size=4).map(lambda terms: sympy.Add(*terms)),
            st.lists(children, min_size=2, max_size=4).map(lambda factors: sympy.Mul(*factors)),
            st.tuples(children, st.integers(-3, 3)).map(lambda pair: sympy.Pow(*pair)),
        )

    return st.recursive(leaves, extend, max_leaves=10).filter(_printable)


def _printable(expr: sympy.Expr) -> bool:
    """Finite, of degree at most 64, with numbers well within the parser's limits."""
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    numbers = [abs(n.p) + n.q for n in expr.atoms(sympy.Rational)]
    return _degree(expr) <= 64 and max(numbers, default=0) < 10**20


def _degree(expr: sympy.Expr) -> sympy.Rational:
    if isinstance(expr, sympy.Pow):
        return abs(expr.exp) * _degree(expr.base)
    return max((_degree(arg) for arg in expr.args), default=sympy.Integer(1))


@settings(max_examples=300)
@given(_formulas())
def test_text_round_trip(expr: sympy.Expr) -> None:
    assert sympy.expand(parse_text(str(expr)) - expr) == 0


@settings(max_examples=300)
@given(_formulas())
def test_latex_round_trip(expr: sympy.Expr) -> None:
    printed = sympy.latex(expr, symbol_names=latex_names())
    assert sympy.expand(parse_latex(printed) - expr) == 0


def _fuzz(text: str) -> None:
    start = time.process_time()
    with contextlib.suppress(FormulaError, UnknownSymbolError):
        parse_formula(text)
    assert time.process_time() - start < 1


@settings(max_examples=500)
@given(st.text(max_size=300))
def test_any_text_is_read_or_refused(text: str) -> None:
    _fuzz(text)


PIECES = [
    "k", "C_in", "H_out", "2", "9", "0", ".", "5", "+", "-", "*", "/", "^", "**", "(", ")", "[", "]", "{",
    "}", "_", ",", " ", "=", "max", "floor", "abs", r"\frac", r"\cdot", r"\times", r"\lfloor", r"\rfloor",
    r"\left(", r"\right)", r"\max", r"\mathrm{in}", r"\alpha", r"\,", r"\{", r"\}", "$", "'", "lambda", "__",
]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_formula_like_text_is_read_or_refused(text: str) -> None:
    for syntax in ("text", "latex"):
        start = time.process_time()
        with contextlib.suppress(FormulaError, UnknownSymbolError):
            parse_formula(text, syntax=syntax)
        assert time.process_time() - start < 1


# --- Aliases --------------------------------------------------------------------------------------------


def test_parse_aliases():
    from symconv.parsing import parse_aliases

    assert parse_aliases(["D_K=k", "M = C_in", "N=C_out"]) == {"D_K": k, "M": C_in, "N": C_out}
    assert parse_aliases(["N=C_out"], base={"N": N, "M": C_in}) == {"N": C_out, "M": C_in}
    assert parse_aliases(["h=2*H_out+1"]) == {"h": 2 * H_out + 1}
    for bad in ("D_K", "2x=k", "D_K=__import__('os')", "D_K=k^99", "lambda=1"):
        with pytest.raises(FormulaError):
            parse_aliases([bad])


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
