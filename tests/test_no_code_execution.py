"""Nothing a user wrote is ever executed: every string the library takes is read by symconv.parsing."""

from __future__ import annotations

import ast
import pathlib

import pytest

import symconv
from symconv.codegen import NumericFunction
from symconv.errors import SymconvError
from symconv.network import builtin, count
from symconv.network.layers import Counts
from symconv.network.plot import points

HOSTILE = "__import__('os').system('touch /tmp/symconv-was-here')"
PACKAGE = pathlib.Path(symconv.__file__).parent


@pytest.fixture(autouse=True)
def _nothing_ran():
    marker = pathlib.Path("/tmp/symconv-was-here")
    marker.unlink(missing_ok=True)
    yield
    assert not marker.exists(), "a user string ran as code"


def test_a_numeric_function_reads_its_closed_form_with_the_safe_parser():
    with pytest.raises(SymconvError):
        NumericFunction("f", HOSTILE)
    assert str(NumericFunction("f", "2*k + 1").expr) == "2*k + 1"


def test_counts_and_plot_points_read_strings_with_the_safe_parser():
    with pytest.raises(SymconvError):
        Counts(macs=HOSTILE).flops("macs")  # type: ignore[arg-type]
    analysis = count(builtin("mobilenet_v1"), {"rho": 1}, "macs")
    with pytest.raises(SymconvError):
        points(analysis, "flops", ("alpha", ["1"]), ("rho", [HOSTILE]))


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
