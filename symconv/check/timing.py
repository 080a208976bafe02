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
import inspect
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["DEFAULT_TIMEOUT", "TimeUp", "time_limit"]

#: Seconds a check may take by default.
DEFAULT_TIMEOUT = 5.0

_AGAIN = 0.05  # seconds between the strikes of an expired timer


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

    def expire(signum: int, frame: FrameType | None) -> None:
        # A strike in this generator's own set-up or clean-up waits for the next one: raised there, it would
        # skip the clean-up and leave the timer striking.
        if frame is None or frame.f_code is not _OWN_CODE:
            raise TimeUp

    previous = signal.signal(signal.SIGALRM, expire)
    # The timer strikes again every _AGAIN seconds until the block ends: Python drops an exception raised where
    # it cannot propagate (a garbage-collector callback, a __del__), and one lost strike must not lose the bound.
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001), _AGAIN)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_OWN_CODE = inspect.unwrap(time_limit).__code__
