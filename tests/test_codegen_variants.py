"""Generated modules for every variant: imported from a file and run, they give the derived counts."""

from __future__ import annotations

import ast
import importlib.util
import sys

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from strategies import numeric_layers

from symconv import variants
from symconv.cli import main
from symconv.codegen import compile_functions, functions_for, module_for
from symconv.derive import derive
from symconv.errors import SymconvError
from symconv.quantities import LAYER


def load(tmp_path, name: str, source: str):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_cli_codegen_module_imports_and_matches_the_derivation(tmp_path, capsys, variant, dims):
    if variant == "transposed":
        # The landed products of a transposed convolution are piecewise in its geometry: refused in one line.
        assert main(["codegen", variant, "--dims", str(dims)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "piecewise in the geometry" in err
        return
    assert main(["codegen", variant, "--dims", str(dims)]) == 0
    source = capsys.readouterr().out
    assert source == module_for(derive(variants.make(variant, dims)))
    imports = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import | ast.ImportFrom)]
    names = [alias.name for node in imports for alias in node.names]
    assert names[-1] == "numpy" and all(name in sys.stdlib_module_names for name in names[:-1])
    module = load(tmp_path, f"gen_{variant}_{dims}", source)
    assert set(module.__all__) >= set(LAYER)


def test_a_piecewise_count_is_refused_in_the_librarys_words_and_the_cli_names_its_flag(capsys):
    with pytest.raises(SymconvError, match=r"piecewise in the geometry \(ValidPairs\(H_in, ") as refused:
        functions_for(derive(variants.transposed(2)))
    message = str(refused.value)
    assert "--set" not in message and message.endswith("output padding of every axis numeric values")
    assert main(["codegen", "transposed", "--dims", "2"]) == 2
    assert capsys.readouterr().err == f"symconv: error: {message} with --set\n"


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
