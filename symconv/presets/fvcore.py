"""fvcore 0.1.5's ``FlopCountAnalysis``: a ``torch.jit.trace`` of the model, one handle per ATen operation
(``_DEFAULT_SUPPORTED_OPS`` in ``fvcore/nn/flop_count.py``), one per multiply-accumulate ("We count one fused
multiply-add as one flop"). Every operation without a handle counts 0, with a warning.

>>> from symconv.network import Network, Shape, Conv2d
>>> from symconv.presets.facts import network_facts
>>> net = Network.sequence("one", Shape(3, (8, 8)), [Conv2d(out=8, padding=1), Conv2d(out=8, padding="same")])
>>> [FVCORE.tally(f)[0].value for _, f in network_facts(net)]  # the string padding counts 0
[13824, 0]
"""

from __future__ import annotations

import sympy

from symconv.presets.base import KnownError, Preset, Tally, not_counted, register
from symconv.presets.facts import Facts
from symconv.presets.torchnn import products

__all__ = ["FVCORE"]

_HANDLES = "fvcore/nn/jit_handles.py"
_OPS = "fvcore/nn/flop_count.py: _DEFAULT_SUPPORTED_OPS"

FVCORE = register(Preset(
    "fvcore", "fvcore 0.1.5", "FlopCountAnalysis(model, inputs).total()",
    "the multiply-accumulates of convolutions and matrix products, and estimates for normalisations, "
    "upsampling and adaptive average pooling", "facebookresearch/fvcore, fvcore/nn/flop_count.py, "
    "fvcore/nn/jit_handles.py", not_counted(f"{_OPS} has no handle for its ATen operation"),
    errors=(
        KnownError("string-padding",
                   "a convolution whose padding is a word ('same', 'valid') traces to aten::_convolution_mode, "
                   "which has no handle: it counts 0", _OPS),
        KnownError("matmul-broadcast",
                   "a matrix product counts prod(first operand) × last size of the second: the batch "
                   "dimensions only the second operand has are left out", f"{_HANDLES}: matmul_flop_jit"),
        KnownError("2d-only",
                   "only the 2-D upsampling and adaptive average pooling have handles: the 1-D and 3-D ones "
                   "count 0", _OPS),
    )))


@FVCORE.counts("conv", "dwconv", "convtranspose")
def _conv(facts: Facts) -> Tally:
    if facts.padding:
        return Tally(sympy.Integer(0), f"padding '{facts.padding}': aten::_convolution_mode has no handle", _OPS,
                     "string-padding")
    why = "the input grid, no additions" if facts.transposed else "the products, no additions"
    return Tally(products(facts), why, f"{_HANDLES}: conv_flop_count (aten::_convolution)")


@FVCORE.counts("linear")
def _linear(facts: Facts) -> Tally:
    return Tally(products(facts), "the products, no additions", f"{_HANDLES}: linear_flop_jit (aten::linear)")


@FVCORE.counts("matmul")
def _matmul(facts: Facts) -> Tally:
    first, second = facts.inputs
    counted = sympy.expand(facts.batch * first.elements * second.dims[-1])
    source = f"{_HANDLES}: {'bmm' if facts.origin and facts.origin.name == 'bmm' else 'matmul'}_flop_jit"
    if sympy.expand(counted - products(facts)) != 0:
        return Tally(counted, "prod(first operand) × the last size of the second", source, "matmul-broadcast")
    return Tally(counted, "the products, no additions", source)


@FVCORE.counts("batchnorm")
def _batchnorm(facts: Facts) -> Tally:
    per = 2 if facts.field("affine", True) else 1
    return Tally(per * facts.elements, f"{per} per element", f"{_HANDLES}: batchnorm_flop_jit (inference)")


@FVCORE.counts("layernorm", "groupnorm")
def _norm(facts: Facts) -> Tally:
    per = 5 if facts.field("affine", True) else 4
    return Tally(per * facts.elements, f"{per} per element ('a rough estimate')", f"{_HANDLES}: norm_flop_counter")


@FVCORE.counts("upsample")
def _upsample(facts: Facts) -> Tally:
    per = {"nearest": 1, "bilinear": 4}.get(facts.field("mode"), 0)
    if len(facts.output.size) != 2 or per == 0:
        return Tally(sympy.Integer(0), f"{facts.field('mode')} upsampling of {len(facts.output.size)} axes has no "
                                       "handle", _OPS, "2d-only")
    return Tally(per * facts.outputs, f"{per} per output element", f"{_HANDLES}: elementwise_flop_counter "
                 f"(aten::upsample_{facts.field('mode')}2d)")


@FVCORE.counts("adaptive_avgpool", "global_avgpool")
def _adaptive(facts: Facts) -> Tally:
    function = facts.origin.name if facts.origin is not None else ""
    if function not in ("AdaptiveAvgPool2d", "adaptive_avg_pool2d"):
        error = "2d-only" if "Adaptive" in function or "adaptive" in function else ""
        return Tally(sympy.Integer(0), f"{function or 'this pooling'} has no handle", _OPS, error)
    return Tally(facts.elements, "1 per input element", f"{_HANDLES}: elementwise_flop_counter "
                                                         "(aten::adaptive_avg_pool2d)")
