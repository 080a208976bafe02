"""Blocks whose cost papers state as formulas: derived from their layers, and the published forms checked.

Each block is a small :class:`~symconv.network.graph.Network` on a ``c × h × w`` input (stride 1, "same"
padding, no bias, batch norm after every convolution), its sizes symbols. Its counts come from
:func:`~symconv.network.graph.analyse` like any network's; ``published.toml`` holds the papers' formulas, and
:func:`checks` compares each with the derived count (:func:`symconv.check.equivalent`, exactly).

>>> analyse(block("shufflenet"), None, "macs").totals.macs
h*m*w*(2*c/g + 9)
>>> [(c.id, c.verdict.summary) for c in checks()][:2]
[('resnet-unit-macs', 'holds'), ('resnet-bottleneck-params', 'holds')]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy

from symconv.check import Verdict, equivalent
from symconv.conventions import Convention
from symconv.network.graph import Analysis, Network, Node, analyse
from symconv.network.layers import Activation, Add, BatchNorm, Conv2d, LayerSpec, NetworkError, Shape, Shuffle
from symconv.network.mobilenet import load_published
from symconv.parsing import parse_text
from symconv.symbols import new_symbol

__all__ = ["BLOCKS", "BlockCheck", "block", "checks"]

#: The conditions every block's published form assumes, beside its own.
CONDITIONS = ("stride 1 with 'same' padding (the output is h × w)", "no bias",
              "mult-adds: the products of the convolutions alone — batch norm, activations, the channel shuffle "
              "and the residual addition are not counted (symconv's macs convention)")


def _names(*names: str) -> dict[str, sympy.Symbol]:
    return {name: new_symbol(name) for name in names}


def _chain(name: str, shape: Shape, layers: list[LayerSpec], symbols: Mapping[str, sympy.Symbol], title: str,
           residual: bool = True, after: LayerSpec | None = None) -> Network:
    net = Network.sequence(name, shape, layers, symbols, title=title)
    nodes = list(net.nodes)
    if residual:
        nodes.append(Node("add", Add(), (nodes[-1].name, "input")))
    if after is not None:
        nodes.append(Node(after.kind, after, (nodes[-1].name,)))
    return Network(name, shape, tuple(nodes), dict(symbols), title=title)


def bottleneck() -> Network:
    """ResNet's bottleneck unit: 1×1 c→m, 3×3 m→m, 1×1 m→c, each with batch norm, ReLU after the sum."""
    s = _names("c", "m", "h", "w")
    c, m = s["c"], s["m"]
    return _chain("bottleneck", Shape(c, (s["h"], s["w"])), [
        Conv2d(out=m, kernel=1), BatchNorm(), Activation("relu"),
        Conv2d(out=m, kernel=3, padding=1), BatchNorm(), Activation("relu"),
        Conv2d(out=c, kernel=1), BatchNorm()], s, "ResNet bottleneck unit", after=Activation("relu"))


def resnext() -> Network:
    """ResNeXt's unit as ShuffleNet compares it: the bottleneck with a 3×3 convolution of ``g`` groups."""
    s = _names("c", "m", "g", "h", "w")
    c, m = s["c"], s["m"]
    return _chain("resnext", Shape(c, (s["h"], s["w"])), [
        Conv2d(out=m, kernel=1), BatchNorm(), Activation("relu"),
        Conv2d(out=m, kernel=3, padding=1, groups=s["g"]), BatchNorm(), Activation("relu"),
        Conv2d(out=c, kernel=1), BatchNorm()], s, "ResNeXt unit (grouped 3×3)", after=Activation("relu"))


def resnext_template() -> Network:
    """ResNeXt's template, 256 channels in and out, cardinality ``C``, width ``d``: its form (c), one grouped
    convolution for the ``C`` paths (Xie et al. 2017, Figure 3)."""
    s = _names("C", "d", "h", "w")
    width = s["C"] * s["d"]
    return _chain("resnext_template", Shape(256, (s["h"], s["w"])), [
        Conv2d(out=width, kernel=1), BatchNorm(), Activation("relu"),
        Conv2d(out=width, kernel=3, padding=1, groups=s["C"]), BatchNorm(), Activation("relu"),
        Conv2d(out=256, kernel=1), BatchNorm()], s, "ResNeXt template (256-d in and out)",
        after=Activation("relu"))


def shufflenet() -> Network:
    """ShuffleNet's unit (stride 1): 1×1 group convolution c→m, channel shuffle, 3×3 depthwise, 1×1 group
    convolution m→c, the residual sum, ReLU."""
    s = _names("c", "m", "g", "h", "w")
    c, m, g = s["c"], s["m"], s["g"]
    return _chain("shufflenet", Shape(c, (s["h"], s["w"])), [
        Conv2d(out=m, kernel=1, groups=g), BatchNorm(), Activation("relu"), Shuffle(groups=g),
        Conv2d(groups="depthwise", kernel=3, padding=1), BatchNorm(),
        Conv2d(out=c, kernel=1, groups=g), BatchNorm()], s, "ShuffleNet unit", after=Activation("relu"))


def inverted_residual() -> Network:
    """MobileNetV2's inverted residual (stride 1): 1×1 expansion d_1→t·d_1, ReLU6, k×k depthwise ('same'
    padding), ReLU6, linear 1×1 projection t·d_1→d_2 (the residual sum exists only when d_1 = d_2, and is not a
    mult-add)."""
    s = _names("d_1", "d_2", "t", "k", "h", "w")
    d1, t, k = s["d_1"], s["t"], s["k"]
    return _chain("inverted_residual", Shape(d1, (s["h"], s["w"])), [
        Conv2d(out=t * d1, kernel=1), BatchNorm(), Activation("relu6"),
        Conv2d(groups="depthwise", kernel=k, padding="same"), BatchNorm(), Activation("relu6"),
        Conv2d(out=s["d_2"], kernel=1), BatchNorm()], s, "MobileNetV2 inverted residual", residual=False)


BLOCKS: dict[str, Callable[[], Network]] = {
    "bottleneck": bottleneck,
    "resnext": resnext,
    "resnext_template": resnext_template,
    "shufflenet": shufflenet,
    "inverted_residual": inverted_residual,
}


def block(name: str) -> Network:
    """A block by name (:data:`BLOCKS`)."""
    try:
        return BLOCKS[name]()
    except KeyError:
        raise NetworkError(f"unknown block {name!r} (known: {', '.join(BLOCKS)})") from None


@dataclass(frozen=True)
class BlockCheck:
    """A published formula beside the block's derived count."""

    id: str
    source: str
    stated: str
    formula: str  # as typed in
    block: str
    quantity: str
    claimed: sympy.Expr
    derived: sympy.Expr
    verdict: Verdict
    analysis: Analysis


def checks() -> list[BlockCheck]:
    """Every published block formula checked against its derivation."""
    result = []
    for row in load_published()["formula"]:
        net = block(row["block"])
        values = {name: parse_text(text) for name, text in row.get("set", {}).items()}
        aliases = {**net.symbols, **values}
        claimed = parse_text(row["formula"], aliases=aliases, allow_new=False)
        analysis = analyse(net, {k: v for k, v in values.items() if k in net.symbols}, Convention.MACS)
        derived = getattr(analysis.totals, row["quantity"])
        result.append(BlockCheck(row["id"], row["source"], row["stated"], row["formula"], row["block"],
                                 row["quantity"], claimed, derived, equivalent(claimed, derived), analysis))
    return result
