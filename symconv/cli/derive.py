"""``symconv derive VARIANT``: the counts of a variant, step by step, in one pass (``--pass``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv.cli.options import (
    memory_options,
    output_options,
    pass_options,
    print_options,
    read_grads,
    read_values,
    shown,
)
from symconv.cli.variant import SETTABLE, layers, variant_options
from symconv.conventions import Convention
from symconv.errors import SymconvError
from symconv.passes import derive_pass
from symconv.printing import render, render_with_memory
from symconv.quantities import FURTHER, LAYER

#: The counts ``--quantity`` prints: the closed forms, the further counts and FLOPs in every convention.
QUANTITIES = (*LAYER, *FURTHER, *(f"flops_{c.value}" for c in Convention))

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("derive", help="derive the counts of a variant, step by step")
    variant_options(p)
    pass_options(p)
    memory_options(p)
    output_options(p, QUANTITIES)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    (layer,) = layers(args, args.variant)
    derivation = derive_pass(layer, args.convention, pass_=args.pass_, grad=read_grads(args), sizes=args.sizes)
    if not (args.memory or args.device):
        sys.stdout.write(render(derivation, args.format, **print_options(args)))
        return 0
    from symconv.memory import Device, traffic

    device = None
    if args.device:
        try:
            device = Device.parse(args.device)
        except SymconvError as error:
            raise SymconvError(f"--device {shown(args.device)}: {error}") from None
    per = read_values(args.values, known=SETTABLE).get("B")
    sys.stdout.write(render_with_memory(derivation, traffic(derivation, per, device), args.format,
                                        **print_options(args)))
    return 0
