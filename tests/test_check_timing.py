"""symconv.check.timing: the time bound holds outside the main thread too, where no signal can be used."""

from __future__ import annotations

from symconv.check import check_count


def test_checks_run_outside_the_main_thread_without_signals():
    import threading

    results = []
    worker = threading.Thread(target=lambda: results.append(
        check_count("k^2 C_in C_out", "standard", "params", values={"k_h": "k", "k_w": "k"})))
    worker.start()
    worker.join(30)
    assert results and results[0].condition == "b = 0"
