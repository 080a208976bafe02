"""symconv.direct.backward, the backward counters: their two modes against each other, their values against the forward
computation by linearity and the adjoint identities, and their arguments refused in one line
(tests/test_backward_torch.py holds them to torch.autograd)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import numeric_stages

from symconv.direct import (
    adjoint_identities,
    conv_backward_direct,
    conv_reference,
    conv_transpose_backward_direct,
    conv_transpose_reference,
    gradient_loop_nest,
    gradients_by_linearity,
)
from symconv.errors import SpecError


def _forward(stage: dict, transposed: bool):  # type: ignore[no-untyped-def, type-arg]
    reference = conv_transpose_reference if transposed else conv_reference
    return lambda x, w, b: reference(x, w, b, **stage["options"])


def _run(stage: dict, transposed: bool, **extra):  # type: ignore[no-untyped-def, type-arg]
    run = conv_transpose_backward_direct if transposed else conv_backward_direct
    return run(stage["x"], stage["w"], stage["dy"], stage["bias"], **stage["options"], **extra)


@settings(max_examples=60)
@given(st.booleans().flatmap(lambda t: st.tuples(st.just(t), numeric_stages(t))))
def test_both_modes_compute_the_gradients_by_linearity_with_the_same_counts(case):
    transposed, stage = case
    if stage["dy"] is None:
        return
    scalar, vectorized = _run(stage, transposed, mode="scalar"), _run(stage, transposed, mode="vectorized")
    dx, dw, db = gradients_by_linearity(_forward(stage, transposed), stage["x"], stage["w"], stage["dy"],
                                        stage["bias"])
    for result in (scalar, vectorized):
        assert np.array_equal(result.grad_input, dx)
        assert np.array_equal(result.grad_weight, dw)
        assert (result.grad_bias is None) == (db is None)
        if db is not None:
            assert np.array_equal(result.grad_bias, db)
    assert (scalar.mults, scalar.adds) == (vectorized.mults, vectorized.adds)
    if transposed or not any(stage["options"]["padding"]):  # every forward product is read by both gradients
        assert scalar.mults["grad_weight"] == scalar.mults["grad_input"]


@settings(max_examples=30)
@given(numeric_stages(False))
def test_skipping_the_padding_changes_the_counts_not_the_weight_gradient(stage):
    full, skipped = _run(stage, False), _run(stage, False, skip_padding=True)
    assert np.array_equal(full.grad_weight, skipped.grad_weight)
    assert skipped.mults["grad_weight"] <= full.mults["grad_weight"]
    if not any(stage["options"]["padding"]):
        assert (skipped.mults, skipped.adds) == (full.mults, full.adds)


def test_the_adjoint_identity_of_a_convolution_and_its_transpose():
    """<dy, conv(x, w)> = <conv_transpose(dy, w), x>: the input gradient is the transposed convolution of dy."""
    rng = np.random.default_rng(3)
    x, w = rng.integers(-3, 4, (2, 4, 9, 7)), rng.integers(-3, 4, (6, 2, 3, 2))
    options = {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "groups": 2}
    y = conv_reference(x, w, **options)
    dy = rng.integers(-3, 4, y.shape)
    dx = conv_backward_direct(x, w, dy, grad=("input",), **options).grad_input
    assert np.sum(dy * y) == np.sum(dx * x)
    # The transposed convolution of dy with the same weight, output padding filling the stride's remainder.
    back = conv_transpose_reference(dy, w, output_padding=(0, 0), **options)
    assert np.array_equal(back, dx[:, :, : back.shape[2], : back.shape[3]])
    grads = {"grad_input": dx, "grad_weight": None}
    assert adjoint_identities(lambda a, b, c: conv_reference(a, b, c, **options), x, w, dy, grads)
    assert not adjoint_identities(lambda a, b, c: conv_reference(a, b, c, **options), x, w, dy,
                                  {"grad_input": dx + 1})


def test_only_the_gradients_asked_for_are_computed():
    x, w, dy = np.ones((1, 2, 5), int), np.ones((3, 2, 3), int), np.ones((1, 3, 3), int)
    result = conv_backward_direct(x, w, dy, np.zeros(3, int), grad=("weight",))
    assert result.grad_input is None and result.grad_bias is None and result.grad_weight is not None
    assert result.mults["grad_input"] == result.adds["grad_bias"] == 0
    assert conv_backward_direct(x, w, dy, grad=("bias",)).grad_bias is None  # no bias, no bias gradient


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"grad_output": np.ones((1, 3, 4), int)}, "output's shape"),
    ({"grad": ("input", "gamma")}, "unknown gradient"),
    ({"mode": "fast"}, "mode"),
    ({"grad_output": np.ones((1, 3, 3), complex)}, "integers or real floats"),
])
def test_bad_arguments_are_refused_in_one_line(kwargs, message):
    arguments = {"x": np.ones((1, 2, 5), int), "weight": np.ones((3, 2, 3), int),
                 "grad_output": np.ones((1, 3, 3), int), **kwargs}
    with pytest.raises(SpecError, match=message):
        conv_backward_direct(**arguments)


def test_gradient_loop_nests_name_their_trip_counts():
    assert gradient_loop_nest(2, "grad_bias") == ("g", "C_out_g", "N", "H_out", "W_out")
    assert gradient_loop_nest(2, "grad_weight", transposed=True) == ("g", "C_in_g", "C_out_g", "k_h", "k_w", "N",
                                                                      "H_in", "W_in")
    with pytest.raises(SpecError):
        gradient_loop_nest(1, "grad_gamma")
