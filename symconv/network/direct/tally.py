"""The counted operations of a network's direct computation: each numpy result counts its size."""

from __future__ import annotations

from typing import Any

import numpy as np

from symconv.network.layers import Counts

__all__ = ["Computed", "Tally"]

#: A layer computed: its output, the operations counted, and whether its values agree with a reference.
Computed = tuple[np.ndarray, Counts, bool]


class Tally:
    """Multiplications, additions (a subtraction is one) and other operations, by the size of each result."""

    def __init__(self) -> None:
        self.mults = 0
        self.adds = 0
        self.others = 0

    def mul(self, a: Any, b: Any) -> np.ndarray:
        r = np.multiply(a, b)
        self.mults += r.size
        return r

    def add(self, a: Any, b: Any) -> np.ndarray:
        r = np.add(a, b)
        self.adds += r.size
        return r

    def other(self, result: Any) -> np.ndarray:
        result = np.asarray(result)
        self.others += result.size
        return result

    def sum(self, x: np.ndarray, axis: int) -> np.ndarray:
        """The entries along ``axis`` added one by one: ``n − 1`` additions per sum."""
        moved = np.moveaxis(x, axis, -1)
        acc = moved[..., 0]
        for i in range(1, moved.shape[-1]):
            acc = self.add(acc, moved[..., i])
        return acc

    def accumulate(self, out: np.ndarray, cells: np.ndarray, values: np.ndarray,
                   started: np.ndarray | None = None) -> None:
        """Add each of ``values`` into its cell of the flat array ``out``, in order: a cell's first value is
        stored and each further one is an addition, unless ``started`` marks the cell as holding a value
        already (then every value it receives is added).

        The values reaching one cell are added round by round, the ``k``-th of every cell at once, so that
        each round's cells are distinct.
        """
        cells, values = np.asarray(cells).ravel(), np.asarray(values).ravel()
        order = np.argsort(cells, kind="stable")
        cells, values = cells[order], values[order]
        first = np.r_[True, cells[1:] != cells[:-1]]
        rank = np.arange(cells.size) - np.maximum.accumulate(np.where(first, np.arange(cells.size), 0))
        for k in range(int(rank.max()) + 1 if cells.size else 0):
            at, value = cells[rank == k], values[rank == k]
            if k == 0:
                fresh = np.ones(at.size, dtype=bool) if started is None else ~started.ravel()[at]
                out[at[fresh]] = value[fresh]
                at, value = at[~fresh], value[~fresh]
            out[at] = self.add(out[at], value)

    def counts(self, **extra: int) -> Counts:
        return Counts(mults=self.mults, adds=self.adds, others=self.others, **extra)
