"""``symconv verify VARIANT``: the closed forms proven against a direct count (exit 1 if they disagree)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from symconv.cli.options import pass_options, read_grads
from symconv.cli.variant import layers, variant_options
from symconv.errors import SymconvError
from symconv.limits import MAX_SAMPLES

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("verify", help="prove the closed forms against a direct count (exit 1 if they disagree)")
    variant_options(p)
    pass_options(p)
    p.add_argument("--samples", type=int, default=20, help="random configurations to check (default 20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random configurations (default 0)")
    p.add_argument("--format", default="text", choices=["text", "json"], help="output format (default text)")
    p.set_defaults(run=run)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and (done == total or done % max(1, total // 50) == 0):
        end = "\n" if done == total else ""
        print(f"\rgrid proof: {done}/{total} points", end=end, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from symconv.printing.verify import verification_dict, verification_text
    from symconv.verify import verify_layer

    if not 0 <= args.samples <= MAX_SAMPLES:
        raise SymconvError(f"--samples must be from 0 to {MAX_SAMPLES:,}")
    (layer,) = layers(args, args.variant)
    report = verify_layer(layer, args.convention, samples=args.samples, seed=args.seed, progress=_progress,
                          sizes=args.sizes, pass_=args.pass_, grad=read_grads(args))
    if args.format == "json":
        sys.stdout.write(json.dumps(verification_dict(report), indent=2) + "\n")
    else:
        sys.stdout.write(verification_text(report))
    return 0 if report.ok else 1
