"""The layers of a network (symconv.network.layers), every kind: each layer's counts equal a direct count of a
real computation (symconv.network.direct), the cross-module check living with the layers it checks."""

from __future__ import annotations

import pytest

from symconv.network import (
    Activation,
    AvgPool,
    BatchNorm,
    Conv2d,
    GlobalAvgPool,
    Linear,
    MaxPool,
    Network,
    Shape,
    Shuffle,
    Softmax,
    analyse,
)
from symconv.network.direct import run

LAYERS = {
    "conv": [Conv2d(out=6, kernel=3, stride=2, padding=1)],
    "conv-bias-rect": [Conv2d(out=4, kernel=(3, 1), stride=(1, 2), padding=(1, 0), bias=True)],
    "conv-grouped-dilated": [Conv2d(out=6, kernel=3, padding=2, dilation=2, groups=2)],
    "dwconv-multiplier": [Conv2d(groups="depthwise", multiplier=2, kernel=3, stride=2)],
    "linear": [Linear(out=5)],
    "linear-no-bias": [Linear(out=5, bias=False)],
    "batchnorm": [BatchNorm()],
    "batchnorm-no-affine": [BatchNorm(affine=False)],
    "relu": [Activation("relu")],
    "relu6": [Activation("relu6")],
    "softmax": [Linear(out=7), Softmax()],
    "maxpool": [MaxPool(kernel=3, stride=2, padding=1)],
    "maxpool-rect": [MaxPool(kernel=(2, 3), stride=(2, 1))],
    "avgpool": [AvgPool(kernel=3, stride=2, padding=1)],
    "global-avgpool": [GlobalAvgPool()],
    "shuffle": [Shuffle(groups=2)],
}


@pytest.mark.parametrize("name", LAYERS)
def test_every_layer_counts_what_a_real_computation_performs(name):
    net = Network.sequence(name, Shape(4, (7, 6)), LAYERS[name])
    analysis = analyse(net)
    direct = run(net)
    for row, computed in zip(analysis.rows, direct, strict=True):
        assert computed.values_agree, row.name
        assert row.counts == computed.counts, row.name
