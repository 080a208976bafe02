"""symconv.codegen.derivation: the functions and the module of a derivation, for every variant. The functions
give the derived values; the modules are recorded in tests/golden/codegen/ and compared byte for byte, and
each recorded module is imported from its file and run against the closed forms evaluated by SymPy.

``pytest --update-golden tests/test_codegen_derivation.py`` records them again after an intended change."""

from __future__ import annotations

import doctest
import importlib.util
import inspect
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy
from golden import ROOT
from hypothesis import given, settings
from strategies import numeric_layers

from symconv import variants
from symconv.cli import main
from symconv.codegen import compile_functions, functions_for, module_for
from symconv.derive import derive
from symconv.quantities import LAYER


@settings(max_examples=40)
@given(numeric_layers())
def test_generated_functions_equal_the_derived_values(case):
    variant, dims, values, layer = case
    given_values = None
    if variant == "transposed":  # generated with the geometry set, the channels and batch symbolic
        given_values = {k: v for k, v in values.items() if k not in ("N", "C_in", "C_out", "g", "m", "b")}
    symbolic = variants.make(variant, dims, given_values)
    functions = compile_functions(functions_for(derive(symbolic)))
    numeric = derive(layer)
    args = dict(values)
    for before, after in zip(symbolic.stages, layer.stages, strict=True):
        args |= {str(s): int(v) for s, v in zip(before.conv.out_size, after.conv.out_size, strict=True)
                 if isinstance(s, sympy.Symbol)}
    for name in LAYER:
        f = functions[name]
        wanted = {p: args[p] for p in f.__code__.co_varnames[: f.__code__.co_kwonlyargcount]}
        assert f(**wanted) == numeric.value(name), name
        # The same through arrays: a column of the same configuration, and int64 all the way.
        if not wanted:
            continue  # a constant (a transposed layer with its geometry set can add nothing): no array form
        column = {p: np.full(3, v, dtype=np.int64) for p, v in wanted.items()}
        assert f(**column).tolist() == [numeric.value(name)] * 3
    for j, a in enumerate(layer.stages[0].conv.axes):
        if f"{a.upper()}_out" not in functions:
            continue  # set, as the transposed layer's geometry is
        size = functions[f"{a.upper()}_out"]
        wanted = {p: values[p] for p in size.__code__.co_varnames[: size.__code__.co_kwonlyargcount]}
        assert size(**wanted) == layer.stages[0].conv.out_size[j]


def test_generated_functions_stay_exact_beyond_int64():
    flops = compile_functions(functions_for(derive(variants.standard(2))))["flops"]
    big = dict(N=10**6, C_in=10**5, C_out=10**5, H_out=10**4, W_out=10**4, k_h=11, k_w=11, b=0)
    exact = big["N"] * big["C_out"] * big["H_out"] * big["W_out"] * (2 * big["C_in"] * 121 - 1)
    assert flops(**big) == exact
    result = flops(**{k: np.array([v, 1]) for k, v in big.items()})
    assert result[0] == exact and result.dtype == object
    with pytest.raises(ValueError):
        flops(**{**big, "C_in": -1})
    with pytest.raises(TypeError):
        flops(**{**big, "C_in": 2.0})
    with pytest.raises(ValueError, match="C_in"):
        compile_functions(functions_for(derive(variants.grouped(2))))["params"](
            C_in=6, C_out=8, k_h=3, k_w=3, g=4, b=0)


# --- the golden modules -------------------------------------------------------------------------------------


# A transposed convolution is generated with its geometry set: its landed products are piecewise in it.
GEOMETRY = {"H_in": 5, "W_in": 4, "k_h": 3, "k_w": 2, "s_h": 2, "s_w": 1, "p_h": 1, "p_w": 0, "d_h": 1, "d_w": 2,
            "op_h": 1, "op_w": 0}


CASES = {  # golden file -> (variant, bias, values given with --set)
    **{name.replace("-", "_"): (name, False, GEOMETRY if name == "transposed" else {})
       for name in sorted(variants.VARIANTS)},
    "standard_bias": ("standard", True, {}),
}


# Sizes that make every defined quotient whole (g divides C_in and C_out); the last is far beyond int64.
CONFIGS = [
    {"N": 1, "C_in": 4, "C_out": 6, "g": 2, "m": 1, "H_in": 9, "W_in": 7, "H_out": 5, "W_out": 7, "k_h": 3,
     "k_w": 1, "s_h": 2, "s_w": 1, "p_h": 1, "p_w": 0, "d_h": 1, "d_w": 1},
    {"N": 8, "C_in": 64, "C_out": 128, "g": 4, "m": 2, "H_in": 56, "W_in": 56, "H_out": 28, "W_out": 52,
     "k_h": 5, "k_w": 3, "s_h": 2, "s_w": 1, "p_h": 2, "p_w": 0, "d_h": 1, "d_w": 2},
    {"N": 3, "C_in": 30, "C_out": 15, "g": 15, "m": 3, "H_in": 1, "W_in": 12, "H_out": 1, "W_out": 3,
     "k_h": 1, "k_w": 7, "s_h": 1, "s_w": 3, "p_h": 0, "p_w": 3, "d_h": 3, "d_w": 1},
]


HUGE = {"N": 10**6, "C_in": 2**24, "C_out": 2**24, "g": 2, "m": 7, "H_in": 10**5, "W_in": 10**5,
        "H_out": 10**5, "W_out": 10**5, "k_h": 11, "k_w": 11, "s_h": 1, "s_w": 1, "p_h": 5, "p_w": 5,
        "d_h": 1, "d_w": 1}


def argv(case: str) -> list[str]:
    variant, bias, values = CASES[case]
    return ["codegen", variant, "--bias" if bias else "--no-bias", "--dims", "2",
            *(f"--set={name}={value}" for name, value in values.items())]


def load(case: str):
    path = ROOT / "codegen" / f"{case}.py"
    spec = importlib.util.spec_from_file_location(f"golden_codegen_{case}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def closed_forms(case: str) -> dict[str, sympy.Expr]:
    """Each function's closed form as the derivation states it: the counts, and the output-size relations."""
    variant, bias, values = CASES[case]
    derivation = derive(variants.make(variant, 2, values, bias=bias))
    first = derivation.layer.stages[0].conv
    forms = {f"{a.upper()}_out": first.relation(axis) for axis, a in enumerate(first.axes)}
    return forms | {name: derivation.quantities[name] for name in LAYER}


def sympy_value(expr: sympy.Expr, values: dict[str, int]) -> int:
    value = expr.xreplace({s: sympy.Integer(values[s.name]) for s in expr.free_symbols})
    assert value.is_Integer, value
    return int(value)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_generated_module_is_its_golden_file(capsys, golden, case):
    assert main(argv(case)) == 0
    source = capsys.readouterr().out
    variant, bias, values = CASES[case]
    assert source == module_for(derive(variants.make(variant, 2, values, bias=bias)))
    golden(f"codegen/{case}.py", source)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_golden_module_runs_and_equals_the_closed_forms(case):
    module = load(case)
    forms = closed_forms(case)
    assert set(module.__all__) >= set(LAYER)
    failures, tried = doctest.testmod(module)
    assert failures == 0 and tried == len(module.__all__)
    for name in module.__all__:
        function = getattr(module, name)
        parameters = list(inspect.signature(function).parameters)
        assert {s.name for s in forms[name].free_symbols} <= set(parameters), name
        for values in [*CONFIGS, HUGE]:
            assert function(**{p: values[p] for p in parameters}) == sympy_value(forms[name], values), (name, values)
        if not parameters:
            continue
        columns = {p: np.array([values[p] for values in CONFIGS]) for p in parameters}
        result = function(**columns)
        assert result.dtype == np.int64
        assert result.tolist() == [sympy_value(forms[name], values) for values in CONFIGS]
        huge = function(**{p: np.array([CONFIGS[0][p], HUGE[p]]) for p in parameters})
        assert huge.tolist() == [sympy_value(forms[name], values) for values in (CONFIGS[0], HUGE)]


def test_every_golden_module_has_a_case():
    assert sorted(path.stem for path in (ROOT / "codegen").glob("*")) == sorted(CASES)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_the_golden_modules_pass_ruff():
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    ruff = [shutil.which("ruff"), "check", "--no-cache", "--config", str(pyproject), str(ROOT / "codegen")]
    run = subprocess.run(ruff, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout


def test_a_golden_module_needs_numpy_only():
    # A fresh interpreter where symconv cannot be imported runs a recorded module.
    script = "; ".join([
        "import runpy, sys",
        "sys.modules['symconv'] = None",
        f"m = runpy.run_path({str(ROOT / 'codegen' / 'grouped.py')!r})",
        "print(m['params'](C_in=4, C_out=6, k_h=3, k_w=3, g=2))",
    ])
    run = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout == f"{4 * 6 * 9 // 2}\n"
