"""What PyTorch runs for a layer, as the counting tools see it: the function each ``torch.nn`` module's
``forward`` calls (torch 2.13, ``torch/nn/modules/``), which tools that patch functions (ptflops' PyTorch
backend, calflops) count, and the layers' shared quantities the tools' rules recombine.

>>> CALLS["torch.nn.ReLU6"], CALLS["torch.nn.Upsample"]  # ReLU6 is a Hardtanh
('torch.nn.functional.hardtanh', 'torch.nn.functional.interpolate')
"""

from __future__ import annotations

import sympy

from symconv.network.layers.base import Expr
from symconv.network.origin import default_origin
from symconv.presets.facts import Facts

__all__ = ["CALLS", "bias_outputs", "called", "classes", "module", "products"]

_F = "torch.nn.functional"


def _each(pattern: str, function: str) -> dict[str, str]:
    return {f"torch.nn.{pattern.format(d=d)}": f"{_F}.{function.format(d=d)}" for d in (1, 2, 3)}


#: The function a torch.nn module's forward calls (torch/nn/modules/: conv.py, activation.py, pooling.py, ...).
CALLS: dict[str, str] = {
    **_each("Conv{d}d", "conv{d}d"),
    **_each("ConvTranspose{d}d", "conv_transpose{d}d"),
    **_each("BatchNorm{d}d", "batch_norm"),
    **_each("MaxPool{d}d", "max_pool{d}d"),
    **_each("AvgPool{d}d", "avg_pool{d}d"),
    **_each("AdaptiveAvgPool{d}d", "adaptive_avg_pool{d}d"),
    **_each("AdaptiveMaxPool{d}d", "adaptive_max_pool{d}d"),
    **_each("Dropout{d}d", "dropout{d}d"),
    "torch.nn.Linear": f"{_F}.linear",
    "torch.nn.LayerNorm": f"{_F}.layer_norm",
    "torch.nn.GroupNorm": f"{_F}.group_norm",
    "torch.nn.ReLU": f"{_F}.relu",
    "torch.nn.ReLU6": f"{_F}.hardtanh",
    "torch.nn.LeakyReLU": f"{_F}.leaky_relu",
    "torch.nn.SiLU": f"{_F}.silu",
    "torch.nn.GELU": f"{_F}.gelu",
    "torch.nn.Hardswish": f"{_F}.hardswish",
    "torch.nn.Hardsigmoid": f"{_F}.hardsigmoid",
    "torch.nn.Sigmoid": "torch.sigmoid",
    "torch.nn.Tanh": "torch.tanh",
    "torch.nn.Dropout": f"{_F}.dropout",
    "torch.nn.AlphaDropout": f"{_F}.alpha_dropout",
    "torch.nn.Softmax": f"{_F}.softmax",
    "torch.nn.Upsample": f"{_F}.interpolate",
    "torch.nn.Flatten": "Tensor.flatten",
    "torch.nn.ChannelShuffle": f"{_F}.channel_shuffle",
}


def classes(*names: str) -> list[str]:
    """torch.nn class names, ``{d}`` standing for 1, 2 and 3.

    >>> classes("Conv{d}d", "Linear")
    ['torch.nn.Conv1d', 'torch.nn.Conv2d', 'torch.nn.Conv3d', 'torch.nn.Linear']
    """
    return [f"torch.nn.{n.format(d=d)}" for n in names for d in ((1, 2, 3) if "{d}" in n else (1,))]


def module(facts: Facts) -> str:
    """The class of the module whose call computes the layer (``""`` for a function or a method)."""
    origin = facts.origin
    return origin.op if origin is not None and origin.module else ""


def called(facts: Facts) -> str:
    """The function the layer's call ends in: the function itself, or the one its module's forward calls (a
    subclass that keeps its base's forward calls the base's)."""
    origin = facts.origin
    if origin is None:
        return ""
    if not origin.module:
        return origin.op
    if origin.op in CALLS:
        return CALLS[origin.op]
    base = default_origin(facts.layer, facts.inputs) if facts.layer is not None else None
    return CALLS.get(base.op, "") if base is not None else ""


def products(facts: Facts) -> Expr:
    """The products PyTorch computes: a convolution's multiply-accumulates, a transposed one's on its input
    grid (every product of the scatter, the cropped ones included); a linear layer's or a matrix product's."""
    if facts.spec is not None:
        return facts.counts["input_grid"]
    return facts.counts["macs"]


def bias_outputs(facts: Facts) -> Expr:
    """The bias additions of a convolution or a linear layer: one per output element when it has a bias."""
    return sympy.expand(facts.bias * facts.outputs)
