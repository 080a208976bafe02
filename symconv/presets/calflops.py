"""calflops 0.3.2's ``calculate_flops``: it patches functions of ``torch.nn.functional`` and ``torch``
(``_patch_functionals``, ``_patch_tensor_methods`` in ``calflops/pytorch_ops.py``), each returning (FLOPs,
MACs) for one call, and sums them per module (``calflops/calculate_pipline.py``). Its FLOPs, the first number
it returns, are 2 × the products of convolutions and linear layers plus one per element of the other patched
functions; modules count through the functions their ``forward`` calls.

>>> from symconv.network import Network, Shape, Conv2d
>>> from symconv.presets.facts import network_facts
>>> (_, facts), = network_facts(Network.sequence("one", Shape(3, (4, 8)), [Conv2d(out=16, padding=1, bias=True)]))
>>> CALFLOPS.tally(facts)[0].value  # 2 × 13,824 products + 512 bias additions
28160
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from symconv.geometry import output_size
from symconv.network.layers.base import Expr
from symconv.network.layers.conv import on_multiples
from symconv.presets.base import KnownError, Preset, Tally, not_counted, register
from symconv.presets.facts import Facts
from symconv.presets.torchnn import called, products

__all__ = ["CALFLOPS"]

_OPS = "calflops/pytorch_ops.py"

CALFLOPS = register(Preset(
    "calflops", "calflops 0.3.2", "calculate_flops(model, input_shape, output_as_string=False)[0]",
    "FLOPs: 2 × the products of convolutions, linear layers and matmul, the bias, and one per element of "
    "activations, pooling, normalisations, softmax and elementwise functions",
    "MrYxJ/calculate-flops.pytorch, calflops/pytorch_ops.py, calflops/calculate_pipline.py",
    not_counted(f"{_OPS}: _patch_functionals and _patch_tensor_methods do not patch the function it calls"),
    errors=(
        KnownError("grouped-transposed",
                   "a transposed convolution's out_channels is weight.shape[1], already C_out/g, and "
                   "filters_per_channel divides it by the groups again: a grouped one counts 1/g of its products",
                   f"{_OPS}: _conv_trans_flops_compute"),
        KnownError("transposed-bias-size",
                   "a transposed convolution's bias is counted on the size a forward convolution of its input "
                   "would have, floor((H_in + 2p − d(k − 1) − 1)/s) + 1, not on its output",
                   f"{_OPS}: _conv_trans_flops_compute"),
        KnownError("same-even-kernel",
                   "padding='same' is read as d(k − 1)//2 on both sides: a kernel of even reach is counted on "
                   "an output one position short along each axis", f"{_OPS}: _conv_flops_compute"),
        KnownError("interpolate-size",
                   "an upsampling to a size counts that size's positions alone (not × batch × channels); one by "
                   "a scale factor counts its input's elements (the product by the factor is thrown away)",
                   f"{_OPS}: _upsample_flops_compute"),
    )))


def _fraction(axes: list[Expr], counted: list[Expr]) -> Expr:
    return sympy.Mul(*counted) / sympy.Mul(*axes)


def _same(a: list[Expr], b: list[Expr]) -> bool:
    return all(sympy.expand(x - y) == 0 for x, y in zip(a, b, strict=True))


def _forward_size(n: Expr, k: Expr, s: Expr, p: Expr, d: Expr) -> Expr:
    """The output size of a forward convolution of ``n`` inputs (a symbolic ``n`` taken as a multiple of an
    integer stride, as a network's sizes are)."""
    if s.is_Integer and not n.is_number:
        return on_multiples(lambda m: output_size(m, k, s, p, d), n, int(s))
    return output_size(n, k, s, p, d)


def _conv(facts: Facts) -> Tally:
    spec = facts.spec
    assert spec is not None
    source = f"{_OPS}: _conv_flops_compute"
    out = list(facts.output.size)
    counted = out
    error = ""
    if facts.padding == "same":
        counted = [output_size(n, k, 1, (d * (k - 1)) // 2, d) for n, k, d in zip(facts.inputs[0].size, spec.kernel,
                                                                                 spec.dilation, strict=True)]
        error = "" if _same(counted, out) else "same-even-kernel"
    macs = sympy.expand(products(facts) * _fraction(out, counted))
    bias = sympy.expand(facts.bias * facts.batch * spec.out_channels * sympy.Mul(*counted))
    why = "2 × the products and the bias additions" if facts.bias != 0 else "2 × the products"
    return Tally(2 * macs + bias, why + (", an output short" if error else ""), source, error)


def _transposed(facts: Facts) -> Tally:
    spec = facts.spec
    assert spec is not None
    per_group = spec.out_per_group
    twice = sympy.floor(per_group / spec.groups) if (per_group / spec.groups).is_number else per_group / spec.groups
    macs = sympy.expand(facts.counts["input_grid"] * twice / per_group)
    forward = [_forward_size(*axis) for axis in zip(facts.inputs[0].size, spec.kernel, spec.stride, spec.padding,
                                                      spec.dilation, strict=True)]
    bias = sympy.expand(facts.bias * facts.batch * per_group * sympy.Mul(*forward))
    errors = [name for name, wrong in (("grouped-transposed", spec.groups != 1),
                                       ("transposed-bias-size",
                                        facts.bias != 0 and not _same(forward, list(facts.output.size))))
              if wrong]
    return Tally(2 * macs + bias, "2 × the input grid / g + the bias on a forward size" if errors
                 else "2 × the input grid", f"{_OPS}: _conv_trans_flops_compute", ", ".join(errors))


def _linear(facts: Facts) -> Tally:
    return Tally(2 * products(facts), "2 × the products, the bias not counted", f"{_OPS}: _linear_flops_compute")


def _matmul(facts: Facts) -> Tally:
    first, second = facts.inputs
    return Tally(2 * sympy.expand(facts.batch * first.elements * second.dims[-1]), "2 × prod(first operand) × the "
                 "last size of the second", f"{_OPS}: _matmul_flops_compute")


def _per_element(per: int, name: str, output: bool = False) -> Callable[[Facts], Tally]:
    def count(facts: Facts) -> Tally:
        return Tally(per * (facts.outputs if output else facts.elements),
                     f"{per} per {'output' if output else 'input'} element", f"{_OPS}: {name}")

    return count


def _norm(name: str) -> Callable[[Facts], Tally]:
    def count(facts: Facts) -> Tally:
        per = 5 if facts.field("affine", True) else 4
        return Tally(per * facts.elements, f"{per} per element ('estimation')", f"{_OPS}: {name}")

    return count


def _batch_norm(facts: Facts) -> Tally:
    per = 2 if facts.field("affine", True) else 1
    return Tally(per * facts.elements, f"{per} per element", f"{_OPS}: _batch_norm_flops_compute")


def _upsample(facts: Facts) -> Tally:
    size = facts.field("size")
    source = f"{_OPS}: _upsample_flops_compute"
    if size is not None:
        return Tally(sympy.Mul(*size) if len(size) > 1 else sympy.Integer(size[0]), "the output size's positions "
                     "alone", source, "interpolate-size")
    return Tally(facts.elements, "the input elements (the scale factor dropped)", source, "interpolate-size")


def _functions(*names: str) -> list[str]:
    return [f"torch.nn.functional.{n.format(d=d)}" for n in names for d in ((1, 2, 3) if "{d}" in n else (1,))]


#: The patched functions, by name.
FUNCTIONS: dict[str, Callable[[Facts], Tally]] = {
    **dict.fromkeys(_functions("conv{d}d"), _conv),
    **dict.fromkeys(_functions("conv_transpose{d}d"), _transposed),
    "torch.nn.functional.linear": _linear,
    **dict.fromkeys(_functions("relu", "prelu", "elu", "leaky_relu", "relu6", "silu", "gelu", "softmax",
                               "avg_pool{d}d", "max_pool{d}d", "adaptive_avg_pool{d}d", "adaptive_max_pool{d}d"),
                    _per_element(1, "_relu_flops_compute, _pool_flops_compute, _softmax_flops_compute")),
    "torch.nn.functional.batch_norm": _batch_norm,
    "torch.nn.functional.layer_norm": _norm("_layer_norm_flops_compute"),
    "torch.nn.functional.group_norm": _norm("_group_norm_flops_compute"),
    "torch.nn.functional.instance_norm": _norm("_instance_norm_flops_compute"),
    **dict.fromkeys(_functions("interpolate", "upsample"), _upsample),
    **dict.fromkeys(("torch.matmul", "Tensor.matmul"), _matmul),
    **dict.fromkeys(("torch.mul", "Tensor.mul", "torch.add", "Tensor.add"),
                    _per_element(1, "_elementwise_flops_compute", output=True)),
}


def _patched(facts: Facts) -> Tally:
    count = FUNCTIONS.get(called(facts))
    return count(facts) if count is not None else CALFLOPS.other(facts)  # type: ignore[return-value]


for _kind in ("conv", "dwconv", "convtranspose", "linear", "matmul", "batchnorm", "layernorm", "groupnorm", "relu",
              "relu6", "leaky_relu", "silu", "gelu", "gelu_tanh", "softmax", "maxpool", "avgpool", "adaptive_avgpool",
              "adaptive_maxpool", "global_avgpool", "upsample", "add", "mul", "binary", "scalar", "scale"):
    CALFLOPS.counts(_kind)(_patched)
