"""``symconv codegen`` (symconv.cli.codegen): a module for every variant, and a piecewise count refused with the
flag that makes it polynomial."""

from __future__ import annotations

import ast
import importlib.util
import sys

import pytest

from symconv import variants
from symconv.cli import main
from symconv.codegen import functions_for, module_for
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
