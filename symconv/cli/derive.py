"""``symconv derive VARIANT``: the counts of a variant, step by step."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv.cli.variant import layers, variant_options
from symconv.derive import derive
from symconv.printing import FORMATS, render

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("derive", help="derive the counts of a variant, step by step")
    variant_options(p)
    p.add_argument("--format", default="text", choices=list(FORMATS), help="output format (default text)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    (layer,) = layers(args, args.variant)
    sys.stdout.write(render(derive(layer, args.convention, sizes=args.sizes), args.format))
    return 0
