"""``symconv codegen VARIANT``: a standalone Python module (numpy its only dependency) computing each count."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv.cli.variant import layers, variant_options
from symconv.derive import derive
from symconv.errors import SymconvError

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("codegen", help="print a standalone Python module (numpy only) computing each count")
    variant_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from symconv.codegen import module_for

    (layer,) = layers(args, args.variant)
    try:
        sys.stdout.write(module_for(derive(layer, args.convention, sizes=args.sizes)))
    except SymconvError as error:  # the library asks for numeric values; on the command line --set gives them
        raise type(error)(str(error).replace("numeric values", "numeric values with --set")) from None
    return 0
