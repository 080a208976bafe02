"""A progress bar on a terminal: points done, the rate and the time left, redrawn at most ten times a second.

>>> import io
>>> bar = Progress(1000, io.StringIO(), enabled=True, clock=iter([0.0, 1.0, 2.0]).__next__)
>>> bar.update(500); bar.close()
>>> print(bar.stream.getvalue().split("\\r")[-1].rstrip())
sweep [###########################---------------------------]  50%  500/1,000 points  500/s  1s left
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO

__all__ = ["Progress"]


class Progress:
    """Counts points toward ``total``; draws on ``stream`` only when ``enabled`` (by default, when the stream
    is a terminal)."""

    WIDTH = 54

    def __init__(self, total: int, stream: IO[str], *, enabled: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.stream, self.clock = total, stream, clock
        self.enabled = stream.isatty() if enabled is None else enabled
        self.done = 0
        self.start = clock() if self.enabled else 0.0
        self.drawn = float("-inf")

    def update(self, points: int) -> None:
        self.done += points
        if not self.enabled:
            return
        now = self.clock()
        if now - self.drawn >= 0.1 or self.done >= self.total:
            self.drawn = now
            self.stream.write("\r" + self._line(now - self.start))
            self.stream.flush()

    def _line(self, elapsed: float) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = int(share * self.WIDTH)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = f"  {(self.total - self.done) / rate:.0f}s left" if rate and self.done < self.total else ""
        return (f"sweep [{'#' * filled}{'-' * (self.WIDTH - filled)}] {share:4.0%}  {self.done:,}/{self.total:,} "
                f"points  {_rate(rate)}/s{left}")

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _rate(rate: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if rate >= size:
            return f"{rate / size:.1f}{suffix}"
    return f"{rate:.0f}"
