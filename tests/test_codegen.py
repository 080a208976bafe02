"""symconv.codegen as a whole, a hostile sweep of code generation bounded in time: names of any length give modules
that compile, bad arguments to the library raise its documented types (SymconvError for a bad value, TypeError for a
bad type), and generated functions called with junk raise TypeError, ValueError or OverflowError, never anything
else."""

from __future__ import annotations

import ast

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import identifiers, junk_arguments

from symconv import variants
from symconv.codegen import (
    Definition,
    NumericFunction,
    Requirement,
    compile_functions,
    functions_for,
    generate_module,
    module_for,
)
from symconv.derive import derive
from symconv.errors import SymconvError
from symconv.symbols import sym

C_in, C_in_g, g = sym("C_in"), sym("C_in_g"), sym("g")



@settings(max_examples=40, deadline=None)
@given(st.lists(identifiers(), min_size=3, max_size=3, unique=True), st.text(max_size=300), st.text(max_size=120))
def test_names_of_any_length_give_a_module_that_compiles(chosen, doc, meaning):
    function_name, first, second = chosen
    x, y = (sympy.Symbol(name, integer=True, positive=True) for name in (first, second))
    functions = [
        NumericFunction(function_name, 2 * x * y + 1 - sympy.floor((x + y) / 3), doc,
                        requires=(Requirement(x - y, meaning),)),
        NumericFunction(function_name[:150] + "_2", x**2 + y),
    ]
    source = generate_module(functions, title=doc or "t")
    ast.parse(source)
    compiled = compile_functions(functions)
    assert compiled[function_name](**{first: 5, second: 3}) == 2 * 15 + 1 - 8 // 3
    with pytest.raises(ValueError, match="must be >= 0"):
        compiled[function_name](**{first: np.array([5, 3]), second: np.array([3, 5])})


def test_an_88_character_name_is_wrapped_as_black_wraps_it():
    long = sympy.Symbol("a" * 88, integer=True, positive=True)
    source = generate_module([NumericFunction("f", 2 * long + 1)], title="t")
    ast.parse(source)
    assert f'    (\n        ("{"a" * 88}", "positive"),\n    ),\n' in source
    assert compile_functions([NumericFunction("f", 2 * long + 1)])["f"](**{"a" * 88: 4}) == 9


JUNK = [None, 1.5, b"x", [], [1], {}, object(), True, sympy.oo, sympy.nan, sympy.zoo, sympy.I, sympy.Float(2.0),
        sympy.Rational(1, 2), "", "_x", "lambda", "a" * 300, "C_in*", "__import__('os')", sympy.floor(C_in / 0)]


def library_calls(junk: object) -> list[tuple[str, object]]:
    return [
        ("name", lambda: generate_module([NumericFunction(junk, C_in)], title="t")),
        ("expr", lambda: generate_module([NumericFunction("f", junk)], title="t")),
        ("doc", lambda: generate_module([NumericFunction("f", C_in, junk)], title="t")),
        ("definitions", lambda: generate_module([NumericFunction("f", C_in, "", junk)], title="t")),
        ("definition", lambda: generate_module([NumericFunction("f", C_in, "", (junk,))], title="t")),
        ("requires", lambda: generate_module([NumericFunction("f", C_in, "", (), junk)], title="t")),
        ("requirement", lambda: generate_module([NumericFunction("f", C_in, "", (), (junk,))], title="t")),
        ("Definition", lambda: Definition(junk, C_in, 2)),
        ("numerator", lambda: generate_module(
            [NumericFunction("f", C_in_g, "", (Definition(C_in_g, junk, 2),))], title="t")),
        ("denominator", lambda: generate_module(
            [NumericFunction("f", C_in_g, "", (Definition(C_in_g, C_in, junk),))], title="t")),
        ("Requirement", lambda: generate_module([NumericFunction("f", C_in, requires=(Requirement(junk),))],
                                                title="t")),
        ("meaning", lambda: Requirement(C_in - 2, junk)),
        ("functions", lambda: generate_module(junk, title="t")),
        ("function", lambda: generate_module([junk], title="t")),
        ("title", lambda: generate_module([NumericFunction("f", C_in)], title=junk)),
        ("compile_functions", lambda: compile_functions(junk)),
        ("functions_for", lambda: functions_for(junk)),
        ("module_for", lambda: module_for(junk)),
    ]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_bad_arguments_raise_the_documented_types(junk):
    for label, call in library_calls(junk):
        try:
            call()
        except (SymconvError, TypeError):
            pass
        except Exception as error:  # pragma: no cover - the failure message names the call
            pytest.fail(f"{label} with {junk!r} raised {type(error).__name__}: {error}")


@pytest.fixture(scope="module")
def grouped():
    return compile_functions(functions_for(derive(variants.grouped(2), sizes="input")))




@settings(max_examples=300, deadline=None)
@given(st.data())
def test_generated_functions_called_with_junk_raise_documented_types(grouped, data):
    function = grouped[data.draw(st.sampled_from(sorted(grouped)), label="function")]
    arguments = function.__code__.co_varnames[: function.__code__.co_kwonlyargcount]
    call = {name: data.draw(junk_arguments(), label=name) for name in arguments}
    try:
        result = function(**call)
    except (TypeError, ValueError, OverflowError):
        return
    assert isinstance(result, int | np.ndarray)
