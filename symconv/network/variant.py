"""A layer variant (:mod:`symconv.variants`) as a network: each of its stages one convolution layer, the
input the first stage's, so that whatever counts networks — the tool presets, ``symconv explain`` — counts a
variant too.

>>> from symconv.variants import make
>>> from symconv.network.graph import analyse
>>> layer = make("separable", 2, {"N": 1, "C_in": 8, "C_out": 16, "m": 1, "H_in": 8, "W_in": 8, "k_h": 3,
...                               "k_w": 3, "s_h": 1, "s_w": 1, "p_h": 1, "p_w": 1, "d_h": 1, "d_w": 1}, False)
>>> analyse(network_of(layer)).totals.macs  # 8·64·9 depthwise + 16·64·8 pointwise products
12800
"""

from __future__ import annotations

import sympy

from symconv.errors import NetworkError
from symconv.network.graph import Network, Node
from symconv.network.layers import Convolution, Shape
from symconv.spec import Conv
from symconv.variants import Layer

__all__ = ["network_of"]


def _layer(conv: Conv, padding: str) -> Convolution:
    depthwise = conv.in_per_group == 1 and conv.groups != 1 and not conv.transposed
    fields: dict[str, object] = {
        "kernel": conv.kernel, "stride": conv.stride, "padding": conv.padding, "dilation": conv.dilation,
        "bias": conv.bias == 1, "padding_end": conv.padding_end, "transposed": conv.transposed,
        "padding_rule": padding}
    if conv.transposed:
        fields["output_padding"] = conv.output_padding or tuple(0 for _ in conv.kernel)
    if depthwise:
        return Convolution(groups="depthwise", multiplier=int(conv.out_per_group), **fields)  # type: ignore[arg-type]
    return Convolution(out=conv.out_channels, groups=conv.groups, **fields)  # type: ignore[arg-type]


def network_of(layer: Layer) -> Network:
    """The network of a variant whose every symbol but the batch is a number."""
    first = layer.stages[0].conv
    free = sorted(str(s) for stage in layer.stages for s in stage.conv.free_symbols if s != first.batch)
    if free:
        raise NetworkError(f"{layer.variant}: give every symbol a value to count it as a network: "
                           f"{', '.join(dict.fromkeys(free))}")
    if first.bias not in (0, 1):
        raise NetworkError(f"{layer.variant}: give the bias (--bias or --no-bias)")
    padding = str(dict(layer.recipe.options).get("padding") or "") if layer.recipe else ""
    nodes = []
    previous = "input"
    for stage in layer.stages:
        nodes.append(Node(stage.name, _layer(stage.conv, padding), (previous,)))
        previous = stage.name
    batch = first.batch
    symbols = {str(batch): batch} if isinstance(batch, sympy.Symbol) else {}
    return Network(layer.variant, Shape(first.in_channels, first.in_size), tuple(nodes), symbols,
                   batch=batch, title=layer.title)
