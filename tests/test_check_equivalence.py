"""symconv.check.equivalence: verdicts you can trust; a counterexample and the condition where a claim holds."""

from __future__ import annotations

import time

import pytest
import sympy
from hypothesis import given, settings
from strategies import count_monomials, count_polynomials

from symconv.check import equivalent
from symconv.printing.check import verdict_text
from symconv.symbols import new_symbol, sym

C_in, C_out, H_out, W_out, b, g = (sym(n) for n in ("C_in", "C_out", "H_out", "W_out", "b", "g"))
k = new_symbol("k")


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


# --- claims that fail: the smallest counterexample and the condition ----------------------------------------


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


def test_wrong_huge_claims_still_get_a_counterexample():
    x = sympy.Add(*(sym(n) for n in ("N", "C_in", "C_out", "H_out", "W_out", "g", "m")))
    v = equivalent(x**30 * (x + 1) ** 30 + 1, (x**2 + x) ** 30, timeout=2)
    assert v.status == "fails" and v.counterexample is not None


# --- floors -------------------------------------------------------------------------------------------------


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


# --- properties ---------------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(count_polynomials(), count_polynomials())
def test_a_formula_holds_against_any_rearrangement_of_itself(p, q):
    assert equivalent(sympy.expand(p * q), sympy.factor(p * q)).status == "holds"


@settings(max_examples=60)
@given(count_polynomials(), count_monomials())
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
