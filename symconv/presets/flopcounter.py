"""PyTorch's ``torch.utils.flop_counter.FlopCounterMode`` (torch 2.13) and torchvision's ``_ops``, which a
counter of the same design computed.

FlopCounterMode counts ATen operations as they are dispatched, one formula per operation
(``flop_registry``): convolutions (``conv_flop_count``: ``2 × batch × C_out × C_in/g × ∏kernel × ∏out``, a
transposed convolution on its input's positions) and the matrix products ``mm``, ``addmm``, ``bmm``,
``baddbmm`` (``2·m·n·k``) that linear layers and ``matmul`` become. Nothing else counts.

>>> from symconv.network import Network, Shape, Conv2d
>>> from symconv.presets.facts import network_facts
>>> (_, facts), = network_facts(Network.sequence("one", Shape(3, (4, 8)), [Conv2d(out=16, padding=1, bias=True)]))
>>> FLOPCOUNTER.tally(facts)[0].value, TORCHVISION.tally(facts)[0].value  # 2 × 13,824 products; 13,824
(27648, 13824)
"""

from __future__ import annotations

from symconv.presets.base import KnownError, Preset, Tally, not_counted, register
from symconv.presets.facts import Facts
from symconv.presets.torchnn import products

__all__ = ["FLOPCOUNTER", "TORCHVISION"]

_SOURCE = "torch/utils/flop_counter.py"

FLOPCOUNTER = register(Preset(
    "flopcounter", "PyTorch 2.13 torch.utils.flop_counter", "FlopCounterMode().get_total_flops()",
    "FLOPs as 2 × the multiply-accumulates of convolutions and matrix products", f"pytorch/pytorch, {_SOURCE}",
    not_counted(f"{_SOURCE}: flop_registry has formulas for convolutions, matrix products and attention only"),
    errors=(
        KnownError("one-addition-per-product",
                   "2 per product: a sum of K products takes K − 1 additions, so a layer without a bias counts "
                   "one addition per output element too many ('Should be 2 * c_in - 1 technically for FLOPs')",
                   f"{_SOURCE}: conv_flop_count, mm_flop"),
        KnownError("padding-products",
                   "the products with the padding's zeros are counted ('I don't think this properly accounts for "
                   "padding'): symconv's performed convention leaves them out", f"{_SOURCE}: conv_flop_count"),
    )))


@FLOPCOUNTER.counts("conv", "dwconv", "convtranspose")
def _conv(facts: Facts) -> Tally:
    why = f"2 × the {'input grid' if facts.transposed else 'products'} (an addition per product)"
    return Tally(2 * products(facts), why, f"{_SOURCE}: conv_flop_count (aten.convolution)", _errors(facts))


def _errors(facts: Facts) -> str:
    """Which of FlopCounterMode's caveats a layer shows: no bias to stand for the first product's missing
    addition; padding, whose zeros it multiplies."""
    padded = facts.spec is not None and not facts.transposed and any(
        p != 0 for p in (*facts.spec.padding, *(facts.spec.padding_end or ())))
    names = ["one-addition-per-product" if facts.bias == 0 else "", "padding-products" if padded else ""]
    return ", ".join(n for n in names if n)


@FLOPCOUNTER.counts("linear", "matmul")
def _matmul(facts: Facts) -> Tally:
    return Tally(2 * products(facts), "2 × the products (an addition per product)",
                 f"{_SOURCE}: mm_flop, addmm_flop, bmm_flop", _errors(facts))


TORCHVISION = register(Preset(
    "torchvision", "torchvision's weights metadata", "Weights.meta['_ops'] (GFLOPS)",
    "the multiply-accumulates of convolutions and matrix products (_ops is this in billions, to 3 decimals)",
    "pytorch/vision, torchvision/models/*.py (weights meta '_ops'), computed by the script of pull request #6936",
    not_counted("pytorch/vision#6936: its flop_mapping has convolutions and matrix products only"),
    errors=(
        KnownError("gflops-are-macs",
                   "published as GFLOPS, the figure is billions of multiply-accumulates: half the FLOPs of 2 × MACs",
                   "pytorch/vision#6936: conv_flop_count, matmul_flop"),
    )))


@TORCHVISION.counts("conv", "dwconv", "convtranspose", "linear", "matmul")
def _macs(facts: Facts) -> Tally:
    why = "the input grid, no additions" if facts.transposed else "the products, no additions"
    return Tally(products(facts), why, "pytorch/vision#6936: conv_flop_count, matmul_flop, addmm_flop")
