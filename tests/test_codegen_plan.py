"""symconv.codegen.plan: what one generated function needs: its arguments in order, its definitions checked,
the cheapest form of its closed form."""

from __future__ import annotations

import pytest
import sympy
from test_codegen_module import FLOPS, GROUPED, TITLE

from symconv.codegen import Definition, NumericFunction, generate_module
from symconv.errors import SymconvError
from symconv.symbols import new_symbol, sym

N, C_in, C_out, g, b, C_in_g = map(sym, ["N", "C_in", "C_out", "g", "b", "C_in_g"])
H_in, H_out, W_out, k_h, k_w, s_h, p_h, d_h = map(
    sym, ["H_in", "H_out", "W_out", "k_h", "k_w", "s_h", "p_h", "d_h"]
)
k = new_symbol("k")


def test_arguments_follow_the_documented_order_then_the_alphabet():
    alpha = new_symbol("alpha")
    function = NumericFunction("f", k * b + N * alpha * W_out + C_in_g, definitions=())
    assert function.parameters == ("N", "W_out", "b", "C_in_g", "alpha", "k")
    assert FLOPS.parameters == ("N", "C_in", "C_out", "H_out", "W_out", "k_h", "k_w", "b")
    assert GROUPED.parameters == ("N", "C_in", "C_out", "H_out", "W_out", "k_h", "k_w", "g", "b")


def test_bad_definitions_and_duplicates_are_refused():
    half = new_symbol("half")
    misordered = (Definition(half, C_in_g, 2), Definition(C_in_g, C_in, g))
    with pytest.raises(SymconvError, match="defined after it"):
        generate_module(
            [NumericFunction("f", half, definitions=misordered)],
            title="bad",
        )
    with pytest.raises(SymconvError, match="in terms of itself"):
        generate_module([NumericFunction("f", half, definitions=(Definition(half, half, 2),))], title="bad")
    with pytest.raises(SymconvError, match="two functions are called 'f'"):
        generate_module([NumericFunction("f", C_in), NumericFunction("f", C_out)], title="bad")
    with pytest.raises(SymconvError, match="divides by 0"):
        generate_module([NumericFunction("f", half, definitions=(Definition(half, C_in, 0),))], title="bad")


def test_an_expanded_closed_form_is_evaluated_factored():
    expanded = NumericFunction("flops", sympy.expand(FLOPS.expr))
    source = generate_module([expanded], title=TITLE)
    kernel = source[source.index("def _flops_int64") : source.index("_flops_spec =")]
    assert kernel.count("_np.") == 9 and "_t1" not in kernel
