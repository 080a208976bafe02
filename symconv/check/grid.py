"""The grid proof of a check: the derived counts a claim was checked against, proven against the direct count
of a real convolution for all sizes (:func:`symconv.verify.verify`, docs/grid-proof.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sympy

from symconv import variants
from symconv.check.normal_form import normal
from symconv.check.timing import TimeUp, time_limit
from symconv.check.verdict import Verdict
from symconv.derive import Derivation
from symconv.passes import PassDerivation, derive_pass
from symconv.quantities import LAYER
from symconv.spec import resolve_values

__all__ = ["with_grid"]


def with_grid(verdict: Verdict, derivations: list, seconds: float) -> Verdict:
    """``verdict`` (of a claim that holds) with each derivation of ``derivations`` (``(derivation, values,
    bias)``, as :func:`~symconv.check.layers.derived_count` gives them) proven on a grid within ``seconds``;
    when a proof fails or runs out of time, a note says so and the verdict rests on the normal form."""
    points = 0
    try:
        with time_limit(seconds):
            for derivation, values, bias in derivations:
                proven = _grid_points(derivation, values, bias)
                if proven is None:
                    return replace(verdict, notes=(*verdict.notes, "the grid proof did not confirm the derived "
                                                   f"{derivation.variant} count; the verdict rests on the normal "
                                                   "form"))
                points += proven
    except TimeUp:
        return replace(verdict, notes=(*verdict.notes, "the grid proof did not finish within the time bound"))
    method = (f"{verdict.method}; and the derived count is proven against the direct count for all sizes "
              f"(grid proof, {points:,} points, docs/grid-proof.md)")
    return replace(verdict, method=method)


def _grid_points(derivation: Derivation, values: Mapping[str, sympy.Expr], bias: bool | None) -> int | None:
    """Prove a derived count against the direct count on a grid; the points it took, or None.

    When the layer ties symbols together (``C_in = C_out = m``, which the grid cannot vary apart), the count
    is proven instead as an instance of the general variant's: the general closed forms are proven on their
    grid, and the layer's are those with the values put in, which the normal form checks.
    """
    # The direct counter and numpy load only when a grid proof is asked for.
    from symconv.verify import verify

    report = verify(derivation, samples=0)
    if report.ok:
        return report.grid.points
    layer = variants.make(derivation.variant, derivation.dims, bias=bias)
    if isinstance(derivation, PassDerivation):  # the general layer in the same pass, computing the same gradients
        general = derive_pass(layer, derivation.convention, pass_=derivation.pass_, grad=derivation.grads)
    else:
        general = derive_pass(layer, derivation.convention)
    subs = resolve_values(values)
    for name in LAYER:
        if normal(general.quantities[name].xreplace(subs) - derivation.quantities[name]) != 0:
            return None
    report = verify(general, samples=0)
    return report.grid.points if report.ok else None
