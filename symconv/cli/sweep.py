"""``symconv sweep TARGET``: the counts of a layer variant, a network or a traced model over a design space,
the points that meet the constraints or their Pareto front, as CSV, JSON lines or Parquet (docs/sweep.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from symconv import variants
from symconv.cli.options import pass_options, read_grads, read_values, shown
from symconv.cli.variant import layers, variant_options
from symconv.errors import SymconvError, did_you_mean
from symconv.limits import MAX_SWEEP_POINTS

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sweep", help="counts over a design space: constraints, Pareto front, CSV/Parquet",
                       description="Evaluate every count of TARGET over a design space through its generated code "
                                   "(docs/sweep.md): the points that meet --where, or their --pareto front.")
    p.add_argument("target", metavar="TARGET", help=f"a layer variant ({', '.join(variants.VARIANTS)}), a network "
                                                    "file or built-in network, or a PyTorch model "
                                                    "(package.module:callable or path/to/file.py:callable, with "
                                                    "--input); networks and models through their generated code")
    p.add_argument("--input", metavar="SHAPE", help="a model's input shape, as symconv torch takes it: 1x3xHxW")
    variant_options(p, variant=False)
    pass_options(p)
    space = p.add_argument_group("the design space")
    space.add_argument("--grid", action="append", default=[], metavar="NAME=START:STOP:STEP|V1,V2,...",
                       help="an axis: START to STOP included in steps of STEP, or the values listed; exact "
                            "integers, decimals or fractions, e.g. --grid alpha=1/4:1:1/8 --grid k=1,3,5")
    space.add_argument("--sample", type=int, metavar="N", help="N random points of the grid (with replacement) "
                                                                "instead of every point")
    space.add_argument("--seed", type=int, default=0, help="the seed of --sample (default 0)")
    space.add_argument("--limit", type=int, default=MAX_SWEEP_POINTS, metavar="POINTS",
                       help=f"refuse a space of more points (default {MAX_SWEEP_POINTS:,})")
    kept = p.add_argument_group("the points kept")
    kept.add_argument("--where", action="append", default=[], metavar="COMPARISON",
                      help="keep the points where counts and symbols compare so (repeatable, all must hold), "
                           "e.g. --where 'macs <= 300e6' --where 'params < 4*10^6'")
    kept.add_argument("--pareto", metavar="A,B", help="keep the Pareto front of two counts, both minimized, "
                                                      "e.g. --pareto macs,params")
    out = p.add_argument_group("output and engine")
    out.add_argument("--output", metavar="FILE", help="write FILE.csv, FILE.jsonl or FILE.parquet (Parquet needs "
                                                      "pyarrow) instead of CSV on stdout")
    out.add_argument("--scheduler", metavar="ADDRESS", help="run on the dask.distributed cluster whose scheduler "
                                                            "is at ADDRESS, e.g. tcp://10.0.0.1:8786")
    out.add_argument("--engine", default="auto", choices=("auto", "local", "dask"),
                     help="local: chunks in this process; dask: chunks on dask (this process's threads, or "
                          "--scheduler's cluster); auto (default): dask with --scheduler or a space too large for "
                          "memory")
    out.add_argument("--quiet", action="store_true", help="no progress bar and no summary on stderr")
    p.set_defaults(run=run)


def _evaluator(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The evaluator of the target and the values ``--set`` fixes: a variant's generated functions (``--set``
    builds the layer), or a network's or a traced model's generated module (``--set`` fixes its symbols)."""
    from symconv.sweep.evaluators import LayerEvaluator, NetworkEvaluator, network_code_available

    if args.target in variants.VARIANTS:
        from symconv.passes import derive_pass

        (layer,) = layers(args, args.target)
        derivation = derive_pass(layer, args.convention, pass_=args.pass_, grad=read_grads(args), sizes=args.sizes)
        return LayerEvaluator.of(derivation), {}
    from symconv.network.fileformat import builtin_names

    target = args.target
    traced = ":" in target and not Path(target).exists()
    if not (traced or target in builtin_names() or target.endswith(".toml") or Path(target).exists()):
        raise SymconvError(f"{shown(target)}: not a variant, network file, built-in network or model (FILE.py:NAME)"
                           f"{did_you_mean(target, [*variants.VARIANTS, *builtin_names()])}")
    if not network_code_available():
        raise SymconvError(f"{shown(target)}: sweeping a network or a traced model needs its generated code "
                           "(symconv.codegen.network), which this version of symconv does not have; a layer "
                           f"variant can be swept: {', '.join(variants.VARIANTS)}")
    network = _traced(args) if traced else _network(target)
    return NetworkEvaluator(network), dict(read_values(args.values))


def _network(target: str) -> Any:
    from symconv.cli.net import network

    return network(target)


def _traced(args: argparse.Namespace) -> Any:
    """The network of a PyTorch model, traced as ``symconv torch`` traces it."""
    if args.input is None:
        raise SymconvError(f"{shown(args.target)}: a model is traced on an input: give --input SHAPE, e.g. "
                           "--input 1x3xHxW")
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SymconvError("sweeping a PyTorch model needs PyTorch: pip install 'symconv[torch]'") from None
    from symconv.torch import convert, load_model

    return convert(load_model(args.target), args.input).network


def _plan(args: argparse.Namespace, evaluator: Any, fixed: dict[str, Any]) -> Any:
    from symconv.sweep.engine import Sweep
    from symconv.sweep.space import Space, read_axis

    if not args.grid:
        raise SymconvError("give the design space with --grid NAME=START:STOP:STEP or --grid NAME=V1,V2,...")
    axes = []
    for text in args.grid:
        try:
            axes.append(read_axis(text))
        except SymconvError as error:
            raise type(error)(f"--grid {error}") from None
    if args.sample is not None and args.sample < 1:
        raise SymconvError("--sample takes a positive number of points")
    if args.limit < 1:
        raise SymconvError("--limit takes a positive number of points")
    try:
        space = Space(tuple(axes), args.sample, args.seed, args.limit)
    except SymconvError as error:
        raise SymconvError(str(error).replace("raise the limit", "raise it with --limit POINTS")) from None
    pareto = None if args.pareto is None else tuple(name.strip() for name in args.pareto.split(","))
    if pareto is not None and len(pareto) != 2:
        raise SymconvError(f"--pareto {shown(args.pareto)}: name two counts, e.g. --pareto macs,params")
    try:
        return Sweep.build(evaluator, space, fixed=fixed, where=args.where, pareto=pareto)
    except SymconvError as error:
        raise type(error)(f"symconv sweep {shown(args.target)}: {error}") from None


def run(args: argparse.Namespace) -> int:
    from symconv.sweep.engine import run as sweep
    from symconv.sweep.progress import Progress
    from symconv.sweep.writers import format_of, writer_for

    if args.output is not None:
        format_of(args.output)
    plan = _plan(args, *_evaluator(args))
    # a bar on the terminal that also shows the rows would tear them: only when the rows go elsewhere
    shown_rows = args.output is None and sys.stdout.isatty()
    progress = Progress(plan.space.points, sys.stderr, enabled=False if args.quiet or shown_rows else None)
    kept = 0
    try:
        with writer_for(args.output, sys.stdout, plan.space, plan.evaluator.totals) as table:
            try:
                for rows in sweep(plan, engine=args.engine, scheduler=args.scheduler, progress=progress.update):
                    table.write(rows.indices, rows.totals)
                    kept += len(rows)
            finally:
                progress.close()
    except BrokenPipeError:
        # The reader (head, say) has all it wants: stop quietly, as a filter does, with the closed stdout
        # pointed at the null device so that the flush at exit finds nothing to complain of.
        with contextlib.suppress(AttributeError, OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if not args.quiet:
        print(f"symconv: {plan.space.points:,} points{_kept(plan, kept)}", file=sys.stderr)
    return 0


def _kept(plan: Any, kept: int) -> str:
    """``, 11 meet the constraints``: what the summary says of the points kept."""
    if plan.pareto is not None:
        among = " among those that meet the constraints" if plan.where else ""
        return f", {kept:,} on the Pareto front of {' and '.join(plan.pareto)}{among}"
    return f", {kept:,} meet the constraints" if plan.where else ""
