"""symconv.codegen.convert: what is not integer arithmetic, and names unusable in code, are refused."""

from __future__ import annotations

import pytest
import sympy

from symconv.codegen import NumericFunction, generate_module
from symconv.errors import SymconvError
from symconv.symbols import sym

N, C_in, C_out, g, b, C_in_g = map(sym, ["N", "C_in", "C_out", "g", "b", "C_in_g"])


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (C_in * C_out / 2, "coefficient 1/2"),
        (C_in * C_out / g, "not a positive integer power"),
        (sympy.Float(1.5) * C_in, "1.5"),
        (C_in + sympy.Rational(1, 2), "1/2 is not an integer"),
        (sympy.sin(C_in), "sin"),
        (sympy.Abs(C_in - C_out), "Abs"),
        (sympy.ceiling(C_in / g), "ceiling"),
        (sympy.Max(C_in, C_out), "Max"),
        (2**C_in, "not a positive integer power"),
        (sympy.Symbol("C_in") * C_in, "two different symbols are called 'C_in'"),
    ],
)
def test_closed_forms_outside_integer_arithmetic_are_refused(expr, message):
    with pytest.raises(SymconvError, match=message):
        generate_module([NumericFunction("f", expr)], title="bad")


@pytest.mark.parametrize("name", ["lambda", "_private", "2x", "max", "has space", ""])
def test_unusable_function_names_are_refused(name):
    with pytest.raises(SymconvError):
        generate_module([NumericFunction(name, C_in)], title="bad")
