"""``symconv derive VARIANT``: the counts of a variant, step by step."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv.cli.variant import layers, variant_options
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.printing import FORMATS, render

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("derive", help="derive the counts of a variant, step by step")
    variant_options(p, presets=True)
    p.add_argument("--format", default="text", choices=list(FORMATS), help="output format (default text)")
    p.set_defaults(run=run)


#: The conventions a derivation counts in; any other --convention is a tool's preset.
CONVENTIONS = tuple(c.value for c in Convention)


def run(args: argparse.Namespace) -> int:
    (layer,) = layers(args, args.variant)
    if args.convention not in CONVENTIONS:
        from symconv.presets import count_derivation
        from symconv.printing.presets import render_derivation

        derivation = derive(layer, "exact", sizes=args.sizes)
        sys.stdout.write(render_derivation(derivation, count_derivation(derivation, args.convention), args.format))
        return 0
    sys.stdout.write(render(derive(layer, args.convention, sizes=args.sizes), args.format))
    return 0
