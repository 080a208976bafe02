"""symconv.memory: memory traffic, arithmetic intensity and the roofline, ShuffleNetV2's MAC as a special case
(its guideline G1 and the certificate are in test_guideline.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

from symconv import variants
from symconv.check.claims import check_claim, load_rules
from symconv.derive import derive
from symconv.errors import SymconvError
from symconv.memory import Device, traffic
from symconv.passes import derive_pass
from symconv.symbols import new_symbol, sym

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"

N, C_in, C_out, b, B = (sym(n) for n in ("N", "C_in", "C_out", "b", "B"))
H_in, W_in, H_out, W_out, k_h, k_w = (sym(n) for n in ("H_in", "W_in", "H_out", "W_out", "k_h", "k_w"))


def test_the_forward_pass_moves_its_input_weight_bias_and_output_once():
    t = traffic(derive(variants.standard(2)))
    expected = N * C_in * H_in * W_in + C_out * C_in * k_h * k_w + b * C_out + N * C_out * H_out * W_out
    assert sympy.expand(t.quantities["elements"] - expected) == 0
    assert sympy.expand(t.quantities["bytes"] - B * expected) == 0
    assert dict(t.reads) == {"x": N * C_in * H_in * W_in, "w": C_out * C_in * k_h * k_w, "beta": C_out * b}


def test_the_backward_pass_reads_what_its_gradients_need():
    full = traffic(derive_pass(variants.standard(2), pass_="backward"))
    assert [name for name, _ in full.reads] == ["dy", "x", "w"]
    assert [name for name, _ in full.writes] == ["dx", "dw", "dbeta"]
    first = traffic(derive_pass(variants.standard(2), pass_="backward", grad=("weight",)))
    assert [name for name, _ in first.reads] == ["dy", "x"] and [name for name, _ in first.writes] == ["dw"]
    bias_only = traffic(derive_pass(variants.standard(2), pass_="backward", grad=("bias",)))
    assert dict(bias_only.reads) == {"dy": N * C_out * H_out * W_out * b}


def test_a_training_step_moves_both_passes_and_a_multi_stage_layer_every_stage():
    layer = variants.separable(2)
    training = traffic(derive_pass(layer, pass_="training"), 4)
    forward, backward = traffic(derive(layer), 4), traffic(derive_pass(layer, pass_="backward"), 4)
    assert sympy.expand(training.quantities["bytes"] - forward.quantities["bytes"]
                        - backward.quantities["bytes"]) == 0
    assert [name for name, _ in forward.writes] == ["y", "y2"]  # the intermediate result is written, then read


def test_shufflenetv2s_memory_access_cost_is_the_traffic_of_a_1x1_convolution():
    h, w, c1, c2 = (new_symbol(n) for n in ("h", "w", "c_1", "c_2"))
    layer = variants.pointwise(2, {"N": 1, "C_in": c1, "C_out": c2, "H_in": h, "W_in": w, "H_out": h, "W_out": w,
                                   "s_h": 1, "s_w": 1}, bias=False)
    mac = traffic(derive(layer), 1).quantities["bytes"]
    assert sympy.expand(mac - (h * w * (c1 + c2) + c1 * c2)) == 0  # Ma et al. 2018, section 3, G1
    (claim,) = load_rules(DERIVATIONS / "claims.toml", ("memory",))
    assert check_claim(claim)[2].summary == "holds"


def test_intensity_and_the_roofline_on_a_device():
    layer = variants.pointwise(2, {"N": 1, "C_in": 64, "C_out": 64, "H_in": 56, "W_in": 56, "s_h": 1, "s_w": 1},
                               bias=False)
    d = derive(layer)
    t = traffic(d, 4, Device.parse("peak=10e12,bandwidth=500e9"))
    assert t.quantities["intensity"] == d.quantities["flops"] / t.quantities["bytes"]
    assert t.quantities["intensity"] < t.device.ridge and t.bound == "memory"  # 1×1 convolutions starve
    assert t.quantities["roofline"] == t.quantities["bytes"] / sympy.Integer(500 * 10**9)
    heavy = traffic(derive_pass(variants.standard(2, {"N": 8, "C_in": 256, "C_out": 256, "H_in": 28, "W_in": 28,
                                                      "k_h": 3, "k_w": 3, "s_h": 1, "s_w": 1, "p_h": 1, "p_w": 1,
                                                      "d_h": 1, "d_w": 1}, bias=True), pass_="training"), 2,
                    Device.parse("peak=10e12,bandwidth=500e9"))
    assert heavy.bound == "compute"


def test_a_symbolic_roofline_stays_a_max():
    t = traffic(derive(variants.standard(1)), device=Device(sympy.Integer(10), sympy.Integer(2)))
    assert isinstance(t.quantities["roofline"], sympy.Max) and t.bound is None


@pytest.mark.parametrize("text", ["peak=1e12", "bandwidth=1e9", "peak=1e12,bandwidth=-3", "peak=x,bandwidth=1",
                                  "speed=1,bandwidth=2", "peak=1,peak=2,bandwidth=3", "peak=1e12;bandwidth=1e9"])
def test_bad_devices_are_refused_in_one_line(text):
    with pytest.raises(SymconvError):
        Device.parse(text)


def test_device_numbers_are_exact():
    assert Device.parse("peak=1.5e12,bandwidth=2*10^11") == Device(sympy.Integer(1_500_000_000_000),
                                                                   sympy.Integer(200_000_000_000))
    assert Device.parse(" peak = 3/2 , bandwidth = 1 ").ridge == sympy.Rational(3, 2)
