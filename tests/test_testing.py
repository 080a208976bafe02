"""symconv.testing: public assertions that read well in a plain pytest test and fail with the reason."""

from __future__ import annotations

import pytest
import sympy

from symconv.check import Part
from symconv.symbols import new_symbol, sym
from symconv.testing import assert_count, assert_equivalent

SQUARE = {"k_h": "k", "k_w": "k", "N": 1}


def test_assert_equivalent_passes_on_equal_forms_and_returns_the_proof():
    verdict = assert_equivalent(r"C_{in} \times (k^2 + C_{out})", "C_in*k**2 + C_in*C_out")
    assert verdict.holds and verdict.method.startswith("symbolic normal form")
    assert assert_equivalent(sym("C_in") * 2, "2 C_in").holds


def test_assert_equivalent_message_has_difference_counterexample_and_condition():
    with pytest.raises(AssertionError) as caught:
        assert_equivalent("2 k C_in", "2 k^2 C_in")
    message = str(caught.value)
    assert message.startswith("the two formulas differ\n")
    assert "difference: derived − claimed = 2C_in·k·(k − 1)" in message
    assert "counterexample: at C_in = 1, k = 2: claimed 4, derived 8" in message
    assert "condition:  holds exactly when k = 1" in message


def test_assert_equivalent_with_aliases_and_notation():
    assert_equivalent(r"\frac{1}{N} + \frac{1}{D_K^2}", "(k^2 + C_out)/(k^2 C_out)", notation="mobilenet")
    assert_equivalent("D_K^2 M", "k^2 C_in", aliases={"D_K": "k", "M": "C_in"})
    assert_equivalent("k_h k_w", "9", values={"k_h": 3, "k_w": 3})


def test_assert_equivalent_never_passes_on_an_undecided_check():
    k = new_symbol("k")
    claimed = sympy.floor((k + 1) / 2, evaluate=False) + sympy.floor(k / 2, evaluate=False)
    with pytest.raises(AssertionError, match="could not decide"):
        assert_equivalent(claimed, k, timeout=0.3)


def test_assert_count_passes_and_fails():
    assert_count("2 k^2 H_out W_out C_in C_out", "standard", "flops", bias=True, values=SQUARE)
    with pytest.raises(AssertionError) as caught:
        assert_count("2 k^2 H_out W_out C_in C_out", "standard", "flops", values=SQUARE)
    message = str(caught.value)
    assert message.startswith("the claimed flops of standard (2-D, exact convention, b symbolic) does not hold\n")
    assert "condition:  holds exactly when b = 1" in message
    assert "claimed 2, derived 1" in message


def test_assert_count_when_states_the_condition():
    verdict = assert_count("k^2 C_in C_out", "standard", "params", values={"k_h": "k", "k_w": "k"}, when="b = 0")
    assert verdict.status == "fails"
    with pytest.raises(AssertionError, match="expected to hold exactly when b = 1, but it holds exactly when b = 0"):
        assert_count("k^2 C_in C_out", "standard", "params", values={"k_h": "k", "k_w": "k"}, when="b = 1")
    with pytest.raises(AssertionError, match="but it holds for every value"):
        assert_count("k^2 C_in C_out", "standard", "params", bias=False, values={"k_h": "k", "k_w": "k"},
                     when="b = 0")


def test_assert_count_of_a_ratio_and_of_a_unit():
    assert_count(r"\frac{1}{N} + \frac{1}{D_K^2}", "separable", "macs", versus="standard", notation="mobilenet")
    unit = (Part("pointwise", {"C_in": 256, "C_out": "C*d"}),
            Part("grouped", {"C_in": "C*d", "C_out": "C*d", "g": "C", "k_h": 3, "k_w": 3}),
            Part("pointwise", {"C_in": "C*d", "C_out": 256}))
    assert_count(r"C \cdot (256 \cdot d + 3 \cdot 3 \cdot d \cdot d + d \cdot 256)", quantity="params", parts=unit,
                 bias=False)
    with pytest.raises(AssertionError, match="params of pointwise \\+ grouped \\+ pointwise"):
        assert_count("C*(256 d + 3 d d + 256 d)", quantity="params", parts=unit, bias=False)


def test_bad_input_is_not_an_assertion_error():
    from symconv.errors import FormulaError

    with pytest.raises(FormulaError):
        assert_count("k +", "standard", "flops")
