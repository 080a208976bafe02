"""The backward pass of every network layer: the counts derived from the elements of its gradients
(symconv.network.passes) equal a direct backward computation's (symconv.network.direct.backward), part by
part and layer by layer, with the tensors each layer keeps; the computed gradients agree with finite
differences of the forward pass; which gradients are computed follows the network."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from test_network_fileformat import EVERY_TYPE
from test_network_layers_nd import NETWORKS

from symconv.network import Network, Node, Shape, loads
from symconv.network.direct.backward import _forward, run_backward
from symconv.network.graph import walk
from symconv.network.layers import BatchNorm, Convolution, Linear, NetworkError
from symconv.network.passes import analyse_pass, count_pass, needs

COUNTED = ("params", "weights", "mults", "adds", "others", "macs")
GRADS = (("weight", "bias"), ("input", "weight", "bias"), ("input",))


def _agree(net: Network, values: dict[str, int] | None, grad: tuple[str, ...]) -> None:
    closed = analyse_pass(net, values, pass_="training", grad=grad)
    for row, computed in zip(closed.rows, run_backward(net, values, grad), strict=True):
        for part, counts in computed.parts.items():
            for q in COUNTED:
                assert getattr(row.parts[part], q) == getattr(counts, q), (net.name, row.name, part, q)
        for q in ("mults", "adds", "others"):
            assert getattr(row.parts["forward"], q) == getattr(computed.forward, q), (net.name, row.name, q)
        kept = {(k.what, k.source): (k.elements.xreplace({closed.per: closed.batch}), k.integer) for k in row.kept}
        assert kept == computed.kept, (net.name, row.name)


@pytest.mark.parametrize("grad", GRADS, ids="+".join)
@pytest.mark.parametrize("name", list(NETWORKS))
def test_each_layer_backward_counts_what_its_real_computation_performs(name, grad):
    _agree(NETWORKS[name], None, grad)


def test_every_file_type_and_a_shared_layer_without_its_first_use():
    net = loads(EVERY_TYPE, "every.toml")
    for grad in GRADS:
        _agree(net, {"H": 8}, grad)


def _input_gradient(net: Network, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    """The network input, the output's gradient, the input's gradient summed over its readers, and a
    function computing the output from an input with the same parameters."""
    walked = list(walk(net, net.resolve(None)))

    def output(x: np.ndarray) -> np.ndarray:
        env = {"input": x}
        for number, (node, layer, _, _) in enumerate(walked):
            env[node.name] = _forward(layer, [env[i] for i in node.inputs], np.random.default_rng([seed, number]))[0]
        return env[net.output]

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((int(net.batch), *(int(s) for s in net.input.dims)))
    dy = rng.standard_normal(output(x).shape)
    rows = run_backward(net, grad=("input",), seed=seed)
    dx = np.zeros_like(x)
    for (node, _, _, _), row in zip(walked, rows, strict=True):
        for source, gradient in zip(node.inputs, row.gradients[0], strict=True):
            if source == "input" and gradient is not None:
                dx += gradient
    return x, dy, dx, output


@pytest.mark.parametrize("name", [n for n in NETWORKS if "max" not in n and "relu" not in n])
def test_the_input_gradient_is_the_derivative_of_the_forward_pass(name):
    x, dy, dx, output = _input_gradient(NETWORKS[name])
    v = np.random.default_rng(1).standard_normal(x.shape)
    eps = 1e-6
    slope = np.sum(dy * (output(x + eps * v) - output(x - eps * v))) / (2 * eps)  # type: ignore[operator]
    assert slope == pytest.approx(np.sum(dx * v), rel=1e-5, abs=1e-6), name


def test_the_first_layer_needs_no_input_gradient_and_a_frozen_layer_nothing():
    net = Network("frozen", Shape(3, (4, 4)), (
        Node("stem", Convolution(out=4, kernel=3, padding=1), ("input",), frozen=("weight",)),
        Node("bn", BatchNorm(), ("stem",)), Node("fc", Linear(out=2), ("bn",))))
    layers = [layer for _, layer, _, _ in walk(net, {})]
    wanted = needs(net, layers, ("weight", "bias"))
    assert not wanted["stem"].any
    assert wanted["bn"].inputs == (False,) and wanted["bn"].weight
    assert wanted["fc"].inputs == (True,)
    step = analyse_pass(net, None, pass_="backward")
    assert step.rows[0].parts["grad_weight"].mults == 0 and step.rows[0].parts["grad_input"].mults == 0
    assert needs(net, layers, ("input",))["stem"].inputs == (True,)


def test_symbolic_closed_forms_evaluate_to_the_counts_at_each_size():
    h = sympy.Symbol("H", integer=True, positive=True)
    net = Network("sym", Shape(3, (h, h)), (
        Node("conv", Convolution(out=4, kernel=3, padding=1, stride=2), ("input",)),
        Node("bn", BatchNorm(), ("conv",)), Node("fc", Linear(out=2), ("bn",))), symbols={"H": h})
    for size in (4, 6, 8):
        got = count_pass(net, {"H": size}, pass_="training")
        assert got.quantities == analyse_pass(net, {"H": size}, pass_="training").quantities


def test_a_forward_pass_is_the_analysis():
    with pytest.raises(NetworkError, match="forward pass is its analysis"):
        analyse_pass(NETWORKS["conv1d valid"], pass_="forward")
