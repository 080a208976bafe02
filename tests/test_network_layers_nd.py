"""The layers beyond 2-D convolutions: each counted from its element equals a direct count of a real
computation of it (numpy), layer by layer, and its values agree with an independent computation."""

from __future__ import annotations

import pytest
import sympy

from symconv.network import Network, NetworkError, Node, Shape, analyse
from symconv.network.direct import run
from symconv.network.layers import (
    ACTIVATIONS,
    Activation,
    AdaptivePool,
    AvgPool,
    BatchNorm,
    Binary,
    Concat,
    Convolution,
    Flatten,
    GlobalAvgPool,
    GroupNorm,
    LayerNorm,
    Linear,
    Matmul,
    MaxPool,
    Mean,
    Permute,
    Reshape,
    Reused,
    Scalar,
    Scale,
    Slice,
    Softmax,
    Unknown,
    Upsample,
)

COUNTED = ("params", "buffers", "weights", "mults", "adds", "others", "macs")

#: One small network per layer: its input shape and its layers in a chain.
CHAINS = {
    "conv1d same reflect": (Shape(3, (11,)), [Convolution(out=4, kernel=4, padding="same", padding_mode="reflect",
                                                         dims=1, bias=True)]),
    "conv1d valid": (Shape(3, (9,)), [Convolution(out=2, kernel=(3,), padding="valid", stride=(2,))]),
    "conv2d circular": (Shape(2, (5, 6)), [Convolution(out=3, kernel=3, padding=1, padding_mode="circular")]),
    "conv2d replicate grouped": (Shape(4, (5, 5)), [Convolution(out=6, kernel=3, padding=(1, 2), groups=2,
                                                               padding_mode="replicate")]),
    "conv3d": (Shape(2, (4, 5, 5)), [Convolution(out=3, kernel=3, padding=1, stride=(1, 2, 2), dims=3, bias=True)]),
    "conv transpose 1d": (Shape(3, (5,)), [Convolution(out=2, kernel=3, stride=2, padding=1, output_padding=1,
                                                       transposed=True, dims=1, bias=True)]),
    "conv transpose 2d": (Shape(4, (3, 3)), [Convolution(out=2, kernel=2, stride=2, transposed=True)]),
    "conv transpose 3d grouped": (Shape(4, (2, 3, 3)), [Convolution(out=2, kernel=(2, 3, 3), stride=(2, 1, 1),
                                                                    padding=(0, 1, 1), groups=2, transposed=True)]),
    "linear last": (Shape(4, (3, 8)), [Linear(out=5, flatten=False)]),
    "linear flat": (Shape(4, (3, 2)), [Linear(out=5, bias=False)]),
    "batchnorm1d": (Shape(6, (7,)), [BatchNorm()]),
    "batchnorm3d": (Shape(2, (3, 4, 4)), [BatchNorm(affine=False)]),
    "layernorm last": (Shape(5, (4, 6)), [LayerNorm()]),
    "layernorm two no bias": (Shape(5, (4, 6)), [LayerNorm(normalized=2, bias=False)]),
    "layernorm plain": (Shape(3, (8,)), [LayerNorm(affine=False)]),
    "groupnorm": (Shape(6, (3, 3)), [GroupNorm(groups=3)]),
    "groupnorm plain": (Shape(4, (5,)), [GroupNorm(groups=2, affine=False)]),
    "softmax dim": (Shape(4, (3, 5)), [Softmax(dim=-1)]),
    "softmax channels": (Shape(4, (3, 5)), [Softmax(dim=0)]),
    "maxpool1d ceil": (Shape(2, (10,)), [MaxPool(kernel=3, stride=2, ceil_mode=True, dims=1)]),
    "maxpool2d ceil padded": (Shape(2, (7, 6)), [MaxPool(kernel=3, stride=2, padding=1, ceil_mode=True)]),
    "avgpool2d ceil": (Shape(2, (7, 7)), [AvgPool(kernel=2, ceil_mode=True)]),
    "maxpool3d": (Shape(2, (4, 6, 6)), [MaxPool(kernel=2, dims=3)]),
    "avgpool1d": (Shape(3, (8,)), [AvgPool(kernel=4, stride=2, padding=1, dims=1)]),
    "adaptive avg 7 to 3": (Shape(2, (7, 5)), [AdaptivePool(output_size=(3, 2))]),
    "adaptive max 3d": (Shape(2, (4, 5, 6)), [AdaptivePool(output_size=(2, 2, 3), op="max")]),
    "adaptive avg 1": (Shape(3, (5, 5)), [AdaptivePool(output_size=1)]),
    "global avg 3d": (Shape(3, (2, 3, 4)), [GlobalAvgPool()]),
    "upsample nearest": (Shape(2, (3, 4)), [Upsample(scale=2)]),
    "upsample bilinear": (Shape(2, (3, 4)), [Upsample(scale=2, mode="bilinear")]),
    "upsample bilinear size": (Shape(2, (3, 4)), [Upsample(size=(5, 7), mode="bilinear")]),
    "upsample linear": (Shape(2, (5,)), [Upsample(scale=3, mode="linear")]),
    "upsample trilinear": (Shape(1, (2, 3, 2)), [Upsample(scale=2, mode="trilinear")]),
    "scalar ops": (Shape(2, (3, 3)), [Scalar("add"), Scalar("mul"), Scalar("sub"), Scalar("div")]),
    "scale channels-last": (Shape(3, (3, 4)), [Scale(shape=(4,))]),
    "scale channels": (Shape(4, (3, 3)), [Scale(shape=(4, 1, 1), op="add")]),
    "mean keepdim": (Shape(3, (4, 5)), [Mean(over=(1, 2), keepdim=True)]),
    "mean channels-last": (Shape(3, (4, 5)), [Mean(over=(-2, 0))]),
    "reused and unknown": (Shape(3, (4,)), [Convolution(out=3, kernel=1, dims=1, bias=True),
                                            Reused(Convolution(out=3, kernel=1, dims=1, bias=True)),
                                            Unknown("torch.special.bessel_j0")]),
    "layout": (Shape(4, (3, 6)), [Permute(order=(1, 2, 0)), Reshape(shape=(3, -1, 2)), Flatten(start=1),
                                  Slice(dim=-1, start=2, stop=10, step=3)]),
    **{f"activation {name}": (Shape(3, (4, 4)), [Activation(name)]) for name in ACTIVATIONS},
}


def _graph(name: str, shape: Shape, nodes: list[Node]) -> Network:
    return Network(name, shape, tuple(nodes))


#: Networks with joins: two-input layers, broadcasting.
GRAPHS = {
    "squeeze-excitation mul": _graph("se", Shape(4, (3, 3)), [
        Node("pool", AdaptivePool(output_size=1), ("input",)), Node("gate", Activation("sigmoid"), ("pool",)),
        Node("mul", Binary("mul"), ("input", "gate"))]),
    "broadcast div and sub": _graph("bd", Shape(4, (3, 3)), [
        Node("pool", GlobalAvgPool(), ("input",)), Node("div", Binary("div"), ("input", "pool")),
        Node("sub", Binary("sub"), ("pool", "div"))]),
    "matmul": _graph("mm", Shape(3, (4, 5)), [
        Node("t", Permute(order=(0, 2, 1)), ("input",)), Node("mm", Matmul(), ("input", "t"))]),
    "split and concat": _graph("split", Shape(6, (2, 2)), [
        Node("a", Slice(start=0, stop=3), ("input",)), Node("b", Slice(start=3), ("input",)),
        Node("cat", Concat(), ("b", "a")), Node("cat_last", Concat(dim=-1), ("a", "b"))]),
}


def _networks() -> dict[str, Network]:
    nets = {name: Network.sequence(name, shape, layers, batch=sympy.Integer(2))
            for name, (shape, layers) in CHAINS.items()}
    return {**nets, **GRAPHS}


NETWORKS = _networks()


@pytest.mark.parametrize("name", list(NETWORKS))
def test_each_layer_counts_what_its_real_computation_performs(name):
    net = NETWORKS[name]
    analysis = analyse(net)
    direct = run(net)
    for row, computed in zip(analysis.rows, direct, strict=True):
        assert computed.values_agree, (name, row.name)
        assert tuple(computed.output.shape[1:]) == tuple(int(v) for v in row.output.dims), (name, row.name)
        for quantity in COUNTED:
            assert getattr(row.counts, quantity) == getattr(computed.counts, quantity), (name, row.name, quantity)


def test_symbolic_sizes_give_closed_forms_that_hold_where_their_conditions_do():
    h = sympy.Symbol("H", integer=True, positive=True)
    net = Network("ceil", Shape(4, (h, h)), (
        Node("pool", MaxPool(kernel=3, stride=2, ceil_mode=True), ("input",)),
        Node("adaptive", AdaptivePool(output_size=2), ("pool",)),
        Node("up", Upsample(scale=2, mode="bilinear"), ("adaptive",))), symbols={"H": h})
    closed = analyse(net)
    assert closed.rows[0].output.size == (h / 2, h / 2)
    assert closed.conditions == ((h / 4, 1),)
    for size in (8, 12, 16):
        assert closed.evaluate({"H": size}).closed is not None
        assert closed.evaluate({"H": size}).quantities == analyse(net, {"H": size}).quantities
    assert closed.evaluate({"H": 10}).closed is None  # H/4 not an integer: counted layer by layer


@pytest.mark.parametrize(("layer", "shape", "problem"), [
    (Convolution(out=2, kernel=3, dims=1), Shape(3, (5, 5)), "needs a 1-D input"),
    (Linear(out=2, flatten=False), Shape(3, ()), None),
    (Matmul(), Shape(3, (4, 5)), "takes 2 inputs"),
    (LayerNorm(normalized=3), Shape(3, (4,)), "cannot normalise the last 3 dimensions"),
    (Permute(order=(0, 0)), Shape(3, (4,)), "is not a permutation"),
    (Reshape(shape=(5, -1)), Shape(3, (4,)), "do not divide"),
    (Scale(shape=(5,)), Shape(3, (4,)), "cannot broadcast"),
    (Slice(start=2, stop=9), Shape(3, (4,)), "past the 3 entries"),
    (GroupNorm(groups=4), Shape(6, (4,)), "not divisible by groups = 4"),
])
def test_impossible_layers_are_one_clear_error(layer, shape, problem):
    net = Network.sequence("bad", shape, [layer])
    if problem is None:
        analyse(net)
        return
    with pytest.raises(NetworkError, match=problem):
        analyse(net)


@pytest.mark.parametrize(("make", "problem"), [
    (lambda: Convolution(out=2, dims=4), "1, 2 or 3 spatial axes"),
    (lambda: Convolution(out=2, padding_mode="mirror"), "unknown padding mode"),
    (lambda: Convolution(out=2, padding="same", transposed=True), "transposed convolution takes integer padding"),
    (lambda: Convolution(out=2, output_padding=1), "output padding belongs"),
    (lambda: Upsample(mode="cubic", scale=2), "unknown upsampling mode"),
    (lambda: Upsample(), "a scale or a size"),
    (lambda: AdaptivePool(op="min"), "avg or max"),
    (lambda: Binary("pow"), "unknown elementwise operation"),
    (lambda: Reshape(shape=(-1, -1)), "at most one -1"),
])
def test_impossible_fields_are_one_clear_error(make, problem):
    with pytest.raises(NetworkError, match=problem):
        make()
