"""A claim's names: the user's own SymPy symbols read by name, functions and numbers as claims, and typos
refused instead of turned into a verdict."""

from __future__ import annotations

import pytest
import sympy

from symconv.check import check_count
from symconv.cli import main
from symconv.errors import UnknownSymbolError
from symconv.testing import assert_count

NAMES = "N C_in C_out H_out W_out k_h k_w g"


@pytest.mark.parametrize("assumptions", [{}, {"positive": True}, {"integer": True}])
def test_the_users_own_symbols_are_read_by_name(assumptions):
    N, C_in, C_out, H_out, W_out, k_h, k_w, g = sympy.symbols(NAMES, **assumptions)
    claim = 2 * N * C_in * k_h * k_w * H_out * W_out * C_out / g
    assert assert_count(claim, "grouped", "flops", bias=True).status == "holds"


def test_a_false_claim_in_the_users_symbols_has_a_real_counterexample():
    N, C_in, C_out, H_out, W_out, k_h, k_w, g = sympy.symbols(NAMES)
    v = check_count(2 * N * C_in * k_h * k_w * H_out * W_out * C_out / g, "grouped", "flops", bias=False)
    assert v.status == "fails"
    point = v.counterexample.values
    # Every size a positive integer, the channels divisible by the groups: a layer that exists.
    assert all(value >= 1 for value in point.values())
    assert point["C_in"] % point["g"] == 0 and point["C_out"] % point["g"] == 0
    # And the two sides take, there, the values the verdict reports.
    at = {sympy.Symbol(name): value for name, value in point.items()}
    claimed = (2 * N * C_in * k_h * k_w * H_out * W_out * C_out / g).xreplace(
        {s: at[sympy.Symbol(s.name)] for s in (N, C_in, C_out, H_out, W_out, k_h, k_w, g)})
    assert claimed == v.counterexample.claimed
    assert v.counterexample.derived == claimed - point["N"] * point["C_out"] * point["H_out"] * point["W_out"]


def test_a_function_or_a_number_is_a_claim():
    def flops(N, C_in, C_out, H_out, W_out, k_h, k_w):  # the user's own FLOP function
        return 2 * N * C_in * C_out * H_out * W_out * k_h * k_w

    assert check_count(flops, "standard", "flops", bias=True).status == "holds"
    concrete = {"N": 1, "C_in": 3, "C_out": 64, "H_out": 112, "W_out": 112, "k_h": 7, "k_w": 7}
    assert check_count(118013952, "standard", "macs", values=concrete).status == "holds"
    assert check_count(118013953, "standard", "macs", values=concrete).status == "fails"


def test_a_typo_in_a_value_or_the_formula_is_refused_with_the_closest_name():
    with pytest.raises(UnknownSymbolError, match="did you mean k_h"):
        assert_count("k_h*k_w*C_in*C_out", "standard", "params", bias=False, values={"kh": 3})
    with pytest.raises(UnknownSymbolError, match=r"unknown name C_inn.*did you mean C_in"):
        check_count("k_h*k_w*C_inn*C_out", "standard", "params", bias=False)
    # A deliberate free name is declared.
    v = check_count("k_h*k_w*C_in*C_out*q", "standard", "params", bias=False, free=["q"])
    assert v.status == "fails" and v.condition == "q = 1"


@pytest.mark.parametrize("argv", [
    ["check", "k_h*k_w*C_in*C_out", "--variant", "standard", "--quantity", "params", "--set", "kh=3"],
    ["check", "k_h*k_w*C_inn*C_out", "--variant", "standard", "--quantity", "params"],
    ["check", "k_h*k_w*C_in*C_out", "--variant", "standard", "--quantity", "params", "--set", "N=1",
     "--set", "N=2"],
])
def test_the_command_refuses_typos_in_one_line(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symconv: error: ")
