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

**Where each part lives.** :mod:`~symconv.verify.samples` draws the random configurations;
:mod:`~symconv.verify.counts` runs a numeric layer through the direct counters (:func:`direct_counts`, within
:data:`WORK_LIMITS`); :mod:`~symconv.verify.compare` holds a configuration's closed forms to its direct counts;
:mod:`~symconv.verify.bounds` reads the degree bounds from the loop nest (:func:`degree_bounds`);
:mod:`~symconv.verify.realise` gives a grid point real geometry; :mod:`~symconv.verify.grid` runs the grid proof;
:mod:`~symconv.verify.run` puts the two checks together (:func:`verify`, :func:`verify_layer`) into the models of
:mod:`~symconv.verify.report`, which :mod:`symconv.printing.verify` prints.
"""

from symconv.geometry import is_polynomial
from symconv.verify.bounds import degree_bounds
from symconv.verify.counts import WORK_LIMITS, direct_counts
from symconv.verify.report import GridProof, Mismatch, Progress, Report
from symconv.verify.run import verify, verify_layer

__all__ = [
    "WORK_LIMITS",
    "GridProof",
    "Mismatch",
    "Progress",
    "Report",
    "degree_bounds",
    "direct_counts",
    "is_polynomial",
    "verify",
    "verify_layer",
]
