"""symconv.check.normal_form: an expansion too large is refused before it is tried."""

from __future__ import annotations

import time

import sympy

from symconv.check import MAX_TERMS, equivalent, expansion_bound
from symconv.symbols import sym


def test_huge_expansions_are_refused_up_front_and_the_check_stops_in_time():
    x = sympy.Add(*(sym(n) for n in ("N", "C_in", "C_out", "H_out", "W_out", "g", "m")))
    claimed, derived = x**30 * (x + 1) ** 30, (x**2 + x) ** 30
    assert expansion_bound(derived - claimed) > MAX_TERMS
    start = time.perf_counter()
    v = equivalent(claimed, derived, timeout=1)
    assert time.perf_counter() - start < 2.5
    assert v.status == "undecided"
    assert any("no normal form attempted" in note for note in v.notes)
