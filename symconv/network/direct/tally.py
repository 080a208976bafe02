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

    def counts(self, **extra: int) -> Counts:
        return Counts(mults=self.mults, adds=self.adds, others=self.others, **extra)
