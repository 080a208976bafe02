"""Degree bounds from the loop nest: in each variable, the degree of a direct count is at most the sum of the
degrees of the trip counts of the loops (:func:`symconv.direct.loop_nest`) of the program that makes it."""

from __future__ import annotations

import sympy

from symconv.direct import loop_nest
from symconv.spec import Conv
from symconv.variants import Layer


def independent(conv: Conv) -> dict[sympy.Symbol, sympy.Expr]:
    """Channel totals written through the channels per group, so that the grid's variables are independent."""
    return {d.numerator: d.symbol * d.denominator for d in conv.definitions if isinstance(d.numerator, sympy.Symbol)}


def _trips(conv: Conv) -> list[dict[str, sympy.Expr]]:
    """The trip counts of the loops of each direct program of this stage (:func:`symconv.direct.loop_nest`):
    one program for a forward stage; for a transposed one the scatter, over the input grid, and the dense
    convolution, over the output grid."""
    values: dict[str, sympy.Expr] = {"N": conv.batch, "g": conv.groups, "C_out_g": conv.out_per_group,
                                     "C_in_g": conv.in_per_group}
    for i, a in enumerate(conv.axes):
        values[f"{a.upper()}_out"] = conv.out_size[i]
        values[f"{a.upper()}_in"] = conv.in_size[i]
        values[f"k_{a}"] = conv.kernel[i]
    subs = independent(conv)
    nests = [loop_nest(conv.dims)] + ([loop_nest(conv.dims, transposed=True)] if conv.transposed else [])
    return [{name: values[name].xreplace(subs) for name in nest} for nest in nests]


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
    bounds: dict[sympy.Symbol, int] = {}
    for stage in layer.stages:
        conv = stage.conv
        channels = [conv.in_channels, conv.out_per_group] if conv.transposed else \
            [conv.out_channels, conv.in_per_group]
        shape = [e.xreplace(independent(conv)) for e in (*channels, *conv.kernel)]
        for factors in (*(list(t.values()) for t in _trips(conv)), shape):
            for v in set().union(*(f.free_symbols for f in factors)):
                degree = sum(sympy.degree(f, v) for f in factors)
                bounds[v] = max(bounds.get(v, 0), int(degree))
        if not conv.bias.is_number:
            for v in conv.bias.free_symbols:
                bounds[v] = max(bounds.get(v, 0), 1)
    return bounds

