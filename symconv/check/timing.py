"""The time bound of a check: symbolic work interrupted by an interval timer where the platform allows it.

The timer works in the main thread of a POSIX process when no other interval timer runs; elsewhere the block
runs unbounded, and the steps that loop (the counterexample search, the grid identity) keep to their own
deadlines instead. A whole check runs inside one bound: reading the formula, deriving, deciding, proving and
printing.

>>> with time_limit(1.0):
...     total = sum(range(10))
>>> total
45
"""

from __future__ import annotations

import contextlib
import inspect
import math
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from symconv.errors import SymconvError
from symconv.limits import MAX_TIMEOUT

__all__ = ["DEFAULT_TIMEOUT", "TimeUp", "check_timeout", "time_limit"]

#: Seconds a check may take by default.
DEFAULT_TIMEOUT = 5.0


class TimeUp(BaseException):
    """Raised inside SymPy by the interval timer; a BaseException so that no ``except Exception`` eats it."""


#: The deadlines (``time.monotonic()``) of the bounded blocks running, outermost first: a block nested in
#: another ends by the earlier of the two.
_DEADLINES: list[float] = []

#: After its deadline the timer fires again every this many seconds, so that an interruption swallowed where
#: Python cannot raise it (a garbage-collector callback, say) is raised at the next chance.
_REPEAT = 0.05


def _expire(signum: int, frame: FrameType | None) -> None:
    # A strike in time_limit's own set-up or clean-up waits for the next one: raised there, it would skip the
    # clean-up and leave the timer striking.
    if frame is None or frame.f_code is not _OWN_CODE:
        raise TimeUp


def _usable() -> bool:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    return bool(_DEADLINES) or signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (at most :data:`symconv.limits.MAX_TIMEOUT`) where an interval
    timer can (POSIX, main thread, no timer of another's running). Blocks nest: an inner block ends by the
    outer block's deadline too, and the outer block's timer resumes when the inner one ends."""
    if not _usable():
        yield
        return
    seconds = min(max(float(seconds), 0.001), MAX_TIMEOUT) if math.isfinite(seconds) else MAX_TIMEOUT
    now = time.monotonic()
    deadline = min(now + seconds, _DEADLINES[-1]) if _DEADLINES else now + seconds
    previous = signal.signal(signal.SIGALRM, _expire) if not _DEADLINES else None
    _DEADLINES.append(deadline)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - now, 0.001), _REPEAT)
    try:
        yield
    finally:
        _DEADLINES.pop()
        if _DEADLINES:
            signal.setitimer(signal.ITIMER_REAL, max(_DEADLINES[-1] - time.monotonic(), 0.001), _REPEAT)
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


_OWN_CODE = inspect.unwrap(time_limit).__code__


def check_timeout(seconds: object) -> float:
    """A time bound as a command or a caller gives it: a positive number of seconds, at most
    :data:`symconv.limits.MAX_TIMEOUT`.

    >>> check_timeout(5)
    5.0
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds) \
            or not 0 < seconds <= MAX_TIMEOUT:
        raise SymconvError(f"the time bound must be a positive number of seconds, at most {MAX_TIMEOUT:g}, "
                           f"not {seconds!r}")
    return float(seconds)
