"""Prove closed forms against the direct count of a real computation.

Two checks, both against :mod:`symconv.direct`, which computes the convolution and counts what it performs:

* **samples** — random valid configurations of every free symbol (stride, padding and dilation included):
  the closed forms, evaluated, must equal the direct count, and the direct output must equal an independent
  numpy convolution;
* **grid** — a proof. In the output sizes and the channels per group, each count of the direct program is a
  polynomial whose degree in each variable is bounded by the program's loop structure
  (:func:`degree_bounds`). Two polynomials of degree at most ``t_i`` in variable ``i`` that agree on a grid
  of ``t_i + 1`` distinct values per variable are the same polynomial (Alon, *Combinatorial Nullstellensatz*,
  Lemma 2.1, applied to their difference). So agreement on that grid proves the closed form for all sizes.
  docs/grid-proof.md gives the argument in full.

>>> from symconv import variants
>>> report = verify_layer(variants.standard(1, bias=False), samples=3)
>>> report.ok, report.grid.points
(True, 32)
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from symconv.conventions import Convention
from symconv.derive import Derivation, derive
from symconv.direct import (
    Mode,
    conv_direct,
    conv_reference,
    conv_transpose_dense,
    conv_transpose_direct,
    conv_transpose_reference,
    loop_nest,
)
from symconv.errors import SpecError, SymconvError
from symconv.geometry import (
    input_size,
    is_polynomial,
    output_size,
    slack,
    transposed_input_size,
    transposed_output_size,
)
from symconv.quantities import FURTHER, LAYER
from symconv.spec import Conv
from symconv.symbols import axes, is_flag, sym
from symconv.variants import Layer

__all__ = ["GridProof", "Mismatch", "Report", "degree_bounds", "direct_counts", "is_polynomial", "verify",
           "verify_layer"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Mismatch:
    """A configuration where the closed form and the direct count (or the two computations) disagree."""

    where: str
    values: Mapping[str, int]
    quantity: str
    closed_form: int
    direct: int | str


@dataclass(frozen=True)
class GridProof:
    """The grid check: its variables, the degree bound of each and the values tried, and the verdict."""

    variables: tuple[str, ...]
    degrees: Mapping[str, int]
    values: Mapping[str, tuple[int, ...]]
    fixed: Mapping[str, int]
    points: int
    mismatches: tuple[Mismatch, ...]
    #: Counts that are not polynomials in the grid's variables (the padding-aware counts, the landed products of
    #: a transposed convolution): the grid proves nothing about them; the samples and property tests check them.
    piecewise: tuple[str, ...] = ()

    @property
    def proven(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True)
class Report:
    """What :func:`verify_layer` found."""

    derivation: Derivation
    samples: int
    sample_mismatches: tuple[Mismatch, ...]
    grid: GridProof
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.sample_mismatches and self.grid.proven


def _stage_arrays(conv: Conv, x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray | None]:
    channels = ((int(conv.in_channels), int(conv.out_per_group)) if conv.transposed
                else (int(conv.out_channels), int(conv.in_per_group)))
    weight = rng.integers(-3, 4, size=(*channels, *(int(k) for k in conv.kernel)))
    bias = rng.integers(-3, 4, size=int(conv.out_channels)) if conv.bias == 1 else None
    return weight, bias


def _options(conv: Conv) -> dict[str, Any]:
    options: dict[str, Any] = {
        "stride": tuple(int(s) for s in conv.stride),
        "padding": tuple(int(p) for p in conv.padding),
        "dilation": tuple(int(d) for d in conv.dilation),
        "groups": int(conv.groups),
    }
    if conv.padding_end is not None:
        options["padding_end"] = tuple(int(p) for p in conv.padding_end)
    if conv.transposed:
        options["output_padding"] = tuple(int(p) for p in conv.out_pad)
    return options


def _grid_mode(layer: Layer) -> Mode:
    """The scalar program (the loop nest the degree bounds read) at small points; at points that large fixed
    sizes make big, the vectorized one, which the tests hold to the same counts."""
    products = sum(int(s.conv.batch) * int(s.conv.out_channels) * int(sympy.prod(s.conv.out_size))
                   * int(s.conv.in_per_group) * int(sympy.prod(s.conv.kernel)) for s in layer.stages)
    return "scalar" if products <= 20_000 else "vectorized"


#: The most work one direct count may take: entries of a stage's tensors and products of its loop nest, and
#: (channel, tap) pairs of a group, which the vectorized counter loops over in Python.
WORK_LIMITS = {"products": 10**8, "input entries": 10**8, "output entries": 10**8, "(channel, tap) pairs": 10**5}


def _check_work(layer: Layer) -> None:
    """Refuse, with one clear sentence, a layer too large to compute for real on this machine."""
    for stage in layer.stages:
        conv = stage.conv
        outputs = int(conv.batch) * int(conv.out_channels) * int(sympy.prod(conv.out_size))
        pairs = int(conv.in_per_group) * int(sympy.prod(conv.kernel))
        work = {
            "products": outputs * pairs,
            "input entries": int(conv.batch) * int(conv.in_channels) * int(sympy.prod(conv.in_size)),
            "output entries": outputs,
            "(channel, tap) pairs": pairs,
        }
        for what, amount in work.items():
            if amount > WORK_LIMITS[what]:
                raise SymconvError(
                    f"a direct count of the {stage.name} stage would need {amount:.3g} {what} (the limit is "
                    f"{WORK_LIMITS[what]:.0e}); verify at smaller sizes, or leave the large ones symbolic"
                )


def direct_counts(layer: Layer, *, mode: Mode = "vectorized", seed: int = 0,
                  performed: bool = False) -> tuple[dict[str, int], bool]:
    """Run a numeric layer through the direct counter, stage by stage, on random integer data.

    Returns the counts (``params`` are the entries of the weight and bias arrays the computation reads; ``macs``
    one per product, the multiplications of the sums; the further counts of :data:`symconv.quantities.FURTHER`) and
    whether every stage's output equals the independent numpy computation.

    A forward stage runs :func:`~symconv.direct.conv_direct`; with ``performed`` once more skipping the padding
    (``performed_mults``/``performed_adds``; without, they are the nominal counts). Its input-grid and
    output-grid counts are its ``macs``. A transposed stage runs the scatter cropping before multiplying (the
    exact counts), the scatter of every product into the uncropped result (``input_grid``) and the dense
    convolution on the output grid (``output_grid``); all three outputs must equal the adjoint of the forward
    convolution.
    """
    _check_work(layer)
    rng = np.random.default_rng(seed)
    first = layer.stages[0].conv
    x = rng.integers(-3, 4, size=(int(first.batch), int(first.in_channels), *(int(s) for s in first.in_size)))
    counts = dict.fromkeys(("params", "mults", "adds", "macs", *FURTHER), 0)
    values_agree = True
    for stage in layer.stages:
        conv = stage.conv
        weight, bias = _stage_arrays(conv, x, rng)
        options = _options(conv)
        counts["params"] += weight.size + (bias.size if bias is not None else 0)
        if conv.transposed:
            result = conv_transpose_direct(x, weight, bias, **options)
            scatter = conv_transpose_direct(x, weight, bias, crop="after", **options)
            dense = conv_transpose_dense(x, weight, bias, **options)
            reference = conv_transpose_reference(x, weight, bias, **options)
            values_agree &= all(bool(np.array_equal(r.output, reference)) for r in (result, scatter, dense))
            step = {"mults": result.mults, "adds": result.adds, "macs": result.mults, "input_grid": scatter.mults,
                    "output_grid": dense.mults, "performed_mults": result.mults, "performed_adds": result.adds}
        else:
            result = conv_direct(x, weight, bias, mode=mode, **options)
            values_agree &= bool(np.array_equal(result.output, conv_reference(x, weight, bias, **options)))
            skipped = conv_direct(x, weight, bias, skip_padding=True, **options) if performed else result
            values_agree &= bool(np.array_equal(skipped.output, result.output))
            step = {"mults": result.mults, "adds": result.adds, "macs": result.mults, "input_grid": result.mults,
                    "output_grid": result.mults, "performed_mults": skipped.mults, "performed_adds": skipped.adds}
        for name, value in step.items():
            counts[name] += value
        x = result.output
    return counts, values_agree


def _evaluate(exprs: Mapping[str, sympy.Expr], values: Mapping[sympy.Symbol, sympy.Expr],
              names: tuple[str, ...] = LAYER) -> dict[str, int]:
    out = {}
    for name in names:
        if name not in exprs:
            continue
        value = exprs[name].xreplace(dict(values))
        if not value.is_Integer:
            value = value.doit()
        if not value.is_Integer:
            raise SpecError(f"{name} = {value} is not an integer at {values}")
        out[name] = int(value)
    return out


def _output_sizes(symbolic: Layer, numeric: Layer) -> dict[sympy.Symbol, sympy.Expr]:
    """The output sizes the numeric layer computed, for the symbols that stood for them."""
    sizes = {}
    for before, after in zip(symbolic.stages, numeric.stages, strict=True):
        for symbol, value in zip(before.conv.out_size, after.conv.out_size, strict=True):
            if isinstance(symbol, sympy.Symbol):
                sizes[symbol] = value
    return sizes


def _compare(expected: Mapping[str, int], numeric: Layer, convention: Convention, where: str,
             values: Mapping[str, int], mode: Mode) -> list[Mismatch]:
    performed = convention is Convention.PERFORMED or any(name.startswith("performed") for name in expected)
    counts, agree = direct_counts(numeric, mode=mode, performed=performed)
    counts["flops"] = int(convention.flops(
        counts["mults"], counts["adds"], counts["macs"], input_grid=counts["input_grid"],
        output_grid=counts["output_grid"], performed=counts["performed_mults"] + counts["performed_adds"]))
    out = [Mismatch(where, values, name, expected[name], counts[name])
           for name in (*LAYER, *FURTHER) if name in expected and expected[name] != counts[name]]
    if not agree:
        out.append(Mismatch(where, values, "output values", 0, "differs from the numpy convolution"))
    return out


# --- random configurations -----------------------------------------------------------------------------------

_SMALL = {"N": (1, 2), "C_in": (1, 4), "C_out": (1, 4), "g": (1, 3), "m": (1, 3), "k": (1, 3), "s": (1, 3),
          "p": (0, 2), "d": (1, 2), "out": (1, 4), "pe": (0, 2), "op": (0, 1)}


_SPATIAL_SIZES = frozenset(f"{a.upper()}_{end}" for a in "ldhw" for end in ("in", "out"))


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
    sizes = {s for s in free if s.name in _SPATIAL_SIZES}
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


def _samples(layer: Layer, count: int, seed: int) -> Iterator[tuple[dict[sympy.Symbol, int], Layer]]:
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


# --- the grid proof ------------------------------------------------------------------------------------------

def _independent(conv: Conv) -> dict[sympy.Symbol, sympy.Expr]:
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
    subs = _independent(conv)
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
        shape = [e.xreplace(_independent(conv)) for e in (*channels, *conv.kernel)]
        for factors in (*(list(t.values()) for t in _trips(conv)), shape):
            for v in set().union(*(f.free_symbols for f in factors)):
                degree = sum(sympy.degree(f, v) for f in factors)
                bounds[v] = max(bounds.get(v, 0), int(degree))
        if not conv.bias.is_number:
            for v in conv.bias.free_symbols:
                bounds[v] = max(bounds.get(v, 0), 1)
    return bounds


_GEOMETRY = ("s", "p", "pe", "d", "op")
_DEFAULT = {"s": 1, "p": 0, "pe": 0, "d": 1, "op": 0}
# Strides, paddings, dilations and output paddings tried, in this order, to realise a grid point's sizes.
_CANDIDATES = [dict(zip(_GEOMETRY, c, strict=True)) for c in
               itertools.product(range(1, 5), range(0, 4), range(0, 4), range(1, 4), range(0, 3))]
_CANDIDATES.sort(key=lambda c: (c["p"] + c["pe"] + c["op"] + c["s"] + c["d"], tuple(c.values())))


def _realise(conv: Conv, axis: int, values: dict[sympy.Symbol, int]) -> bool:
    """Give values to this axis's free stride, padding, dilation, output padding (and input size, when it is no
    grid variable) so that the layer has the sizes of the grid point; False when none of the candidates does.

    The polynomial counts depend only on the trip counts (sizes, kernel, channels), so any realisation will do;
    the first candidate is stride 1, no padding, dilation 1, as long as it works.
    """
    base = {key: sympy.Integer(v) for key, v in values.items()}

    def at(e: sympy.Expr, extra: Mapping[sympy.Symbol, int] | None = None) -> sympy.Expr:
        if e.is_number:
            return e
        e = e.xreplace(base)
        return e.xreplace({key: sympy.Integer(v) for key, v in extra.items()}) if extra else e

    fields = {"s": conv.stride[axis], "p": conv.padding[axis], "pe": conv.pad_end[axis], "d": conv.dilation[axis],
              "op": conv.out_pad[axis]}
    k, size, out = at(conv.kernel[axis]), at(conv.in_size[axis]), at(conv.out_size[axis])
    if not k.is_number or not out.is_number:
        return False
    free_in = None if size.is_number else size
    free = {key: at(expr) for key, expr in fields.items()}
    # The free geometry symbols of this axis: a stride, padding, dilation or output padding symbol, possibly
    # inside an expression (a padding mode's floor(d (k - 1)/2)).
    geometry = sorted({x for e in free.values() for x in e.free_symbols if x.name.split("_")[0] in _GEOMETRY},
                      key=lambda x: x.name)
    if any(e.free_symbols - set(geometry) for e in free.values()):
        return False
    # With no free geometry every candidate is the same layer: one try decides.
    for candidate in _CANDIDATES if geometry else _CANDIDATES[:1]:
        chosen = {x: candidate[x.name.split("_")[0]] for x in geometry}
        trial: dict[str, int] = {}
        for key, e in free.items():
            e = at(e, chosen)
            if not e.is_number:
                return False
            trial[key] = int(e)
        size_value = _realised_size(conv.transposed, int(k), int(out), trial,
                                    None if free_in is not None else int(size))
        if size_value is None:
            continue
        values.update(chosen)
        if free_in is not None:
            if not isinstance(free_in, sympy.Symbol):
                return False
            values[free_in] = size_value
        return True
    return False


def _realised_size(transposed: bool, k: int, out: int, geometry: Mapping[str, int], size: int | None) -> int | None:
    """The input size that gives ``out`` outputs with this kernel and geometry (``size`` when it is fixed), or
    None when none does: the smallest input of at least 1, through the inverse relations of
    :mod:`symconv.geometry`."""
    s_, p, pe, d, op = (geometry[key] for key in _GEOMETRY)
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


def _values_from(variables: list[sympy.Symbol], degrees: Mapping[sympy.Symbol, int], sizes: set[sympy.Symbol],
                 start: int) -> dict[sympy.Symbol, tuple[int, ...]]:
    return {v: (0, 1) if is_flag(v) else tuple(range(start if v in sizes else 1, (start if v in sizes else 1)
                                                     + degrees[v] + 1)) for v in variables}


def _grid_values(layer: Layer, variables: list[sympy.Symbol], degrees: Mapping[sympy.Symbol, int],
                 sizes: set[sympy.Symbol], subs: Mapping[sympy.Symbol, sympy.Expr],
                 ) -> dict[sympy.Symbol, tuple[int, ...]]:
    for start in range(1, 17) if sizes else (1,):
        grid = _values_from(variables, degrees, sizes, start)
        if all(_realisable(layer, dict(zip(variables, combo, strict=True)), subs)
               for combo in itertools.product(*(grid[v] for v in variables))):
            return grid
    return _values_from(variables, degrees, sizes, 1)


def _realisable(layer: Layer, point: Mapping[sympy.Symbol, int], subs: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    values: dict[sympy.Symbol, int] = dict(point)
    for s_ in subs:
        values[s_] = int(subs[s_].xreplace(dict(point)))
    return all(_realise(stage.conv, axis, values) for stage in reversed(layer.stages)
               for axis in range(stage.conv.dims))


def _grid(derivation: Derivation, progress: Progress | None) -> GridProof:
    layer = derivation.layer
    subs: dict[sympy.Symbol, sympy.Expr] = {}
    for stage in layer.stages:
        subs.update(_independent(stage.conv))
    bounds = degree_bounds(layer)
    candidates = {**{name: derivation.polynomials[name] for name in LAYER},
                  **{name: derivation.counts[name] for name in FURTHER if name in derivation.counts}}
    candidates = {name: sympy.expand(e.xreplace(subs)) for name, e in candidates.items()}
    polys = {name: e for name, e in candidates.items() if is_polynomial(e)}
    piecewise = tuple(name for name in candidates if name not in polys)
    variables = sorted(set(bounds) | set().union(*(p.free_symbols for p in polys.values())), key=lambda s: s.name)
    geometry_names = {f"{g}_{a}" for g in _GEOMETRY for a in "ldhw"}
    # A size the counts do not depend on (only the geometry does) is no grid variable.
    variables = [v for v in variables if v.name not in geometry_names]
    degrees = {}
    for v in variables:
        closed = max((sympy.degree(p, v) for p in polys.values()), default=0)
        degrees[v] = max(bounds.get(v, 0), int(closed))
    # Any t + 1 distinct values per variable prove the identity (the lemma asks no more), so where fixed
    # geometry rules out the smallest sizes (padding 1 and a 1-wide kernel cannot give one output), the sizes'
    # values start higher, at the first start from which every point of the grid is a real layer.
    sizes = {v for v in variables if v.name in _SPATIAL_SIZES}
    grid_values = _grid_values(layer, variables, degrees, sizes, subs)

    # Everything else (input sizes, stride, padding, dilation, output padding) is no trip count of any loop:
    # the count has degree 0 in it. Each point takes stride 1, no padding, dilation 1 where that gives the
    # point's sizes, and the first small stride, padding and dilation that do where it does not.
    fixed_names = sorted({s for s in layer.free_symbols if s not in grid_values and s not in subs},
                         key=lambda s: s.name)
    fixed = {s: _DEFAULT.get(s.name.split("_")[0], 1) for s in fixed_names
             if s.name.split("_")[0] in _GEOMETRY}
    mismatches: list[Mismatch] = []
    unrealised = 0
    combos = list(itertools.product(*(grid_values[v] for v in variables)))
    for done, combo in enumerate(combos, start=1):
        point = dict(zip(variables, combo, strict=True))
        values: dict[sympy.Symbol, int] = dict(point)
        for s_ in subs:  # totals from the per-group counts
            values[s_] = int(subs[s_].xreplace(point))
        realised = all(_realise(stage.conv, axis, values) for stage in reversed(layer.stages)
                       for axis in range(stage.conv.dims))
        if progress:
            progress(done, len(combos))
        if not realised:
            unrealised += 1
            mismatches.append(Mismatch("grid", {str(v): point[v] for v in variables}, "sizes", 0,
                                       "no real layer has these sizes with the geometry given"))
            continue
        for s_ in fixed_names:
            values.setdefault(s_, fixed.get(s_, 1))
        numeric = layer.substitute(values)
        _check_work(numeric)
        expected = _evaluate(polys, {**values, **_output_sizes(layer, numeric)}, (*LAYER, *FURTHER))
        mismatches += _compare(expected, numeric, derivation.convention, "grid",
                               {str(v): point[v] for v in variables}, _grid_mode(numeric))
    return GridProof(
        variables=tuple(str(v) for v in variables),
        degrees={str(v): degrees[v] for v in variables},
        values={str(v): grid_values[v] for v in variables},
        fixed={str(s): v for s, v in fixed.items()},
        points=len(combos),
        mismatches=tuple(mismatches),
        piecewise=piecewise,
    )


def verify_layer(layer: Layer, convention: Convention | str = Convention.EXACT, *, samples: int = 20,
                 seed: int = 0, progress: Progress | None = None, sizes: str = "output") -> Report:
    """Check every closed form of ``layer`` against direct counting: random samples, then the grid proof.

    With ``sizes="input"`` the samples check the counts written in the input sizes (floor forms); the grid,
    which needs polynomials, proves the same counts in the output sizes, which the floor relations turn into
    the former.
    """
    derivation = derive(layer, convention)
    if sizes == "output":
        return verify(derivation, samples=samples, seed=seed, progress=progress)
    in_sizes = derive(layer, convention, sizes=sizes)
    report = verify(in_sizes, samples=samples, seed=seed, progress=progress, grid=derivation)
    note = ("the grid proves the counts in the output sizes; in the input sizes they are those counts with the "
            "floor relations put in, checked on the samples")
    return dataclasses.replace(report, notes=(*report.notes, note))


def verify(derivation: Derivation, *, samples: int = 20, seed: int = 0, progress: Progress | None = None,
           grid: Derivation | None = None) -> Report:
    """Check the closed forms of ``derivation`` (``quantities`` and ``counts`` on the samples, ``polynomials``
    and the polynomial ``counts`` on the grid; ``grid`` proves another derivation of the same layer instead,
    one in the output sizes)."""
    layer = derivation.layer
    mismatches: list[Mismatch] = []
    made = 0
    exprs = {**derivation.quantities, **{name: derivation.counts[name] for name in FURTHER
                                         if name in derivation.counts}}
    for values, numeric in _samples(layer, samples, seed):
        made += 1
        _check_work(numeric)
        expected = _evaluate(exprs, {**values, **_output_sizes(layer, numeric)}, (*LAYER, *FURTHER))
        mismatches += _compare(expected, numeric, derivation.convention, "sample",
                               {str(s): int(v) for s, v in values.items()}, "vectorized")
    notes = () if made == samples else (f"only {made} of {samples} random configurations were valid",)
    return Report(derivation, made, tuple(mismatches), _grid(grid or derivation, progress), notes)


def report_dict(report: Report) -> dict[str, object]:
    """The report as JSON-ready data."""
    def mismatch(m: Mismatch) -> dict[str, object]:
        return {"where": m.where, "values": dict(m.values), "quantity": m.quantity,
                "closed_form": m.closed_form, "direct": m.direct}

    grid = report.grid
    return {
        "variant": report.derivation.variant,
        "dims": report.derivation.dims,
        "convention": report.derivation.convention.value,
        "ok": report.ok,
        "samples": {"checked": report.samples, "mismatches": [mismatch(m) for m in report.sample_mismatches]},
        "grid": {"variables": list(grid.variables), "degrees": dict(grid.degrees),
                 "values": {k: list(v) for k, v in grid.values.items()}, "fixed": dict(grid.fixed),
                 "points": grid.points, "proven": grid.proven, "piecewise": list(grid.piecewise),
                 "mismatches": [mismatch(m) for m in grid.mismatches]},
        "notes": list(report.notes),
    }


def report_text(report: Report) -> str:
    """The report as a few lines for a terminal."""
    d, grid = report.derivation, report.grid
    lines = [f"{d.title}, {d.dims}-D, FLOPs in the {d.convention.value} convention"]
    verdict = "agree" if not report.sample_mismatches else f"{len(report.sample_mismatches)} mismatches"
    lines.append(f"samples: {report.samples} random configurations (stride, padding, dilation, groups, bias "
                 f"varied): closed forms vs direct count, output vs numpy: {verdict}")
    degrees = ", ".join(f"{v}<={grid.degrees[v]}" for v in grid.variables)
    lines.append(f"grid: degree bounds from the loop structure: {degrees}")
    fixed = ", ".join(f"{k}={v}" for k, v in grid.fixed.items()) or "none"
    lines.append(f"grid: {grid.points} points (degree + 1 values per variable; degree 0, where they give the "
                 f"point's sizes: {fixed})")
    if grid.proven:
        which = "polynomial count" if grid.piecewise else "count"
        lines.append(f"grid: every {which} equals the direct count at every point: proven for all sizes "
                     "(Combinatorial Nullstellensatz, Lemma 2.1)")
    else:
        lines.append(f"grid: {len(grid.mismatches)} mismatches: NOT proven")
    if grid.piecewise:
        lines.append(f"grid: does not apply to {', '.join(grid.piecewise)}: piecewise in the geometry (padding, "
                     "cropping), not polynomials; checked on the samples, which vary the geometry, and per regime "
                     "by the property tests")
    for m in (*report.sample_mismatches, *grid.mismatches)[:10]:
        where = ", ".join(f"{k}={v}" for k, v in m.values.items())
        if m.quantity == "sizes":  # no count disagrees: the point is no real layer, so the proof is incomplete
            lines.append(f"  grid point {where}: {m.direct}")
        else:
            lines.append(f"  mismatch ({m.where}) {m.quantity}: closed form {m.closed_form}, direct {m.direct} "
                         f"at {where}")
    lines += [f"note: {n}" for n in report.notes]
    lines.append("verdict: " + ("VERIFIED" if report.ok else "FAILED"))
    return "\n".join(lines) + "\n"
