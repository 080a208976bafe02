"""symconv.parsing.build: large calls are built unevaluated, with the same value, and fast."""

from __future__ import annotations

import time

import sympy

from symconv.parsing import parse_text
from symconv.symbols import new_symbol

k, p, s, a, b_, x = (new_symbol(n) for n in ("k", "p", "s", "a", "B", "x"))


def test_large_calls_are_built_unevaluated_and_fast() -> None:
    xs = [new_symbol(f"x{i}") for i in range(2000)]
    start = time.process_time()
    result = parse_text("floor(" + " + ".join(f"x{i}/7" for i in range(2000)) + ")")
    assert time.process_time() - start < 2
    assert result == sympy.floor(sympy.Add(*xs) / 7, evaluate=False)
    nested = parse_text("max(" * 60 + "k" + ", x1)" * 60)
    assert nested.doit() == sympy.Max(k, xs[1])
    many = parse_text(" + ".join(f"floor(x{i})" for i in range(40)))
    assert many != sympy.Add(*xs[:40])  # the first 16 floors are evaluated, the rest are not
    assert many.doit() == sympy.Add(*xs[:40])
