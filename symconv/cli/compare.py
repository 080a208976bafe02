"""``symconv compare VARIANT OTHER``: the ratio (or difference) of each count of two variants."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv import variants
from symconv.cli.options import output_options, print_options
from symconv.cli.variant import layers, variant_options
from symconv.compare import compare
from symconv.derive import derive
from symconv.printing import render
from symconv.quantities import LAYER

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("compare", help="the ratio (or difference) of each count of two variants")
    p.add_argument("left", metavar="VARIANT", help=f"one of: {', '.join(variants.VARIANTS)}")
    p.add_argument("right", metavar="OTHER", help="the variant to compare against")
    variant_options(p, variant=False)
    p.add_argument("--difference", action="store_true", help="print left - right instead of left / right")
    output_options(p, LAYER)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    left, right = (derive(layer, args.convention, sizes=args.sizes) for layer in layers(args, args.left, args.right))
    comparison = compare(left, right, kind="difference" if args.difference else "ratio",
                         quantities=args.quantities or LAYER)
    sys.stdout.write(render(comparison, args.format, **{**print_options(args), "quantities": None}))
    return 0
