"""``symconv torch TARGET --input SHAPE``: a PyTorch model's per-layer table and totals, as ``symconv net``
prints a network's, symbolic in the input's named sizes (docs/torch.md).

torch is imported only when the command runs: ``symconv`` itself starts without it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from symconv.cli import tools
from symconv.cli.net import counted_options, print_counted, refuse_presets
from symconv.cli.options import read_values
from symconv.cli.tools import conventions
from symconv.errors import SymconvError
from symconv.network.tables import FORMATS

__all__ = ["add_parser", "run"]

UNKNOWN = ("error", "count")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("torch", help="a PyTorch model's per-layer counts and totals, symbolic in its input sizes",
                       description="Trace a PyTorch model (torch.fx), map each operation to a symconv layer and "
                                   "count it as 'symconv net' counts a network (docs/torch.md). Needs torch.")
    p.add_argument("target", metavar="TARGET",
                   help="package.module:callable or path/to/file.py:callable, called with no arguments to build "
                        "the model")
    p.add_argument("--input", required=True, metavar="SHAPE",
                   help="the input's shape, dimensions joined by x, each an integer or a name (a positive integer "
                        "symbol): 1x3x224x224, Nx3xHxW, 1x3xTxHxW")
    p.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                   help="give a size of the input a value, e.g. --set H=224 --set W=224")
    p.add_argument("--convention", **conventions(  # type: ignore[arg-type]
        "what 'flops' counts: exact = every operation (default), macs = the multiply-accumulates of convolutions, "
        "linear layers and matrix products (FlopCounterMode's total / 2), 2macs = 2 x macs"))
    tools.add_options(p)
    counted_options(p)
    p.add_argument("--format", default="table", choices=list(FORMATS), help="output format (default table)")
    p.add_argument("--write-net", metavar="FILE", help="also write the traced network as a network file (TOML), "
                                                       "which 'symconv net FILE' counts alike")
    p.add_argument("--unknown", default="error", choices=UNKNOWN,
                   help="an operation with no symconv layer: error (default: one line naming it and its module "
                        "path, exit 2) or count (an unknown row that counts nothing, listed after the table)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SymconvError("symconv torch needs PyTorch: pip install torch (from a clone: "
                           "pip install '.[torch]')") from None
    from symconv.network.writer import write
    from symconv.torch import UnsupportedOperation, convert, load_model

    model = load_model(args.target)
    try:
        converted = convert(model, args.input, args.unknown)
    except UnsupportedOperation as error:
        raise SymconvError(f"{error}; --unknown count counts it as an unknown row instead") from None
    network = converted.network
    if args.write_net:
        write(network, args.write_net)
        print(f"symconv: wrote {args.write_net}", file=sys.stderr)
    values = read_values(args.values, known=(*network.symbols, "B"), hint=f"the input {args.input} names them")
    unknown = [{"name": u.row, "op": u.op, "reason": u.reason} for u in converted.unknown]
    if refuse_presets(args) and tools.write(network, values, args, {"unknown": unknown}):
        _note(unknown)
        return 0
    print_counted(network, values, args, {"unknown": unknown})
    if args.format == "json":
        return 0
    if unknown and args.format == "table":
        sys.stdout.write("\nCounted as unknown (no counts):\n"
                         + "".join(f"  {u['name']}: {u['reason']}\n" for u in unknown))
    else:
        _note(unknown)
    return 0


def _note(unknown: list[dict[str, str]]) -> None:
    if unknown:
        print("symconv: counted as unknown (no counts): " + ", ".join(f"{u['name']} ({u['op']})" for u in unknown),
              file=sys.stderr)
