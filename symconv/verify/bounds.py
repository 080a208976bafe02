"""Degree bounds from the loop nest: in each variable, the degree of a direct count is at most the sum of the
degrees of the trip counts of the loops (:func:`symconv.direct.loop_nest`) of the program that makes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy

from symconv.direct import loop_nest
from symconv.errors import must_be
from symconv.geometry import input_size
from symconv.spec import Conv
from symconv.variants import Layer


def independent(conv: Conv) -> dict[sympy.Symbol, sympy.Expr]:
    """Channel totals written through the channels per group, so that the grid's variables are independent."""
    return {d.numerator: d.symbol * d.denominator for d in conv.definitions if isinstance(d.numerator, sympy.Symbol)}


def trip_values(conv: Conv, realised_input: bool = False) -> dict[str, sympy.Expr]:
    """The trip count each loop name of :func:`symconv.direct.loop_nest` stands for in this stage, the channel
    totals written through the channels per group. With ``realised_input`` a forward convolution's input
    sizes are the ones a grid point is realised with, the smallest input of its output
    (:func:`symconv.geometry.input_size`)."""
    values: dict[str, sympy.Expr] = {"N": conv.batch, "g": conv.groups, "C_out_g": conv.out_per_group,
                                     "C_in_g": conv.in_per_group}
    for i, a in enumerate(conv.axes):
        values[f"{a.upper()}_out"] = conv.out_size[i]
        values[f"{a.upper()}_in"] = conv.in_size[i]
        if realised_input and not conv.transposed:
            values[f"{a.upper()}_in"] = input_size(conv.out_size[i], conv.kernel[i], conv.stride[i],
                                                   conv.padding[i], conv.dilation[i], conv.pad_end[i])
        values[f"k_{a}"] = conv.kernel[i]
    subs = independent(conv)
    return {name: sympy.expand(e.xreplace(subs)) for name, e in values.items()}


def _trips(conv: Conv) -> list[dict[str, sympy.Expr]]:
    """The trip counts of the loops of each direct program of this stage (:func:`symconv.direct.loop_nest`):
    one program for a forward stage; for a transposed one the scatter, over the input grid, and the dense
    convolution, over the output grid."""
    values = trip_values(conv)
    nests = [loop_nest(conv.dims)] + ([loop_nest(conv.dims, transposed=True)] if conv.transposed else [])
    return [{name: values[name] for name in nest} for nest in nests]


def raise_bounds(bounds: dict[sympy.Symbol, int], products: Iterable[Sequence[sympy.Expr]],
                 bias: sympy.Expr) -> None:
    """Raise each variable's bound to its degree in each product of trip counts (the sum of its degrees in the
    factors), and to 1 in a symbolic bias flag (a count is linear in it)."""
    for factors in products:
        for v in set().union(*(f.free_symbols for f in factors)):
            bounds[v] = max(bounds.get(v, 0), int(sum(sympy.degree(f, v) for f in factors)))
    for v in bias.free_symbols:
        bounds[v] = max(bounds.get(v, 0), 1)


def degree_bounds(layer: Layer) -> dict[sympy.Symbol, int]:
    """The degree of the direct count in each variable, bounded from the loop structure of the direct program.

    Each stage runs one loop nest, :func:`symconv.direct.loop_nest`, doing constant work per innermost
    iteration (one product, one addition but for the first term) and per element (the bias when the flag is
    1). Its counts are therefore sums of products of trip counts, times ``b`` at most once; the degree in a
    variable is at most the sum, over the loops, of the degree of each trip count in it. The parameters are the
    entries of the weight (``C_out × C_in/g × k``; transposed ``C_in × C_out/g × k``) and, with ``b``, the bias
    (``C_out``): a product of the same trip counts. A transposed stage has two programs whose products are
    polynomial counts, the scatter over the input grid and the dense convolution over the output grid; the
    bound is the larger. A layer's count is the sum of its stages', so the bound is the largest over the stages.
    """
    must_be(layer, Layer, "layer", "a Layer (symconv.variants)")
    bounds: dict[sympy.Symbol, int] = {}
    for stage in layer.stages:
        conv = stage.conv
        channels = [conv.in_channels, conv.out_per_group] if conv.transposed else \
            [conv.out_channels, conv.in_per_group]
        shape = [e.xreplace(independent(conv)) for e in (*channels, *conv.kernel)]
        raise_bounds(bounds, (*(list(t.values()) for t in _trips(conv)), shape), conv.bias)
    return bounds

