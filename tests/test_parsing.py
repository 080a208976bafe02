"""symconv.parsing: user formulas, in text and in LaTeX, read into SymPy without ever running them; and nothing
a user wrote is executed anywhere in the package: every string the library takes is read by symconv.parsing."""

from __future__ import annotations

import ast
import builtins
import contextlib
import pathlib
import re
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv
from symconv import parsing
from symconv.codegen import NumericFunction
from symconv.errors import FormulaError, SymconvError, UnknownSymbolError
from symconv.network import builtin, count
from symconv.network.layers import Counts
from symconv.network.plot import points
from symconv.parsing import parse_formula, parse_latex, parse_text
from symconv.symbols import new_symbol, sym

C_in, C_out, H_in, H_out, W_out, N = (sym(n) for n in ("C_in", "C_out", "H_in", "H_out", "W_out", "N"))
k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))


# --- hostile input and fuzzing: read or refused, quickly, in one line ---------------------------------------


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


def test_decimals_are_exact() -> None:
    for parse in (parse_text, parse_latex):
        result = parse("0.1 k + 0.25")
        assert result == k / 10 + sympy.Rational(1, 4)
        assert not result.atoms(sympy.Float)


# --- the parser never evaluates and knows nothing of papers -------------------------------------------------


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


# --- nothing a user wrote is executed, anywhere in the package ----------------------------------------------


RUNS_A_COMMAND = "__import__('os').system('touch /tmp/symconv-was-here')"
PACKAGE = pathlib.Path(symconv.__file__).parent


@pytest.fixture(autouse=True)
def _nothing_ran():
    marker = pathlib.Path("/tmp/symconv-was-here")
    marker.unlink(missing_ok=True)
    yield
    assert not marker.exists(), "a user string ran as code"


def test_a_numeric_function_reads_its_closed_form_with_the_safe_parser():
    with pytest.raises(SymconvError):
        NumericFunction("f", RUNS_A_COMMAND)
    assert str(NumericFunction("f", "2*k + 1").expr) == "2*k + 1"


def test_counts_and_plot_points_read_strings_with_the_safe_parser():
    with pytest.raises(SymconvError):
        Counts(macs=RUNS_A_COMMAND).flops("macs")  # type: ignore[arg-type]
    analysis = count(builtin("mobilenet_v1"), {"rho": 1}, "macs")
    with pytest.raises(SymconvError):
        points(analysis, "flops", ("alpha", ["1"]), ("rho", [RUNS_A_COMMAND]))


def test_the_package_never_calls_sympify_eval_or_exec_on_text():
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("sympify", "eval", "exec", "parse_expr", "S"):
                    calls.append(f"{path.relative_to(PACKAGE)} {name}")
    # The one exec compiles a module symconv generated itself from checked SymPy trees (symconv.codegen).
    assert calls == ["codegen/module.py exec"]
