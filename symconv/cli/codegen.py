"""``symconv codegen VARIANT``: a standalone Python module (numpy its only dependency) computing each count."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv.cli.options import pass_options, read_grads
from symconv.cli.variant import layers, variant_options
from symconv.errors import SymconvError
from symconv.passes import derive_pass

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("codegen", help="print a standalone Python module (numpy only) computing each count")
    variant_options(p)
    pass_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from symconv.codegen import module_for

    (layer,) = layers(args, args.variant)
    try:
        derivation = derive_pass(layer, args.convention, pass_=args.pass_, grad=read_grads(args), sizes=args.sizes)
        sys.stdout.write(module_for(derivation))
    except SymconvError as error:  # the library asks for numeric values; on the command line --set gives them
        raise type(error)(str(error).replace("numeric values", "numeric values with --set")) from None
    return 0
