"""symconv.check.timing: the time bound holds outside the main thread too, where no signal can be used, and
where an expiry of the timer is dropped by Python."""

from __future__ import annotations

import gc
import signal
import time

import pytest

from symconv.check import check_count
from symconv.check.timing import TimeUp, time_limit


def test_checks_run_outside_the_main_thread_without_signals():
    import threading

    results = []
    worker = threading.Thread(target=lambda: results.append(
        check_count("k^2 C_in C_out", "standard", "params", values={"k_h": "k", "k_w": "k"})))
    worker.start()
    worker.join(30)
    assert results and results[0].condition == "b = 0"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_bound_holds_when_the_timer_strikes_where_python_ignores_exceptions():
    # An exception raised in a garbage-collector callback (Hypothesis installs one to time the collector) or in
    # a __del__ is printed and dropped: a timer that strikes there once must strike again.
    busy = {"on": True}

    def slow_callback(phase: str, info: dict) -> None:
        if busy["on"] and phase == "start":
            busy["on"] = False
            until = time.monotonic() + 0.3
            while time.monotonic() < until:  # the timer expires in here, and its TimeUp is dropped
                pass

    gc.callbacks.append(slow_callback)
    start = time.monotonic()
    try:
        with pytest.raises(TimeUp), time_limit(0.1):
            gc.collect()
            while time.monotonic() < start + 5:  # bounded: without a second strike the test fails, never hangs
                pass
    finally:
        gc.callbacks.remove(slow_callback)
    assert not busy["on"] and time.monotonic() - start < 2


def test_the_timer_is_disarmed_and_the_handler_restored_however_the_block_ends():
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) is before
    with pytest.raises(TimeUp), time_limit(0.05):
        while True:
            pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) is before
