"""Random valid configurations: values for every free symbol of a layer (stride, padding, dilation, groups and
bias included) that make it a real layer, small enough to count directly."""

from __future__ import annotations

import random
from collections.abc import Iterator

import sympy

from symconv.errors import SpecError
from symconv.geometry import input_size
from symconv.symbols import axes, is_flag, sym
from symconv.variants import Layer
from symconv.verify.realise import SPATIAL_SIZES

#: The range each kind of symbol is drawn from (a name's prefix before ``_`` picks its kind).
_SMALL = {"N": (1, 2), "C_in": (1, 4), "C_out": (1, 4), "g": (1, 3), "m": (1, 3), "k": (1, 3), "s": (1, 3),
          "p": (0, 2), "d": (1, 2), "out": (1, 4), "pe": (0, 2), "op": (0, 1)}


def _range(name: str) -> tuple[int, int]:
    if name in _SMALL:
        return _SMALL[name]
    if name.endswith("_out"):
        return _SMALL["out"]
    return _SMALL.get(name.split("_")[0], (1, 3))


def _sample(layer: Layer, rng: random.Random) -> dict[sympy.Symbol, int] | None:
    """Values for the free symbols of ``layer`` that make a valid layer, or None when this draw does not."""
    free = sorted(layer.free_symbols, key=lambda s: s.name)
    values: dict[sympy.Symbol, int] = {}
    sizes = {s for s in free if s.name in SPATIAL_SIZES}
    for s in free:
        if s in sizes:
            continue
        if is_flag(s):
            values[s] = rng.randint(0, 1)
        else:
            low, high = _range(s.name)
            values[s] = rng.randint(low, high)
    g = sym("g")
    if g in values:  # channels divisible by the groups
        for name in ("C_in", "C_out"):
            if sym(name) in values:
                values[sym(name)] *= values[g]
    first = layer.stages[0].conv
    for axis, _ in enumerate(axes(first.dims)):
        in_size, out_size = first.in_size[axis], first.out_size[axis]
        if first.transposed:
            continue  # a transposed layer's input sizes are drawn below; its output follows
        free_in = [s for s in in_size.free_symbols if s in sizes]
        if not free_in:
            continue
        k, s_, p, d = (e.xreplace(values) for e in (first.kernel[axis], first.stride[axis],
                                                      first.padding[axis], first.dilation[axis]))
        target = out_size.xreplace(values)
        if not target.is_number:
            target = sympy.Integer(rng.randint(*_SMALL["out"]))
        end = first.pad_end[axis].xreplace(values)
        needed = input_size(target, k, s_, p, d, end) + rng.randint(0, int(s_) - 1)
        if not needed.is_number or needed < 1:
            return None
        values[free_in[0]] = int(needed)
    for s in sizes:
        if s.name.endswith("_in"):
            values.setdefault(s, rng.randint(*_SMALL["out"]))
    return values


def samples(layer: Layer, count: int, seed: int) -> Iterator[tuple[dict[sympy.Symbol, int], Layer]]:
    """Up to ``count`` valid configurations of ``layer`` and the numeric layer of each (50 draws per one asked)."""
    rng = random.Random(seed)
    made = tries = 0
    while made < count and tries < 50 * count:
        tries += 1
        values = _sample(layer, rng)
        if values is None:
            continue
        try:
            numeric = layer.substitute(values)
        except SpecError:
            continue
        if numeric.free_symbols:
            continue
        made += 1
        yield values, numeric
