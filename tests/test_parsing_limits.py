"""symconv.parsing.limits: the limits, frozen, documented and inclusive, checked before the work they guard."""

from __future__ import annotations

import dataclasses

import pytest
import sympy

from symconv import parsing
from symconv.errors import FormulaError
from symconv.parsing import LIMITS, parse_latex, parse_text
from symconv.symbols import new_symbol

k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))


def test_limits_are_frozen_and_documented() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LIMITS.max_length = 10**9  # type: ignore[misc]
    for field in dataclasses.fields(LIMITS):
        assert field.name in parsing.__doc__, field.name


def test_limits_are_inclusive() -> None:
    assert parse_text("1" + " " * (LIMITS.max_length - 1)) == 1
    assert parse_text("(" * LIMITS.max_depth + "k" + ")" * LIMITS.max_depth) == k
    assert parse_latex("{" * LIMITS.max_depth + "k" + "}" * LIMITS.max_depth) == k
    assert parse_text("9" * LIMITS.max_digits) == 10**LIMITS.max_digits - 1
    assert parse_text("k^64 + k^-64 + k^(63/64)") == k**64 + k**-64 + k ** sympy.Rational(63, 64)
    for text in ("k^65", "k^-65", "k^(1/65)"):
        with pytest.raises(FormulaError, match="too large"):
            parse_text(text)


def test_numbers_stay_printable() -> None:
    with pytest.raises(FormulaError, match="limit 1,000 digits"):
        parse_text("*".join(["9" * 30] * 40))
    assert parse_text("*".join(["9" * 30] * 30)) == (10**30 - 1) ** 30
