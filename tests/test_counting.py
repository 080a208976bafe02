"""Counting from structure: what each node of an expression costs, and the tensors an expression reads."""

from __future__ import annotations

import pytest
import sympy

from symconv.counting import count_ops, tensors_read
from symconv.errors import SymconvError
from symconv.symbols import index, sym

x, w, beta = sympy.IndexedBase("x"), sympy.IndexedBase("w"), sympy.IndexedBase("beta")
c, i = index("c"), index("i")
n_, b = sym("C_in"), sym("b")


@pytest.mark.parametrize(("expr", "mults", "adds"), [
    (w[c] * x[c], 1, 0),
    (w[c] * x[c] + beta[0], 1, 1),
    (w[c] * x[c] + b * beta[0], 1, b),
    (sympy.Sum(w[c] * x[c], (c, 0, n_ - 1)), n_, n_ - 1),
    (sympy.Sum(w[c, i] * x[c + i], (c, 0, n_ - 1), (i, 0, 2)), 3 * n_, 3 * n_ - 1),
    (sympy.Sum(w[c] * x[c] * x[c], (c, 0, 3)), 8, 3),
    (sympy.Sum(sympy.Sum(w[c, i] * x[i], (i, 0, 1)) + beta[c], (c, 0, 4)), 10, 5 * 2 + 4),
])
def test_count_ops_counts_from_structure(expr, mults, adds):
    ops = count_ops(expr)
    assert sympy.expand(ops.mults - mults) == 0
    assert sympy.expand(ops.adds - adds) == 0
    assert ops.others == 0


@pytest.mark.parametrize(("expr", "mults", "adds", "others"), [
    (sympy.Max(x[0], 0), 0, 0, 1),  # ReLU: one comparison
    (sympy.Min(sympy.Max(x[0], 0), 6), 0, 0, 2),  # ReLU6: two
    (sympy.Max(x[0], x[1], x[2], x[3]), 0, 0, 3),  # a 4-wide max pool window
    (sympy.exp(x[0]), 0, 0, 1),
    (x[0] / (1 + sympy.exp(-x[0])), 0, 1, 2),  # SiLU: an exponential, an addition, a division
    (w[0] * x[0] / x[1], 1, 0, 1),  # a product and a division
    (1 / (x[0] * x[1]), 0, 0, 2),  # two divisions, no product in the numerator
    (-x[0] * x[1], 1, 0, 0),  # a sign is no multiplication
    (x[0] ** -2, 1, 0, 1),
    (1 / sympy.sqrt(x[0] + x[1]), 0, 1, 2),  # a square root and a division
    (sympy.sqrt(x[0]), 0, 0, 1),
    (sympy.tanh(x[0]) * x[1], 1, 0, 1),
])
def test_count_ops_counts_other_operations(expr, mults, adds, others):
    assert count_ops(expr) == count_ops(expr).__class__(mults, adds, others)


@pytest.mark.parametrize("expr", [sympy.Function("f")(x[0]), sympy.sin(x[0]), x[0] ** sympy.Rational(1, 3),
                                  b * beta[0] + b * x[1]])
def test_count_ops_refuses_what_it_cannot_count(expr):
    with pytest.raises(SymconvError):
        count_ops(expr)


def test_tensors_read_counts_each_tensor_once_weighted_by_the_flags_of_its_terms():
    ws, bs = sympy.IndexedBase("w", shape=(4, 3)), sympy.IndexedBase("beta", shape=(4,))
    element = sympy.Sum(ws[0, c] * x[c], (c, 0, 2)) + b * bs[0]
    assert tensors_read(element, [ws, bs]) == 12 + 4 * b
    # A tensor read by an unconditional term counts whatever other terms read it under a flag.
    assert tensors_read(bs[0] + b * bs[1] * x[0], [bs]) == 4
    # A tensor the expression never reads counts nothing.
    assert tensors_read(x[0], [ws]) == 0
