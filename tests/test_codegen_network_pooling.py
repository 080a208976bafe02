"""A network's module through adaptive pooling: each window bound (a floor or a ceiling of a quotient of
sizes) a value of its own, so that the counts are polynomials in the values; equal to
``symconv.network.count`` at every input size, an input smaller than the output included."""

from __future__ import annotations

import numpy as np
import pytest

from symconv.codegen.network import TOTALS, network_functions
from symconv.network import count, loads

ADAPTIVE = """
[network]
name = "adaptive"
input = {{ channels = 3, size = ["H", "W"] }}

[symbols]
H = {{ meaning = "input height", integer = true }}
W = {{ meaning = "input width", integer = true }}

[[layer]]
type = "conv"
out = 4
kernel = 3
padding = 1

[[layer]]
type = "{kind}"
output_size = [3, 5]

[[layer]]
type = "flatten"

[[layer]]
type = "linear"
out = 10
"""


@pytest.mark.parametrize("kind", ["adaptive_avgpool", "adaptive_maxpool"])
def test_adaptive_pooling_is_the_count_at_every_size(kind):
    text = ADAPTIVE.format(kind=kind)
    network = loads(text, "adaptive.toml")
    functions = network_functions(network)
    heights, widths = [1, 2, 3, 4, 7, 10, 31], [1, 4, 5, 6, 13]
    grid = functions(H=np.array(heights).reshape(-1, 1), W=np.array(widths).reshape(1, -1))
    for i, h in enumerate(heights):
        for j, w in enumerate(widths):
            analysis = count(network, {"H": h, "W": w})
            expected = {name: int(analysis.value(name)) for name in TOTALS}
            assert {name: int(grid[name][i, j]) for name in TOTALS} == expected, (h, w)
            if i == j:
                assert functions(H=h, W=w) == expected


def test_a_traced_model_with_adaptive_pooling_is_the_count_of_its_network():
    torch = pytest.importorskip("torch", reason="tracing a model needs torch")
    from symconv.torch import convert

    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.AdaptiveAvgPool2d((7, 7)), torch.nn.Flatten(), torch.nn.Linear(8 * 49, 10))
    network = convert(model, "1x3xHxW").network
    functions = network_functions(network)
    for h, w in ((5, 5), (14, 14), (27, 32), (40, 14)):
        analysis = count(network, {"H": h, "W": w})
        assert functions(H=h, W=w) == {name: int(analysis.value(name)) for name in TOTALS}
        assert functions(H=h, W=w)["params"] == sum(p.numel() for p in model.parameters())
