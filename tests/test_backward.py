"""The backward pass and the training step, derived: each gradient's counts against the formulas the issue
states (typed in here, as claims), the parts, the passes, the conventions and the FlopCounterMode preset."""

from __future__ import annotations

import pytest
import sympy

from symconv import variants
from symconv.backward import GRADS, needed, parse_grads, stage_gradients
from symconv.conventions import FLOPCOUNTER, Convention, parse_rule
from symconv.derive import derive
from symconv.errors import SymconvError
from symconv.geometry import Covered, Hit, ValidPairs
from symconv.passes import Pass, PassDerivation, derive_pass
from symconv.quantities import LAYER, PARTS
from symconv.symbols import sym

N, C_in, C_out, g, b = (sym(n) for n in ("N", "C_in", "C_out", "g", "b"))
C_in_g, C_out_g = sym("C_in_g"), sym("C_out_g")
H_in, W_in, H_out, W_out = (sym(n) for n in ("H_in", "W_in", "H_out", "W_out"))
k_h, k_w, s_h, s_w, p_h, p_w, d_h, d_w = (sym(n) for n in ("k_h", "k_w", "s_h", "s_w", "p_h", "p_w", "d_h", "d_w"))
L_in, L_out, k_l, s_l, p_l, d_l = (sym(n) for n in ("L_in", "L_out", "k_l", "s_l", "p_l", "d_l"))
NO_PADDING = {"p_h": 0, "p_w": 0}


def _parts(layer, grad=GRADS):  # type: ignore[no-untyped-def]
    return {p.part: p for p in stage_gradients(layer.stages[0].name, layer.stages[0].conv, grad)}


def _zero(expr: sympy.Expr) -> bool:
    return sympy.expand(expr) == 0


def test_the_bias_gradient_sums_dy_over_the_batch_and_the_output_grid():
    parts = _parts(variants.standard(2))
    assert parts["grad_bias"].totals.mults == 0
    assert _zero(parts["grad_bias"].totals.adds - b * C_out * (N * H_out * W_out - 1))


def test_the_weight_gradient_has_the_forward_products_and_one_addition_fewer_per_entry():
    parts = _parts(variants.grouped(2))
    products = N * H_out * W_out
    entries = C_out * C_in_g * k_h * k_w
    assert _zero(parts["grad_weight"].totals.mults - entries * products)
    assert _zero(parts["grad_weight"].totals.adds - entries * (products - 1))


def test_the_weight_gradient_performed_skips_the_padding():
    part = _parts(variants.standard(1))["grad_weight"]
    pairs = ValidPairs(L_out, L_in, k_l, s_l, p_l, d_l)
    taps = Covered(k_l, L_in, L_out, d_l, p_l, s_l)
    assert _zero(part.performed.mults - N * C_out * C_in * pairs)
    assert _zero(part.performed.adds - (N * C_out * C_in * pairs - C_out * C_in * taps))
    unpadded = _parts(variants.standard(1, {"p_l": 0}))["grad_weight"]
    assert unpadded.performed == unpadded.totals


def test_the_input_gradient_sums_the_triples_that_read_each_input_and_skips_unread_inputs():
    part = _parts(variants.grouped(1))["grad_input"]
    pairs, hit = ValidPairs(L_out, L_in, k_l, s_l, p_l, d_l), Hit(L_out, L_in, k_l, s_l, p_l, d_l)
    assert _zero(part.totals.mults - N * C_in * C_out_g * pairs)
    assert _zero(part.totals.adds - (N * C_in * C_out_g * pairs - N * C_in * hit))


def test_at_stride_one_without_padding_every_input_is_read():
    part = _parts(variants.standard(2, {**NO_PADDING, "s_h": 1, "s_w": 1, "d_h": 1, "d_w": 1}))["grad_input"]
    products = N * C_in * C_out * k_h * k_w * H_out * W_out
    assert _zero(part.totals.mults - products)
    assert _zero(part.totals.adds - (products - N * C_in * (H_out + k_h - 1) * (W_out + k_w - 1)))


def test_an_input_no_tap_reads_costs_nothing():
    # stride 3 over a 1-tap kernel: of 7 inputs, positions 0, 3 and 6 are read.
    layer = variants.standard(1, {"N": 1, "C_in": 1, "C_out": 2, "L_in": 7, "k_l": 1, "s_l": 3, "p_l": 0, "d_l": 1})
    part = _parts(layer)["grad_input"]
    assert (part.totals.mults, part.totals.adds) == (6, 3)  # 2 products into each of 3 read inputs


def test_a_transposed_convolution_gradients_sum_over_the_landed_products():
    parts = _parts(variants.transposed(1))
    pairs = ValidPairs(L_in, L_out, k_l, s_l, p_l, d_l)
    landed = N * C_in * C_out_g * pairs
    forward = derive(variants.transposed(1))
    assert _zero(forward.polynomials["mults"] - landed)
    assert _zero(parts["grad_input"].totals.mults - landed)
    assert _zero(parts["grad_input"].totals.adds - (landed - N * C_in * Covered(L_in, L_out, k_l, s_l, p_l, d_l)))
    assert _zero(parts["grad_weight"].totals.mults - landed)
    taps = Covered(k_l, L_out, L_in, d_l, p_l, s_l)
    assert _zero(parts["grad_weight"].totals.adds - (landed - C_in * C_out_g * taps))


def test_the_first_stage_of_a_layer_needs_no_input_gradient_unless_asked():
    layer = variants.separable(2)
    assert needed(layer, ("weight", "bias")) == [("weight", "bias"), ("input", "weight", "bias")]
    assert needed(layer, ("input",)) == [("input",), ("input",)]
    assert needed(variants.standard(2), ("weight",)) == [("weight",)]


def test_parse_grads_orders_and_refuses():
    assert parse_grads("bias, input") == ("input", "bias")
    for bad in ("", "inputs", ["weight", "gamma"], ()):
        with pytest.raises(SymconvError):
            parse_grads(bad)


def test_a_backward_pass_sums_its_parts_and_keeps_the_layers_parameters():
    d = derive_pass(variants.separable(2), pass_="backward")
    assert isinstance(d, PassDerivation) and d.pass_ is Pass.BACKWARD
    assert tuple(d.parts) == PARTS
    for name in ("mults", "adds", "flops", "macs"):
        assert _zero(d.polynomials[name] - sum(c[name] for c in d.part_polynomials.values()))
    assert _zero(d.polynomials["params"] - derive(variants.separable(2)).polynomials["params"])


def test_a_training_step_is_the_forward_pass_and_the_backward_pass():
    layer = variants.depthwise(2)
    training = derive_pass(layer, pass_="training")
    backward = derive_pass(layer, pass_="backward")
    forward = derive(layer)
    assert tuple(training.parts) == ("forward", *PARTS)
    for name in ("mults", "adds", "flops", "macs"):
        assert _zero(training.polynomials[name] - backward.polynomials[name] - forward.polynomials[name])


def test_the_forward_pass_is_the_forward_derivation():
    layer = variants.standard(2)
    assert derive_pass(layer) == derive(layer)
    assert derive_pass(layer, "macs", pass_="forward").quantities == derive(layer, "macs").quantities


@pytest.mark.parametrize("convention", ["exact", "macs", "2macs", "performed", "flopcounter"])
def test_every_backward_convention_is_one_of_its_further_counts(convention):
    d = derive_pass(variants.standard(1), convention, pass_="backward")
    assert d.quantities["flops"] == d.counts[f"flops_{convention}"]


@pytest.mark.parametrize(("pass_", "convention"), [("backward", "input-grid"), ("training", "output-grid"),
                                                   ("forward", "flopcounter"), ("sideways", "exact")])
def test_conventions_a_pass_does_not_have_are_refused(pass_, convention):
    with pytest.raises(SymconvError):
        derive_pass(variants.standard(1), convention, pass_=pass_)


def test_parse_rule_takes_presets_for_a_backward_pass_only():
    assert parse_rule("flopcounter", backward=True) is FLOPCOUNTER
    assert parse_rule("macs") is Convention.MACS
    with pytest.raises(SymconvError, match="backward pass"):
        parse_rule("flopcounter")


def test_flopcounter_counts_the_weight_gradient_of_every_channel_pair():
    """FlopCounterMode's depthwise backward, g = C_in = 8: its forward plus 8 forwards (the weight gradient)."""
    geometry = {f"{letter}_{a}": value for a in "hw" for letter, value in (("k", 3), ("s", 1), ("p", 1), ("d", 1))}
    layer = variants.depthwise(2, {"m": 1, "C_in": 8, "N": 1, "H_in": 8, "W_in": 8, **geometry}, bias=True)
    forward = derive(layer, "2macs").quantities["flops"]
    backward = derive_pass(layer, "flopcounter", pass_="backward")
    assert backward.parts["grad_input"]["flops"] == forward
    assert backward.parts["grad_weight"]["flops"] == 8 * forward
    assert backward.quantities["flops"] / forward == 9
    exact = derive_pass(layer, pass_="backward").quantities["flops"] / derive(layer).quantities["flops"]
    assert exact == sympy.Rational(16880, 9216)  # about 1.83: the padding leaves the input gradient fewer products


def test_a_frozen_layer_without_a_bias_has_a_zero_bias_part():
    d = derive_pass(variants.standard(2, bias=False), pass_="backward", grad=("bias",))
    assert d.quantities["flops"] == 0 and set(d.parts) == {"grad_bias"}


def test_steps_and_printers_carry_the_pass():
    from symconv.printing import json, text

    d = derive_pass(variants.standard(2, NO_PADDING), pass_="backward", grad="weight,bias")
    data = json.to_dict(d)
    assert list(data)[:6] == ["variant", "dims", "convention", "pass", "grad", "quantities"]
    assert list(data["parts"]) == ["grad_weight", "grad_bias"]
    assert all(list(part) == list(LAYER) for part in data["parts"].values())
    assert "backward pass, gradients of the weight, bias" in text.render(d).splitlines()[0]
    assert {s.title for s in d.steps} >= {"gradient of the weight", "gradient of the bias", "parts", "totals"}
