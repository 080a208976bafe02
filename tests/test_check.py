"""symconv.check and ``symconv check``: verdicts you can trust, counterexamples, conditions, time bounds."""

from __future__ import annotations

import contextlib
import json
import re
import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from test_parsing import HOSTILE

from symconv.check import MAX_TERMS, CheckRequest, Part, check_count, equivalent, expansion_bound
from symconv.cli import main
from symconv.errors import FormulaError, SpecError, SymconvError
from symconv.printing.check import result_dict, result_text, verdict_text
from symconv.symbols import new_symbol, sym

C_in, C_out, H_out, W_out, b, g = (sym(n) for n in ("C_in", "C_out", "H_out", "W_out", "b", "g"))
k = new_symbol("k")
SQUARE = {"k_h": "k", "k_w": "k", "N": 1}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- equivalent ------------------------------------------------------------------------------------------


def test_equal_forms_hold_by_normal_form():
    v = equivalent(C_out * (C_in * k**2 + b), C_in * C_out * k**2 + b * C_out)
    assert v.status == "holds" and v.holds is True and v.difference == 0
    assert v.method == "symbolic normal form: derived − claimed simplifies to 0"
    assert v.counterexample is None and v.condition is None


def test_ratios_hold_by_normal_form():
    v = equivalent(1 / C_out + 1 / k**2, (k**2 + C_out) / (C_out * k**2))
    assert v.status == "holds"


def test_bias_is_zero_or_one():
    # b**2 = b on its domain: the normal form sees them equal only with b at 0 and at 1.
    assert equivalent(b**2 * C_out, b * C_out).status == "holds"
    assert equivalent(2 * b * C_out, b * C_out).condition == "b = 0"


@pytest.mark.parametrize(("claimed", "derived", "condition", "point"), [
    # k taken for k**2: equal only for a 1-wide kernel
    (2 * k * C_in, 2 * k**2 * C_in, "k = 1", {"C_in": 1, "k": 2}),
    # a factor that vanishes at k = 3
    (C_in * k**2, C_in * (k**2 + (k - 3) * (k - 5)), "k = 3 or k = 5", {"C_in": 1, "k": 1}),
    # two channel counts confused
    (C_in * k, C_out * k, "C_in = C_out", {"C_in": 1, "C_out": 2, "k": 1}),
])
def test_conditions_and_smallest_counterexamples(claimed, derived, condition, point):
    v = equivalent(claimed, derived)
    assert v.status == "fails" and v.holds is False
    assert v.condition == condition
    assert v.counterexample is not None and dict(v.counterexample.values) == point
    values = {new_symbol(n) if n == "k" else sym(n): x for n, x in point.items()}
    assert v.counterexample.claimed == claimed.xreplace(values)
    assert v.counterexample.derived == derived.xreplace(values)
    assert v.counterexample.claimed != v.counterexample.derived


def test_a_claim_that_holds_nowhere_says_so():
    v = equivalent(2 * C_in * k**2, 2 * C_in * k**2 - 1)
    assert v.status == "fails" and v.condition is None and v.nowhere
    assert v.summary == "does not hold"
    assert "holds for no values" in verdict_text(v)


def test_counterexamples_respect_divisibility_by_the_groups():
    # Wrong for every g > 1; the smallest counterexample must be a layer that exists.
    v = equivalent(C_in * C_out, C_in * C_out / g)
    point = v.counterexample.values
    assert point["g"] > 1 and point["C_in"] % point["g"] == 0 and point["C_out"] % point["g"] == 0
    assert v.condition == "g = 1"


def test_floor_identities_are_undecided_not_equal():
    # floor((k+1)/2) + floor(k/2) = k is true, but no normal form shows it: never "holds" from sampling.
    claimed = sympy.floor((k + 1) / 2, evaluate=False) + sympy.floor(k / 2, evaluate=False)
    start = time.perf_counter()
    v = equivalent(claimed, k, timeout=0.5)
    assert time.perf_counter() - start < 3  # the time bound honoured, with room for a loaded machine
    assert v.status == "undecided" and v.holds is None and v.summary == "undecided"
    assert any("floor" in note for note in v.notes)


def test_divisibility_by_the_groups_decides_floors_of_channels_per_group():
    v = equivalent(sympy.floor(C_in / g) * C_out, C_in * C_out / g)
    assert v.status == "holds" and "channels written per group" in v.method
    v = equivalent(sympy.ceiling(C_in / (2 * g)) * C_out, C_in * C_out / g)
    assert v.status == "fails" and dict(v.counterexample.values) == {"C_in": 2, "C_out": 1, "g": 1}


def test_floor_claims_that_are_wrong_get_a_counterexample():
    v = equivalent(2 * sympy.floor(k / 2, evaluate=False), k)
    assert v.status == "fails" and dict(v.counterexample.values) == {"k": 1}


def test_checks_run_outside_the_main_thread_without_signals():
    import threading

    results = []
    worker = threading.Thread(target=lambda: results.append(
        check_count("k^2 C_in C_out", "standard", "params", values={"k_h": "k", "k_w": "k"})))
    worker.start()
    worker.join(30)
    assert results and results[0].condition == "b = 0"


def test_huge_expansions_are_refused_up_front_and_the_check_stops_in_time():
    x = sympy.Add(*(sym(n) for n in ("N", "C_in", "C_out", "H_out", "W_out", "g", "m")))
    claimed, derived = x**30 * (x + 1) ** 30, (x**2 + x) ** 30
    assert expansion_bound(derived - claimed) > MAX_TERMS
    start = time.perf_counter()
    v = equivalent(claimed, derived, timeout=1)
    assert time.perf_counter() - start < 2.5
    assert v.status == "undecided"
    assert any("no normal form attempted" in note for note in v.notes)


def test_polynomials_too_large_to_expand_are_proven_on_a_grid():
    xs = [new_symbol(f"x{i}") for i in range(15)]
    claimed = sympy.Mul(*(x + 1 for x in xs))
    derived = sympy.expand((xs[0] + 1) * (xs[1] + 1)) * sympy.Mul(*(x + 1 for x in xs[2:]))
    assert expansion_bound(derived - claimed) > MAX_TERMS
    v = equivalent(claimed, derived)
    assert v.status == "holds" and v.method.startswith("grid identity: both sides are polynomials, equal at all "
                                                       "32,768 points")
    v = equivalent(claimed + xs[3] * xs[7], derived)
    assert v.status == "fails" and v.counterexample.claimed - v.counterexample.derived == 1


def test_values_too_large_to_derive_are_refused_before_any_work():
    # Each kernel size a 300-term sum: the closed forms would expand to 90,000 terms.
    values = {"k_h": "+".join(f"x{i}" for i in range(300)), "k_w": "+".join(f"y{i}" for i in range(300))}
    start = time.perf_counter()
    with pytest.raises(SpecError, match="expands to more than"):
        check_count("k_h*k_w", "standard", "params", values=values, timeout=1)
    assert time.perf_counter() - start < 2


def test_wrong_huge_claims_still_get_a_counterexample():
    x = sympy.Add(*(sym(n) for n in ("N", "C_in", "C_out", "H_out", "W_out", "g", "m")))
    v = equivalent(x**30 * (x + 1) ** 30 + 1, (x**2 + x) ** 30, timeout=2)
    assert v.status == "fails" and v.counterexample is not None


# --- check_count: the claims of the issue -------------------------------------------------------------------

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


def test_grid_proof_is_added_on_request():
    v = check_count("k^2 C_in C_out", "standard", "params", bias=False, values={"k_h": "k", "k_w": "k"}, grid=True)
    assert re.search(r"proven against the direct count for all sizes \(grid proof, \d+ points", v.method)


def test_grid_proof_of_layers_that_tie_symbols_goes_through_the_general_variant():
    # C_in = C_out = M: the grid cannot vary them apart, so the general grouped count is proven and
    # the layer's count is checked to be its instance.
    v = check_count("9 M^2 H_out W_out / g", "grouped", "macs", bias=False, grid=True,
                    values={"C_in": "M", "C_out": "M", "k_h": 3, "k_w": 3, "N": 1})
    assert v.status == "holds" and "grid proof" in v.method and not v.notes


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


# --- the command --------------------------------------------------------------------------------------------

WRONG = [
    # (argv, exit status, condition printed, counterexample printed)
    ([ARTICLE_FLOPS, "--variant", "standard", "--quantity", "flops"], 1, "b = 1",
     "at C_in = 1, C_out = 1, H_out = 1, W_out = 1, b = 0, k = 1: claimed 2, derived 1"),
    (["k^2 C_in C_out", "--variant", "standard", "--quantity", "params"], 1, "b = 0",
     "at C_in = 1, C_out = 1, b = 1, k = 1: claimed 1, derived 2"),
    (["k^2 H_out W_out C_in C_out", "--variant", "standard", "--quantity", "flops", "--bias"], 1,
     None, "claimed 1, derived 2"),
    (["2 k H_out W_out C_in C_out", "--variant", "standard", "--quantity", "flops", "--bias"], 1, "k = 1",
     "at C_in = 1, C_out = 1, H_out = 1, W_out = 1, k = 2: claimed 4, derived 8"),
]


@pytest.mark.parametrize(("argv", "code", "condition", "example"), WRONG)
def test_check_reports_wrong_claims(capsys, argv, code, condition, example):
    status, out, err = run(capsys, *argv, "--set", "k_h=k", "--set", "k_w=k", "--set", "N=1")
    assert status == code and err == ""
    assert "verdict:    does not hold" in out
    assert example in out
    if condition:
        assert f"condition:  holds exactly when {condition}" in out
    else:
        assert "condition:  holds for no values of the symbols" in out


ARTICLE = [
    # The reference article's four formulas (derivations/claims.toml), as it states them, through the command.
    (["k^2 C_in C_out", "--quantity", "params", "--variant", "standard", "--no-bias"], 0, None),
    (["k^2 C_in C_out", "--quantity", "params", "--variant", "standard"], 1, "b = 0"),
    ([ARTICLE_FLOPS, "--quantity", "flops", "--variant", "standard", "--no-bias"], 1, None),
    ([ARTICLE_FLOPS, "--quantity", "flops", "--variant", "standard", "--bias"], 0, None),
    (["(k^2 + C_out) C_in", "--quantity", "params", "--variant", "separable", "--bias"], 1, None),
    (["(k^2 + C_out) C_in", "--quantity", "params", "--variant", "separable"], 1, "b = 0"),
    (["2(k^2 + C_out) H_out W_out C_in", "--quantity", "flops", "--variant", "separable", "--bias"], 0, None),
    (["2(k^2 + C_out) H_out W_out C_in", "--quantity", "flops", "--variant", "separable"], 1, "b = 1"),
]


@pytest.mark.parametrize(("argv", "code", "condition"), ARTICLE)
def test_the_articles_formulas_through_the_command(capsys, argv, code, condition):
    status, out, _ = run(capsys, *argv, "--set", "k_h=k", "--set", "k_w=k", "--set", "N=1", "--set", "m=1")
    assert status == code
    if code == 0:
        assert "verdict:    holds" in out
    else:
        assert "counterexample: at " in out
        assert (f"condition:  holds exactly when {condition}" if condition else
                "condition:  holds for no values of the symbols") in out


def test_check_holds_exit_0_and_prints_the_proof(capsys):
    status, out, _ = run(capsys, r"2k^2 \cdot H_{out} \cdot W_{out} \cdot C_{in} \cdot C_{out}", "--variant",
                         "standard", "--quantity", "flops", "--bias", "--set", "k_h=k", "--set", "k_w=k",
                         "--set", "N=1")
    assert status == 0
    assert "verdict:    holds" in out and "proof:      symbolic normal form" in out


def test_check_with_notation_and_let(capsys):
    status, out, _ = run(capsys, r"\frac{1}{N} + \frac{1}{D_K^2}", "--variant", "separable", "--versus",
                         "standard", "--quantity", "macs", "--notation", "mobilenet")
    assert status == 0 and "notation:   mobilenet" in out
    status, _, _ = run(capsys, r"\frac{1}{N} + \frac{1}{D_K^2}", "--variant", "separable", "--versus",
                       "standard", "--quantity", "mults", "--let", "D_K=k", "--let", "N=C_out", "--set", "k_h=k",
                       "--set", "k_w=k", "--set", "m=1")
    assert status == 0


def test_check_prints_what_the_library_returns(capsys):
    argv = [ARTICLE_FLOPS, "--variant", "standard", "--quantity", "flops", "--set", "k_h=k", "--set", "k_w=k",
            "--set", "N=1"]
    request = CheckRequest(ARTICLE_FLOPS, "standard", "flops", values=("k_h=k", "k_w=k", "N=1"))
    verdict = check_count(ARTICLE_FLOPS, "standard", "flops", values={"k_h": k, "k_w": k, "N": 1})
    _, out, _ = run(capsys, *argv)
    assert out == result_text(verdict, request)
    _, out, _ = run(capsys, *argv, "--format", "json")
    assert json.loads(out) == result_dict(verdict, request)


def test_check_json_shape(capsys):
    status, out, _ = run(capsys, "k^2 C_in C_out", "--variant", "standard", "--quantity", "params", "--set",
                         "k_h=k", "--set", "k_w=k", "--format", "json")
    data = json.loads(out)
    assert status == 1
    assert set(data) == {"formula", "against", "claimed", "derived", "difference", "verdict", "holds", "summary",
                         "method", "counterexample", "condition", "nowhere", "notes"}
    assert data["verdict"] == "fails" and data["holds"] is False and data["condition"] == "b = 0"
    assert data["difference"] == {"expr": "C_out*b", "latex": "C_{\\mathrm{out}} b"}
    assert data["counterexample"] == {"values": {"C_in": 1, "C_out": 1, "b": 1, "k": 1}, "claimed": "1",
                                      "derived": "2"}


def test_check_undecided_exits_3(capsys):
    status, out, _ = run(capsys, "floor((k+1)/2) + floor(k/2) + C_in - k", "--variant", "pointwise", "--quantity",
                         "params", "--no-bias", "--set", "C_out=1", "--free", "k", "--timeout", "0.5")
    assert status == 3 and "verdict:    undecided" in out


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_formulas_are_refused_quickly_with_one_line(capsys, text):
    start = time.perf_counter()
    status, out, err = run(capsys, "--variant", "standard", "--quantity", "flops", "--", text)
    assert time.perf_counter() - start < 1
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symconv: error: FORMULA: ")


@pytest.mark.parametrize("argv", [
    ["k", "--variant", "standard", "--quantity", "flops", "--let", "2x=3"],
    ["k", "--variant", "standard", "--quantity", "flops", "--let", "D_K=__import__('os')"],
    ["k", "--variant", "standard", "--quantity", "flops", "--set", "k_h=9**9**9**9"],
    ["k", "--variant", "standard", "--quantity", "flops", "--set", "C_out_g=2"],
    ["k", "--variant", "dense", "--quantity", "flops"],
    ["k", "--variant", "standard", "--versus", "dense", "--quantity", "flops"],
    ["k", "--variant", "standard", "--quantity", "flops", "--timeout", "0"],
    ["k", "--variant", "standard", "--quantity", "flops", "--notation", "alexnet"],
    ["k", "--variant", "standard", "--quantity", "energy"],
    ["k", "--variant", "standard"],
])
def test_bad_options_are_one_line_and_exit_2(capsys, argv):
    try:
        code = main(["check", *argv])
    except SystemExit as exited:  # argparse's usage errors
        code = exited.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "error" in err


def test_a_thousand_term_claim_is_checked_in_time(capsys):
    terms = " + ".join(f"{i % 7 + 1}*C_in*k_h" for i in range(1000))
    start = time.perf_counter()
    v = check_count(terms, "standard", "params", bias=False, values={"C_out": 1, "k_w": 1})
    assert time.perf_counter() - start < 3
    assert v.status == "fails" and dict(v.counterexample.values)["C_in"] == 1


# --- Properties ---------------------------------------------------------------------------------------------

VARIABLES = [C_in, C_out, H_out, W_out, b, g, k]


def _monomials() -> st.SearchStrategy[sympy.Expr]:
    powers = st.lists(st.integers(0, 2), min_size=len(VARIABLES), max_size=len(VARIABLES))
    return st.tuples(st.integers(-5, 5).filter(bool), powers).map(
        lambda pair: pair[0] * sympy.Mul(*(v**e for v, e in zip(VARIABLES, pair[1], strict=True))))


def _polynomials() -> st.SearchStrategy[sympy.Expr]:
    return st.lists(_monomials(), min_size=1, max_size=5).map(lambda terms: sympy.Add(*terms))


@settings(max_examples=60)
@given(_polynomials(), _polynomials())
def test_a_formula_holds_against_any_rearrangement_of_itself(p, q):
    assert equivalent(sympy.expand(p * q), sympy.factor(p * q)).status == "holds"


@settings(max_examples=60)
@given(_polynomials(), _monomials())
def test_a_wrong_term_is_caught_with_a_true_counterexample(p, wrong):
    v = equivalent(p + wrong, p, timeout=2)
    assert v.status == "fails", v
    if v.counterexample is not None:
        values = {sym(n) if n != "k" else k: x for n, x in v.counterexample.values.items()}
        assert values.get(b, 0) in (0, 1)
        if g in values:
            assert all(values[c] % values[g] == 0 for c in (C_in, C_out) if c in values)
        assert v.counterexample.claimed == (p + wrong).xreplace(values)
        assert v.counterexample.derived == p.xreplace(values)
        assert v.counterexample.claimed != v.counterexample.derived


@settings(max_examples=100)
@given(st.text(max_size=200))
def test_any_text_as_a_claim_is_checked_or_refused_quickly(text):
    start = time.perf_counter()
    with contextlib.suppress(SymconvError):
        check_count(text, "pointwise", "params", bias=False, timeout=1)
    assert time.perf_counter() - start < 2.5
