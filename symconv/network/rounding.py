"""The channel rounding rules of :class:`symconv.network.graph.Rounding` on a scaled channel count
``numerator/denominator``, in integer arithmetic and comparisons alone: the same lines compute one count on
Python ints and many on NumPy integer arrays, and a generated network module
(:mod:`symconv.codegen.network`) carries their copy.

>>> round_floor(32 * 3, 10, 8), round_floor(32 * 2, 10, 8)  # max(floor(32·0.3), 8), max(floor(32·0.2), 8)
(9, 8)
>>> round_divisible(96 * 35, 100, 8, 8)  # 33.6 channels: the nearest multiple of 8 is 32, within 10%
32
>>> import numpy as np
>>> round_divisible(np.array([96 * 35, 96 * 100]), 100, 8, 8)
array([32, 96])
"""

from __future__ import annotations

from typing import Any

__all__ = ["round_divisible", "round_exact", "round_floor"]


def round_exact(numerator: Any, denominator: int) -> Any:
    """The channels ``numerator/denominator`` as they are; whoever calls it has checked that they divide."""
    return numerator // denominator


def round_floor(numerator: Any, denominator: int, minimum: int) -> Any:
    """``max(floor(numerator/denominator), minimum)``: TF-slim MobileNetV1's depth rule."""
    channels = numerator // denominator
    return channels + (minimum - channels) * (channels < minimum)


def round_divisible(numerator: Any, denominator: int, divisor: int, minimum: int) -> Any:
    """``_make_divisible`` of TF-slim's and torchvision's MobileNetV2 at ``v = numerator/denominator``: the
    nearest multiple of ``divisor`` (halves up, ``floor((v + divisor/2)/divisor)·divisor``), at least
    ``minimum``, and ``divisor`` more when that is below ``0.9·v``."""
    nearest = (2 * numerator + divisor * denominator) // (2 * divisor * denominator) * divisor
    rounded = nearest + (minimum - nearest) * (nearest < minimum)
    return rounded + divisor * (10 * denominator * rounded < 9 * numerator)
