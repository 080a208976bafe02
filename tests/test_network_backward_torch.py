"""The direct backward computation's gradients (symconv.network.direct.backward) against torch.autograd: the
same input, parameters and output gradient through the same layers in PyTorch, every gradient equal — the
input's, each convolution's, linear layer's and norm's weight and bias."""

from __future__ import annotations

import numpy as np
import pytest

from symconv.network import Network, Shape
from symconv.network.direct import arith, norms
from symconv.network.direct.backward import run_backward
from symconv.network.graph import walk
from symconv.network.layers import Activation, BatchNorm, Convolution, Flatten, GroupNorm, LayerNorm, Linear, MaxPool

torch = pytest.importorskip("torch")
F = torch.nn.functional

CHAINS = {
    "grouped strided conv, batch norm, relu, max pool, linear": (Shape(4, (7, 6)), [
        Convolution(out=6, kernel=3, stride=2, padding=1, groups=2, bias=True), BatchNorm(), Activation("relu"),
        MaxPool(kernel=2, ceil_mode=True), Flatten(), Linear(out=3)]),
    "dilated conv, depthwise conv, silu, linear": (Shape(3, (9, 9)), [
        Convolution(out=4, kernel=3, dilation=2, padding=2), Convolution(out=4, kernel=3, groups=4, bias=True),
        Activation("silu"), Flatten(), Linear(out=2, bias=False)]),
    "transposed conv, batch norm": (Shape(4, (3, 3)), [
        Convolution(out=2, kernel=3, stride=2, padding=1, output_padding=1, transposed=True, bias=True),
        BatchNorm()]),
    "conv, group norm, layer norm, gelu": (Shape(2, (4, 5)), [
        Convolution(out=4, kernel=3, padding=1), GroupNorm(groups=2), LayerNorm(normalized=2),
        Activation("gelu")]),
    "layer norm without bias, linear": (Shape(3, (4, 6)), [LayerNorm(bias=False), Linear(out=2, flatten=False)]),
}


def _torch_layer(layer, x, rng):
    """The layer as a function of its input and its parameters (drawn from ``rng`` as the direct computation
    draws them), and those parameters as tensors that take gradients."""
    if isinstance(layer, Convolution):
        w, b, o = arith._conv_setup(layer, x, rng)
        params = [torch.tensor(w, requires_grad=True)] + ([torch.tensor(b, requires_grad=True)] if b is not None
                                                         else [])
        if layer.transposed:
            return (lambda t: F.conv_transpose2d(t, params[0], params[1] if b is not None else None, o["stride"],
                                                 o["padding"], o["output_padding"], o["groups"], o["dilation"])), params
        return (lambda t: F.conv2d(t, params[0], params[1] if b is not None else None, o["stride"], o["padding"],
                                   o["dilation"], o["groups"])), params
    if isinstance(layer, BatchNorm):
        gamma, beta, _, _ = norms._bn_setup(layer, x.shape[1], rng)
        params = [torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)]
        return (lambda t: F.batch_norm(t, None, None, params[0], params[1], training=True, eps=norms.EPS)), params
    if isinstance(layer, LayerNorm):
        trailing = x.shape[x.ndim - layer.normalized:]
        gamma, beta = rng.standard_normal(int(np.prod(trailing))), rng.standard_normal(int(np.prod(trailing)))
        params = [torch.tensor(gamma.reshape(trailing), requires_grad=True)]
        params += [torch.tensor(beta.reshape(trailing), requires_grad=True)] if layer.bias else []
        return (lambda t: F.layer_norm(t, trailing, params[0], params[1] if layer.bias else None,
                                       eps=norms.EPS)), params
    if isinstance(layer, GroupNorm):
        c = x.shape[1]
        params = [torch.tensor(rng.standard_normal((c,)), requires_grad=True),
                  torch.tensor(rng.standard_normal((c,)), requires_grad=True)]
        return (lambda t: F.group_norm(t, layer.groups, *params, eps=norms.EPS)), params
    if isinstance(layer, Linear):
        w, b = arith._linear_setup(layer, int(np.prod(x.shape[1:])) if layer.flatten else x.shape[-1], rng)
        params = [torch.tensor(w, requires_grad=True)] + ([torch.tensor(b, requires_grad=True)] if b is not None
                                                         else [])
        return (lambda t: F.linear(t.flatten(1) if layer.flatten else t, *params)), params
    if isinstance(layer, MaxPool):
        return (lambda t: F.max_pool2d(t, layer.kernel, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)), []
    if isinstance(layer, Flatten):
        return (lambda t: t.flatten(1)), []
    return {"relu": F.relu, "silu": F.silu, "gelu": F.gelu}[layer.function], []


@pytest.mark.parametrize("name", list(CHAINS))
def test_every_gradient_equals_torch_autograds(name):
    shape, layers = CHAINS[name]
    net = Network.sequence(name, shape, layers, batch=2)
    rows = run_backward(net, grad=("input", "weight", "bias"), seed=3)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, *(int(s) for s in shape.dims)))
    inputs = torch.tensor(x, requires_grad=True)
    value, found = inputs, []
    for number, (_, layer, _, _) in enumerate(walk(net, {})):
        function, params = _torch_layer(layer, value.detach().numpy(), np.random.default_rng([3, number]))
        value = function(value)
        found.append(params)
    dy = rng.standard_normal(tuple(value.shape))
    value.backward(torch.tensor(dy))
    assert np.allclose(rows[0].gradients[0][0], inputs.grad.numpy())
    for row, params in zip(rows, found, strict=True):
        mine = [g for g in row.gradients[1:] if g is not None]
        assert len(mine) == len(params), row.name
        for ours, theirs in zip(mine, params, strict=True):
            assert np.allclose(ours, theirs.grad.numpy().reshape(ours.shape)), row.name
