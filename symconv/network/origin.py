"""How a framework computes a layer: the operation a model calls for it, which the counting tools that hook
modules or patch functions see (:mod:`symconv.presets`).

``symconv torch`` records the operation each layer was traced from; a layer of a network file is taken to be
the ``torch.nn`` module of its type (:func:`default_origin`) unless its ``calls`` field says otherwise.

>>> from symconv.network.layers import Shape, Conv2d, Activation
>>> default_origin(Conv2d(out=8), (Shape(3, (8, 8)),))
Origin(op='torch.nn.Conv2d', within='')
>>> Origin("torch.nn.functional.interpolate").module, Origin("torch.nn.Upsample").module
(False, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from symconv.network.layers import (
    Activation,
    AdaptivePool,
    Add,
    AvgPool,
    BatchNorm,
    Binary,
    Concat,
    Convolution,
    Flatten,
    GlobalAvgPool,
    GroupNorm,
    LayerNorm,
    LayerSpec,
    Linear,
    Matmul,
    MaxPool,
    Mean,
    Permute,
    Reshape,
    Reused,
    Scalar,
    Scale,
    Shape,
    Shuffle,
    Slice,
    Softmax,
    Upsample,
)

__all__ = ["Origin", "default_origin"]


@dataclass(frozen=True)
class Origin:
    """The operation a model calls for a layer, named as ``symconv torch`` names it: a module's class
    (``torch.nn.Conv2d``), a function (``torch.nn.functional.relu``, ``torch.cat``, ``operator.add``) or a tensor
    method (``Tensor.mean``). ``within`` is the class of the leaf module (one without submodules) whose own
    ``forward`` runs the operation (ConvNeXt's ``LayerNorm2d`` calling ``F.layer_norm``), when there is one."""

    op: str
    within: str = ""

    @property
    def module(self) -> bool:
        """Whether the operation is a module's call: its name ends in a class's (``Conv2d``, ``LayerNorm2d``)."""
        last = self.op.rsplit(".", 1)[-1]
        return last[:1].isupper()

    @property
    def name(self) -> str:
        """The last part of the name: the class (``Conv2d``) or the function (``relu``)."""
        return self.op.rsplit(".", 1)[-1]


_ACTIVATION_MODULES = {"relu": "ReLU", "relu6": "ReLU6", "identity": "Identity", "leaky_relu": "LeakyReLU",
                       "sigmoid": "Sigmoid", "silu": "SiLU", "tanh": "Tanh", "gelu": "GELU", "gelu_tanh": "GELU",
                       "hardswish": "Hardswish", "hardsigmoid": "Hardsigmoid"}
_BINARY = {"add": "operator.add", "sub": "operator.sub", "mul": "operator.mul", "div": "operator.truediv"}


def _dims(inputs: tuple[Shape, ...]) -> int:
    return max(1, len(inputs[0].size)) if inputs else 2


def _nn(name: str) -> Origin:
    return Origin(f"torch.nn.{name}")


#: The torch.nn module (or function) each kind of layer stands for in a network file.
_DEFAULTS: dict[type, Callable[[Any, tuple[Shape, ...]], Origin]] = {
    Convolution: lambda layer, inputs: _nn(f"{'ConvTranspose' if layer.transposed else 'Conv'}{layer.dims}d"),
    Linear: lambda layer, inputs: _nn("Linear"),
    Matmul: lambda layer, inputs: Origin("torch.matmul"),
    BatchNorm: lambda layer, inputs: _nn(f"BatchNorm{_dims(inputs)}d"),
    LayerNorm: lambda layer, inputs: _nn("LayerNorm"),
    GroupNorm: lambda layer, inputs: _nn("GroupNorm"),
    Activation: lambda layer, inputs: _nn(_ACTIVATION_MODULES[layer.function]),
    Softmax: lambda layer, inputs: _nn("Softmax"),
    MaxPool: lambda layer, inputs: _nn(f"MaxPool{layer.dims}d"),
    AvgPool: lambda layer, inputs: _nn(f"AvgPool{layer.dims}d"),
    AdaptivePool: lambda layer, inputs: _nn(f"Adaptive{layer.op.title()}Pool{layer.dims}d"),
    GlobalAvgPool: lambda layer, inputs: _nn(f"AdaptiveAvgPool{_dims(inputs)}d"),
    Mean: lambda layer, inputs: Origin("Tensor.mean"),
    Upsample: lambda layer, inputs: _nn("Upsample"),
    Add: lambda layer, inputs: Origin("operator.add"),
    Binary: lambda layer, inputs: Origin(_BINARY[layer.op]),
    Scalar: lambda layer, inputs: Origin(_BINARY[layer.op]),
    Scale: lambda layer, inputs: Origin(_BINARY[layer.op]),
    Concat: lambda layer, inputs: Origin("torch.cat"),
    Slice: lambda layer, inputs: Origin("operator.getitem"),
    Shuffle: lambda layer, inputs: _nn("ChannelShuffle"),
    Flatten: lambda layer, inputs: Origin("torch.flatten"),
    Reshape: lambda layer, inputs: Origin("Tensor.view"),
    Permute: lambda layer, inputs: Origin("Tensor.permute"),
}


def default_origin(layer: LayerSpec, inputs: tuple[Shape, ...]) -> Origin | None:
    """The operation a layer stands for when nothing records one: the ``torch.nn`` module of its kind (a
    ``conv`` of 2 axes is ``torch.nn.Conv2d``), or the function for a join or a layout change (``torch.cat``,
    ``operator.add``); None for a layer no framework call stands for (``unknown``, ``unused``)."""
    if isinstance(layer, Reused):
        layer = layer.layer
    make = _DEFAULTS.get(type(layer))
    return make(layer, inputs) if make is not None else None
