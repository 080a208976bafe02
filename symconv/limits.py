"""The bounds on the work symconv accepts: every command refuses, in one sentence, input that would take
unbounded time or memory, and names the bound it met.

The formula parser keeps its own (:data:`symconv.parsing.limits.LIMITS`: length, nesting, digits), the direct
counter its own (:data:`symconv.verify.WORK_LIMITS`: the work of a real computation); here are the bounds on
the values a layer takes and on the commands' own options.

>>> from symconv.symbols import sym
>>> expansion_bound((sym("C_in") + sym("C_out") + 1) ** 3)
10
"""

from __future__ import annotations

import math

import sympy

__all__ = [
    "MAX_AXIS_VALUES",
    "MAX_SAMPLES",
    "MAX_SWEEP_POINTS",
    "MAX_TERMS_OF_A_VALUE",
    "MAX_TIMEOUT",
    "MAX_VALUE",
    "expansion_bound",
]

#: The largest number a layer's field may take (a size, a channel count, a kernel): 10^40 is no layer, and a
#: count, a product of a few dozen fields, stays far below Python's limit on printed integers.
MAX_VALUE = 10**40

#: The most terms a value given to a symbol may expand to: the counts are products of such values.
MAX_TERMS_OF_A_VALUE = 64

#: The most seconds a time-bounded command may be given.
MAX_TIMEOUT = 3600.0

#: The most random configurations ``verify`` checks in one run.
MAX_SAMPLES = 10_000

#: The most points a sweep evaluates unless its ``limit`` (``--limit``) is raised: 10^9 points take about a
#: minute and a half at 10^7 points a second, and a sweep that writes every point writes that many rows.
MAX_SWEEP_POINTS = 10**9

#: The most values one axis of a sweep's design space may take: each axis's values are kept in memory, the
#: points of the space are not.
MAX_AXIS_VALUES = 10**6


def expansion_bound(expr: sympy.Expr) -> int:
    """An upper bound on the terms of ``expand(expr)``, computed without expanding (capped at 10^12)."""
    cache: dict[sympy.Basic, int] = {}

    def bound(e: sympy.Basic) -> int:
        if e in cache:
            return cache[e]
        if isinstance(e, sympy.Add):
            result = sum(bound(a) for a in e.args)
        elif isinstance(e, sympy.Mul):
            result = math.prod(bound(a) for a in e.args)
        elif isinstance(e, sympy.Pow) and isinstance(e.exp, sympy.Integer):
            n, t = abs(int(e.exp)), bound(e.base)
            result = math.comb(t + n - 1, n) if t > 1 else 1
        else:
            result = 1
        cache[e] = min(result, 10**12)
        return cache[e]

    return bound(expr)
