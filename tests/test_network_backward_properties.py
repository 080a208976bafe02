"""Property tests of a network's backward pass: for convolutions of every kind and geometry (1-D and 2-D,
groups, stride, padding, dilation, bias, transposed, padding modes) followed by a norm, an activation and a
pooling, the derived counts of every part equal the direct backward computation's, and the closed forms in
the input's size evaluate to the counts at that size wherever their conditions hold."""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.network import Network, Node, Shape
from symconv.network.direct.backward import run_backward
from symconv.network.layers import (
    ACTIVATIONS,
    Activation,
    AvgPool,
    BatchNorm,
    Convolution,
    GroupNorm,
    MaxPool,
    NetworkError,
)
from symconv.network.passes import analyse_pass

COUNTED = ("params", "mults", "adds", "others", "macs")


@st.composite
def convolutions(draw: st.DrawFn) -> tuple[Shape, Convolution]:
    dims = draw(st.sampled_from((1, 2)))
    groups = draw(st.sampled_from((1, 2)))
    channels, out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    transposed = draw(st.booleans())
    padding = tuple(draw(st.integers(0, (k - 1) * d)) for k, d in zip(kernel, dilation, strict=True))
    sizes = tuple(draw(st.integers((k - 1) * d + 1, 6)) for k, d in zip(kernel, dilation, strict=True))
    mode = "zeros" if transposed else draw(st.sampled_from(("zeros", "reflect", "circular")))
    if mode != "zeros":
        padding = tuple(min(p, s - 1) for p, s in zip(padding, sizes, strict=True))
    extra = {"output_padding": tuple(draw(st.integers(0, s - 1)) for s in stride)} if transposed else {}
    if transposed:
        extra["output_padding"] = tuple(min(o, d * (s > 1)) if s > 1 else 0
                                        for o, s, d in zip(extra["output_padding"], stride, dilation, strict=True))
    layer = Convolution(out=out, kernel=kernel, stride=stride, padding=padding, dilation=dilation, groups=groups,
                        bias=draw(st.booleans()), transposed=transposed, padding_mode=mode, dims=dims, **extra)
    return Shape(channels, sizes), layer


@settings(max_examples=40, deadline=None)
@given(convolutions(), st.sampled_from(sorted(ACTIVATIONS)), st.booleans(),
       st.sampled_from((("weight", "bias"), ("input", "weight", "bias"), ("input",))))
def test_the_derived_backward_pass_is_the_direct_one(conv, activation, group_norm, grad):
    shape, layer = conv
    try:
        output = layer.output((shape,))
    except NetworkError:  # a geometry with no output: refused, as the forward tests show
        return
    if any(not (s.is_Integer and s >= 2) for s in output.size):
        return
    norm = GroupNorm(groups=int(output.channels) // max(1, int(output.channels) // 2)) if group_norm else BatchNorm()
    pool = MaxPool(kernel=2, dims=layer.dims) if group_norm else AvgPool(kernel=2, dims=layer.dims)
    net = Network("p", shape, (Node("conv", layer, ("input",)), Node("norm", norm, ("conv",)),
                               Node("act", Activation(activation), ("norm",)), Node("pool", pool, ("act",))),
                  batch=sympy.Integer(2))
    closed = analyse_pass(net, None, pass_="training", grad=grad)
    for row, computed in zip(closed.rows, run_backward(net, grad=grad), strict=True):
        for part, counts in computed.parts.items():
            for q in COUNTED:
                assert getattr(row.parts[part], q) == getattr(counts, q), (layer, row.name, part, q)
