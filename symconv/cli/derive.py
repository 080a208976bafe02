"""``symconv derive VARIANT``: the counts of a variant, step by step."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv.cli.options import output_options, print_options
from symconv.cli.variant import layers, variant_options
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.printing import render
from symconv.quantities import FURTHER, LAYER

#: The counts ``--quantity`` prints: the closed forms, the further counts and FLOPs in every convention.
QUANTITIES = (*LAYER, *FURTHER, *(f"flops_{c.value}" for c in Convention))

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("derive", help="derive the counts of a variant, step by step")
    variant_options(p)
    output_options(p, QUANTITIES)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    (layer,) = layers(args, args.variant)
    sys.stdout.write(render(derive(layer, args.convention, sizes=args.sizes), args.format, **print_options(args)))
    return 0
