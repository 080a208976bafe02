"""torchinfo 1.8.0's ``summary``: a forward hook on every module; a leaf module's (one without submodules)
mult-adds come from its parameters alone (``LayerInfo.calculate_macs`` in ``torchinfo/layer_info.py``), and
the total sums the leaf modules (``torchinfo/model_statistics.py``).

Per parameter named ``weight`` or ``bias``: its elements × the output's positions (batch × spatial sizes) when
the module's class name contains ``Conv``, else its elements × the output's first size (the batch). Functions
and modules without parameters count nothing.

>>> from symconv.network import Network, Shape, Linear
>>> from symconv.presets.facts import network_facts
>>> (_, facts), = network_facts(Network.sequence("seq", Shape(5, (16,)), [Linear(out=10, flatten=False)]))
>>> TORCHINFO.tally(facts)[0].value, facts.counts["macs"]  # (16·10 + 10) × batch 1; 5 positions × 160 products
(170, 800)
"""

from __future__ import annotations

import sympy

from symconv.presets.base import KnownError, Preset, Tally, not_counted, register
from symconv.presets.facts import Facts
from symconv.presets.torchnn import module

__all__ = ["TORCHINFO"]

_MACS = "torchinfo/layer_info.py: LayerInfo.calculate_macs"

TORCHINFO = register(Preset(
    "torchinfo", "torchinfo 1.8.0", "summary(model, input_data=x).total_mult_adds",
    "'Total mult-adds': each leaf module's parameters × its output positions (Conv) or × the batch",
    "TylerYep/torchinfo, torchinfo/layer_info.py, torchinfo/model_statistics.py",
    not_counted(f"{_MACS}: a layer without parameters, or not a leaf module's, has none"),
    errors=(
        KnownError("linear-leading-dims",
                   "a module that is not a convolution counts its parameters × output_size[0], the batch: "
                   "nn.Linear on a sequence or a channels-last map leaves out every other leading dimension",
                   _MACS),
        KnownError("transposed-output-grid",
                   "a transposed convolution's weight × its output positions: the products of a dense "
                   "convolution on the output grid, every zero the stride spreads multiplied", _MACS),
    )))


def _leaf_class(facts: Facts) -> str:
    """The class of the leaf module whose parameters the layer reads ('' if none)."""
    if module(facts):
        return facts.origin.name if facts.origin is not None else ""
    return facts.origin.within.rsplit(".", 1)[-1] if facts.origin is not None and facts.origin.within else ""


@TORCHINFO.counts("conv", "dwconv", "convtranspose", "linear", "batchnorm", "layernorm", "groupnorm")
def _parameters(facts: Facts) -> Tally:
    leaf = _leaf_class(facts)
    params = facts.counts["params"]
    if not leaf or params == 0:
        return Tally(sympy.Integer(0), "not counted: no leaf module's weight or bias", _MACS)
    if "Conv" in leaf:
        positions = facts.batch * sympy.Mul(*facts.output.size)
        if facts.transposed:
            return Tally(sympy.expand(params * positions), "weight and bias × output positions: the output grid",
                         _MACS, "transposed-output-grid")
        return Tally(sympy.expand(params * positions), "weight and bias × output positions", _MACS)
    value = sympy.expand(params * facts.batch)
    error = ""
    if facts.type == "linear" and sympy.expand(facts.outputs - facts.batch * facts.output.dims[-1]) != 0:
        error = "linear-leading-dims"
    return Tally(value, "parameters × batch", _MACS, error)
