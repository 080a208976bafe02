"""symconv.check.layers: claims about a layer (check_count), from the article, the papers and any text."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.check import Part, check_count
from symconv.errors import FormulaError, SpecError, SymconvError
from symconv.symbols import new_symbol, sym

C_in, C_out, H_out, W_out, b, g = (sym(n) for n in ("C_in", "C_out", "H_out", "W_out", "b", "g"))
k = new_symbol("k")
SQUARE = {"k_h": "k", "k_w": "k", "N": 1}


# --- the claims of the issue --------------------------------------------------------------------------------


ARTICLE_FLOPS = "2 k^2 H_out W_out C_in C_out"


@pytest.mark.parametrize(("formula", "bias", "convention", "status", "condition"), [
    (ARTICLE_FLOPS, True, "exact", "holds", None),
    (ARTICLE_FLOPS, None, "exact", "fails", "b = 1"),  # the -1 cancels only against a bias
    (ARTICLE_FLOPS, False, "exact", "fails", None),
    (ARTICLE_FLOPS, False, "2macs", "holds", None),
    ("(2 k^2 C_in - 1) H_out W_out C_out", None, "exact", "fails", "b = 0"),  # the -1 kept: right without bias
    ("2 k^2 C_in H_out W_out C_out - 1", False, "exact", "fails", "C_out = 1 and H_out = 1 and W_out = 1"),
    ("k^2 H_out W_out C_in C_out", None, "exact", "fails", "C_in = 1 and b = 0 and k = 1"),  # MACs for FLOPs
    ("k^2 H_out W_out C_in C_out", None, "macs", "holds", None),
    ("2 k H_out W_out C_in C_out", True, "exact", "fails", "k = 1"),  # k taken for k^2
])
def test_article_flops_and_wrong_variants(formula, bias, convention, status, condition):
    v = check_count(formula, "standard", "flops", bias=bias, convention=convention, values=SQUARE)
    assert v.status == status
    assert v.condition == condition
    if status == "fails":
        assert v.counterexample is not None
        assert v.counterexample.claimed != v.counterexample.derived
    else:
        assert v.method.startswith("symbolic normal form")


@pytest.mark.parametrize(("formula", "variant", "condition"), [
    ("k^2 C_in C_out", "standard", "b = 0"),
    ("(k^2 + 1) C_in C_out", "standard", "C_in = 1 and b = 1"),
    ("(k^2 + C_out) C_in", "separable", "b = 0"),  # the article's separable parameters, "with bias"
    ("C_in k^2 + C_in C_out + C_in + C_out", "separable", "b = 1"),  # both biases counted
    ("C_in k^2 + C_in C_out + C_out", "separable", None),  # the depthwise bias missing, the pointwise one kept
])
def test_parameters_with_and_without_bias(formula, variant, condition):
    v = check_count(formula, variant, "params", values={"k_h": "k", "k_w": "k", "m": 1})
    assert v.status == "fails" and v.condition == condition


def test_one_stage_bias_holds_for_neither_setting_of_the_shared_flag():
    v = check_count("C_in k^2 + C_in C_out + C_out", "separable", "params", values={"k_h": "k", "k_w": "k", "m": 1})
    assert v.nowhere and dict(v.counterexample.values) == {"C_in": 1, "C_out": 1, "k": 1, "b": 0}


def test_set_applies_to_both_sides():
    v = check_count("k_h k_w C_in C_out", "standard", "params", bias=False, values={"k_h": 3, "k_w": 3})
    assert v.status == "holds" and v.claimed == 9 * C_in * C_out
    v = check_count("2 k C_in", "standard", "params", bias=False, values={"k_h": "k", "k_w": "k", "C_out": 1,
                                                                          "k": 2})
    assert v.status == "holds" and v.derived == 4 * C_in


def test_aliases_shadow_symconv_names():
    v = check_count("D_K^2 M N", "standard", "params", bias=False, aliases={"D_K": "k", "M": "C_in", "N": "C_out"},
                    values={"k_h": "k", "k_w": "k"})
    assert v.status == "holds"
    # without the alias, N is the batch: the claim is wrong and says where
    v = check_count("D_K^2 M N", "standard", "params", bias=False, aliases={"D_K": "k", "M": "C_in"},
                    values={"k_h": "k", "k_w": "k"})
    assert v.status == "fails" and v.condition == "C_out = N"


@pytest.mark.parametrize(("formula", "variant", "versus"), [
    (r"D_K \cdot D_K \cdot M \cdot N \cdot D_F \cdot D_F", "standard", None),
    (r"D_K \cdot D_K \cdot M \cdot D_F \cdot D_F", "depthwise", None),
    (r"D_K \cdot D_K \cdot M \cdot D_F \cdot D_F + M \cdot N \cdot D_F \cdot D_F", "separable", None),
    (r"\frac{1}{N} + \frac{1}{D_K^2}", "separable", "standard"),
])
def test_mobilenet_cost_equations_hold_in_multiply_adds(formula, variant, versus):
    v = check_count(formula, variant, "macs", versus=versus, notation="mobilenet")
    assert v.status == "holds"
    assert check_count(formula, variant, "flops", versus=versus, notation="mobilenet").status == "fails"


def test_units_are_sums_of_derived_layers():
    unit = (Part("pointwise", {"C_in": "c", "C_out": "m_b"}),
            Part("standard", {"C_in": "m_b", "C_out": "m_b", "k_h": 3, "k_w": 3}),
            Part("pointwise", {"C_in": "m_b", "C_out": "c"}))
    v = check_count(r"hw\left(2cm + 9m^2\right)", quantity="macs", parts=unit, bias=False, values={"N": 1},
                    aliases={"h": "H_out", "w": "W_out", "m": "m_b"})
    assert v.status == "holds"
    v = check_count(r"hw\left(2cm + 9m\right)", quantity="macs", parts=unit, bias=False, values={"N": 1},
                    aliases={"h": "H_out", "w": "W_out", "m": "m_b"})
    assert v.status == "fails" and v.condition == "m_b = 1"


# --- time bounds and bad input ------------------------------------------------------------------------------


def test_values_too_large_to_derive_are_refused_before_any_work():
    # Each kernel size a 300-term sum: the closed forms would expand to 90,000 terms.
    values = {"k_h": "+".join(f"x{i}" for i in range(300)), "k_w": "+".join(f"y{i}" for i in range(300))}
    start = time.perf_counter()
    with pytest.raises(SpecError, match="expands to more than"):
        check_count("k_h*k_w", "standard", "params", values=values, timeout=1)
    assert time.perf_counter() - start < 2


def test_a_thousand_term_claim_is_checked_in_time(capsys):
    terms = " + ".join(f"{i % 7 + 1}*C_in*k_h" for i in range(1000))
    start = time.perf_counter()
    v = check_count(terms, "standard", "params", bias=False, values={"C_out": 1, "k_w": 1})
    assert time.perf_counter() - start < 3
    assert v.status == "fails" and dict(v.counterexample.values)["C_in"] == 1


@settings(max_examples=100)
@given(st.text(max_size=200))
def test_any_text_as_a_claim_is_checked_or_refused_quickly(text):
    start = time.perf_counter()
    with contextlib.suppress(SymconvError):
        check_count(text, "pointwise", "params", bias=False, timeout=1)
    assert time.perf_counter() - start < 2.5


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"formula": "k +", "variant": "standard", "quantity": "flops"}, FormulaError),
    ({"formula": "k", "variant": "dense", "quantity": "flops"}, SymconvError),
    ({"formula": "k", "variant": "standard", "quantity": "energy"}, SymconvError),
    ({"formula": "k", "variant": "standard", "quantity": "flops", "notation": "alexnet"}, FormulaError),
    ({"formula": "k", "variant": "standard", "quantity": "flops", "values": {"C_in_g": 2}}, SymconvError),
    ({"formula": "k", "variant": "standard", "quantity": "flops", "values": {"k_h": "k+"}}, FormulaError),
])
def test_bad_input_raises_documented_errors(kwargs, error):
    with pytest.raises(error):
        check_count(**kwargs)
