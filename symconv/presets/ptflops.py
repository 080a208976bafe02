"""ptflops 0.7.5's two backends, each reporting multiply-accumulates (``get_model_complexity_info``).

The PyTorch backend (``ptflops/pytorch_engine.py``) hooks modules of the classes in ``MODULES_MAPPING`` and
patches some functions of ``torch.nn.functional`` and ``torch`` (``FUNCTIONAL_MAPPING``,
``TENSOR_OPS_MAPPING``); it divides the modules' sum by the batch and adds the functions' counts undivided,
then truncates. A module whose forward calls a patched function is counted by both. The ATen backend
(``ptflops/aten_engine.py``) counts dispatched convolutions and matrix products, their bias included.

>>> from symconv.network import Network, Shape, Conv2d, Activation
>>> from symconv.presets.facts import network_facts
>>> net = Network.sequence("two", Shape(3, (4, 8)), [Conv2d(out=16, padding=1, bias=True), Activation("relu")])
>>> [sum(t.value for t in PTFLOPS.tally(f)) for _, f in network_facts(net)]  # products + bias; ReLU twice
[14336, 1024]
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from symconv.network.layers.base import Expr
from symconv.presets.base import KnownError, Preset, Tally, not_counted, register
from symconv.presets.facts import Facts
from symconv.presets.torchnn import bias_outputs, called, classes, module, products

__all__ = ["PTFLOPS", "PTFLOPS_ATEN"]

_OPS = "ptflops/pytorch_ops.py"
_ENGINE = "ptflops/pytorch_engine.py"


def _truncated(total: Expr) -> Expr:
    return sympy.floor(total) if total.is_number else total


PTFLOPS = register(Preset(
    "ptflops-pytorch", "ptflops 0.7.5, PyTorch backend",
    "get_model_complexity_info(model, input_res, backend='pytorch', as_strings=False)[0]",
    "multiply-accumulates, the bias and elementwise layers included, its modules' part per sample",
    "sovrasov/flops-counter.pytorch, ptflops/pytorch_engine.py, ptflops/pytorch_ops.py",
    not_counted(f"{_OPS}: neither MODULES_MAPPING nor the patched functions have it"),
    errors=(
        KnownError("per-sample", "the hooked modules' sum is divided by the batch (the mean per image), the "
                                 "patched functions' counts are added undivided",
                   f"{_ENGINE}: compute_average_flops_cost, get_flops_pytorch"),
        KnownError("double-count", "a hooked module whose forward calls a patched function (nn.ReLU calls F.relu; "
                                   "nn.GELU, pooling and nn.Upsample too) is counted by both",
                   f"{_ENGINE}: patch_functional beside MODULES_MAPPING"),
        KnownError("upsample-one-sample", "nn.Upsample's hook counts the output of the first sample, "
                                          "output[0], which the engine then divides by the batch again",
                   f"{_OPS}: upsample_flops_counter_hook"),
        KnownError("layernorm-affine", "the normalisation hook doubles a module with an 'affine' attribute; "
                                       "nn.LayerNorm's is 'elementwise_affine': 1 per element",
                   f"{_OPS}: bn_flops_counter_hook"),
    ),
    combine=_truncated, combines="the hooked modules' sum divided by the batch, plus the patched functions' "
                                 "counts, truncated to an integer"))


def _per_sample(facts: Facts, value: Expr, why: str, hook: str, error: str = "") -> Tally:
    errors = [e for e in (error, "per-sample" if facts.batch != 1 else "") if e]
    return Tally(value / facts.batch, f"{why}, / batch", f"{_OPS}: {hook}", ", ".join(errors))


def _conv_hook(facts: Facts) -> Tally:
    grid = "input grid" if facts.transposed else "products"
    why = f"the {grid} and the bias additions" if facts.bias != 0 else f"the {grid}, no additions"
    return _per_sample(facts, products(facts) + bias_outputs(facts), why, "conv_flops_counter_hook")


def _norm_hook(facts: Facts) -> Tally:
    doubled = facts.type != "layernorm" and facts.field("affine", True)
    error = "layernorm-affine" if facts.type == "layernorm" and facts.field("affine", True) else ""
    per = 2 if doubled else 1
    return _per_sample(facts, per * facts.elements, f"{per} per element", "bn_flops_counter_hook", error)


def _upsample_hook(facts: Facts) -> Tally:
    return _per_sample(facts, facts.output.elements, "one sample's output elements", "upsample_flops_counter_hook",
                       "upsample-one-sample")


def _linear_hook(facts: Facts) -> Tally:
    why = "the products and the bias additions" if facts.bias != 0 else "the products, no additions"
    return _per_sample(facts, products(facts) + bias_outputs(facts), why, "linear_flops_counter_hook")


def _elements_hook(name: str, per_output: bool) -> Callable[[Facts], Tally]:
    def hook(facts: Facts) -> Tally:
        count = facts.outputs if per_output else facts.elements
        return _per_sample(facts, count, f"1 per {'output' if per_output else 'input'} element", name)

    return hook


#: The module hooks of MODULES_MAPPING, by class.
MODULE_HOOKS: dict[str, Callable[[Facts], Tally]] = {
    **dict.fromkeys(classes("Conv{d}d", "ConvTranspose{d}d"), _conv_hook),
    **dict.fromkeys(classes("ReLU", "PReLU", "ELU", "LeakyReLU", "ReLU6", "GELU"),
                    _elements_hook("relu_flops_counter_hook", True)),
    **dict.fromkeys(classes("MaxPool{d}d", "AvgPool{d}d", "AdaptiveMaxPool{d}d", "AdaptiveAvgPool{d}d"),
                    _elements_hook("pool_flops_counter_hook", False)),
    **dict.fromkeys(classes("BatchNorm{d}d", "InstanceNorm{d}d", "GroupNorm", "LayerNorm"), _norm_hook),
    "torch.nn.Linear": _linear_hook,
    "torch.nn.Upsample": _upsample_hook,
}


def _numel(facts: Facts) -> Tally:
    return Tally(facts.elements, "1 per input element", f"{_OPS}: _numel_functional_flops_hook")


def _interpolate(facts: Facts) -> Tally:
    size, scale = facts.field("size"), facts.field("scale")
    planes = facts.batch * facts.inputs[0].channels
    axes = len(facts.output.size)
    if size is not None:
        count = sympy.Mul(*size) if len(size) > 1 else sympy.Integer(size[0]) ** axes
        return Tally(sympy.expand(count * planes), "the output size × batch × channels", f"{_OPS}: "
                     "_interpolate_functional_flops_hook")
    factor = sympy.floor(sympy.Mul(*scale)) if len(scale) > 1 else scale[0] ** axes
    return Tally(sympy.expand(facts.elements * factor), "the input elements × the scale factors",
                 f"{_OPS}: _interpolate_functional_flops_hook")


def _matmul(facts: Facts) -> Tally:
    first, second = facts.inputs
    return Tally(sympy.expand(facts.batch * first.elements * second.dims[-1]), "prod(first operand) × the last "
                 "size of the second", f"{_OPS}: _matmul_tensor_flops_hook")


def _elementwise(facts: Facts) -> Tally:
    return Tally(facts.outputs, "1 per output element", f"{_OPS}: _elementwise_tensor_flops_hook")


def _functions(names: str, *functions: str) -> list[str]:
    return [f"{names}.{f}" for f in functions]


#: The patched functions of FUNCTIONAL_MAPPING and TENSOR_OPS_MAPPING, by name.
FUNCTION_HOOKS: dict[str, Callable[[Facts], Tally]] = {
    **dict.fromkeys(_functions("torch.nn.functional", "relu", "prelu", "elu", "relu6", "gelu", "silu", "softmax",
                               *(f"{op}{d}d" for op in ("avg_pool", "max_pool", "adaptive_avg_pool",
                                                        "adaptive_max_pool") for d in (1, 2, 3))), _numel),
    **dict.fromkeys(_functions("torch.nn.functional", "interpolate", "upsample"), _interpolate),
    **dict.fromkeys([*_functions("torch", "matmul", "mm", "bmm"), *_functions("Tensor", "matmul", "mm", "bmm")],
                    _matmul),
    **dict.fromkeys([*_functions("torch", "mul", "add"), *_functions("Tensor", "mul", "add")], _elementwise),
}


def _hooked(facts: Facts) -> tuple[Tally, ...]:
    """What the PyTorch backend sees of a layer: its module's hook, and the patched function it calls."""
    found = []
    hook = MODULE_HOOKS.get(module(facts))
    if hook is not None:
        found.append(hook(facts))
    function = FUNCTION_HOOKS.get(called(facts))
    if function is not None:
        tally = function(facts)
        found.append(Tally(tally.value, tally.why, tally.source, "double-count" if hook is not None else ""))
    if not found:
        return (PTFLOPS.other(facts),)  # type: ignore[return-value]
    return tuple(found)


for _kind in ("conv", "dwconv", "convtranspose", "linear", "matmul", "batchnorm", "layernorm", "groupnorm",
              "relu", "relu6", "leaky_relu", "gelu", "gelu_tanh", "silu", "softmax", "maxpool", "avgpool",
              "adaptive_avgpool", "adaptive_maxpool", "global_avgpool", "upsample", "add", "mul", "binary", "scalar",
              "scale"):
    PTFLOPS.counts(_kind)(_hooked)

_ATEN = "ptflops/aten_ops.py"

PTFLOPS_ATEN = register(Preset(
    "ptflops-aten", "ptflops 0.7.5, ATen backend",
    "get_model_complexity_info(model, input_res, backend='aten', as_strings=False)[0]",
    "the multiply-accumulates of convolutions and matrix products, their bias included",
    "sovrasov/flops-counter.pytorch, ptflops/aten_engine.py, ptflops/aten_ops.py",
    not_counted(f"{_ATEN}: ATEN_OPS_MAPPING has convolutions, mm, addmm and bmm only"),
    errors=(
        KnownError("linear-strided", "nn.Linear on an input that is not contiguous (a permuted map) dispatches "
                                     "to mm and add_, not addmm: its bias is not counted",
                   f"{_ATEN}: addmm_flop, matmul_flop"),
    )))


@PTFLOPS_ATEN.counts("conv", "dwconv", "convtranspose")
def _aten_conv(facts: Facts) -> Tally:
    grid = "input grid" if facts.transposed else "products"
    why = f"the {grid} and the bias additions" if facts.bias != 0 else f"the {grid}, no additions"
    return Tally(products(facts) + bias_outputs(facts), why, f"{_ATEN}: conv_flop_count")


@PTFLOPS_ATEN.counts("linear")
def _aten_linear(facts: Facts) -> Tally:
    if facts.bias == 0:
        return Tally(products(facts), "the products, no additions", f"{_ATEN}: matmul_flop (aten.mm)")
    if not facts.contiguous:
        return Tally(products(facts), "the products, the bias not counted (mm, then add_)", f"{_ATEN}: matmul_flop",
                     "linear-strided")
    return Tally(products(facts) + bias_outputs(facts), "the products and the bias additions", f"{_ATEN}: addmm_flop")


@PTFLOPS_ATEN.counts("matmul")
def _aten_matmul(facts: Facts) -> Tally:
    return Tally(products(facts), "the products, no additions", f"{_ATEN}: matmul_flop, bmm_flop")
