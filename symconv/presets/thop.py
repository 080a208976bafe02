"""thop 0.1.1's ``profile``: a forward hook on every module whose class is exactly one of ``register_hooks``
(``thop/profile.py``), each computing a count from the module's input and output (``thop/vision/basic_hooks.py``
and ``calc_func.py``); the total is the sum over the modules (``dfs_count``), in floating point. Functions,
operators and modules of other classes count nothing.

>>> from symconv.network import Network, Shape
>>> from symconv.network.layers import Convolution
>>> from symconv.presets.facts import network_facts
>>> up = Convolution(out=1, kernel=3, stride=2, padding=1, output_padding=1, transposed=True)
>>> (_, facts), = network_facts(Network.sequence("up", Shape(1, (4, 4)), [up]))
>>> THOP.tally(facts)[0].value, facts.counts["input_grid"]  # 8·8 outputs of 9 products; 4·4 inputs' 9
(576, 144)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import sympy

from symconv.network.origin import default_origin
from symconv.presets.base import KnownError, Preset, Tally, register
from symconv.presets.facts import Facts
from symconv.presets.torchnn import classes, module

__all__ = ["THOP"]

_HOOKS = "thop/vision/basic_hooks.py"
_CALC = "thop/vision/calc_func.py"
_PROFILE = "thop/profile.py: register_hooks"


def _unregistered(facts: Facts) -> Tally:
    what = f"{module(facts)} is not registered" if module(facts) else "a function or an operator"
    return Tally(sympy.Integer(0), f"not counted: {what}", _PROFILE, "modules-only" if _missed(facts) else "")


def _missed(facts: Facts) -> bool:
    """Whether thop would count the layer, had the model called its torch.nn module instead."""
    base = default_origin(facts.layer, facts.inputs) if facts.layer is not None else None
    if base is None or base == facts.origin or base.op not in HOOKS:
        return False
    return HOOKS[base.op](replace(facts, origin=base)).value != 0


THOP = register(Preset(
    "thop", "thop 0.1.1 (0.1.1.post2209072238)", "thop.profile(model, inputs=(x,))[0]",
    "multiply-accumulates of the modules of its registered classes", "Lyken17/pytorch-OpCounter, thop/profile.py, "
    "thop/vision/basic_hooks.py, thop/vision/calc_func.py", _unregistered,
    errors=(
        KnownError("transposed-output-grid",
                   "a transposed convolution is counted as a dense one on its output grid, output elements × "
                   "C_in/g × ∏kernel: every zero the stride spreads between the inputs is multiplied",
                   f"{_HOOKS}: count_convNd, {_CALC}: calculate_conv2d_flops"),
        KnownError("modules-only",
                   "only modules of exactly the registered classes are hooked: a function (F.interpolate, "
                   "F.layer_norm), an operator and a subclass of a registered class count nothing", _PROFILE),
        KnownError("trilinear-zero", "count_upsample knows nearest, linear, bilinear and bicubic: trilinear "
                                     "upsampling counts 0", f"{_HOOKS}: count_upsample"),
    )))


def _conv(facts: Facts) -> Tally:
    if facts.transposed:
        return Tally(facts.counts["output_grid"], "the output grid, no additions",
                     f"{_HOOKS}: count_convNd", "transposed-output-grid")
    return Tally(facts.counts["macs"], "the products, no additions", f"{_HOOKS}: count_convNd")


def _norm(facts: Facts) -> Tally:
    per = 4 if facts.field("affine", True) else 2
    return Tally(per * facts.elements, f"{per} per element", f"{_HOOKS}: count_normalization, {_CALC}: calculate_norm")


def _linear(facts: Facts) -> Tally:
    return Tally(facts.counts["macs"], "the products, no additions", f"{_HOOKS}: count_linear")


def _zero(facts: Facts) -> Tally:
    return Tally(sympy.Integer(0), "not counted (zero_ops)", f"{_HOOKS}: zero_ops, count_relu")


def _softmax(facts: Facts) -> Tally:
    dim = facts.field("dim")
    features = facts.output.dims[facts.output.axis(dim)] if dim is not None else facts.output.elements
    return Tally(sympy.expand(facts.outputs / features * (3 * features - 1)), "3 per feature − 1 per vector",
                 f"{_HOOKS}: count_softmax, {_CALC}: calculate_softmax")


def _avgpool(facts: Facts) -> Tally:
    return Tally(facts.outputs, "1 per output element", f"{_HOOKS}: count_avgpool")


def _adaptive(facts: Facts) -> Tally:
    window = sympy.Mul(*(i / o for i, o in zip(facts.inputs[0].size, facts.output.size, strict=True)))
    count = sympy.expand((window + 1) * facts.outputs)
    return Tally(sympy.floor(count) if count.is_number else count, "the input/output size ratio + 1 per output "
                 "element", f"{_HOOKS}: count_adap_avgpool")


def _upsample(facts: Facts) -> Tally:
    mode = facts.field("mode")
    per = {"nearest": 1, "linear": 5, "bilinear": 11}.get(mode)
    if per is None:
        return Tally(sympy.Integer(0), f"{mode} upsampling is not implemented (0)", f"{_HOOKS}: count_upsample",
                     "trilinear-zero")
    return Tally(per * facts.outputs, f"{per} per output element", f"{_HOOKS}: count_upsample, {_CALC}: "
                                                                   "calculate_upsample")


#: register_hooks: the hook of each registered class.
HOOKS: dict[str, Callable[[Facts], Tally]] = {
    **dict.fromkeys(classes("Conv{d}d", "ConvTranspose{d}d"), _conv),
    **dict.fromkeys(classes("BatchNorm{d}d", "InstanceNorm{d}d", "LayerNorm", "SyncBatchNorm"), _norm),
    **dict.fromkeys(classes("ReLU", "ReLU6", "LeakyReLU", "MaxPool{d}d", "AdaptiveMaxPool{d}d", "Dropout",
                            "Sequential", "PixelShuffle", "ZeroPad2d"), _zero),
    **dict.fromkeys(classes("AvgPool{d}d"), _avgpool),
    **dict.fromkeys(classes("AdaptiveAvgPool{d}d"), _adaptive),
    **dict.fromkeys(classes("Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"), _upsample),
    "torch.nn.Softmax": _softmax,
    "torch.nn.Linear": _linear,
}


def _hooked(facts: Facts) -> Tally:
    hook = HOOKS.get(module(facts))
    return hook(facts) if hook is not None else _unregistered(facts)


for _kind in ("conv", "dwconv", "convtranspose", "linear", "batchnorm", "layernorm", "relu", "relu6", "leaky_relu",
              "identity", "softmax", "maxpool", "avgpool", "adaptive_avgpool", "adaptive_maxpool", "global_avgpool",
              "upsample"):
    THOP.counts(_kind)(_hooked)
