"""symconv's benchmark: every figure measured side by side in one run, reported as medians and ratios.

    python benchmarks/bench.py                  # print the table
    python benchmarks/bench.py --write docs/performance.md

Measured:
1. cold start of ``symconv derive separable --format latex`` (a fresh interpreter), against a bare
   ``python -c pass`` and ``python -c "import sympy"`` on the same machine;
2. deriving every variant in 1-D, 2-D and 3-D, in process;
3. a generated numeric function over 10**6 configurations, against the same closed form written by hand in
   numpy, and against numpy's ``a * b`` on int64 arrays of that length (memory traffic sets the floor);
4. direct counting, in counted operations per second (a 64×56×56 input, 3×3 kernel, 64 outputs).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def median_time(run: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def command(*args: str) -> Callable[[], object]:
    return lambda: subprocess.run(args, check=True, capture_output=True)


def cold_start(repeat: int) -> list[tuple[str, float]]:
    python = sys.executable
    return [
        ("python -c pass", median_time(command(python, "-c", "pass"), repeat)),
        ("python -c 'import sympy'", median_time(command(python, "-c", "import sympy"), repeat)),
        ("symconv derive separable --format latex",
         median_time(command(python, "-m", "symconv.cli", "derive", "separable", "--format", "latex"), repeat)),
    ]


def derive_all(repeat: int) -> float:
    import importlib

    from symconv import variants
    from symconv.derive import derive
    from symconv.geometry import valid_pairs_sum

    derive_module = importlib.import_module("symconv.derive")  # the module; symconv.derive is the function
    steps_module = importlib.import_module("symconv.steps")

    def run() -> None:
        # symconv's own caches start empty in every repetition, so that each one derives from scratch.
        for cached in (derive_module._tidy, steps_module._tidy, steps_module._signed_factor, valid_pairs_sum):
            cached.cache_clear()
        for name in variants.VARIANTS:
            for dims in (1, 2, 3):
                derive(variants.make(name, dims))

    return median_time(run, repeat)


def numeric(repeat: int, n: int = 10**6) -> list[tuple[str, float]]:
    from symconv import variants
    from symconv.codegen import compile_functions, functions_for
    from symconv.derive import derive

    flops = compile_functions(functions_for(derive(variants.standard(2))))["flops"]
    rng = np.random.default_rng(0)
    args = {
        "N": rng.integers(1, 65, n), "C_in": rng.integers(1, 2049, n), "C_out": rng.integers(1, 2049, n),
        "H_out": rng.integers(1, 513, n), "W_out": rng.integers(1, 513, n), "k_h": rng.integers(1, 12, n),
        "k_w": rng.integers(1, 12, n), "b": rng.integers(0, 2, n),
    }

    def by_hand() -> np.ndarray:
        a = args
        return a["N"] * a["C_out"] * a["H_out"] * a["W_out"] * (2 * a["C_in"] * a["k_h"] * a["k_w"] + a["b"] - 1)

    expected = by_hand()
    got = flops(**args)
    if not np.array_equal(got, expected):
        raise SystemExit("the generated function and the hand-written closed form disagree")
    a, b = args["C_in"], args["C_out"]
    return [
        ("numpy a * b (int64, 10**6)", median_time(lambda: a * b, repeat)),
        ("closed form by hand in numpy, no overflow check", median_time(by_hand, repeat)),
        ("generated flops(), overflow check included", median_time(lambda: flops(**args), repeat)),
    ]


def direct(repeat: int) -> tuple[float, int]:
    from symconv.direct import conv_direct

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 64, 56, 56))
    w = rng.standard_normal((64, 64, 3, 3))
    result = conv_direct(x, w, padding=1)
    ops = result.mults + result.adds
    return median_time(lambda: conv_direct(x, w, padding=1), repeat), ops


def report(repeat: int) -> str:
    lines = ["# Performance", "",
             "Measured by `python benchmarks/bench.py --write docs/performance.md`: every figure in one run, as "
             f"the median of {repeat} repetitions, on {platform.machine()} with Python "
             f"{platform.python_version()} and numpy {np.__version__}. The machine is shared and noisy: "
             "read the ratios, not the absolute times.", ""]
    starts = cold_start(repeat)
    base = starts[0][1]
    lines += ["## Cold start", "", "| command | median | × `python -c pass` |", "| --- | --- | --- |"]
    lines += [f"| `{name}` | {t * 1e3:.0f} ms | {t / base:.1f} |" for name, t in starts]
    lines += ["", f"Target: under 1 s for `symconv derive separable --format latex`; measured "
                  f"{starts[-1][1]:.2f} s, {starts[-1][1] / starts[1][1]:.2f} × the time to import SymPy alone.", ""]
    every = derive_all(repeat)
    from symconv import variants

    count = 3 * len(variants.VARIANTS)
    lines += ["## Deriving", "", f"All {len(variants.VARIANTS)} variants in 1-D, 2-D and 3-D ({count} derivations): "
                                 f"{every * 1e3:.0f} ms, {every / count * 1e3:.1f} ms each.", ""]
    rows = numeric(max(repeat, 7))
    floor = rows[0][1]
    lines += ["## Numeric functions on 10⁶ configurations", "",
              "| what | median | × `a * b` | × by hand |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {t * 1e3:.1f} ms | {t / floor:.1f} | {t / rows[1][1]:.2f} |" for name, t in rows]
    lines += ["", f"Target: the generated function at least as fast as the closed form by hand; measured "
                  f"{rows[1][1] / rows[2][1]:.2f} × the speed of the hand-written one.", ""]
    seconds, ops = direct(repeat)
    lines += ["## Direct counting", "",
              f"A 64×56×56 input, a 3×3 kernel with padding 1, 64 outputs: {ops:,} counted operations in "
              f"{seconds * 1e3:.0f} ms, {ops / seconds:.2e} counted operations per second (target: above 5e8).", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per figure (default 5)")
    parser.add_argument("--write", metavar="FILE", help="also write the report to FILE")
    args = parser.parse_args()
    text = report(args.repeat)
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
