"""``symconv codegen VARIANT``: a standalone Python module (numpy its only dependency) computing each count;
``symconv codegen --net FILE_OR_NAME``: the same for a network's totals, its symbols the arguments."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv import variants
from symconv.cli.net import network
from symconv.cli.options import pass_options, read_grads
from symconv.cli.variant import layers, variant_options
from symconv.errors import SymconvError
from symconv.passes import derive_pass

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("codegen", help="print a standalone Python module (numpy only) computing each count")
    p.add_argument("variant", metavar="VARIANT", nargs="?", help=f"one of: {', '.join(variants.VARIANTS)}")
    p.add_argument("--net", metavar="FILE_OR_NAME",
                   help="a network file (TOML) or a built-in network instead of a variant: one function per total, "
                        "its arguments the network's symbols")
    variant_options(p, variant=False)
    pass_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from symconv.codegen import module_for

    if args.net is not None:
        return _network(args)
    if args.variant is None:
        raise SymconvError("codegen needs a VARIANT or --net FILE_OR_NAME")
    (layer,) = layers(args, args.variant)
    try:
        derivation = derive_pass(layer, args.convention, pass_=args.pass_, grad=read_grads(args), sizes=args.sizes)
        sys.stdout.write(module_for(derivation))
    except SymconvError as error:  # the library asks for numeric values; on the command line --set gives them
        raise type(error)(str(error).replace("numeric values", "numeric values with --set")) from None
    return 0


def _network(args: argparse.Namespace) -> int:
    from symconv.codegen.network import network_source

    if args.variant is not None:
        raise SymconvError(f"codegen: give a VARIANT or --net, not both ({args.variant} and --net {args.net})")
    given = [flag for flag, used in (("--set", args.values), ("--padding", args.padding),
                                     ("--sizes input", args.sizes != "output")) if used]
    if given:
        raise SymconvError(f"codegen --net: {given[0]} belongs to a variant; a network's symbols are the "
                           "arguments of its functions")
    sys.stdout.write(network_source(network(args.net)))
    return 0
