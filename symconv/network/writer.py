"""A network written as a network file (docs/networks.md) that :func:`symconv.network.loads` reads back to
the same network: every layer a ``[[layer]]`` table with its name, inputs and the fields that differ from
their defaults.

>>> from symconv.network import Network, Shape, Conv2d, Activation, loads
>>> net = Network.sequence("tiny", Shape(3, (32, 32)), [Conv2d(out=16, padding=1), Activation("silu")])
>>> print(dumps(net))
[network]
name = "tiny"
input = { channels = 3, size = [32, 32] }
<BLANKLINE>
[[layer]]
name = "conv1"
input = "input"
type = "conv"
out = 16
padding = [1, 1]
<BLANKLINE>
[[layer]]
name = "activation2"
input = "conv1"
type = "silu"
<BLANKLINE>
>>> [node.layer for node in loads(dumps(net)).nodes] == [node.layer for node in net.nodes]
True
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any

import sympy

from symconv.network.fileformat import LAYER_TYPES
from symconv.network.graph import Network, Node, walk
from symconv.network.layers import (
    Activation,
    AdaptivePool,
    Binary,
    Convolution,
    LayerSpec,
    NetworkError,
    Reused,
    Shape,
)
from symconv.network.origin import default_origin

__all__ = ["dumps", "file_type", "write"]


def _conv_type(layer: Convolution) -> str:
    if layer.transposed:
        return "convtranspose"
    return "dwconv" if layer.depthwise else "conv"


#: The file's type of a layer, where it is not the one type of its class.
_TYPE_OF: dict[type, Callable[[Any], str]] = {
    Convolution: _conv_type,
    Activation: lambda layer: layer.function,
    AdaptivePool: lambda layer: f"adaptive_{layer.op}pool",
    Binary: lambda layer: "mul" if layer.op == "mul" else "binary",
}


def file_type(layer: LayerSpec) -> str:
    """The network-file type of a layer (``conv``, ``dwconv``, ``relu``, ``global_avgpool``, ...)."""
    if type(layer) in _TYPE_OF:
        return _TYPE_OF[type(layer)](layer)
    for name, kind in LAYER_TYPES.items():
        if kind.make is type(layer) or getattr(kind.make, "__name__", None) == type(layer).__name__:
            return name
    raise NetworkError(f"no network-file type for {type(layer).__name__}")


def _text(value: Any) -> str:
    """A field's value as TOML: an int, a flag, a word, an expression in quotes or a list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if (isinstance(value, sympy.Expr) and value.is_Integer) or isinstance(value, int):
        return str(int(value))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, sympy.Expr):
        return json.dumps(str(value))
    if isinstance(value, str):
        return json.dumps(value)
    raise NetworkError(f"cannot write {value!r} in a network file")


def _fields(layer: LayerSpec, kind: str) -> list[tuple[str, Any]]:
    defaults = {f.name: f.default for f in fields(layer) if f.default is not MISSING}  # type: ignore[arg-type]
    written = []
    for spec in LAYER_TYPES[kind].fields:
        name = spec.rstrip("!")
        if name == "dims":
            continue  # a layer's per-axis lists say how many axes it has
        value = getattr(layer, name)
        if isinstance(layer, Convolution) and name == "padding" and layer.padding_rule:
            value = layer.padding_rule  # a word keeps its meaning (and "same" the padding that ends otherwise)
        if value is None or (not spec.endswith("!") and name in defaults and _same(value, defaults[name], layer)):
            continue
        written.append((name, value))
    return written


def _same(value: Any, default: Any, layer: LayerSpec) -> bool:
    if isinstance(value, tuple) and not isinstance(default, tuple):
        # a default of one number is one per axis of a 2-D layer: other ranks are written out
        return len(value) == 2 and all(v == default for v in value)
    return bool(value == default)


def _layer_lines(node: Node, inputs: tuple[Shape, ...] | None) -> list[str]:
    layer = node.layer.layer if isinstance(node.layer, Reused) else node.layer
    kind = file_type(layer)
    reads = (f"input = {json.dumps(node.inputs[0])}" if len(node.inputs) == 1
             else f"inputs = {_text(list(node.inputs))}")
    lines = ["[[layer]]", f"name = {json.dumps(node.name)}", reads, f"type = {json.dumps(kind)}"]
    if isinstance(node.layer, Reused):
        lines.append("shared = true")
    if node.frozen:
        lines.append("frozen = true" if node.frozen == ("weight", "bias") else f"frozen = {_text(list(node.frozen))}")
    origin = node.origin
    if origin is not None and (inputs is None or origin != default_origin(layer, inputs)):
        lines.append(f"calls = {json.dumps(origin.op)}")
        if origin.within:
            lines.append(f"within = {json.dumps(origin.within)}")
    lines += [f"{name} = {_text(value)}" for name, value in _fields(layer, kind)]
    return [*lines, ""]


def dumps(network: Network) -> str:
    """The network file of ``network``."""
    head = ["[network]", f"name = {json.dumps(network.name)}"]
    if network.title:
        head.append(f"title = {json.dumps(network.title)}")
    shape = network.input
    head.append(f"input = {{ channels = {_text(shape.channels)}, size = {_text(list(shape.size))} }}")
    if network.batch != 1:
        head.append(f"batch = {_text(network.batch)}")
    rounding = network.rounding
    if rounding.rule != "exact" or rounding.minimum != 1:
        head.append(f"rounding = {{ rule = {json.dumps(rounding.rule)}, divisor = {rounding.divisor}, "
                    f"minimum = {rounding.minimum} }}")
    lines = [*head, ""]
    if network.symbols:
        lines.append("[symbols]")
        for name, symbol in network.symbols.items():
            meaning = json.dumps(network.meanings.get(name, name))
            lines.append(f"{name} = {{ meaning = {meaning}, integer = true }}" if symbol.is_integer
                         else f"{name} = {meaning}")
        lines.append("")
    shapes = _inputs(network)
    for node in network.nodes:
        lines += _layer_lines(node, shapes.get(node.name))
    return "\n".join(lines)


def _inputs(network: Network) -> dict[str, tuple[Shape, ...]]:
    """Each node's input shapes (none where the network does not build as it is: then every op is written)."""
    try:
        return {node.name: inputs for node, _, inputs, _ in walk(network, {})}
    except NetworkError:
        return {}


def write(network: Network, path: str) -> None:
    """Write ``network`` to the network file ``path``."""
    try:
        with open(path, "w", encoding="utf-8") as file:
            file.write(dumps(network))
    except OSError as error:
        raise NetworkError(f"{path}: cannot write it ({error.strerror})") from None
