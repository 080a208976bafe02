"""The ``symconv`` command: a thin layer over the library, one module per subcommand, each one library call
and one printer.

Bad input (an unknown variant or symbol, a malformed value, an impossible layer) is one line on stderr and
exit status 2; ``verify`` exits 1 when a closed form disagrees with the direct count.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from symconv import __version__
from symconv.cli import check, codegen, compare, derive, explain, net, sweep, symbols, torchmodel, verify
from symconv.cli.options import Parser, shown
from symconv.errors import SymconvError

__all__ = ["COMMANDS", "main"]

#: The subcommands, in the order ``--help`` lists them: each module adds its parser, which names its ``run``.
COMMANDS = (derive, verify, codegen, compare, symbols, check, net, torchmodel, explain, sweep)


def _parser() -> Parser:
    parser = Parser(prog="symconv", description="Derive, print and verify the parameter and FLOP counts of "
                                                "convolution layers, symbolically.")
    parser.add_argument("--version", action="version", version=f"symconv {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SymconvError as error:
        print(f"symconv: error: {shown(str(error), 400)}", file=sys.stderr)
        return 2
