"""Giving a grid point real geometry: the strides, paddings, dilations, output paddings and input sizes that
make a layer with the point's sizes, found through the inverse relations of :mod:`symconv.geometry`.

The polynomial counts depend only on the trip counts (sizes, kernel, channels), so any realisation will do;
the first candidate is stride 1, no padding, dilation 1, as long as it works.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import sympy

from symconv.geometry import input_size, output_size, slack, transposed_input_size, transposed_output_size
from symconv.spec import Conv
from symconv.variants import Layer

#: The kinds of geometry symbol, by the prefix of their names (``s_h``, ``pe_w``, ``op_l``), and the value each
#: takes when nothing asks for another.
GEOMETRY = ("s", "p", "pe", "d", "op")
DEFAULT = {"s": 1, "p": 0, "pe": 0, "d": 1, "op": 0}
#: The names of the spatial sizes, input and output, of every axis.
SPATIAL_SIZES = frozenset(f"{a.upper()}_{end}" for a in "ldhw" for end in ("in", "out"))

# Strides, paddings, dilations and output paddings tried, in this order, to realise a grid point's sizes.
_CANDIDATES = [dict(zip(GEOMETRY, c, strict=True)) for c in
               itertools.product(range(1, 5), range(0, 4), range(0, 4), range(1, 4), range(0, 3))]
_CANDIDATES.sort(key=lambda c: (c["p"] + c["pe"] + c["op"] + c["s"] + c["d"], tuple(c.values())))


def realise_point(layer: Layer, point: Mapping[sympy.Symbol, int],
                  subs: Mapping[sympy.Symbol, sympy.Expr]) -> dict[sympy.Symbol, int] | None:
    """The values that make ``layer`` a real layer with the sizes of the grid point (the channel totals ``subs``
    computes from the channels per group, each axis of each stage realised, the last stage first), or None."""
    values: dict[sympy.Symbol, int] = dict(point)
    for s_ in subs:
        values[s_] = int(subs[s_].xreplace(dict(point)))
    if all(realise(stage.conv, axis, values) for stage in reversed(layer.stages) for axis in range(stage.conv.dims)):
        return values
    return None


def realise(conv: Conv, axis: int, values: dict[sympy.Symbol, int]) -> bool:
    """Give values to this axis's free stride, padding, dilation, output padding (and input size, when it is no
    grid variable) so that the layer has the sizes of the grid point; False when none of the candidates does."""
    base = {key: sympy.Integer(v) for key, v in values.items()}
    k, size, out = (_at(e, base) for e in (conv.kernel[axis], conv.in_size[axis], conv.out_size[axis]))
    if not k.is_number or not out.is_number:
        return False
    fields = {"s": conv.stride[axis], "p": conv.padding[axis], "pe": conv.pad_end[axis], "d": conv.dilation[axis],
              "op": conv.out_pad[axis]}
    free = {key: _at(expr, base) for key, expr in fields.items()}
    # The free geometry symbols of this axis: a stride, padding, dilation or output padding symbol, possibly
    # inside an expression (a padding mode's floor(d (k - 1)/2)).
    geometry = sorted({x for e in free.values() for x in e.free_symbols if x.name.split("_")[0] in GEOMETRY},
                      key=lambda x: x.name)
    if any(e.free_symbols - set(geometry) for e in free.values()):
        return False
    found = _first_candidate(conv.transposed, int(k), int(out), free, geometry,
                             None if not size.is_number else int(size))
    if found is None:
        return False
    chosen, size_value = found
    values.update(chosen)
    if not size.is_number:
        if not isinstance(size, sympy.Symbol):
            return False
        values[size] = size_value
    return True


def _at(e: sympy.Expr, values: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    return e if e.is_number else e.xreplace(values)


def _first_candidate(transposed: bool, k: int, out: int, free: Mapping[str, sympy.Expr],
                     geometry: list[sympy.Symbol], size: int | None) -> tuple[dict[sympy.Symbol, int], int] | None:
    """The first candidate values of the free ``geometry`` that give ``out`` outputs, and the input size they
    take (``size`` when it is fixed); None when none does."""
    # With no free geometry every candidate is the same layer: one try decides.
    for candidate in _CANDIDATES if geometry else _CANDIDATES[:1]:
        chosen = {x: candidate[x.name.split("_")[0]] for x in geometry}
        given = {x: sympy.Integer(v) for x, v in chosen.items()}
        trial: dict[str, int] = {}
        for key, e in free.items():
            e = _at(e, given)
            if not e.is_number:
                return None
            trial[key] = int(e)
        size_value = _realised_size(transposed, k, out, trial, size)
        if size_value is not None:
            return chosen, size_value
    return None


def _realised_size(transposed: bool, k: int, out: int, geometry: Mapping[str, int], size: int | None) -> int | None:
    """The input size that gives ``out`` outputs with this kernel and geometry (``size`` when it is fixed), or
    None when none does: the smallest input of at least 1, through the inverse relations of
    :mod:`symconv.geometry`."""
    s_, p, pe, d, op = (geometry[key] for key in GEOMETRY)
    if transposed:
        if op >= s_ and op >= d:
            return None
        found = transposed_input_size(out, k, s_, p, d, op, pe) if size is None else size
        if found is None or found < 1 or transposed_output_size(found, k, s_, p, d, op, pe) != out:
            return None
        return found
    if op:
        return None
    found = max(1, input_size(out, k, s_, p, d, pe)) if size is None else size
    if slack(found, k, p, d, pe) < 0 or output_size(found, k, s_, p, d, pe) != out:
        return None
    return found

