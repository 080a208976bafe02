"""The gradients and FlopCounterMode, against PyTorch: the backward counters' values are torch.autograd's, and
the flopcounter preset is what FlopCounterMode itself counts (torch/utils/flop_counter.py)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import numeric_stages

from symconv import variants
from symconv.derive import derive
from symconv.direct import conv_backward_direct, conv_transpose_backward_direct
from symconv.passes import derive_pass

torch = pytest.importorskip("torch")
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402


def _function(dims: int, transposed: bool):  # type: ignore[no-untyped-def]
    return getattr(torch.nn.functional, f"conv_transpose{dims}d" if transposed else f"conv{dims}d")


def _tensor(values: np.ndarray | None, grad: bool = True):  # type: ignore[no-untyped-def]
    return None if values is None else torch.tensor(values, dtype=torch.float64, requires_grad=grad)


@settings(max_examples=40)
@given(st.booleans().flatmap(lambda t: st.tuples(st.just(t), numeric_stages(t))))
def test_the_gradients_are_torch_autograds(case):
    transposed, stage = case
    if stage["dy"] is None:
        return
    x, w, b = _tensor(stage["x"]), _tensor(stage["w"]), _tensor(stage["bias"])
    y = _function(stage["dims"], transposed)(x, w, b, **stage["options"])
    y.backward(torch.tensor(stage["dy"], dtype=torch.float64))
    run = conv_transpose_backward_direct if transposed else conv_backward_direct
    result = run(stage["x"], stage["w"], stage["dy"], stage["bias"], **stage["options"])
    assert np.array_equal(result.grad_input, x.grad.numpy())
    assert np.array_equal(result.grad_weight, w.grad.numpy())
    if b is not None:
        assert np.array_equal(result.grad_bias, b.grad.numpy())


def _numeric(layer):  # type: ignore[no-untyped-def]
    conv = layer.stages[0].conv
    return {name: tuple(int(v) for v in getattr(conv, name)) for name in ("stride", "padding", "dilation")}, conv


def _flop_counter(layer, grad: tuple[str, ...]) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """FlopCounterMode's totals of one forward and one backward pass of the layer's (single) convolution, the
    tensors asked for requiring their gradients."""
    options, conv = _numeric(layer)
    transposed = conv.transposed
    x = torch.zeros(int(conv.batch), int(conv.in_channels), *(int(s) for s in conv.in_size),
                    requires_grad="input" in grad)
    channels = (int(conv.in_channels), int(conv.out_per_group)) if transposed else \
        (int(conv.out_channels), int(conv.in_per_group))
    w = torch.zeros(*channels, *(int(k) for k in conv.kernel), requires_grad="weight" in grad)
    b = torch.zeros(int(conv.out_channels), requires_grad="bias" in grad) if conv.bias == 1 else None
    extra = {"output_padding": tuple(int(v) for v in conv.out_pad)} if transposed else {}
    with FlopCounterMode(display=False) as forward:
        y = _function(conv.dims, transposed)(x, w, b, groups=int(conv.groups), **options, **extra)
    with FlopCounterMode(display=False) as backward:
        y.sum().backward()
    return forward.get_total_flops(), backward.get_total_flops()


CASES = [
    ("depthwise", 2, {"C_in": 8, "m": 1}, ("input", "weight", "bias")),
    ("depthwise", 2, {"C_in": 8, "m": 2}, ("weight", "bias")),
    ("grouped", 2, {"C_in": 12, "C_out": 18, "g": 3}, ("input", "weight", "bias")),
    ("standard", 1, {"C_in": 3, "C_out": 5}, ("weight",)),
    ("standard", 3, {"C_in": 2, "C_out": 3}, ("input",)),
    ("transposed", 2, {"C_in": 4, "C_out": 6, "g": 2, "op_h": 1, "op_w": 0}, ("input", "weight", "bias")),
    ("transposed", 1, {"C_in": 2, "C_out": 4, "g": 1, "op_l": 1}, ("weight", "bias")),
]


@pytest.mark.parametrize(("variant", "dims", "values", "grad"), CASES)
def test_flopcounter_is_what_flopcountermode_counts(variant, dims, values, grad):
    geometry = {"N": 2}
    for a in {1: "l", 2: "hw", 3: "dhw"}[dims]:
        geometry |= {f"{a.upper()}_in": 7, f"k_{a}": 3, f"s_{a}": 2, f"p_{a}": 1, f"d_{a}": 1}
    layer = variants.make(variant, dims, {**geometry, **values}, True)
    forward, backward = _flop_counter(layer, grad)
    derived = derive_pass(layer, "flopcounter", pass_="backward", grad=grad)
    assert derived.quantities["flops"] == backward
    training = derive_pass(layer, "flopcounter", pass_="training", grad=grad)
    assert training.parts["forward"]["flops"] == forward
    assert training.quantities["flops"] == forward + backward


def test_flopcountermode_counts_a_depthwise_backward_nine_times_its_forward():
    """g = 8: its grad-weight term multiplies all 8 input channels by all 8 output channels."""
    layer = variants.depthwise(2, {"N": 1, "C_in": 8, "m": 1, "H_in": 16, "W_in": 16, "k_h": 3, "k_w": 3,
                                   "s_h": 1, "s_w": 1, "p_h": 1, "p_w": 1, "d_h": 1, "d_w": 1}, bias=False)
    forward, backward = _flop_counter(layer, ("input", "weight"))
    assert sympy.Rational(backward, forward) == 9
    exact = derive_pass(layer, pass_="backward", grad=("input", "weight")).quantities["flops"]
    assert 1.8 < exact / derive(layer).quantities["flops"] < 2
