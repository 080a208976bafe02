"""The time bound of a check: symbolic work interrupted by an interval timer where the platform allows it.

The timer works in the main thread of a POSIX process when no other interval timer runs; elsewhere the block
runs unbounded, and the steps that loop (the counterexample search, the grid identity) keep to their own
deadlines instead.

>>> with time_limit(1.0):
...     total = sum(range(10))
>>> total
45
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["DEFAULT_TIMEOUT", "TimeUp", "time_limit"]

#: Seconds a check may take by default.
DEFAULT_TIMEOUT = 5.0


class TimeUp(BaseException):
    """Raised inside SymPy by the interval timer; a BaseException so that no ``except Exception`` eats it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` where an interval timer can (POSIX, main thread, none running)."""
    usable = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeUp

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

