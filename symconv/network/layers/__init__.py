"""The layers of a network and their exact counts, one module per kind of layer.

A layer maps input shapes to an output shape and knows what one forward pass of it costs. Convolutions are
built as :class:`symconv.spec.Conv` specs and derived by :func:`symconv.derive.derive`; every other layer
counts the expression of one output element (:func:`symconv.counting.count_ops`: multiplications, additions,
and the comparisons, square roots, divisions and exponentials as "others"), and its parameters are the
tensors that expression reads (:func:`symconv.counting.tensors_read`). :mod:`symconv.network.direct` computes
each layer for real and counts the same operations; the tests compare the two.

**What each layer's element is** (per forward pass; ``E`` is the number of output elements):

=================  ==========================================================================================
layer              element
=================  ==========================================================================================
conv               :func:`symconv.elements.element`: ``K`` products and ``K − 1 + b`` additions
linear             ``Σ_i W[o, i]·x[n, i] (+ β[o])``: ``F`` products and ``F − 1 + b`` additions (``F`` inputs)
batchnorm          per channel ``a = γ / sqrt(σ² + ε)``, ``s = β − μ·a`` (2 mults, 2 adds, a square root
                   and a division), then per element ``x·a + s`` (1 mult, 1 add); PyTorch's CPU inference
                   kernel computes it this way
relu / relu6       ``max(x, 0)``, ``min(max(x, 0), 6)``: 1 / 2 comparisons
softmax            per entry an exponential and a division, per vector a sum of ``C`` exponentials
maxpool            the window's maximum: ``k_h·k_w − 1`` comparisons, over the input padded with −∞
avgpool            ``r·Σ_j x[j]``: ``k_h·k_w − 1`` additions and 1 multiplication (padding included)
global avgpool     the same over ``H·W`` entries per channel
add                1 addition per element; concat and shuffle move data and compute nothing
layernorm          per group of ``M`` entries the two-pass moments and ``a = 1/sqrt(σ² + ε)``, ``s = −a·μ``,
                   then ``(x·a + s)·γ + β``; groupnorm folds ``γ, β`` into ``a, s`` per channel
activations        silu, gelu, hardswish, ... as PyTorch's CPU kernels write them (``elementwise``)
binary / scale     one operation per element: of two tensors, broadcast (``x·s``), or with a learned tensor
matmul             ``Σ_k a[m, k]·b[k, j]``: ``k`` products and ``k − 1`` additions, its products MACs
adaptive pool      the windows ``floor(i L/o)`` to ``ceil((i + 1) L/o)``, each summed or maximised
upsample           nearest copies; linear interpolation weights 2 entries per axis (bilinear: 6 mults, 3 adds)
slice, flatten,    none: they move data
reshape, permute
=================  ==========================================================================================

``macs`` counts the products of convolutions, fully connected layers and matrix products only (no bias,
batch norm, activation or pooling): the "mult-adds" of papers and torchvision, and half of PyTorch's
``FlopCounterMode`` (a transposed convolution's on its input grid, as PyTorch computes it).
"""

from symconv.errors import NetworkError
from symconv.network.layers.base import (
    CONVENTIONS,
    COUNTS,
    IN_CHANNELS,
    Counts,
    LayerSpec,
    Shape,
    as_expr,
    network_convention,
)
from symconv.network.layers.conv import PADDING_MODES, Conv2d, Convolution, conv_derivation, spatial_out
from symconv.network.layers.elementwise import (
    ACTIVATIONS,
    BINARY,
    Activation,
    Binary,
    Scalar,
    Scale,
    Softmax,
)
from symconv.network.layers.joins import Add, Concat, Shuffle, Slice
from symconv.network.layers.linear import Linear, Matmul, linear_element
from symconv.network.layers.norm import BatchNorm, GroupNorm, LayerNorm, batchnorm_elements
from symconv.network.layers.pooling import (
    AdaptivePool,
    AvgPool,
    GlobalAvgPool,
    MaxPool,
    Mean,
    average_element,
    max_element,
)
from symconv.network.layers.resample import Upsample
from symconv.network.layers.shapes import Flatten, Permute, Reshape
from symconv.network.layers.unknown import Reused, Unknown, Unused

__all__ = [
    "ACTIVATIONS",
    "BINARY",
    "CONVENTIONS",
    "COUNTS",
    "IN_CHANNELS",
    "PADDING_MODES",
    "Activation",
    "AdaptivePool",
    "Add",
    "AvgPool",
    "BatchNorm",
    "Binary",
    "Concat",
    "Conv2d",
    "Convolution",
    "Counts",
    "Flatten",
    "GlobalAvgPool",
    "GroupNorm",
    "LayerNorm",
    "LayerSpec",
    "Linear",
    "Matmul",
    "MaxPool",
    "Mean",
    "NetworkError",
    "Permute",
    "Reshape",
    "Reused",
    "Scalar",
    "Scale",
    "Shape",
    "Shuffle",
    "Slice",
    "Softmax",
    "Unknown",
    "Unused",
    "Upsample",
    "as_expr",
    "average_element",
    "batchnorm_elements",
    "conv_derivation",
    "linear_element",
    "max_element",
    "network_convention",
    "spatial_out",
]
