"""symconv.codegen.embed: the copy of the runtime that every generated module embeds is the text of runtime.py
and of its entry in adapters.py, without annotations, and behaves as the modules do."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
from test_codegen_runtime import PRODUCT

from symconv.codegen import adapters, embed, runtime
from symconv.codegen.adapters import _evaluate


@pytest.mark.parametrize("quotient", [False, True])
def test_the_embedded_runtime_is_runtime_py_without_annotations(quotient):
    source = embed.runtime_source(quotient=quotient)
    tree = ast.parse(source)
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    expected = [
        node.name
        for module in (runtime, adapters)
        for node in ast.parse(inspect.getsource(module)).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and (quotient or node.name != "_divide")
    ]
    assert names == expected and "_divide" in runtime.__dict__ and "_evaluate" in expected
    for node in ast.walk(tree):
        assert not isinstance(node, ast.AnnAssign | ast.Import | ast.ImportFrom)
        if isinstance(node, ast.arg):
            assert node.annotation is None
        if isinstance(node, ast.FunctionDef):
            assert node.returns is None
    # Below each signature, the lines of the files as written (docstrings and comments too), less declarations.
    for module in (runtime, adapters):
        text = inspect.getsource(module)
        lines = text.splitlines()
        for function in (n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)):
            if function.name == "_divide" and not quotient:
                continue
            declarations = {n.lineno for n in function.body if isinstance(n, ast.AnnAssign) and n.value is None}
            body = range(function.body[0].lineno, function.end_lineno + 1)
            assert "\n".join(lines[i - 1] for i in body if i not in declarations) in source, function.name


def test_the_embedded_runtime_behaves_as_the_module():
    namespace: dict = {}
    exec("\n".join(embed.runtime_imports()), namespace)  # the imports a generated module writes
    exec(compile(embed.runtime_source(quotient=True), "<embedded runtime>", "exec"), namespace)
    product = namespace["_Function"](*(getattr(PRODUCT, slot) for slot in ("name", "parameters", "exact", "bounds",
                                                                         "int64")))
    for arguments in [(3, 4), (np.array([2**62, 1]), 2), (np.array([5, 6]), np.array([7, 8]))]:
        embedded = namespace["_evaluate"](product, arguments)
        assert np.asarray(embedded).tolist() == np.asarray(_evaluate(PRODUCT, arguments)).tolist()
    with pytest.raises(ValueError, match="C_in must not be negative, got -1 at index 1"):
        namespace["_evaluate"](product, (np.array([1, -1]), 2))


def test_annotations_are_removed_and_signatures_written_again():
    source = (
        "def f(\n    a: int, /, b: str = 'x', *args: int, c: list[int] | None = None, **rest: object\n) -> int:\n"
        "    x: int = a  # kept\n"
        "    y: list[int]\n"
        "    return x\n"
    )
    assert embed.unannotated(source) == "def f(a, /, b='x', *args, c=None, **rest):\n    x = a  # kept\n    return x\n"
    with pytest.raises(ValueError, match="a signature must end with ':' on the line before the body"):
        embed.unannotated("def f(x: int) -> int: return x\n")
