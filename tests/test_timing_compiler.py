"""A check's time bound that falls inside CPython's compiler is the time bound, not a SystemError."""

from __future__ import annotations

import pytest

from symconv.check.timing import TimeUp, time_limit


def test_an_interruption_the_compiler_turns_into_a_system_error_is_the_time_bound():
    # CPython's compiler reports the timer's interruption inside ast.parse as a SystemError, as the whole suite
    # once showed on a 1,500-factor product: past the deadline, that is the time bound.
    with pytest.raises(TimeUp), time_limit(0.05):
        try:
            while True:
                pass
        except TimeUp:
            raise SystemError("AST constructor recursion depth mismatch") from None
    with pytest.raises(SystemError), time_limit(5.0):
        raise SystemError("not the time bound")
