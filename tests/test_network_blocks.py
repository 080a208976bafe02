"""Block formulas: each block derived from its layers, the published forms checked exactly, and each block's
closed forms equal a direct count of the block computed at small sizes."""

from __future__ import annotations

import pytest

from symconv.network import analyse
from symconv.network.blocks import BLOCKS, block, checks
from symconv.network.direct import run

EXPECTED = {
    "resnet-unit-macs": "holds",
    "resnet-bottleneck-params": "holds",
    "resnext-unit-macs": "holds",
    "resnext-block-params": "holds",
    "shufflenet-unit-macs": "holds",
    "mobilenet-v2-block-macs": "holds",
}


def test_published_block_formulas_hold_under_their_conditions():
    assert {c.id: c.verdict.summary for c in checks()} == EXPECTED


def test_published_forms_leave_out_what_the_exact_count_adds():
    for found in checks():
        if found.quantity == "macs":
            exact = found.analysis.totals.flops("exact")
            assert (exact - 2 * found.claimed).expand() != 0  # additions, batch norm, activations remain


SIZES = {
    "bottleneck": {"c": 8, "m": 4, "h": 5, "w": 4},
    "resnext": {"c": 8, "m": 4, "g": 2, "h": 5, "w": 4},
    "resnext_template": {"C": 2, "d": 3, "h": 3, "w": 3},
    "shufflenet": {"c": 6, "m": 6, "g": 3, "h": 4, "w": 5},
    "inverted_residual": {"d_1": 4, "d_2": 5, "t": 3, "k": 5, "h": 4, "w": 4},
}


@pytest.mark.parametrize("name", BLOCKS)
def test_block_closed_forms_equal_direct_counting(name):
    net = block(name)
    closed = analyse(net).evaluate(SIZES[name])
    for row, computed in zip(closed.rows, run(net, SIZES[name]), strict=True):
        assert computed.values_agree, row.name
        assert row.counts == computed.counts, row.name


def test_resnext_paths_and_grouped_form_cost_the_same_to_the_operation():
    # Xie et al. 2017, Figure 3: C paths summed (a) and one grouped convolution (c) are the same block; with
    # the batch norms left out, they have the same weights, the same products and the same additions
    # (the aggregation's C - 1 additions are the grouped form's 1x1 sum over C·d instead of d inputs).
    from symconv.network import Add, Conv2d, Network, Node, Shape
    from symconv.symbols import new_symbol

    d, h, w = new_symbol("d"), new_symbol("h"), new_symbol("w")
    cardinality = 4
    shape = Shape(256, (h, w))
    nodes = []
    for i in range(cardinality):
        nodes += [Node(f"a{i}", Conv2d(out=d, kernel=1), ("input",)),
                  Node(f"b{i}", Conv2d(out=d, kernel=3, padding=1), (f"a{i}",)),
                  Node(f"c{i}", Conv2d(out=256, kernel=1), (f"b{i}",))]
    nodes.append(Node("sum", Add(), tuple(f"c{i}" for i in range(cardinality))))
    paths = analyse(Network("paths", shape, tuple(nodes), {"d": d, "h": h, "w": w})).totals
    grouped = analyse(Network.sequence("grouped", shape, [
        Conv2d(out=cardinality * d, kernel=1), Conv2d(out=cardinality * d, kernel=3, padding=1, groups=cardinality),
        Conv2d(out=256, kernel=1)], {"d": d, "h": h, "w": w})).totals
    for name in ("weights", "macs", "mults", "adds"):
        assert (getattr(paths, name) - getattr(grouped, name)).expand() == 0, name
