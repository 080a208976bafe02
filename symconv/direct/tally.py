"""Counted arithmetic: the only ``*`` and ``+`` the direct counters perform, and what a count returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class DirectCount:
    """The output of a direct convolution and the scalar operations that produced it."""

    output: np.ndarray  # shape (N, C_out, *out_spatial)
    mults: int
    adds: int


class ScalarTally:
    """Scalar ``*`` and ``+``, each counted as one operation; the only arithmetic of the scalar loops."""

    def __init__(self) -> None:
        self.mults = 0
        self.adds = 0

    def mul(self, a: Any, b: Any) -> Any:
        self.mults += 1
        return a * b

    def add(self, a: Any, b: Any) -> Any:
        self.adds += 1
        return a + b


class ArrayTally:
    """Elementwise numpy ``*`` and ``+``, each counted as as many operations as its result has elements."""

    def __init__(self) -> None:
        self.mults = 0
        self.adds = 0

    def mul(self, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        result = np.multiply(a, b, out=out)
        self.mults += result.size
        return result

    def add(self, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        result = np.add(a, b, out=out)
        self.adds += result.size
        return result

    def accumulate(self, cells: np.ndarray, terms: np.ndarray, started: np.ndarray) -> np.ndarray:
        """``terms`` added into ``cells`` where a cell has started (``started``, broadcast over them), stored as
        its first term elsewhere: one addition per started cell, none for a first term."""
        where = np.broadcast_to(started, cells.shape)
        self.adds += int(np.count_nonzero(where))
        return np.where(where, cells + terms, terms)

