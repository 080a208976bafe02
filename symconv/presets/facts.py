"""What a preset's rule reads about one layer: its type, the operation a model calls for it, its shapes and
batch, and the exact counts symconv derived for it — from a network (:func:`network_facts`) or from a
derivation's stages (:func:`stage_facts`).

>>> from symconv.network import Network, Shape, Conv2d
>>> net = Network.sequence("one", Shape(3, (4, 8)), [Conv2d(out=16, padding=1, bias=True)])
>>> (node, facts), = network_facts(net)
>>> facts.type, facts.origin.op, facts.counts["macs"], facts.outputs  # 16·4·8 outputs of 3·3·3 products
('conv', 'torch.nn.Conv2d', 13824, 512)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sympy

from symconv.derive import Derivation
from symconv.network.graph import Network, Node, walk
from symconv.network.layers import Activation, Binary, Convolution, LayerSpec, Permute, Reused, Scalar, Scale, Shape
from symconv.network.layers.base import Expr, as_expr
from symconv.network.origin import Origin, default_origin
from symconv.network.writer import file_type
from symconv.quantities import NETWORK
from symconv.spec import Conv

__all__ = ["Facts", "network_facts", "presented", "stage_facts"]


@dataclass(frozen=True)
class Facts:
    """One layer as a rule sees it.

    ``counts`` are symconv's exact counts of the layer by name (:data:`symconv.quantities.NETWORK`, and a
    convolution's ``input_grid`` and ``output_grid``); a layer that reuses another's parameters keeps them
    here, as a tool hooking the module again counts them again. ``spec`` is a convolution's
    :class:`~symconv.spec.Conv`, ``padding`` the word its padding was given as (``same``, ``valid``), and
    ``contiguous`` whether the first input is laid out contiguously (a permuted tensor is not)."""

    type: str
    label: str
    origin: Origin | None
    batch: Expr
    inputs: tuple[Shape, ...]
    output: Shape
    counts: Mapping[str, Expr]
    layer: LayerSpec | None = None
    spec: Conv | None = None
    padding: str = ""
    contiguous: bool = True

    @cached_property
    def outputs(self) -> Expr:
        """The output's elements, the batch's included."""
        return sympy.expand(self.batch * self.output.elements)

    @cached_property
    def elements(self) -> Expr:
        """The first input's elements, the batch's included."""
        return sympy.expand(self.batch * self.inputs[0].elements)

    @cached_property
    def exact(self) -> Expr:
        """The exact FLOPs: every multiplication, addition and other operation."""
        return sympy.expand(self.counts["mults"] + self.counts["adds"] + self.counts.get("others", 0))

    @property
    def bias(self) -> Expr:
        """A convolution's bias flag (1, 0, or the symbol ``b``), a linear layer's as 1 or 0."""
        if self.spec is not None:
            return self.spec.bias
        return sympy.Integer(int(bool(getattr(self.layer, "bias", False))))

    @property
    def transposed(self) -> bool:
        return self.spec is not None and self.spec.transposed

    def field(self, name: str, default: Any = None) -> Any:
        """A field of the layer (``affine``, ``mode``, ``function``), or ``default``."""
        return getattr(self.layer, name, default)


def _conv_facts(layer: Convolution, inputs: tuple[Shape, ...], output: Shape, batch: Expr) -> dict[str, Any]:
    derived = layer.derived(inputs, output, batch)
    return {"spec": layer.spec(inputs, output, batch), "padding": layer.padding_rule,
            "grids": {name: derived[name] for name in ("input_grid", "output_grid")}}


#: The layers whose output keeps its input's layout (a permuted input stays permuted).
_KEEPS_LAYOUT = (Activation, Binary, Scalar, Scale)


def _contiguous_output(layer: LayerSpec, contiguous: bool) -> bool:
    if isinstance(layer, Permute):
        return list(layer.order) == sorted(layer.order)
    return contiguous if isinstance(layer, _KEEPS_LAYOUT) else True


def network_facts(network: Network, values: Mapping[str, Expr | int] | None = None) -> list[tuple[Node, Facts]]:
    """Every layer of ``network`` as facts, its symbols at ``values`` (symbolic where not given)."""
    subs = network.resolve(values)
    batch = as_expr(network.batch, "batch").xreplace(subs)
    layout: dict[str, bool] = {"input": True}
    found = []
    for node, layer, inputs, output in walk(network, subs):
        inner = layer.layer if isinstance(layer, Reused) else layer
        contiguous = layout.get(node.inputs[0], True) if node.inputs else True
        layout[node.name] = _contiguous_output(inner, contiguous)
        counts = inner.counts(inputs, output, batch)
        named = {name: sympy.expand(getattr(counts, name)) for name in NETWORK}
        extra: dict[str, Any] = {}
        if isinstance(inner, Convolution):
            extra = _conv_facts(inner, inputs, output, batch)
            named |= extra.pop("grids")
        found.append((node, Facts(file_type(inner), inner.label(inputs), node.origin or default_origin(inner, inputs),
                                  batch, inputs, output, named, inner, contiguous=contiguous, **extra)))
    return found


def _stage_type(conv: Conv) -> str:
    if conv.transposed:
        return "convtranspose"
    return "dwconv" if conv.in_per_group == 1 and conv.groups != 1 else "conv"


def stage_facts(derivation: Derivation) -> list[Facts]:
    """Each stage of a derivation as the facts of one convolution layer (``torch.nn.ConvNd``); where the
    channels per group are symbols of their own (``C_in_g``), :func:`presented` writes a count back in
    ``C_in/g``."""
    back = presented(derivation)
    options = dict(derivation.layer.recipe.options) if derivation.layer.recipe else {}
    padding = str(options.get("padding") or "")
    found = []
    for stage in derivation.stages:
        conv = stage.conv

        def present(expr: Expr) -> Expr:
            return sympy.expand(as_expr(expr).xreplace(back))

        counts = {name: present(value) for name, value in stage.all_counts.items()}
        counts |= {"params": present(stage.params), "others": sympy.Integer(0)}
        kind = _stage_type(conv)
        module = f"torch.nn.{'ConvTranspose' if conv.transposed else 'Conv'}{conv.dims}d"
        inputs = (Shape(present(conv.in_channels), tuple(present(v) for v in conv.in_size)),)
        output = Shape(present(conv.out_channels), tuple(present(v) for v in conv.out_size))
        found.append(Facts(kind, stage.name, Origin(module), present(conv.batch), inputs, output, counts,
                           spec=conv, padding=padding))
    return found


def presented(derivation: Derivation) -> dict[sympy.Basic, Expr]:
    """What the symbols of a derivation's definitions stand for (``C_in_g`` → ``C_in/g``)."""
    return {d.symbol: d.value for d in derivation.definitions}
