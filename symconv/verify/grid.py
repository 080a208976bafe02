"""The grid proof. In the output sizes and the channels per group, each count of the direct program is a
polynomial whose degree in each variable is bounded by the program's loop structure
(:func:`~symconv.verify.bounds.degree_bounds`); a closed form that agrees with it on ``t_i + 1`` distinct values
of every variable ``i`` is the same polynomial (Alon, *Combinatorial Nullstellensatz*, Lemma 2.1). So agreement on
that grid proves the closed form for all sizes; docs/grid-proof.md gives the argument in full."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import sympy

from symconv.conventions import Convention
from symconv.derive import Derivation
from symconv.direct import Mode
from symconv.geometry import is_polynomial
from symconv.passes import PassDerivation
from symconv.quantities import FURTHER, LAYER
from symconv.symbols import is_flag
from symconv.variants import Layer
from symconv.verify.bounds import degree_bounds, independent
from symconv.verify.compare import check
from symconv.verify.passes import check_pass, pass_degree_bounds, pass_polynomials
from symconv.verify.realise import DEFAULT, GEOMETRY, SPATIAL_SIZES, realise_point
from symconv.verify.report import GridProof, Mismatch, Progress

Values = dict[sympy.Symbol, tuple[int, ...]]


def grid_proof(derivation: Derivation, progress: Progress | None = None) -> GridProof:
    """Prove the polynomial counts of ``derivation`` against the direct count at every point of the grid."""
    layer = derivation.layer
    subs: dict[sympy.Symbol, sympy.Expr] = {}
    for stage in layer.stages:
        subs.update(independent(stage.conv))
    polys, piecewise = _polynomials(derivation, subs)
    bounds = pass_degree_bounds(derivation) if isinstance(derivation, PassDerivation) else degree_bounds(layer)
    variables, degrees = _variables(bounds, polys)
    # Any t + 1 distinct values per variable prove the identity (the lemma asks no more), so where fixed
    # geometry rules out the smallest sizes (padding 1 and a 1-wide kernel cannot give one output), the sizes'
    # values start higher, at the first start from which every point of the grid is a real layer.
    sizes = {v for v in variables if v.name in SPATIAL_SIZES}
    grid_values, realisable = _grid_values(layer, variables, degrees, sizes, subs)
    # The counts depend on the loops' trip counts alone. Where the geometry given ties the sizes together (a
    # fixed input size and padding leave one output size per kernel), the trip counts cannot vary freely; the
    # same variant with its geometry free realises every point, and its direct count is the same polynomial
    # of the trip counts, which the closed forms must equal.
    free = None if realisable else layer.with_free_geometry()
    if free is not None:
        layer = free
        grid_values, realisable = _grid_values(layer, variables, degrees, sizes, subs)
    # Everything else (input sizes, stride, padding, dilation, output padding) is no trip count of any loop:
    # the count has degree 0 in it. Each point takes stride 1, no padding, dilation 1 where that gives the
    # point's sizes, and the first small stride, padding and dilation that do where it does not.
    fixed_names = sorted({s for s in layer.free_symbols if s not in grid_values and s not in subs},
                         key=lambda s: s.name)
    fixed = {s: DEFAULT.get(s.name.split("_")[0], 1) for s in fixed_names if s.name.split("_")[0] in GEOMETRY}
    defaults = {s: fixed.get(s, 1) for s in fixed_names}
    mismatches: list[Mismatch] = []
    combos = list(itertools.product(*(grid_values[v] for v in variables)))
    for done, combo in enumerate(combos, start=1):
        point = dict(zip(variables, combo, strict=True))
        values = realise_point(layer, point, subs)
        if progress is not None:
            progress(done, len(combos))
        mismatches += _check_point(derivation, layer, polys, point, values, defaults)
    return GridProof(
        variables=tuple(str(v) for v in variables),
        degrees={str(v): degrees[v] for v in variables},
        values={str(v): grid_values[v] for v in variables},
        fixed={str(s): v for s, v in fixed.items()},
        points=len(combos),
        mismatches=tuple(mismatches),
        piecewise=piecewise,
        free_geometry=free is not None,
    )


def _polynomials(derivation: Derivation, subs: Mapping[sympy.Symbol, sympy.Expr],
                 ) -> tuple[dict[str, sympy.Expr], tuple[str, ...]]:
    """The counts the grid proves, in the channels per group (the polynomial closed forms and further counts),
    and the names of those it cannot: counts piecewise in the geometry."""
    candidates = pass_polynomials(derivation) if isinstance(derivation, PassDerivation) else {
        **{name: derivation.polynomials[name] for name in LAYER},
        **{name: derivation.counts[name] for name in FURTHER if name in derivation.counts}}
    candidates = {name: sympy.expand(e.xreplace(subs)) for name, e in candidates.items()}
    polys = {name: e for name, e in candidates.items() if is_polynomial(e)}
    return polys, tuple(name for name in candidates if name not in polys)


def _variables(bounds: Mapping[sympy.Symbol, int],
               polys: Mapping[str, sympy.Expr]) -> tuple[list[sympy.Symbol], dict[sympy.Symbol, int]]:
    """The grid's variables, by name, and the degree of each: the larger of the loop nests' bound and the degree
    of the closed forms."""
    variables = sorted(set(bounds) | set().union(*(p.free_symbols for p in polys.values())), key=lambda s: s.name)
    geometry_names = {f"{g}_{a}" for g in GEOMETRY for a in "ldhw"}
    # A size the counts do not depend on (only the geometry does) is no grid variable.
    variables = [v for v in variables if v.name not in geometry_names]
    degrees = {}
    for v in variables:
        closed = max((sympy.degree(p, v) for p in polys.values()), default=0)
        degrees[v] = max(bounds.get(v, 0), int(closed))
    return variables, degrees


def _values_from(variables: list[sympy.Symbol], degrees: Mapping[sympy.Symbol, int], sizes: set[sympy.Symbol],
                 start: int) -> Values:
    return {v: (0, 1) if is_flag(v) else tuple(range(start if v in sizes else 1, (start if v in sizes else 1)
                                                     + degrees[v] + 1)) for v in variables}


def _grid_values(layer: Layer, variables: list[sympy.Symbol], degrees: Mapping[sympy.Symbol, int],
                 sizes: set[sympy.Symbol], subs: Mapping[sympy.Symbol, sympy.Expr]) -> tuple[Values, bool]:
    """``degree + 1`` values per variable, the sizes' from the first start at which every point is a real layer
    (from 1 when none is), and whether every point is one."""
    for start in range(1, 17) if sizes else (1,):
        grid = _values_from(variables, degrees, sizes, start)
        if all(realise_point(layer, dict(zip(variables, combo, strict=True)), subs) is not None
               for combo in itertools.product(*(grid[v] for v in variables))):
            return grid, True
    return _values_from(variables, degrees, sizes, 1), False


def _check_point(derivation: Derivation, layer: Layer, polys: Mapping[str, sympy.Expr],
                 point: Mapping[sympy.Symbol, int], values: dict[sympy.Symbol, int] | None,
                 defaults: Mapping[sympy.Symbol, int]) -> list[Mismatch]:
    """The mismatches at one grid point: the point itself when no real layer has its sizes (``values`` is None),
    else every polynomial count that the direct count of the realised layer disagrees with."""
    shown = {str(v): n for v, n in point.items()}
    if values is None:
        return [Mismatch("grid", shown, "sizes", 0, "no real layer has these sizes with the geometry given")]
    for s_, value in defaults.items():
        values.setdefault(s_, value)
    numeric = layer.substitute(values)
    if isinstance(derivation, PassDerivation):
        return check_pass(polys, derivation, values, numeric, "grid", shown, _grid_mode(numeric), layer)
    assert isinstance(derivation.convention, Convention)
    return check(polys, layer, values, numeric, derivation.convention, "grid", shown, _grid_mode(numeric))


def _grid_mode(layer: Layer) -> Mode:
    """The scalar program (the loop nest the degree bounds read) at small points; at points that large fixed
    sizes make big, the vectorized one, which the tests hold to the same counts."""
    products = sum(int(s.conv.batch) * int(s.conv.out_channels) * int(sympy.prod(s.conv.out_size))
                   * int(s.conv.in_per_group) * int(sympy.prod(s.conv.kernel)) for s in layer.stages)
    return "scalar" if products <= 20_000 else "vectorized"
