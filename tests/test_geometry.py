"""symconv.geometry: the output-size relations (Dumoulin & Visin), the padding modes and the per-axis counts of
the padding-aware counts, each against the output shape or the count of a real computation."""

from __future__ import annotations

import numpy as np
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import forward_axes, padding_mode_cases

from symconv import variants
from symconv.derive import derive
from symconv.direct import conv_direct, conv_reference, conv_transpose_direct, output_size
from symconv.geometry import Covered, PaddedTaps, ValidPairs, output_size_relations, valid_pairs_regimes
from symconv.symbols import sym

# --- output-size relations (Dumoulin & Visin) ---------------------------------------------------------------


def _shape_forward(i: int, k: int, s: int, p: int, d: int = 1) -> int:
    x = np.zeros((1, 1, i), dtype=int)
    return conv_direct(x, np.ones((1, 1, k), dtype=int), stride=s, padding=p, dilation=d).output.shape[-1]


def _shape_transposed(i: int, k: int, s: int, p: int, a: int = 0) -> int:
    x = np.zeros((1, 1, i), dtype=int)
    return conv_transpose_direct(x, np.ones((1, 1, k), dtype=int), stride=s, padding=p,
                                 output_padding=a).output.shape[-1]


RELATIONS = {r.number: r for r in output_size_relations()}


def _at(number: int, **values: int) -> int:
    expr = RELATIONS[number].value
    return int(expr.xreplace({s: sympy.Integer(values[s.name]) for s in expr.free_symbols}))


def test_the_relations_read_as_the_guide_states_them():
    names = {x.name: x for r in RELATIONS.values() for x in r.value.free_symbols}
    i, k, s, p, it, a = (names[n] for n in ("i", "k", "s", "p", "i_t", "a"))
    assert RELATIONS[1].value == i - k + 1
    assert RELATIONS[2].value == i - k + 2 * p + 1
    assert RELATIONS[3].value == i
    assert RELATIONS[4].value == i + k - 1
    assert RELATIONS[5].value == sympy.floor((i - k) / s) + 1
    assert RELATIONS[6].value == sympy.floor((i + 2 * p - k) / s) + 1
    assert RELATIONS[7].value == it + k - 1
    assert RELATIONS[8].value == it + k - 2 * p - 1
    assert RELATIONS[9].value == it
    assert RELATIONS[10].value == it - k + 1
    assert sympy.expand(RELATIONS[11].value - (s * (it - 1) + k)) == 0
    assert sympy.expand(RELATIONS[12].value - (s * (it - 1) + k - 2 * p)) == 0
    assert sympy.expand(RELATIONS[13].value - (s * (it - 1) + a + k - 2 * p)) == 0


@settings(max_examples=60)
@given(forward_axes())
def test_forward_relations_match_the_direct_output_shape(axis):
    i, k, s, p, d = axis
    assert _at(14, i=i, k=k, s=s, p=p, d=d) == _shape_forward(i, k, s, p, d)
    assume(i + 2 * p >= k)
    assert _at(6, i=i, k=k, s=s, p=p) == _shape_forward(i, k, s, p)
    if i >= k:
        assert _at(5, i=i, k=k, s=s) == _shape_forward(i, k, s, 0)
        assert _at(1, i=i, k=k) == _shape_forward(i, k, 1, 0)
    assert _at(2, i=i, k=k, p=p) == _shape_forward(i, k, 1, p)
    assert _at(4, i=i, k=k) == _shape_forward(i, k, 1, k - 1)
    n = k // 2
    assert _at(3, i=i) == _shape_forward(i, 2 * n + 1, 1, n)


@settings(max_examples=60)
@given(forward_axes(max_dilation=1))
def test_transposed_relations_match_the_direct_output_shape(axis):
    # The transposed convolution of a forward one with input i: its input is the forward output i'.
    i, k, s, p, _ = axis
    it = (i + 2 * p - k) // s + 1
    a = (i + 2 * p - k) % s
    assume(a < s)
    assert _at(13, i_t=it, k=k, s=s, p=p, a=a) == _shape_transposed(it, k, s, p, a) == i
    if a == 0:
        assert _at(12, i_t=it, k=k, s=s, p=p) == _shape_transposed(it, k, s, p)
        if p == 0:
            assert _at(11, i_t=it, k=k, s=s) == _shape_transposed(it, k, s, 0)
    u = i  # unit strides
    if u + k - 1 - 2 * p >= 1:
        assert _at(8, i_t=u, k=k, p=p) == _shape_transposed(u, k, 1, p)
    assert _at(7, i_t=u, k=k) == _shape_transposed(u, k, 1, 0)
    n = k // 2
    assert _at(9, i_t=u) == _shape_transposed(u, 2 * n + 1, 1, n)
    if u >= k:
        assert _at(10, i_t=u, k=k) == _shape_transposed(u, k, 1, k - 1)


# --- padding modes ------------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(st.integers(1, 9), st.integers(1, 6), st.integers(1, 3))
def test_same_keeps_the_size_with_pytorchs_extra_padding_at_the_end(size, k, d):
    layer = variants.standard(1, {"L_in": size, "k_l": k, "d_l": d}, padding="same").stages[0].conv
    total = d * (k - 1)
    assert layer.padding == (total // 2,) and layer.pad_end == (total - total // 2,)
    assert layer.out_size == (size,)
    x = np.arange(size)[None, None]
    r = conv_direct(x, np.ones((1, 1, k), dtype=int), padding=total // 2, padding_end=total - total // 2,
                    dilation=d)
    assert r.output.shape[-1] == size


def test_valid_and_full_modes():
    conv = variants.standard(2, {"H_in": 7, "W_in": 7, "k_h": 3, "k_w": 2, "s_h": 2, "s_w": 1, "d_h": 1,
                                 "d_w": 2}, padding="valid").stages[0].conv
    assert conv.out_size == (3, 5) and conv.padding == (0, 0)
    conv = variants.standard(2, {"H_in": 7, "W_in": 7, "k_h": 3, "k_w": 2, "s_h": 1, "s_w": 1, "d_h": 1,
                                 "d_w": 2}, padding="full").stages[0].conv
    assert conv.out_size == (9, 9) and conv.padding == (2, 2)


def test_same_is_symbolically_the_input_size():
    d = derive(variants.standard(2, padding="same"), sizes="input")
    assert d.sizes == {"H_out": sym("H_in"), "W_out": sym("W_in")}


def test_padding_per_side_in_the_output_size_and_the_direct_count():
    conv = variants.standard(1, {"L_in": 6, "k_l": 3, "s_l": 2, "p_l": 0, "pe_l": 2, "d_l": 1}).stages[0].conv
    assert conv.out_size == (3,) and conv.padding_end == (2,)  # floor((6 + 0 + 2 - 2 - 1)/2) + 1
    x, w = np.arange(6)[None, None], np.array([[[1, 2, 3]]])
    r = conv_direct(x, w, stride=2, padding=0, padding_end=2)
    assert np.array_equal(r.output, conv_reference(x, w, stride=2, padding=0, padding_end=2))
    assert r.output.shape[-1] == 3


@settings(max_examples=30)
@given(padding_mode_cases())
def test_padding_modes_in_3d_match_the_direct_output_shape(case):
    mode, kernel, dilation, extra, stride = case
    sizes = [d * (k - 1) + e for k, d, e in zip(kernel, dilation, extra, strict=True)]
    values = {"N": 1, "C_in": 1, "C_out": 1}
    for a, k, d, n in zip("dhw", kernel, dilation, sizes, strict=True):
        values |= {f"k_{a}": k, f"d_{a}": d, f"s_{a}": stride, f"{a.upper()}_in": n}
    conv = variants.standard(3, values, padding=mode).stages[0].conv
    x = np.zeros((1, 1, *sizes), dtype=int)
    r = conv_direct(x, np.ones((1, 1, *kernel), dtype=int), stride=stride, dilation=tuple(dilation),
                    padding=tuple(int(p) for p in conv.padding), padding_end=tuple(int(p) for p in conv.pad_end))
    assert r.output.shape[2:] == tuple(int(o) for o in conv.out_size)
    if mode == "same":
        assert r.output.shape[2:] == tuple(sizes)


# --- per-axis counts of the padding-aware counts ------------------------------------------------------------


def test_an_element_with_no_real_tap_costs_nothing():
    # Dilation 3 on a 1-wide input with padding 3: output u reads u - 3 and u; only u = 0 and u = 3 read x.
    x, w = np.array([[[5]]]), np.array([[[1, 1]]])
    r = conv_direct(x, w, np.array([7]), padding=3, dilation=3, skip_padding=True)
    assert r.output.tolist() == [[[12, 7, 7, 12]]]  # outputs 1 and 2 read only padding: the bias alone
    assert int(Covered(4, 1, 2, 1, 3, 3)) == 2 and int(ValidPairs(4, 1, 2, 1, 3, 3)) == 2
    assert (r.mults, r.adds) == (2, 2)  # two elements with one product each, plus their bias; two are bias alone
    assert np.array_equal(r.output, conv_reference(x, w, np.array([7]), padding=3, dilation=3))


@settings(max_examples=200)
@given(forward_axes(max_size=14, max_padding=5, max_dilation=4))
def test_valid_pairs_regimes_hold_where_stated(axis):
    size, k, s, p, d = axis
    out = output_size(size, k, s, p, d)
    r = (size + 2 * p - d * (k - 1) - 1) % s
    x = np.ones((1, 1, size), dtype=int)
    direct = conv_direct(x, np.ones((1, 1, k), dtype=int), padding=p, stride=s, dilation=d, skip_padding=True)
    v = int(ValidPairs(out, size, k, s, p, d))
    assert direct.mults == v
    nopad, general, unit = valid_pairs_regimes()
    if p == 0:
        assert v == int(nopad.value.xreplace({sym("H_out"): out, sympy.Symbol("k", integer=True, positive=True): k}))
    if out >= -(-p // s):  # the claim: V = k H_out - F(p) - F(p - r)
        assert v == k * out - int(PaddedTaps(p, k, s, d)) - int(PaddedTaps(p - r, k, s, d))
        names = {n.name: n for n in general.value.free_symbols}
        assert v == int(general.value.xreplace({names["H_out"]: out, names["k"]: k, names["s"]: s, names["p"]: p,
                                                names["d"]: d, names["r"]: r}))
    if s == d == 1 and p <= k - 1 and out >= p:  # the claim: V = k H_out - p(p + 1)
        assert v == k * out - p * (p + 1)
        names = {n.name: n for n in unit.value.free_symbols}
        assert v == int(unit.value.xreplace({names["H_out"]: out, names["k"]: k, names["p"]: p}))


@given(st.integers(1, 9), st.integers(1, 12), st.integers(1, 6), st.integers(1, 4), st.integers(0, 5),
       st.integers(1, 4))
def test_per_axis_counts_equal_their_definitions(n_a, n_b, k, s, p, d):
    from symconv.geometry import Covered, Hit, ValidPairs

    inside = [(a, j) for a in range(n_a) for j in range(k) if 0 <= s * a + d * j - p < n_b]
    assert ValidPairs.count(n_a, n_b, k, s, p, d) == len(inside)
    assert Covered.count(n_a, n_b, k, s, p, d) == len({a for a, _ in inside})
    assert Hit.count(n_a, n_b, k, s, p, d) == len({s * a + d * j - p for a, j in inside})


def test_per_axis_counts_stay_fast_for_large_sizes():
    from symconv.geometry import Covered, Hit, ValidPairs

    for count in (ValidPairs, Covered, Hit):
        assert count.count(10**9, 10**9, 3, 1, 1, 1) is not None  # linear in the taps, not the positions
    assert ValidPairs.count(2, 10**13, 10**12, 1, 0, 1) is None  # beyond TAP_LIMIT taps: left unevaluated
