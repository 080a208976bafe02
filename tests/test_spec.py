"""Layer specs: symbolic, numeric and mixed; impossible layers refused as soon as the numbers show it."""

from __future__ import annotations

import pytest
import sympy

from symconv import variants
from symconv.direct import transposed_output_size
from symconv.errors import SpecError, UnknownSymbolError, UnknownVariantError
from symconv.spec import Conv
from symconv.symbols import new_symbol, sym


def test_symbolic_spec_keeps_every_symbol():
    conv = Conv.make(3)
    assert conv.kernel == (sym("k_d"), sym("k_h"), sym("k_w"))
    assert conv.out_size == (sym("D_out"), sym("H_out"), sym("W_out"))
    assert conv.in_per_group == sym("C_in_g")


def test_mixed_spec_substitutes_expressions():
    k = new_symbol("k")
    conv = Conv.make(2, values={"k_h": 2 * k + 1, "k_w": 2 * k + 1, "g": 1})
    assert conv.kernel == (2 * k + 1, 2 * k + 1)
    assert conv.in_per_group == sym("C_in")


def test_output_size_is_computed_once_numeric_and_checked_against_a_given_one():
    base = {"H_in": 7, "k_h": 3, "s_h": 2, "p_h": 1, "d_h": 1}
    assert Conv.make(2, values=base).out_size[0] == 4
    assert Conv.make(2, values={**base, "H_out": 4}).out_size[0] == 4
    with pytest.raises(SpecError, match="H_out = 5 contradicts"):
        Conv.make(2, values={**base, "H_out": 5})


def test_specs_are_frozen_and_hashable():
    conv = Conv.make(1, values={"k_l": 3})
    assert conv == Conv.make(1, values={"k_l": 3})
    assert hash(conv) == hash(Conv.make(1, values={"k_l": 3}))
    with pytest.raises(AttributeError):
        conv.bias = 1  # type: ignore[misc]


def test_channels_per_group_polynomial_when_divisible_symbolically():
    c = new_symbol("c")
    conv = Conv.make(2, values={"C_in": 4 * c, "g": 4})
    assert conv.in_per_group == c


@pytest.mark.parametrize(("values", "message"), [
    ({"N": 0}, "N = 0 must be an integer of at least 1"),
    ({"C_in": -3}, "C_in = -3"),
    ({"k_h": 0}, "k_h = 0"),
    ({"s_w": 0}, "s_w = 0"),
    ({"p_h": -1}, "p_h = -1"),
    ({"d_h": 0}, "d_h = 0"),
    ({"H_in": 0}, "H_in = 0"),
    ({"b": 2}, "b = 2 must be 0"),
    ({"C_in": 6, "g": 4}, "C_in = 6 is not divisible by g = 4"),
    ({"C_out": 10, "g": 3}, "C_out = 10 is not divisible by g = 3"),
    ({"H_in": 4, "k_h": 7, "p_h": 1, "d_h": 1}, "wider than the padded input"),
    ({"H_in": 5, "k_h": 3, "d_h": 3, "p_h": 0}, "spans 7 inputs"),
    ({"k_h": sympy.Rational(1, 2)}, "not an integer"),
])
def test_impossible_specs_are_refused(values, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(")):
        Conv.make(2, values=values)


def test_bad_values_and_names():
    with pytest.raises(SpecError):
        Conv.make(2, values={"k_h": 2.5})  # type: ignore[dict-item]
    with pytest.raises(UnknownSymbolError):
        Conv.make(2, values={"K_h": 3})
    with pytest.raises(UnknownVariantError, match="known: standard"):
        variants.make("dense", 2)
    with pytest.raises(SpecError, match="dims"):
        variants.make("standard", 4)


def test_values_see_each_other_and_circles_are_refused():
    conv = Conv.make(2, values={"k_h": sym("k_w"), "k_w": 3})
    assert conv.kernel == (3, 3)
    with pytest.raises(SpecError, match="refer to themselves"):
        Conv.make(2, values={"k_h": sym("k_w"), "k_w": sym("k_h")})


# --- layers the known values rule out, or leave open ---------------------------------------------------------

def test_a_layer_no_value_of_the_remaining_symbols_makes_real_is_refused():
    # H_in = 2, k_h = 5, p_h = 0: the kernel spans 4 d_h + 1 >= 5 inputs of 2, whatever d_h is.
    with pytest.raises(SpecError, match="for every value of d_h"):
        Conv.make(2, {"H_in": 2, "k_h": 5, "p_h": 0})
    # A transposed layer whose crop leaves no output for any stride or dilation.
    with pytest.raises(SpecError, match="crops the whole output"):
        Conv.make(1, {"L_in": 1, "k_l": 1, "p_l": 1, "op_l": 0}, transposed=True)


def test_values_that_rule_out_some_layers_give_the_condition_where_the_layer_exists():
    conv = Conv.make(2, {"H_in": 2, "k_h": 5})
    (condition,) = conv.conditions
    assert sympy.expand(condition.lhs - condition.rhs - (2 * sym("p_h") + 1 - 4 * sym("d_h"))) == 0
    # Exactly the layers with the kernel fitting: p_h = 2, d_h = 1 exists, p_h = 1 does not.
    assert condition.xreplace({sym("p_h"): 2, sym("d_h"): 1}) == sympy.true
    assert condition.xreplace({sym("p_h"): 1, sym("d_h"): 1}) == sympy.false
    Conv.make(2, {"H_in": 2, "k_h": 5, "p_h": 2, "d_h": 1})
    with pytest.raises(SpecError):
        Conv.make(2, {"H_in": 2, "k_h": 5, "p_h": 1, "d_h": 1})


def test_no_condition_where_nothing_is_pinned_or_every_value_fits():
    assert Conv.make(2).conditions == ()  # every symbol free: the layer's own existence, nothing more
    assert Conv.make(2, {"k_h": 1, "k_w": 1}).conditions == ()  # a 1-tap kernel fits any input
    assert Conv.make(2, {"H_in": 7, "W_in": 7, "k_h": 3, "k_w": 3, "p_h": 1, "p_w": 1}).conditions != ()


def test_transposed_refuses_bad_geometry():
    for values, message in [
        ({"op_h": 2, "s_h": 2, "d_h": 1}, "op_h = 2 must be smaller than the stride"),
        ({"H_in": 1, "k_h": 1, "s_h": 1, "d_h": 1, "op_h": 0, "p_h": 1}, "crops the whole output"),
        ({"p_h": -1}, "p_h = -1"),
    ]:
        with pytest.raises(SpecError, match=message):
            variants.transposed(2, values)
    with pytest.raises(SpecError, match="output_padding=2 must be smaller"):
        transposed_output_size(3, 3, 2, 0, 2, output_padding=2)
