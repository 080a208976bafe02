"""A hostile sweep, bounded in time: the command line, claims given to check, network files, generated code and
the public API, each given input a careless or malicious user could write. Every outcome is a result or a
refusal in the documented form: for the CLI one line on stderr and exit 2, for the library a SymconvError or a
TypeError (generated functions: TypeError, ValueError or OverflowError), never a traceback, never a hang.

Each case is timed without signals (a check's own time bound uses the interval timer); the sweep as a whole
runs in well under a minute. docs/errors.md records what the sweep found.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv
from symconv import network as net
from symconv import variants
from symconv.check import Part, check_count, claim_expr
from symconv.cli import main
from symconv.codegen import NumericFunction, compile_functions, functions_for, generate_module, module_for
from symconv.errors import SymconvError
from symconv.parsing import parse_formula
from symconv.printing.network import render
from symconv.symbols import sym
from symconv.testing import assert_count, assert_equivalent
from symconv.verify import degree_bounds, direct_counts, verify, verify_layer

#: Seconds one case may take, on a machine other people share: a refusal is immediate, a check keeps to its
#: bound (given as 1 s here) and a result is a small layer's.
BOUND = 20.0


def timed(call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    try:
        return call()
    finally:
        assert time.perf_counter() - start < BOUND, "took longer than any bounded command may"


# --- the command line ----------------------------------------------------------------------------------------

VALUES = ["1", "3", "0", "-3", "10^30", "(10^30)^33", "(10^30)^11", "9" * 1001, "k^64*k^64", "1/2", "3.5", "1e10",
          "inf", "nan", "oo", "zoo", "abc", "max(k,3)", "C_out/g", "__import__('os').system('true')", "x" * 2000,
          "(" * 100 + "1" + ")" * 100, "\x1b[2J", "a\nb", "\u202e", "∞", r"\frac{1}{2}", "1/0", "2**2**2**2**2",
          "(a0+a1+a2+a3+a4+a5+a6+a7+a8+a9)^3", "lambda: 1", "%s{}"]
NAMES = ["N", "C_in", "C_out", "H_out", "H_in", "k_h", "k_w", "s_h", "p_h", "d_h", "g", "m", "b", "op_h", "kh",
         "C_inn", "alpha", "rho", "x", "é", "__class__", ""]
VARIANTS = [*variants.VARIANTS, "nope", "", "../etc"]
FORMULAS = ["2*N*C_in*k_h*k_w*H_out*W_out*C_out/g", "C_in*C_out*k_h*k_w", "C_inn*C_out", "k^64*k^64",
            "*".join(f"(C_in+{i})" for i in range(300)), "(" * 63 + "C_in" + ")" * 63, r"\frac{C_in}{g}",
            "C_in/0", "C_in^(10^30)", "floor(C_in/k_h)", "max(C_in, C_out)", "C_in <= 3", "f(C_in)",
            "C_in.__class__", "", "\x00", "α·β", "9" * 5000, r"\sum_{i=1}^{C_in} i", "|C_in|", "C_in!"]
OPTIONS = {
    "--dims": ["1", "2", "3", "0", "x"], "--convention": ["exact", "macs", "2macs", "performed", "fvcore", "x"],
    "--padding": ["valid", "same", "full"], "--sizes": ["input", "output"], "--pass": ["forward", "backward"],
    "--grad": ["input", "weight,bias", "x", ""], "--format": ["text", "json", "latex", "markdown", "table"],
    "--steps": ["none", "full"], "--quantity": ["params", "flops", "macs", "buffers", "x"],
    "--samples": ["0", "2", "-1", "10001", "1e3", "9" * 30], "--seed": ["0", "-1", "9" * 50],
    "--versus": ["standard", "x"], "--free": ["C_in", "zz", ""], "--notation": ["mobilenet", "x"],
    "--syntax": ["text", "latex"], "--timeout": ["0.5", "1", "-1", "1e10", "inf", "nan", "x"],
    "--x": ["alpha=1/4:1", "alpha=1/4:1:10^30", "rho=1:2:0", "zz=1:2"], "--series": ["rho=1,6/7", "zz=1"],
    "--input": ["1,3,224,224", "x", "1,3,0,0", "(1,3,10**30,10**30)"], "--unknown": ["error", "count"],
    "--let": ["A=C_in*C_out", "x", "=3"],
}
FLAGS = ["--bias", "--no-bias", "--memory", "--grid", "--difference", "--tools"]
COMMANDS = {
    "derive": ["--dims", "--convention", "--padding", "--sizes", "--set", "--pass", "--grad", "--format", "--steps",
               "--quantity"],
    "verify": ["--dims", "--padding", "--sizes", "--set", "--pass", "--samples", "--seed", "--format"],
    "codegen": ["--dims", "--convention", "--padding", "--sizes", "--set", "--pass"],
    "compare": ["--dims", "--padding", "--set", "--format", "--quantity"],
    "symbols": ["--dims"],
    "check": ["--quantity", "--versus", "--dims", "--set", "--let", "--free", "--notation", "--syntax", "--timeout",
              "--format"],
    "net": ["--set", "--convention", "--format", "--x", "--series", "--quantity"],
    "torch": ["--input", "--set", "--unknown"],
    "explain": ["--input", "--set", "--padding"],
}


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    """An argument list of one command: its positionals, then hostile options and flags in any order."""
    command = draw(st.sampled_from(sorted(COMMANDS)))
    argv = [command]
    if command in ("derive", "verify", "codegen"):
        argv.append(draw(st.sampled_from(VARIANTS)))
    elif command == "compare":
        argv += draw(st.lists(st.sampled_from(VARIANTS), min_size=2, max_size=2))
    elif command == "check":
        argv += [draw(st.sampled_from(FORMULAS + VALUES)), "--variant", draw(st.sampled_from(VARIANTS))]
    elif command in ("net", "explain"):
        argv.append(draw(st.sampled_from(["mobilenet_v1", "/dev/zero", "/dev/null", "/nonexistent", "/", "x" * 300])))
        argv += ["1e9", draw(st.sampled_from(["569M", "-1", "inf", "9" * 5000]))] if command == "explain" else []
    elif command == "torch":
        argv.append(draw(st.sampled_from(["nope", "/nonexistent.py", "/dev/zero", ":", "x" * 300])))
    for _ in range(draw(st.integers(0, 4))):
        option = draw(st.sampled_from([*COMMANDS[command], *FLAGS]))
        if option in FLAGS:
            argv.append(option)
        elif option == "--set":
            argv += [option, draw(st.sampled_from(NAMES)) + draw(st.sampled_from(["=", ":", ""]))
                     + draw(st.sampled_from(VALUES))]
        else:
            argv += [option, draw(st.sampled_from(OPTIONS[option]))]
    # A verify samples little and a check keeps to a short bound: the sweep times refusals, not long proofs.
    argv += ["--samples", "2"] if command == "verify" else ["--timeout", "1"] if command == "check" else []
    return argv


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = timed(lambda: main(argv))
        except SystemExit as exit_:  # argparse's own refusals
            status = exit_.code if isinstance(exit_.code, int) else 2
    return status, err.getvalue()


def assert_result_or_one_line(argv: list[str]) -> None:
    status, err = run(argv)
    assert status in (0, 1, 2, 3), (argv, status)
    assert "Traceback" not in err, (argv, err)
    if status == 2:
        assert err.count("\n") == 1 and " error: " in err and err.startswith("symconv"), (argv, err)
        assert "\x1b" not in err, (argv, err)


@settings(max_examples=150, deadline=None)
@given(argvs())
def test_every_command_line_is_a_result_or_one_line_and_exit_2(argv):
    assert_result_or_one_line(argv)


@pytest.mark.parametrize("argv", [
    ["derive", "standard", *(f"--set={n}=(10^30)^33" for n in ("N", "C_in", "C_out", "k_h", "k_w"))],
    ["check", "k^64*k^64", "--variant", "standard", "--quantity", "params"],
    ["verify", "spatial-separable", "--padding", "same", "--samples", "0"],
    ["verify", "standard", "--padding", "valid", "--set", "H_in=2", "--samples", "2"],
    ["net", "mobilenet_v1", "--x", "alpha=1/4:1:10^30", "--plot", "/nonexistent/p.png"],
    ["net", "mobilenet_v1", "--set", "alpha=abc"],
    ["check", "C_in*C_out", "--variant", "standard", "--quantity", "params", "--set", "N=1", "--set", "N=2"],
], ids=lambda argv: " ".join(argv)[:60])
def test_the_issue_s_command_lines(argv):
    assert_result_or_one_line(argv)


# --- claims given to check -----------------------------------------------------------------------------------

PIECES = ["C_in", "C_out", "k_h", "g", "N", "C_inn", "x", "2", "0", "10^30", "(10^30)^33", "k^64", "1/0", "nan",
          "oo", "floor(", "max(", ",", ")", "(", "*", "/", "^", "+", "-", "!", "|", "=", "<", r"\frac{", "}", "{",
          "__import__", "'", "\\", " ", "\x1b", "\u202e", "α", "·", "√"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join) | st.text(max_size=60),
       st.sampled_from(["params", "flops", "macs"]), st.sampled_from(["standard", "grouped", "transposed"]))
def test_hostile_formulas_are_a_verdict_or_a_documented_refusal(formula, quantity, variant):
    try:
        verdict = timed(lambda: check_count(formula, variant, quantity, timeout=1.0))
    except (SymconvError, TypeError) as error:
        assert "\n" not in str(error)
        return
    assert verdict.status in ("holds", "fails", "undecided")


# --- network files -------------------------------------------------------------------------------------------

def toml(value: Any) -> str:
    """A value as TOML (inline arrays and tables, strings as JSON writes them, which TOML reads alike)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else {float("inf"): "inf", float("-inf"): "-inf"}.get(value, repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value) if isinstance(value, str) else str(value)


def network_text(header: dict[str, Any], layers: list[dict[str, Any]]) -> str:
    lines = ["[network]", *(f"{json.dumps(k)} = {toml(v)}" for k, v in header.items()), "[symbols]",
             'a = "a width"']
    for layer in layers:
        lines += ["[[layer]]", *(f"{json.dumps(k)} = {toml(v)}" for k, v in layer.items())]
    return "\n".join(lines) + "\n"


HOSTILE = st.one_of(
    st.sampled_from([True, -3, 0, 10**30, 10**400, 2**63, 1.5, float("nan"), float("inf"), "", "x", "10^30",
                     "(10^30)^33", "__import__('os').system('true')", "\x1b[2J\x07", "a\nb", "é∞", "9" * 1001,
                     [], [1] * 5000, {}, "relu", "conv", "a", "1/0", "-1/2", "input", ["input", "input"]]),
    st.recursive(st.integers(-3, 5), lambda inner: st.lists(inner, max_size=2) | st.dictionaries(
        st.sampled_from(["a", "type"]), inner, max_size=1), max_leaves=40),
    st.text(max_size=30),
)
FIELDS = ["type", "out", "kernel", "stride", "padding", "groups", "repeat", "inputs", "input", "name", "dims",
          "bias", "bogus", "function", "block"]


@st.composite
def network_files(draw: st.DrawFn) -> str:
    header: dict[str, Any] = {"name": "t", "input": {"channels": 3, "size": [8, 8]}}
    layers = [{"type": "conv", "out": "4*a", "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
              {"type": "maxpool", "kernel": 2}, {"type": "linear", "out": 10}]
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            layer = layers[draw(st.integers(0, len(layers) - 1))]
            layer[draw(st.sampled_from(FIELDS))] = draw(HOSTILE)
        else:
            header[draw(st.sampled_from(["batch", "name", "input", "rounding", "title", "bogus"]))] = draw(HOSTILE)
    return network_text(header, layers)


@settings(max_examples=200, deadline=None)
@given(network_files(), st.sampled_from([{}, {"a": 1}, {"a": "1/2"}, {"a": 10**30}]),
       st.sampled_from(["table", "json", "markdown", "latex"]))
def test_hostile_network_files_are_counted_or_refused_in_one_line(text, values, fmt):
    try:
        timed(lambda: render(net.analyse(net.loads(text, "hostile.toml"), values), fmt))
    except SymconvError as error:
        assert "\n" not in str(error) and str(error).startswith("hostile.toml"), str(error)


# --- generated code ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated() -> dict[str, Callable[..., Any]]:
    functions = {}
    for variant, sizes in (("grouped", "input"), ("separable", "output"), ("spatial-separable", "input")):
        compiled = compile_functions(functions_for(symconv.derive(variants.make(variant, 2), sizes=sizes)))
        functions |= {f"{variant} {name}": f for name, f in compiled.items()}
    return functions


ARRAYS = st.sampled_from([
    3, 0, -1, 2**63, 10**30, 1.0, float("nan"), True, None, "3", 3 + 0j, sympy.Integer(3), np.int64(3),
    np.uint64(2**64 - 1), np.float32(3), np.array(3), np.array([]), np.zeros((0, 3), np.int64), np.array([3, 4]),
    np.array([3, 4, 5]), np.array([[3], [4]]), np.array([3.0, np.nan]), np.array([3, 4], np.int8),
    np.array([3, 4], bool), np.array(["3", "4"]), np.array([3, None], object), np.array([3, 10**30], object),
    np.ma.array([3, 4], mask=[False, True]), np.full(3, 2**40), [3, 4], np.datetime64("2020"),
]) | st.integers(1, 9)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_generated_functions_given_hostile_arrays_raise_documented_types(generated, data):
    function = generated[data.draw(st.sampled_from(sorted(generated)))]
    names = function.__code__.co_varnames[: function.__code__.co_kwonlyargcount]
    call = {name: data.draw(ARRAYS, label=name) for name in names}
    try:
        result = timed(lambda: function(**call))
    except (TypeError, ValueError, OverflowError) as error:
        assert "\n" not in str(error)
        return
    assert isinstance(result, int | np.ndarray)


# --- the public API ------------------------------------------------------------------------------------------

JUNK = [None, True, 0, -1, 10**50, 1.5, float("nan"), 3 + 4j, "", "x", "C_inn", "__import__('os').system('true')",
        "1/0", "9" * 5000, "\x1b[2J\n", b"bytes", [], [1, 2], (), {}, {"kh": 3}, {"C_in": -3}, {"C_in": "abc"},
        {"N": 10**50}, {1: 2}, object(), sympy.oo, sympy.nan, sympy.zoo, sympy.I, sympy.Rational(1, 2),
        sympy.Symbol("x"), sym("C_in") / 0, sympy.floor(sympy.Symbol("x")), np.array([1, 2]), np.int64(3),
        range(10**9), lambda *args, **kwargs: 1, int]
LAYER = variants.standard(1, bias=False)
DERIVATION = symconv.derive(LAYER)
NETWORK = net.builtin("mobilenet_v1")


def api_calls(j: Callable[[], Any]) -> dict[str, Callable[[], Any]]:
    """Every public entry point, ``j()`` one junk value each time it is called."""
    return {
        "derive": lambda: symconv.derive(j()),
        "derive convention": lambda: symconv.derive(LAYER, j()),
        "derive sizes": lambda: symconv.derive(LAYER, sizes=j()),
        "compare": lambda: symconv.compare(DERIVATION, j()),
        "compare kind": lambda: symconv.compare(DERIVATION, DERIVATION, kind=j(), quantities=j()),
        "sym": lambda: symconv.sym(j()),
        "variant values": lambda: variants.make("grouped", 2, {"C_in": j(), "k_h": j()}),
        "variant": lambda: variants.make(j(), j(), j()),
        "variant padding": lambda: variants.spatial_separable(2, padding=j()),
        "verify_layer": lambda: verify_layer(LAYER, samples=j()),
        "verify_layer seed": lambda: verify_layer(LAYER, samples=1, seed=j(), sizes=j()),
        "verify_layer pass": lambda: verify_layer(LAYER, samples=1, pass_=j(), grad=j()),
        "verify_layer progress": lambda: verify_layer(LAYER, samples=1, progress=j()),
        "verify": lambda: verify(j(), samples=1),
        "verify grid": lambda: verify(DERIVATION, samples=1, grid=j()),
        "degree_bounds": lambda: degree_bounds(j()),
        "direct_counts": lambda: direct_counts(j()),
        "analyse": lambda: net.analyse(j()),
        "analyse values": lambda: net.analyse(NETWORK, j()),
        "analyse value": lambda: net.analyse(NETWORK, {"alpha": j()}, j()),
        "loads": lambda: net.loads(j(), j()),
        "load": lambda: net.load(j()),
        "builtin": lambda: net.builtin(j()),
        "Rounding": lambda: net.Rounding(j(), j(), j()),
        "Conv2d": lambda: net.Conv2d(j(), j(), j()),
        "MaxPool": lambda: net.MaxPool(j(), j(), j()),
        "Linear": lambda: net.Linear(j(), j()),
        "Counts flops": lambda: net.Counts(macs=j()).flops(j()),
        "Shape": lambda: net.Shape(j(), j()),
        "NumericFunction": lambda: generate_module([NumericFunction(j(), j(), j())], title=j()),
        "compile_functions": lambda: compile_functions([NumericFunction("f", j())]),
        "functions_for": lambda: functions_for(j()),
        "module_for": lambda: module_for(j()),
        "check_count": lambda: check_count(j(), "standard", "params", timeout=1.0),
        "check_count options": lambda: check_count("C_in", j(), j(), bias=j(), dims=j(), timeout=1.0),
        "check_count values": lambda: check_count("C_in", "standard", "params", values=j(), parts=j(), timeout=1.0),
        "check_count setting": lambda: check_count("C_in", "standard", "params", setting=j(), syntax=j(),
                                                   timeout=1.0),
        "check_count timeout": lambda: check_count("C_in", "standard", "params", timeout=j()),
        "claim_expr": lambda: claim_expr(j(), aliases=j(), values=j()),
        "parse_formula": lambda: parse_formula(j(), syntax=j()),
        "assert_count": lambda: assert_count(j(), "standard", "params", timeout=1.0),
        "assert_count when": lambda: assert_count("C_in", "standard", "params", when=j(), values=j(), timeout=1.0),
        "assert_equivalent": lambda: assert_equivalent(j(), j(), aliases=j(), values=j(), timeout=1.0),
    }


def assert_documented(label: str, call: Callable[[], Any]) -> None:
    try:
        timed(call)
    except AssertionError:
        if not label.startswith("assert_"):  # the assertions' own failures are what they are for
            raise
    except (SymconvError, TypeError):
        pass
    except Exception as error:  # pragma: no cover - the failure names the call
        pytest.fail(f"{label} raised {type(error).__name__}: {error}")


@settings(max_examples=800, deadline=None)
@given(st.data())
def test_the_public_api_given_junk_raises_documented_types(data):
    calls = api_calls(lambda: data.draw(st.sampled_from(JUNK)))
    label = data.draw(st.sampled_from(sorted(calls)), label="call")
    assert_documented(label, calls[label])


@pytest.mark.parametrize(("label", "call", "raised"), [
    ("a name for a layer", lambda: symconv.derive("standard"), TypeError),
    ("an array for sizes", lambda: symconv.derive(LAYER, sizes=np.array([1, 2])), SymconvError),
    ("a number to compare with", lambda: symconv.compare(DERIVATION, 3), TypeError),
    ("text for values", lambda: variants.standard(2, "k_h=3"), TypeError),
    ("an array for a padding mode", lambda: variants.spatial_separable(2, padding=np.array([1, 2])), TypeError),
    ("a floor for a multiplier", lambda: variants.depthwise(2, {"m": sympy.floor(sympy.Symbol("x"))}), None),
    ("a number to verify", lambda: verify(3), TypeError),
    ("an array for verify's sizes", lambda: verify_layer(LAYER, samples=1, sizes=np.array([1, 2])), SymconvError),
    ("an array for progress", lambda: verify_layer(LAYER, samples=1, progress=np.array([1, 2])), TypeError),
    ("a dict for degree bounds", lambda: degree_bounds({}), TypeError),
    ("text for direct counts", lambda: direct_counts("standard"), TypeError),
    ("a name for a network", lambda: net.analyse("mobilenet_v1"), TypeError),
    ("an array for a network's values", lambda: net.analyse(NETWORK, np.array([1, 2])), TypeError),
    ("a dict for a network's text", lambda: net.loads({}), TypeError),
    ("an array for a built-in's name", lambda: net.builtin(np.array([1, 2])), TypeError),
    ("an array for a rounding rule", lambda: net.Rounding(np.array([1, 2])), SymconvError),
    ("a range of 10^9 kernels", lambda: net.Conv2d(3, range(10**9)), SymconvError),
    ("a range of 10^9 pooling windows", lambda: net.MaxPool(range(10**9)), SymconvError),
    ("a range of 10^9 sizes", lambda: net.Shape(3, range(10**9)), SymconvError),
    ("text for a check's values", lambda: check_count("C_in", "standard", "params", values="k_h=3"), TypeError),
    ("a number for a check's setting", lambda: check_count("C_in", "standard", "params", setting=3), TypeError),
    ("text for a check's parts", lambda: check_count("C_in", None, "params", parts=("standard",)), TypeError),
    ("text for aliases", lambda: assert_equivalent("C_in", "C_in", aliases="A=1"), TypeError),
    ("an unknown syntax", lambda: parse_formula("C_in", syntax="python"), SymconvError),
    ("an array for a syntax", lambda: parse_formula("C_in", syntax=np.array([1, 2])), SymconvError),
    ("a network layer that reads no input",
     lambda: net.analyse(net.loads(network_text({"name": "t", "input": {"channels": 3, "size": [8, 8]}},
                                               [{"type": "relu", "inputs": []}]), "t.toml")), SymconvError),
    ("an array for a condition", lambda: assert_count("C_in", "standard", "params", when=np.array([1, 2])),
     TypeError),
], ids=lambda value: value if isinstance(value, str) else "")
def test_bad_arguments_found_by_the_sweep(label, call, raised):
    start = time.perf_counter()
    if raised is None:
        call()
    else:
        with pytest.raises(raised):
            call()
    assert time.perf_counter() - start < 2


def test_a_part_must_be_a_part():
    assert check_count("C_in*C_out*k_h*k_w", None, "params", parts=(Part("standard", {"b": 0}),)).summary == "holds"

