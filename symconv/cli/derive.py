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
    read_device,
    read_grads,
    read_values,
)
from symconv.cli.variant import SETTABLE, layers, variant_options
from symconv.conventions import BACKWARD, Convention
from symconv.conventions import PRESETS as PASS_PRESETS
from symconv.derive import derive
from symconv.errors import SymconvError
from symconv.passes import Pass, derive_pass
from symconv.printing import render, render_with_memory
from symconv.quantities import FURTHER, LAYER

#: The counts ``--quantity`` prints: the closed forms, the further counts and FLOPs in every convention.
QUANTITIES = (*LAYER, *FURTHER, *(f"flops_{c.value}" for c in Convention))

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("derive", help="derive the counts of a variant, step by step")
    variant_options(p, presets=True)
    pass_options(p)
    memory_options(p)
    output_options(p, QUANTITIES)
    p.set_defaults(run=run)


#: The conventions a derivation counts in; any other --convention is a tool's preset.
CONVENTIONS = tuple(c.value for c in Convention)


def run(args: argparse.Namespace) -> int:
    (layer,) = layers(args, args.variant)
    backward_preset = args.convention in PASS_PRESETS and args.pass_ != Pass.FORWARD.value
    if args.convention not in CONVENTIONS and not backward_preset:
        return run_preset(args, layer)
    derivation = derive_pass(layer, args.convention, pass_=args.pass_, grad=read_grads(args), sizes=args.sizes)
    if not (args.memory or args.device):
        sys.stdout.write(render(derivation, args.format, **print_options(args)))
        return 0
    from symconv.memory import traffic

    device = read_device(args)
    per = read_values(args.values, known=SETTABLE).get("B")
    sys.stdout.write(render_with_memory(derivation, traffic(derivation, per, device), args.format,
                                        **print_options(args)))
    return 0


def run_preset(args: argparse.Namespace, layer: Any) -> int:
    """A forward derivation followed by a tool preset's count of it (``--convention PRESET``)."""
    if args.pass_ != Pass.FORWARD.value:
        raise SymconvError(f"the preset {args.convention!r} counts the forward pass; a backward pass or a training "
                           f"step is counted in {', '.join(c.value for c in BACKWARD)} or flopcounter")
    if args.memory or args.device:
        raise SymconvError(f"--memory and --device count in a convention, not in the preset {args.convention!r}")
    from symconv.presets import count_derivation
    from symconv.printing.presets import render_derivation

    derivation = derive(layer, "exact", sizes=args.sizes)
    sys.stdout.write(render_derivation(derivation, count_derivation(derivation, args.convention), args.format,
                                       **print_options(args)))
    return 0
