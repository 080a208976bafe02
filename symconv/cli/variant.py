"""The options of the commands about a layer variant (derive, verify, codegen, compare), and the layers
they name.
"""

from __future__ import annotations

import argparse
import sys

from symconv import variants
from symconv.cli.options import DERIVED, layer_options, read_values
from symconv.geometry import PADDING_MODES
from symconv.symbols import TABLE, sym
from symconv.variants import Layer

__all__ = ["SETTABLE", "layers", "variant_options"]

#: The names ``--set`` takes on the commands about a variant.
SETTABLE = tuple(name for name in TABLE if name not in DERIVED)


def variant_options(parser: argparse.ArgumentParser, *, variant: bool = True, presets: bool = False) -> None:
    """The variant (unless the command names two), the layer options (``--convention`` with the tool
    presets where ``presets``), ``--padding``, ``--sizes`` and ``--set``."""
    if variant:
        parser.add_argument("variant", metavar="VARIANT", help=f"one of: {', '.join(variants.VARIANTS)}")
    layer_options(parser, presets)
    parser.add_argument("--padding", choices=list(PADDING_MODES), default=None,
                        help="a padding mode instead of p_*: valid (none), same (PyTorch's rule, stride 1, the "
                             "extra one at the end), full")
    parser.add_argument("--sizes", choices=("output", "input"), default="output",
                        help="write the counts in the output sizes (default) or in the input sizes (floor forms)")
    parser.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                        help="give a symbol an integer or an expression, e.g. --set k_h=k --set N=1 "
                             "(names: 'symconv symbols')")


def layers(args: argparse.Namespace, *names: str) -> list[Layer]:
    """The layers of the named variants, with a note on stderr for a --set name that none of them uses."""
    values = read_values(args.values, known=SETTABLE)
    padding = getattr(args, "padding", None)
    made = [variants.make(variant, args.dims, values, args.bias, padding=padding) for variant in names]
    # B, the bytes per element, belongs to the memory traffic (--memory), not to the layer.
    unused = sorted(name for name in values if name != "B" and not any(_uses(v, args.dims, name) for v in names))
    if unused:
        print(f"symconv: note: {' and '.join(names)} ({args.dims}-D) {'do' if len(names) > 1 else 'does'} not "
              f"use {', '.join(unused)}; setting it changes nothing", file=sys.stderr)
    return made


def _uses(variant: str, dims: int, name: str) -> bool:
    # Setting a name to itself shows whether the layer reads it (pe_a exists only once it is set).
    return sym(name) in variants.make(variant, dims, {name: sym(name)}).free_symbols
