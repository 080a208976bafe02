"""The Pareto front of two counts, both minimized: the points no other point beats in one count without
losing in the other.

A point ``p`` is dominated when some ``q`` has ``a(q) <= a(p)`` and ``b(q) <= b(p)``, one of them strictly;
points with equal counts do not dominate each other, so all of them stay. Read in order of ``a``, then of
``b``, a point is on the front exactly when its ``b`` is the least among the points of its ``a`` and below
every ``b`` of a smaller ``a``:

>>> a = np.array([3, 1, 2, 2, 4, 1])
>>> b = np.array([1, 5, 3, 2, 1, 5])
>>> front(a, b)
array([1, 5, 3, 0])

The comparisons are of exact integers (int64 or Python ints), never of rounded values. The front of a union
is the front of the union of the fronts, so a sweep reduces its chunks one at a time and
keeps only its front in memory, whatever its size.
"""

from __future__ import annotations

import numpy as np

__all__ = ["front"]


def front(a: np.ndarray, b: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """The indices of the front's points, sorted by ``a``, then ``b``, then ``order`` (by default the
    index): a canonical order, the same however the points were gathered."""
    a, b = np.asarray(a), np.asarray(b)
    order = np.arange(len(a)) if order is None else np.asarray(order)
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64)
    # The point of least b among those of least a beats every point of greater b; and the other way round.
    # Two reductions and two comparisons leave a box, often small, for the sort.
    a0 = a.min()
    b0 = b[a == a0].min()
    box = np.flatnonzero(b <= b0)
    b1 = b[box].min()
    box = box[a[box] <= a[box][b[box] == b1].min()]
    a, b = a[box], b[box]
    by_a = np.argsort(a)  # equal a's in any order: the points kept are sorted by every key at the end
    sa, sb = a[by_a], b[by_a]
    change = np.concatenate(([True], sa[1:] != sa[:-1]))
    starts = np.flatnonzero(change)
    least = np.minimum.reduceat(sb, starts)  # the least b of each a
    group = np.cumsum(change) - 1
    # an a's least b is on the front when it is below the least b of every smaller a
    beats = np.concatenate(([True], least[1:] < np.minimum.accumulate(least)[:-1]))
    kept = by_a[beats[group] & (sb == least[group])]
    keys = (order[box][kept], b[kept], a[kept])
    if any(key.dtype == object for key in keys):
        ranked = np.array(sorted(range(len(kept)), key=lambda i: tuple(int(k[i]) for k in reversed(keys))),
                          dtype=np.int64)
    else:
        ranked = np.lexsort(keys)
    return box[kept[ranked]]
