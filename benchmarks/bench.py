"""symconv's benchmark: every figure measured side by side in one run, reported as medians and ratios.

    python benchmarks/bench.py                  # print the table
    python benchmarks/bench.py --write docs/performance.md

Measured:
1. cold start of ``symconv derive separable --format latex`` (a fresh interpreter), against a bare
   ``python -c pass`` and ``python -c "import sympy"`` on the same machine;
2. deriving every variant in 1-D, 2-D and 3-D, in process;
3. a generated numeric function over 10**7 configurations, against numexpr on the same expression (one
   thread, and its default threads), the same closed form written by hand in numpy, and numpy's ``a * b`` on
   int64 arrays of that length (memory traffic sets the floor); and what the layer checks cost, each function
   against the same closed form generated without them;
4. direct counting, in counted operations per second (a 64×56×56 input, 3×3 kernel, 64 outputs);
5. with torch installed, ``symconv.torch`` tracing and counting a ResNet-50 symbolic in H and W, against
   PyTorch's FlopCounterMode counting it once on meta tensors at 224×224: each the first call in a fresh
   interpreter (imports and building the model not timed), then warm (a later call in the same one);
6. networks: ``symconv net resnet50 --set alpha=1 --set rho=1`` in process against FlopCounterMode, timed the
   same way; 10,000 settings of (α, ρ) through resnet50's generated module (``symconv codegen --net``)
   against one FlopCounterMode call, the totals checked against ``symconv.network.count`` at every distinct
   setting; a chain of 1,000 convolutions, each of its own width, against one of 100.
7. ``symconv.sweep``: settings per second through a depthwise separable layer's generated code (every count,
   a constraint and a Pareto front), in one thread, on two, and on dask's threads.

    python benchmarks/bench.py --section sweep --write docs/performance.md   # that section alone, in place
"""

from __future__ import annotations

import argparse
import inspect
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

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
    steps = importlib.import_module("symconv.steps")
    # symconv's own caches, wherever they live: each repetition starts with them empty and derives from scratch.
    caches = [cached for module in (derive_module, steps) for cached in vars(module).values()
              if hasattr(cached, "cache_clear") and getattr(cached, "__module__", "") == module.__name__]

    def run() -> None:
        for cached in (*caches, valid_pairs_sum):
            cached.cache_clear()
        for name in variants.VARIANTS:
            for dims in (1, 2, 3):
                derive(variants.make(name, dims))

    return median_time(run, repeat)


def realistic(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Layer sizes as networks have them, one configuration per index."""
    rng = np.random.default_rng(seed)
    return {
        "N": rng.integers(1, 65, n), "C_in": rng.integers(1, 2049, n), "C_out": rng.integers(1, 2049, n),
        "H_out": rng.integers(1, 513, n), "W_out": rng.integers(1, 513, n), "k_h": rng.integers(1, 12, n),
        "k_w": rng.integers(1, 12, n), "b": rng.integers(0, 2, n),
    }


FLOPS = "N * C_out * H_out * W_out * (2 * C_in * k_h * k_w + b - 1)"  # the standard layer's exact FLOPs


def interleaved(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """The median time of each run, the runs taken in turn in every round: each sees the same machine load."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def numeric(rounds: int, n: int = 10**7) -> tuple[dict[str, float], int]:
    """Generated flops() against numexpr and numpy on the same expression, over ``n`` configurations; and the
    number of threads numexpr and the generated module use by default."""
    from symconv import variants
    from symconv.codegen import compile_functions, functions_for
    from symconv.derive import derive

    flops = compile_functions(functions_for(derive(variants.standard(2))))["flops"]
    module = flops.__globals__  # the generated module's namespace: _WORKERS is its thread count
    threads = module["_WORKERS"]
    args = realistic(n)

    def by_hand() -> np.ndarray:
        a = args
        return a["N"] * a["C_out"] * a["H_out"] * a["W_out"] * (2 * a["C_in"] * a["k_h"] * a["k_w"] + a["b"] - 1)

    def generated(workers: int) -> Callable[[], object]:
        def run() -> object:
            module["_WORKERS"] = workers
            return flops(**args)
        return run

    runs = {"numpy a * b (int64)": lambda: args["C_in"] * args["C_out"],
            "closed form by hand in numpy, no overflow check": by_hand,
            "generated flops(), checks included, 1 thread": generated(1),
            f"generated flops(), checks included, {threads} threads (its default)": generated(threads)}
    expected = by_hand()
    try:
        import numexpr
    except ImportError:
        numexpr = None
    if numexpr is not None:
        default = numexpr.detect_number_of_cores()

        def evaluate(count: int) -> Callable[[], object]:
            def run() -> object:
                numexpr.set_num_threads(count)
                return numexpr.evaluate(FLOPS, local_dict=args)
            return run

        runs["numexpr, 1 thread"] = evaluate(1)
        runs[f"numexpr, {default} threads (its default)"] = evaluate(default)
        if not np.array_equal(numexpr.evaluate(FLOPS, local_dict=args), expected):
            raise SystemExit("numexpr and the hand-written closed form disagree")
    for workers in (1, threads):
        if not np.array_equal(generated(workers)(), expected):
            raise SystemExit("the generated function and the hand-written closed form disagree")
    result = interleaved(runs, rounds)
    module["_WORKERS"] = threads
    return result, threads


def checks(rounds: int, n: int = 10**7) -> list[tuple[str, int, float, float]]:
    """What the layer checks cost: each function with its checks against the same closed form generated in
    arguments that are only ``>= 0`` and without requirements (nothing to check but the bounds), the extra
    reductions per block counted from the generated record and kernel, over ``n`` configurations."""
    import sympy

    from symconv import variants
    from symconv.codegen import NumericFunction, compile_functions, functions_for
    from symconv.derive import derive

    def unchecked(function: NumericFunction) -> NumericFunction:
        free = {s: sympy.Symbol(f"x_{s.name}", integer=True, nonnegative=True) for s in function.expr.free_symbols}
        return NumericFunction(function.name, function.expr.xreplace(free))

    rng = np.random.default_rng(1)
    output = {f.name: f for f in functions_for(derive(variants.standard(2)))}
    geometry = {"H_in": rng.integers(7, 513, n), "k_h": rng.integers(1, 8, n), "s_h": rng.integers(1, 3, n),
                "p_h": rng.integers(0, 3, n), "d_h": rng.integers(1, 2, n)}
    inputs = {f.name: f for f in functions_for(derive(variants.separable(2, {"N": 1, "m": 1}), sizes="input"))}
    sizes = {"C_in": rng.integers(1, 513, n), "C_out": rng.integers(1, 513, n), "b": rng.integers(0, 2, n),
             **geometry, **{name.replace("h", "w").replace("H", "W"): value for name, value in geometry.items()}}
    cases = [("standard flops: 7 arguments >= 1", output["flops"], realistic(n)),
             ("H_out: 4 arguments >= 1, the output height at least 1", output["H_out"], geometry),
             ("separable flops in the input sizes: 10 arguments >= 1, both output sizes at least 1",
              inputs["flops"], sizes)]
    rows = []
    for title, function, args in cases:
        compiled = compile_functions([function])[function.name]
        bare = compile_functions([unchecked(function)])[function.name]
        bare_args = {f"x_{name}": value for name, value in args.items()}
        if not np.array_equal(compiled(**args), bare(**bare_args)):
            raise SystemExit(f"{title}: the checked and the unchecked function disagree")
        spec = compiled.__globals__[f"_{function.name}_spec"]
        kernel = inspect.getsource(compiled.__globals__[f"_{function.name}_int64"])
        positive = sum(domain == "positive" for _, domain in spec.parameters) - len(spec.shown)
        reductions = kernel.count(".min()") + bool(spec.shown) + positive
        times = interleaved({"checked": lambda f=compiled, a=args: f(**a),
                             "plain": lambda f=bare, a=bare_args: f(**a)}, rounds)
        rows.append((title, reductions, times["checked"], times["plain"]))
    return rows


def direct(repeat: int) -> tuple[float, int]:
    from symconv.direct import conv_direct

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 64, 56, 56))
    w = rng.standard_normal((64, 64, 3, 3))
    result = conv_direct(x, w, padding=1)
    ops = result.mults + result.adds
    return median_time(lambda: conv_direct(x, w, padding=1), repeat), ops


#: What one fresh interpreter times: the first call of a counter, then a later one, after the imports.
_TORCH_RUN = """
import sys, time
sys.path.insert(0, {root!r})
import torch
from tests.torch_models import resnet50
{setup}
times = []
for _ in range(3):
    start = time.perf_counter()
    {count}
    times.append(time.perf_counter() - start)
print(times[0], min(times[1:]))
"""

_COUNTERS = {
    "FlopCounterMode on meta tensors, 1x3x224x224": (
        "from torch.utils.flop_counter import FlopCounterMode\n"
        "model = resnet50().to('meta').train(False)\nx = torch.empty(1, 3, 224, 224, device='meta')",
        "with FlopCounterMode(display=False) as f: model(x)"),
    "symconv.torch trace and count, 1x3xHxW": (
        "from symconv.network import analyse\nfrom symconv.torch import convert\nmodel = resnet50()",
        "analyse(convert(model, '1x3xHxW').network, None, 'macs')"),
}


def torch_model(repeat: int) -> list[tuple[str, float, float]] | None:
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    return fresh_interpreters(_COUNTERS, repeat)


_NET_COUNTERS = {
    "FlopCounterMode on meta tensors, 1x3x224x224": _COUNTERS["FlopCounterMode on meta tensors, 1x3x224x224"],
    "symconv net resnet50 --set alpha=1 --set rho=1, in process": (
        "import contextlib, io\nfrom symconv.cli import main",
        "with contextlib.redirect_stdout(io.StringIO()): main(['net', 'resnet50', '--set', 'alpha=1', '--set', "
        "'rho=1'])"),
}


def fresh_interpreters(counters: dict[str, tuple[str, str]], repeat: int) -> list[tuple[str, float, float]]:
    """Each counter's first and later call, each the median over ``repeat`` fresh interpreters."""
    root = str(Path(__file__).resolve().parent.parent)
    rows = []
    for name, (setup, count) in counters.items():
        code = _TORCH_RUN.format(root=root, setup=setup, count=count)
        runs = [subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
                for _ in range(repeat)]
        rows.append((name, statistics.median(float(r[0]) for r in runs), statistics.median(float(r[1]) for r in runs)))
    return rows


def network_settings(rounds: int, n: int = 10_000) -> tuple[dict[str, float], int, float]:
    """``n`` settings of resnet50's (α, ρ) through its generated module against one FlopCounterMode call on
    meta tensors (both in this process, interleaved); the distinct settings checked against
    ``symconv.network.count``; and the seconds the module takes to generate and compile."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from symconv.codegen.network import network_functions
    from symconv.network import builtin, count

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.torch_models import resnet50

    start = time.perf_counter()
    functions = network_functions(builtin("resnet50"))
    compiled = time.perf_counter() - start
    rng = np.random.default_rng(0)
    eighths, sevenths = rng.integers(1, 17, n), rng.integers(1, 15, n)
    alpha, rho = eighths / 8, sevenths / 7  # floats on the network's grid, read as k/8 and k/7
    totals = functions(alpha=alpha, rho=rho)
    distinct = sorted(set(zip(eighths.tolist(), sevenths.tolist(), strict=True)))
    for a, r in distinct:
        exact = count(builtin("resnet50"), {"alpha": f"{a}/8", "rho": f"{r}/7"})
        at = np.flatnonzero((eighths == a) & (sevenths == r))
        for name, values in totals.items():
            if not (values[at] == exact.value(name)).all():
                raise SystemExit(f"the generated module and symconv net disagree on {name} at α = {a}/8, ρ = {r}/7")
    model = resnet50().to("meta").train(False)
    x = torch.empty(1, 3, 224, 224, device="meta")

    def flop_counter() -> None:
        with FlopCounterMode(display=False):
            model(x)

    times = interleaved({"generated": lambda: functions(alpha=alpha, rho=rho), "FlopCounterMode": flop_counter},
                        rounds)
    return times, len(distinct), compiled


def _distinct_chain(layers: int) -> object:
    """A chain of ``layers`` convolutions, the i-th of width 8·i·α, each followed by a ReLU, every fourth of
    stride 2 (at most five), channels rounded to multiples of 8."""
    import sympy

    from symconv.network import Activation, Conv2d, Network, Rounding, Shape

    alpha, rho = sympy.Symbol("alpha", positive=True), sympy.Symbol("rho", positive=True)
    body: list[object] = []
    for i in range(layers):
        stride = 2 if i % 4 == 3 and i < 20 else 1
        body += [Conv2d(out=8 * (i + 1) * alpha, kernel=3, padding=1, stride=stride), Activation("relu")]
    return Network.sequence(f"chain{layers}", Shape(3, (32 * rho, 32 * rho)), body, {"alpha": alpha, "rho": rho},
                            rounding=Rounding("divisible", 8, 8))


def distinct_layers(repeat: int) -> dict[int, float]:
    """``symconv.network.count`` at α = ρ = 1 and the table printed, for chains of 100 and 1,000 distinct
    convolutions; SymPy's cache and the layer caches emptied before each run (the derivation of a
    convolution kept: both share it)."""
    import sympy

    from symconv.network import count, graph
    from symconv.network.tables import render

    chains = {n: _distinct_chain(n) for n in (100, 1000)}

    def run(n: int) -> Callable[[], object]:
        def counted() -> object:
            graph._cached_counts.cache_clear()
            graph._tidy.cache_clear()
            sympy.core.cache.clear_cache()
            return render(count(chains[n], {"alpha": 1, "rho": 1}))  # type: ignore[arg-type]
        return counted

    return {n: median_time(run(n), repeat) for n in chains}


def network_section(repeat: int) -> list[str]:
    lines = ["## Networks", ""]
    counters = fresh_interpreters(_NET_COUNTERS, repeat)
    (flop, flop_cold, flop_warm), (ours, cold, warm) = counters
    lines += ["ResNet-50 counted at α = ρ = 1, each in a fresh interpreter after its imports (the built-in network "
              "read from its file and its table printed, in the time of `symconv net`; the model built before "
              "FlopCounterMode's timer starts): the first call and a later one.", "",
              "| counter | first call | later call |", "| --- | --- | --- |",
              f"| {flop} | {flop_cold * 1e3:.0f} ms | {flop_warm * 1e3:.0f} ms |",
              f"| `{ours}` | {cold * 1e3:.0f} ms | {warm * 1e3:.0f} ms |", "",
              f"Target: `net --set` ≤ 1 × FlopCounterMode. Measured: {cold / flop_cold:.2f} × on the first call, "
              f"{warm / flop_warm:.2f} × on a later one.", ""]
    times, distinct, compiled = network_settings(max(repeat, 7))
    generated, flop_call = times["generated"], times["FlopCounterMode"]
    lines += ["### 10,000 settings through the generated module", "",
              "`symconv codegen --net resnet50` compiled in process (generating and compiling it took "
              f"{compiled:.1f} s, once), then called with 10,000 random (α, ρ) on its grid, multiples of 1/8 and "
              "1/7, as float arrays: every total at every setting, exact. Checked against `symconv.network.count` "
              f"at each of the {distinct} distinct settings among them: equal.", "",
              "| what | median |", "| --- | --- |",
              f"| 10,000 settings, every total, generated module | {generated * 1e3:.2f} ms |",
              f"| one FlopCounterMode call on meta tensors, 1x3x224x224 | {flop_call * 1e3:.1f} ms |", "",
              f"Target: ≤ 1 × one FlopCounterMode call. Measured: {generated / flop_call:.3f} ×.", ""]
    chains = distinct_layers(repeat)
    lines += ["### Distinct layers", "",
              "A chain of convolutions, each of its own width (8·i·α channels), each followed by a ReLU, counted at "
              "α = ρ = 1 and its table printed, SymPy's cache and the layer caches emptied before each run:", "",
              "| layers | median |", "| --- | --- |",
              *(f"| {n} convolutions | {t * 1e3:.0f} ms |" for n, t in chains.items()), "",
              f"Target: 1,000 layers ≤ 12 × 100 layers. Measured: {chains[1000] / chains[100]:.1f} ×.", ""]
    return lines


SWEEP_LAYER = "separable, N = 1, m = 1, no bias, k_h = k_w = k, H_out = W_out = 14"
SWEEP_SPACE = ("C_in=1:1024:1", "C_out=1:2048:1", "k=1:9:2")


def sweep_throughput(rounds: int) -> list[tuple[str, int, float, float]]:
    """Settings per second through ``symconv.sweep``: a depthwise separable layer's five counts over a grid
    of about 10⁷ points, kept by a constraint and reduced to a Pareto front (so that nothing is written), on
    each engine; rows of (what, points, wall seconds, processor seconds), medians over ``rounds`` taken in
    turn. Processor time (every thread's, summed) gives the settings per second per core on a shared machine,
    whose wall clock other work stretches."""
    import os

    from symconv import variants
    from symconv.derive import derive
    from symconv.sweep import LayerEvaluator, Space, Sweep, read_axis, run
    from symconv.symbols import new_symbol

    k = new_symbol("k")
    layer = variants.separable(2, {"N": 1, "m": 1, "k_h": k, "k_w": k, "H_out": 14, "W_out": 14}, bias=False)
    evaluator = LayerEvaluator.of(derive(layer))
    plan = Sweep.build(evaluator, Space(tuple(read_axis(a) for a in SWEEP_SPACE)),
                       where=["macs <= 300e6"], pareto=("macs", "params"))
    module = next(iter(evaluator._compiled.values())).__globals__  # the generated module: _WORKERS threads
    default = module["_WORKERS"]

    def engine(name: str, workers: int) -> Callable[[], list[list[int]]]:
        def go() -> list[list[int]]:
            module["_WORKERS"] = workers
            return [r.positions.tolist() for r in run(plan, engine=name)]
        return go

    runs = {"local, generated code in 1 thread": engine("local", 1),
            f"local, generated code in {default} threads (its default)": engine("local", default)}
    try:
        import dask  # noqa: F401
    except ImportError:
        pass
    else:
        runs[f"dask, {os.cpu_count()} threads, generated code in 1 thread each"] = engine("dask", 1)
    times = in_turn(runs, rounds, "the sweep engines disagree")
    module["_WORKERS"] = default
    return [(name, plan.space.points, wall, cpu) for name, (wall, cpu) in times.items()]


def in_turn(runs: Mapping[str, Callable[[], object]], rounds: int, disagree: str) -> dict[str, tuple[float, float]]:
    """Each run's median wall-clock and processor seconds over ``rounds`` taken in turn, once every run has
    given the same result (else SystemExit with ``disagree``)."""
    if len({str(go()) for go in runs.values()}) != 1:
        raise SystemExit(disagree)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, go in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            go()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {name: (statistics.median(t[0] for t in taken), statistics.median(t[1] for t in taken))
            for name, taken in times.items()}


#: The axes of the 10⁹-point sweep of a layer: 10,000 × 20,000 × 5 points.
BILLION_SPACE = ("C_in=1:10000:1", "C_out=1:20000:1", "k=1:9:2")


def billion(engine: str) -> tuple[int, float, float, int]:
    """One sweep of 10⁹ points (once: it takes a minute or more): the separable layer's counts over
    :data:`BILLION_SPACE`, ``macs <= 300e6`` and the front of ``macs`` and ``params``; (points, wall seconds,
    processor seconds, points on the front)."""
    from symconv import variants
    from symconv.derive import derive
    from symconv.sweep import LayerEvaluator, Space, Sweep, read_axis, run
    from symconv.symbols import new_symbol

    k = new_symbol("k")
    layer = variants.separable(2, {"N": 1, "m": 1, "k_h": k, "k_w": k, "H_out": 14, "W_out": 14}, bias=False)
    evaluator = LayerEvaluator.of(derive(layer))
    plan = Sweep.build(evaluator, Space(tuple(read_axis(a) for a in BILLION_SPACE)),
                       where=["macs <= 300e6"], pareto=("macs", "params"))
    wall, cpu = time.perf_counter(), time.process_time()
    kept = sum(len(rows) for rows in run(plan, engine=engine))
    return plan.space.points, time.perf_counter() - wall, time.process_time() - cpu, kept


#: MobileNetV1's design space: the width and resolution multipliers, and the depthwise kernel size.
MOBILENET_SPACE = ("alpha=1/4:1:1/8", "rho=4/7:1:1/7", "k=3,5,7")


def mobilenet(samples: int, engine: str) -> tuple[int, float, float, int] | None:
    """``samples`` random settings of MobileNetV1's (alpha, rho, k) through its generated module (one network
    file per depthwise kernel size k, a :class:`~symconv.sweep.Family`), ``macs <= 300e6`` and the front of
    ``macs`` and ``params``; None where symconv does not generate a network's code."""
    from importlib import resources

    from symconv.network import loads
    from symconv.sweep import Family, NetworkEvaluator, Space, Sweep, read_axis, run
    from symconv.sweep.evaluators import network_code_available

    if not network_code_available():
        return None
    text = (resources.files("symconv.network") / "builtin" / "mobilenet_v1.toml").read_text(encoding="utf-8")
    three = '{ type = "dwconv", kernel = 3, stride = "stride", padding = 1 }'
    members = {k: NetworkEvaluator(loads(text.replace(three, three.replace("kernel = 3", f"kernel = {k}")
                                                      .replace("padding = 1", f"padding = {(k - 1) // 2}")),
                                         f"mobilenet_v1_k{k}.toml")) for k in (3, 5, 7)}
    space = Space(tuple(read_axis(a) for a in MOBILENET_SPACE), samples=samples, seed=0)
    plan = Sweep.build(Family("k", members), space, where=["macs <= 300e6"], pareto=("macs", "params"))
    wall, cpu = time.perf_counter(), time.process_time()
    kept = sum(len(rows) for rows in run(plan, engine=engine))
    return plan.space.points, time.perf_counter() - wall, time.process_time() - cpu, kept


#: A network's grid of distinct settings: MobileNetV1 at every width multiplier on its grid of 1/32 from 1/4
#: to 1 and every input of 96 to 512 pixels a side (25 × 417 × 417 points, each its own network).
NETWORK_GRID = ("alpha=1/4:1:1/32", "H=96:512:1", "W=96:512:1")


def mobilenet_hw() -> Any:
    """MobileNetV1 (the built-in network) with its input's height and width as integer symbols H and W in
    place of 224ρ."""
    from importlib import resources

    from symconv.network import loads

    text = (resources.files("symconv.network") / "builtin" / "mobilenet_v1.toml").read_text(encoding="utf-8")
    text = text.replace('size = ["224*rho", "224*rho"]', 'size = ["H", "W"]')
    text = text.replace('rho = "resolution multiplier: the input is 224 rho pixels square (section 3.4)"',
                        'H = { meaning = "input height", integer = true }\n'
                        'W = { meaning = "input width", integer = true }')
    return loads(text, "mobilenet_v1_hw.toml")


def network_grid(rounds: int) -> list[tuple[str, int, float, float]]:
    """Settings per second through ``symconv.sweep`` on MobileNetV1's totals over :data:`NETWORK_GRID`
    (every point a different network), ``macs <= 300e6`` and the front of ``macs`` and ``params``: on the
    grid's blocks with the separated forms (the default), on blocks with the specs' kernels alone, with one
    column per point (a constraint on the axes alone makes the engine gather them), and on dask; rows of
    (what, points, wall seconds, processor seconds), medians over ``rounds`` taken in turn."""
    from symconv.sweep import NetworkEvaluator, Space, Sweep, read_axis, run

    evaluator = NetworkEvaluator(mobilenet_hw())
    space = Space(tuple(read_axis(a) for a in NETWORK_GRID))
    module = evaluator._functions.evaluate.__globals__  # the generated module: its _SEPARATED forms
    separated = module["_SEPARATED"]

    def sweep(where: list[str], forms: Any, engine: str = "local") -> Callable[[], list[list[int]]]:
        plan = Sweep.build(evaluator, space, where=[*where, "macs <= 300e6"], pareto=("macs", "params"))

        def go() -> list[list[int]]:
            module["_SEPARATED"] = forms
            return [r.positions.tolist() for r in run(plan, engine=engine)]
        return go

    runs = {"blocks of the grid, separated forms (the default)": sweep([], separated),
            "blocks of the grid, the specs' kernels alone": sweep([], None),
            "a column per point, the specs' kernels": sweep(["H >= 1"], separated)}
    try:
        import dask  # noqa: F401
    except ImportError:
        pass
    else:
        runs["dask, blocks of the grid, separated forms"] = sweep([], separated, "dask")
    times = in_turn(runs, rounds, "the network sweeps disagree")
    module["_SEPARATED"] = separated
    return [(name, space.points, wall, cpu) for name, (wall, cpu) in times.items()]


def network_grid_section(rounds: int) -> list[str]:
    rows = network_grid(rounds)
    lines = ["## A network's totals over a grid", "",
             f"MobileNetV1 with its input's height and width as symbols H and W, swept over "
             f"{', '.join(f'`{a}`' for a in NETWORK_GRID)} ({rows[0][1]:,} points, each a different network: "
             "no setting repeats), every total of each exact, `macs <= 300e6` and the Pareto front of `macs` and "
             "`params`, nothing written. On the grid's blocks each axis comes along an axis of its own, so the "
             "module computes every channel count once per α and every size once per H or W; a separated form "
             "computes what depends on fewer settings on their values alone, and only its last sum on the "
             "block.", "",
             "| how | wall clock | settings per second | processor time | settings per second per core |",
             "| --- | --- | --- | --- | --- |"]
    for name, points, wall, cpu in rows:
        lines.append(f"| {name} | {wall:.2f} s | {points / wall:.3g} | {cpu:.2f} s | {points / cpu:.3g} |")
    default = rows[0][1] / rows[0][3]
    lines += ["", f"Target: at least 10⁷ settings per second per core on a network's totals. Measured on these "
                  f"distinct settings: {default:.3g} per core; the separated forms "
                  f"{rows[1][3] / rows[0][3]:.2f} × faster than the specs' kernels on the same blocks, the blocks "
                  f"{rows[2][3] / rows[1][3]:.2f} × faster than a column per point.", ""]
    return lines


def billion_section(rounds: int) -> list[str]:
    del rounds  # one run: a minute or more each
    lines = ["## A sweep of 10⁹ points", "",
             f"The layer of the section Sweeps over {', '.join(f'`{a}`' for a in BILLION_SPACE)} (10⁹ points), "
             "with the same constraint and front, once on each engine:", "",
             "| engine | wall clock | settings per second | processor time | settings per second per core |",
             "| --- | --- | --- | --- | --- |"]
    for engine in ("local", "dask"):
        points, wall, cpu, _ = billion(engine)
        lines.append(f"| {engine} | {wall:.0f} s | {points / wall:.3g} | {cpu:.0f} s | {points / cpu:.3g} |")
    return [*lines, ""]


def mobilenet_section(rounds: int, samples: int = 10**9) -> list[str]:
    del rounds  # one run
    measured = mobilenet(samples, "local")
    if measured is None:
        return ["## MobileNetV1's design space", "", "Not measured: this symconv does not generate a network's code.",
                ""]
    points, wall, cpu, kept = measured
    return ["## MobileNetV1's design space", "",
            f"MobileNetV1's totals at {points:,} random settings of {', '.join(f'`{a}`' for a in MOBILENET_SPACE)} "
            "(one network file per depthwise kernel size k, a `Family`; each total through the network's generated "
            f"module), `macs <= 300e6` and the Pareto front of `macs` and `params` ({kept:,} on it): "
            f"{wall:.0f} s, {points / wall:.3g} settings per second; {cpu:.0f} s of processor time, "
            f"{points / cpu:.3g} per core.", "",
            "The space has 84 settings (7 widths, 4 resolutions, 3 kernel sizes), each drawn about 12 million "
            "times: the sweep evaluates the 84 once, in one call on the grid, decides `macs <= 300e6` once per "
            "setting and finds the front among the settings each chunk drew; per point it draws the three "
            "indices and looks the setting up. The previous section measures distinct settings.", ""]


def sweep_section(rounds: int) -> list[str]:
    rows = sweep_throughput(rounds)
    lines = ["## Sweeps", "",
             f"`symconv.sweep` over the grid {', '.join(f'`{a}`' for a in SWEEP_SPACE)} ({rows[0][1]:,} points) "
             f"of a depthwise separable layer ({SWEEP_LAYER}): its five counts through the generated code in "
             "chunks of 2¹⁸ points, every argument checked and every value proven exact, `macs <= 300e6` decided "
             "exactly and the Pareto front of `macs` and `params` kept, nothing written. Settings per second of "
             "the wall clock, and per core: per second of processor time, every thread's summed (the machine "
             "is shared: other work stretches the wall clock, not the processor time).", "",
             "| engine | wall clock | settings per second | processor time | settings per second per core |",
             "| --- | --- | --- | --- | --- |"]
    for name, points, wall, cpu in rows:
        lines.append(f"| {name} | {wall:.2f} s | {points / wall:.3g} | {cpu:.2f} s | {points / cpu:.3g} |")
    best = max(points / cpu for _, points, _, cpu in rows)
    lines += ["", f"The layer's counts: {best:.3g} settings per second per core. A network's totals are measured "
                  "in the next two sections.", ""]
    return lines


def numeric_section(rounds: int) -> list[str]:
    times, threads = numeric(rounds)
    floor = times["numpy a * b (int64)"]
    hand = times["closed form by hand in numpy, no overflow check"]
    numexpr = {count: t for name, t in times.items() for count in (1, "default")
               if name.startswith("numexpr") and (("1 thread" in name) == (count == 1))}
    lines = ["## Generated functions against numexpr and numpy: 10⁷ configurations", "",
             f"The standard layer's exact FLOPs, `{FLOPS}`, over 10⁷ random configurations of int64 arrays "
             "(8 arrays of 80 MB). Every row computes the same 10⁷ values; the generated function also checks "
             "every argument and proves every value exact (overflow check included); the others check nothing.",
             "", "| what | median | × `a * b` | × by hand | × numexpr, 1 thread | × numexpr, default threads |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, t in times.items():
        ratios = [f"{t / numexpr[key]:.2f}" if key in numexpr else "—" for key in (1, "default")]
        lines.append(f"| {name} | {t * 1e3:.1f} ms | {t / floor:.1f} | {t / hand:.2f} | {' | '.join(ratios)} |")
    generated = {1: times["generated flops(), checks included, 1 thread"],
                 "default": times[f"generated flops(), checks included, {threads} threads (its default)"]}
    lines.append("")
    if numexpr:
        lines += [f"Target: generated ≤ 1 × numexpr. Measured, single-threaded against single-threaded: "
                  f"{generated[1] / numexpr[1]:.2f} × numexpr; each with its default threads: "
                  f"{generated['default'] / numexpr['default']:.2f} × numexpr. The generated function against "
                  f"the hand-written closed form: {generated['default'] / hand:.2f} ×.", ""]
    else:
        lines += ["numexpr is not installed: `pip install numexpr` for its rows.", ""]
    lines += ["The generated module computes blocks of 2¹⁶ elements: its kernel reads each argument's block from "
              "memory, then one reduction per argument, over the block in cache, finds its largest value (and any "
              f"negative one); with {threads} threads, each takes one block in {threads} (NumPy releases the GIL "
              "in every ufunc). `_WORKERS = 1` in a generated module's namespace computes in one thread.", ""]
    lines += ["### What the layer checks cost", "",
              "Each function with its checks against the same closed form generated in arguments that need only "
              "be `>= 0` and without requirements (the bounds checked, nothing else), over 10⁷ configurations. A "
              "check is one reduction per block of 2¹⁶ elements over data in cache: a zero in an argument `>= 1` "
              "is found by a reduction of that argument, or of the result for all the arguments whose zero makes "
              "the result 0; an output size at least 1 where the kernel computes its floor's dividend. None is a "
              "pass over memory of its own.", "",
              "| function | reductions per block for the checks | with checks | without | ratio |",
              "| --- | --- | --- | --- | --- |"]
    for title, reductions, checked, plain in checks(rounds):
        lines.append(f"| {title} | {reductions} | {checked * 1e3:.1f} ms | {plain * 1e3:.1f} ms | "
                     f"{checked / plain:.2f} |")
    return [*lines, ""]


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
    lines += numeric_section(max(repeat, 7))
    seconds, ops = direct(repeat)
    lines += ["## Direct counting", "",
              f"A 64×56×56 input, a 3×3 kernel with padding 1, 64 outputs: {ops:,} counted operations in "
              f"{seconds * 1e3:.0f} ms, {ops / seconds:.2e} counted operations per second (target: above 5e8).", ""]
    counters = torch_model(repeat)
    if counters is not None:
        (flop, flop_cold, flop_warm), (ours, cold, warm) = counters
        lines += ["## Counting a PyTorch model", "",
                  "A ResNet-50 (25.6 M parameters), timed in a fresh interpreter after its imports: the first call "
                  "and a later one.", "", "| counter | first call | later call |", "| --- | --- | --- |",
                  f"| {flop} | {flop_cold * 1e3:.0f} ms | {flop_warm * 1e3:.0f} ms |",
                  f"| {ours} | {cold * 1e3:.0f} ms | {warm * 1e3:.0f} ms |", "",
                  f"Target: tracing and counting it symbolically in H and W no slower than FlopCounterMode counting "
                  f"it once; measured {cold / flop_cold:.2f} × its time on the first call, {warm / flop_warm:.2f} × "
                  "on a later one (FlopCounterMode's later calls reuse what its first dispatch set up).", ""]
        lines += network_section(repeat)
    lines += sweep_section(max(repeat, 5))
    lines += network_grid_section(max(repeat, 5))
    lines += mobilenet_section(1)
    lines += billion_section(1)
    return "\n".join(lines)


#: The sections ``--section`` measures alone, and how each is made.
SECTIONS = {"sweep": sweep_section, "network-grid": network_grid_section, "billion": billion_section,
            "mobilenet": mobilenet_section}


def replace_section(text: str, section: list[str]) -> str:
    """``text`` with the section of the same heading as ``section`` replaced by it (appended when new)."""
    heading = section[0]
    lines = text.rstrip("\n").split("\n")
    if heading not in lines:
        return "\n".join([*lines, "", *section]).rstrip("\n") + "\n"
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join([*lines[:start], *section, *lines[end:]]).rstrip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per figure (default 5)")
    parser.add_argument("--write", metavar="FILE", help="also write the report to FILE")
    parser.add_argument("--section", choices=list(SECTIONS),
                        help="measure this section alone; with --write, replace it in FILE")
    args = parser.parse_args()
    if args.section:
        section = SECTIONS[args.section](max(args.repeat, 5))
        print("\n".join(section))
        if args.write:
            path = Path(args.write)
            path.write_text(replace_section(path.read_text(encoding="utf-8"), section), encoding="utf-8")
        return 0
    text = report(args.repeat)
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
