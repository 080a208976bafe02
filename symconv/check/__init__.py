r"""Decide whether a claimed formula equals a derived count, and when it does not, show why and where.

A verdict is one of three, and says how it was reached:

* **holds** — the difference ``derived − claimed`` is 0 in normal form (``cancel(together(...))``, exactly,
  with ``b`` evaluated at 0 and at 1, its only values); or, when the difference is too large to expand, both
  sides are polynomials that agree on a grid with more values per variable than their degree in it (Alon's
  Lemma 2.1, as in :mod:`symconv.verify`). Never from sampling alone.
* **fails** — the difference is a nonzero rational function, which cannot vanish on every point of the
  domain (positive integers, ``b ∈ {0, 1}``, channels divisible by ``g``: a nonzero polynomial vanishes on no
  infinite grid). The smallest counterexample is found by enumerating points by increasing size; the
  condition under which the claim *does* hold is read from the factors of the difference.
* **undecided** — the difference involves ``floor``, ``min``, ``max``, ``abs`` or a root, on which the
  normal form proves nothing, and no counterexample turned up; or the time bound ran out.

>>> from symconv.symbols import sym
>>> C_in, C_out, b = sym("C_in"), sym("C_out"), sym("b")
>>> v = equivalent(C_in * C_out, C_out * (C_in + b))
>>> v.status, v.condition, v.counterexample.values, v.counterexample.claimed, v.counterexample.derived
('fails', 'b = 0', {'C_in': 1, 'C_out': 1, 'b': 1}, 1, 2)
>>> equivalent(C_out * (C_in + 1), C_in * C_out + C_out).method
'symbolic normal form: derived − claimed simplifies to 0'

Every call is bounded in time (``timeout`` seconds, :data:`DEFAULT_TIMEOUT` by default): symbolic work runs
under an interval timer where the platform allows it (the main thread of a POSIX process), expansion is
refused up front when it would create more than :data:`MAX_TERMS` terms, and the counterexample search stops
at its deadline. A check that runs out of time says so; it does not hang.

One module per stage: the verdict (``verdict``), the domain checked on (``domain``), the time bound
(``timing``), the symbolic normal form (``normal_form``), exact evaluation (``evaluate``), the counterexample
search (``search``), the grid identity (``identity``), the condition (``condition``) and the engine that runs
them (``equivalence``); then the claims about a layer (``layers``), their grid proof against the direct count
(``grid``), the notations of papers (``notations``, data in ``notations.toml``), the claims files
(``claims``), whose catalogue ``derivations/claims.md`` is a generated document
(:mod:`symconv.documents.claims`).
"""

from symconv.check.equivalence import equivalent
from symconv.check.identity import MAX_GRID
from symconv.check.layers import CheckRequest, Part, Value, check_count, claim_expr, derived_count
from symconv.check.normal_form import MAX_TERMS, expansion_bound
from symconv.check.search import MAX_POINTS
from symconv.check.timing import DEFAULT_TIMEOUT
from symconv.check.verdict import Counterexample, Verdict

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_GRID",
    "MAX_POINTS",
    "MAX_TERMS",
    "CheckRequest",
    "Counterexample",
    "Part",
    "Value",
    "Verdict",
    "check_count",
    "claim_expr",
    "derived_count",
    "equivalent",
    "expansion_bound",
]
