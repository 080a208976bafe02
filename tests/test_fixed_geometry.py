"""symconv.fixed_geometry: closed forms of a fixed geometry (fixed_count) against the exact counts they replace, on a
range of sizes, and in the derivations that use them."""

from __future__ import annotations

import itertools

import pytest
import sympy

from symconv import variants
from symconv.derive import derive
from symconv.fixed_geometry import fixed_count
from symconv.geometry import (
    Covered,
    Hit,
    ValidPairs,
    geometric_atoms,
    input_size,
    transposed_output_size,
)
from symconv.symbols import sym

SIZES = range(1, 14)
GEOMETRIES = [(k, s, p, d) for k, s, p, d in itertools.product(range(1, 6), range(1, 4), range(4), range(1, 3))]


def _agree(closed: sympy.Expr, size: sympy.Symbol, exact) -> int:  # type: ignore[no-untyped-def]
    """How many sizes the closed form was checked at; it must equal the exact count at each."""
    checked = 0
    for n in SIZES:
        value = exact(n)
        if value is None:
            continue
        assert closed.xreplace({size: n}) == value, (closed, n)
        checked += 1
    return checked


@pytest.mark.parametrize("count", [ValidPairs, Hit], ids=lambda c: c.letter)
def test_transposed_closed_forms_equal_the_exact_count(count):
    l_in, l_out = sym("L_in"), sym("L_out")
    closed_forms = 0
    for k, s, p, d in GEOMETRIES:
        for op in range(max(s, d)):
            out = transposed_output_size(l_in, k, s, p, d, op)
            closed = fixed_count(count, (l_in, l_out, k, s, p, d), {l_out: out})
            if geometric_atoms(closed):
                continue  # no closed form found: the count keeps its function form, exact as it is
            closed_forms += 1

            def exact(n: int, k: int = k, s: int = s, p: int = p, d: int = d, op: int = op) -> int | None:
                m = transposed_output_size(n, k, s, p, d, op)
                return int(count(n, m, k, s, p, d)) if m >= 1 else None

            assert _agree(closed, l_in, exact) >= 5
    assert closed_forms >= len(GEOMETRIES)  # most fixed geometries have one


@pytest.mark.parametrize("count", [ValidPairs, Covered], ids=lambda c: c.letter)
def test_unit_stride_closed_forms_equal_the_exact_count(count):
    h_out, h_in = sym("H_out"), sym("H_in")
    closed_forms = 0
    for k, _, p, d in GEOMETRIES:
        closed = fixed_count(count, (h_out, h_in, k, 1, p, d), {h_in: input_size(h_out, k, 1, p, d)})
        if geometric_atoms(closed):
            continue
        closed_forms += 1

        def exact(n: int, k: int = k, p: int = p, d: int = d) -> int | None:
            m = input_size(n, k, 1, p, d)
            return int(count(n, m, k, 1, p, d)) if m >= 1 else None

        assert _agree(closed, h_out, exact) >= 5
    assert closed_forms >= len(GEOMETRIES) // 6


def test_without_a_relation_or_with_symbols_the_count_stays():
    args = (sym("L_in"), sym("L_out"), 4, 2, 1, 1)
    assert fixed_count(ValidPairs, args, {}) == ValidPairs(*args)
    assert isinstance(fixed_count(ValidPairs, (sym("L_in"), sym("L_out"), sym("k_l"), 2, 1, 1), {}), ValidPairs)


def test_transposed_with_fixed_geometry_derives_polynomials():
    layer = variants.transposed(2, {"k_h": 4, "k_w": 4, "s_h": 2, "s_w": 2, "p_h": 1, "p_w": 1, "d_h": 1,
                                    "d_w": 1, "op_h": 0, "op_w": 0, "g": 1})
    d = derive(layer)
    h_in, w_in = sym("H_in"), sym("W_in")
    assert not any(geometric_atoms(e) for e in (*d.quantities.values(), *d.counts.values()))
    expected = sym("N") * sym("C_in") * sym("C_out") * (4 * h_in - 2) * (4 * w_in - 2)  # 4·H_in − 2 per axis
    assert sympy.expand(d.quantities["mults"] - expected) == 0
