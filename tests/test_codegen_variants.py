"""Generated modules for every variant: imported from a file and run, they give the derived counts."""

from __future__ import annotations

import ast
import importlib.util

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import numeric_layers

from symconv import variants
from symconv.cli import main
from symconv.codegen import compile_functions, functions_for, module_for
from symconv.derive import QUANTITIES, derive


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
    assert main(["codegen", variant, "--dims", str(dims)]) == 0
    source = capsys.readouterr().out
    assert source == module_for(derive(variants.make(variant, dims)))
    imports = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert [alias.name for node in imports for alias in node.names] == ["numpy"]
    module = load(tmp_path, f"gen_{variant}_{dims}", source)
    assert set(module.__all__) >= set(QUANTITIES)


@settings(max_examples=40)
@given(numeric_layers())
def test_generated_functions_equal_the_derived_values(case):
    variant, dims, values, layer = case
    functions = compile_functions(functions_for(derive(variants.make(variant, dims))))
    numeric = derive(layer)
    args = dict(values)
    for stage in layer.stages[:1]:
        args |= {f"{a.upper()}_out": int(stage.conv.out_size[j]) for j, a in enumerate(stage.conv.axes)}
    for name in QUANTITIES:
        f = functions[name]
        wanted = {p: args[p] for p in f.__code__.co_varnames[: f.__code__.co_kwonlyargcount]}
        assert f(**wanted) == numeric.value(name), name
        # The same through arrays: a column of the same configuration, and int64 all the way.
        column = {p: np.full(3, v, dtype=np.int64) for p, v in wanted.items()}
        assert f(**column).tolist() == [numeric.value(name)] * 3
    for j, a in enumerate(layer.stages[0].conv.axes):
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
