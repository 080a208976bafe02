"""What a layer's backward computation works with: the tallies of its parts, a record of what it reads of its
forward pass, and the sums a broadcast's gradient needs.

A backward computation is ``backward(layer, xs, y, dy, needs, rng, parts, kept)``: the layer's inputs and
output, the gradient of its output, the gradients asked for (:class:`symconv.network.backward.Needs`), a
generator in the state the forward computation's started in (so that it draws the same parameters), one
:class:`~symconv.network.direct.tally.Tally` per part (``grad_input``, ``grad_weight``, ``grad_bias``) and a
:class:`Kept` to read the forward pass's tensors through. It returns the gradient of each input (None where
not asked), of the weight and of the bias.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symconv.network.direct.tally import Tally

__all__ = ["Backward", "Gradients", "Kept", "reduce_to"]

#: The gradients of a layer: of each input (None where not asked), of its weight and of its bias.
Gradients = tuple[list[np.ndarray | None], np.ndarray | None, np.ndarray | None]

#: A layer's backward computation.
Backward = Callable[..., Gradients]


class Kept:
    """The forward pass's tensors a backward computation reads, recorded by what they are and their entries:
    its inputs, its output, and the tensors of its own the forward pass left (statistics, indices)."""

    def __init__(self, xs: list[np.ndarray], y: np.ndarray) -> None:
        self.xs, self.y = xs, y
        self.read: dict[tuple[str, int | None], tuple[int, bool]] = {}

    def input(self, position: int = 0) -> np.ndarray:
        self.read[("input", position)] = (self.xs[position].size, False)
        return self.xs[position]

    def output(self) -> np.ndarray:
        self.read[("output", None)] = (self.y.size, False)
        return self.y

    def own(self, what: str, array: Any, integer: bool = False) -> np.ndarray:
        array = np.asarray(array)
        self.read[(what, None)] = (array.size, integer)
        return array


def reduce_to(t: Tally, gradient: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``gradient`` summed over the axes a broadcast to its shape made from ``shape`` (the leading axes it
    added and the axes of size 1 it stretched), each sum ``n − 1`` counted additions."""
    while gradient.ndim > len(shape):
        gradient = t.sum(gradient, 0)
    for axis, size in enumerate(shape):
        if size == 1 and gradient.shape[axis] != 1:
            gradient = np.expand_dims(t.sum(gradient, axis), axis)
    return gradient
