"""symconv.network.layers.joins: the inputs of an add must have one shape."""

from __future__ import annotations

import pytest

from symconv.network import Add, Conv2d, Network, NetworkError, Node, Shape, analyse


def test_joins_refuse_mismatched_shapes():
    nodes = (Node("a", Conv2d(out=4, kernel=3), ("input",)), Node("s", Add(), ("a", "input")))
    with pytest.raises(NetworkError, match="layer 's': add needs inputs of the same shape"):
        analyse(Network("bad", Shape(4, (5, 5)), nodes))
