"""The ``symconv`` command: a thin layer over the library, one library call per subcommand.

Bad input (an unknown variant or symbol, a malformed value, an impossible layer) is one line on stderr and
exit status 2; ``verify`` exits 1 when a closed form disagrees with the direct count.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, Protocol

import sympy

from symconv import __version__, variants
from symconv.compare import compare
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.errors import SymconvError, UnknownSymbolError
from symconv.parsing import parse_assignment
from symconv.printing import FORMATS, render
from symconv.quantities import LAYER
from symconv.spec import PADDING_MODES
from symconv.symbols import TABLE, names_for_dims
from symconv.variants import Layer

__all__ = ["main"]

#: Per-group channel counts are derived, never set: C_in_g is C_in/g.
_DERIVED_NAMES = {"C_in_g", "C_out_g"}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def layer_options(parser: argparse.ArgumentParser) -> None:
    """``--dims``, ``--bias``/``--no-bias`` and ``--convention``: the options of every command about a layer."""
    parser.add_argument("--dims", type=int, choices=(1, 2, 3), default=2, help="spatial dimensions (default 2)")
    bias = parser.add_mutually_exclusive_group()
    bias.add_argument("--bias", dest="bias", action="store_const", const=True, default=None,
                      help="every stage has a bias (b = 1)")
    bias.add_argument("--no-bias", dest="bias", action="store_const", const=False,
                      help="no stage has a bias (b = 0); without either flag b stays a symbol")
    parser.add_argument("--convention", default="exact", choices=[c.value for c in Convention],
                        help="what 'flops' counts: exact = mults + adds (default), macs, 2macs = 2 x macs, "
                             "input-grid / output-grid = the macs of a transposed convolution on its input / "
                             "output grid, performed = mults + adds skipping the zeros of the padding")


def _common(parser: argparse.ArgumentParser, *, variant: bool = True) -> None:
    if variant:
        parser.add_argument("variant", metavar="VARIANT", help=f"one of: {', '.join(variants.VARIANTS)}")
    layer_options(parser)
    parser.add_argument("--padding", choices=list(PADDING_MODES), default=None,
                        help="a padding mode instead of p_*: valid (none), same (PyTorch's rule, stride 1, the "
                             "extra one at the end), full")
    parser.add_argument("--sizes", choices=("output", "input"), default="output",
                        help="write the counts in the output sizes (default) or in the input sizes (floor forms)")
    parser.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                        help="give a symbol an integer or an expression, e.g. --set k_h=k --set N=1 "
                             "(names: 'symconv symbols')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symconv", description="Derive, print and verify the parameter and FLOP counts of "
                                                 "convolution layers, symbolically.")
    parser.add_argument("--version", action="version", version=f"symconv {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("derive", help="derive the counts of a variant, step by step")
    _common(p)
    p.add_argument("--format", default="text", choices=list(FORMATS), help="output format (default text)")

    p = sub.add_parser("verify", help="prove the closed forms against a direct count (exit 1 if they disagree)")
    _common(p)
    p.add_argument("--samples", type=int, default=20, help="random configurations to check (default 20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random configurations (default 0)")
    p.add_argument("--format", default="text", choices=["text", "json"], help="output format (default text)")

    p = sub.add_parser("codegen", help="print a standalone Python module (numpy only) computing each count")
    _common(p)

    p = sub.add_parser("compare", help="the ratio (or difference) of each count of two variants")
    p.add_argument("left", metavar="VARIANT", help=f"one of: {', '.join(variants.VARIANTS)}")
    p.add_argument("right", metavar="OTHER", help="the variant to compare against")
    _common(p, variant=False)
    p.add_argument("--difference", action="store_true", help="print left - right instead of left / right")
    p.add_argument("--quantity", action="append", choices=LAYER, dest="quantities",
                   help="compare only this count (repeatable; default all)")
    p.add_argument("--format", default="text", choices=list(FORMATS), help="output format (default text)")

    p = sub.add_parser("symbols", help="list the documented symbol names")
    p.add_argument("--dims", type=int, choices=(1, 2, 3), default=2, help="spatial dimensions (default 2)")
    for command in _commands():
        command.add_parser(sub)
    return parser


class Command(Protocol):
    """A subcommand defined in its own module: ``add_parser(sub)`` adds it (with ``set_defaults(run=...)``
    naming the function that runs it: ``run(args) -> int``)."""

    def add_parser(self, sub: Any) -> None: ...


def _commands() -> list[Command]:
    """The subcommands that live in their own modules, in the order ``--help`` lists them."""
    from symconv import check_cli
    from symconv.network import cli as network_cli

    return [check_cli, network_cli]


def _shown(text: str, limit: int = 80) -> str:
    """Text as an error message quotes it: long input cut, so that the message stays one readable line."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _values(assignments: Sequence[str]) -> dict[str, sympy.Expr]:
    values: dict[str, sympy.Expr] = {}
    for text in assignments:
        try:
            name, expr = parse_assignment(text)
        except SymconvError as error:
            raise type(error)(f"--set {_shown(text)}: {error}") from None
        if name not in TABLE or name in _DERIVED_NAMES:
            hint = " (C_in_g and C_out_g follow from C_in, C_out and g)" if name in _DERIVED_NAMES else ""
            raise UnknownSymbolError(f"--set {text}: {name!r} is not a symbol that can be set{hint}; "
                                     "'symconv symbols' lists them")
        values[name] = expr
    return values


def _layers(args: argparse.Namespace, *names: str) -> list[Layer]:
    """The layers of the named variants, with a note on stderr for a --set name that none of them uses."""
    values = _values(args.values)
    padding = getattr(args, "padding", None)
    layers = [variants.make(variant, args.dims, values, args.bias, padding=padding) for variant in names]
    unused = sorted(name for name in values if not any(_uses(v, args.dims, name) for v in names))
    if unused:
        print(f"symconv: note: {' and '.join(names)} ({args.dims}-D) {'do' if len(names) > 1 else 'does'} not "
              f"use {', '.join(unused)}; setting it changes nothing", file=sys.stderr)
    return layers


def _uses(variant: str, dims: int, name: str) -> bool:
    from symconv.symbols import sym

    # Setting a name to itself shows whether the layer reads it (pe_a exists only once it is set).
    return sym(name) in variants.make(variant, dims, {name: sym(name)}).free_symbols


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and (done == total or done % max(1, total // 50) == 0):
        end = "\n" if done == total else ""
        print(f"\rgrid proof: {done}/{total} points", end=end, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    if getattr(args, "run", None) is not None:
        return int(args.run(args))
    if args.command == "symbols":
        for name in names_for_dims(args.dims):
            row = TABLE[name]
            domain = {"flag": "0 or 1", "nonnegative": "integer >= 0", "positive": "integer >= 1"}[row.domain]
            print(f"{name:8} {row.meaning} ({domain})")
        return 0
    convention = Convention.parse(args.convention)
    if args.command == "compare":
        left, right = (derive(layer, convention, sizes=args.sizes) for layer in _layers(args, args.left, args.right))
        comparison = compare(left, right, kind="difference" if args.difference else "ratio",
                             quantities=args.quantities or LAYER)
        sys.stdout.write(render(comparison, args.format))
        return 0
    (layer,) = _layers(args, args.variant)
    if args.command == "derive":
        sys.stdout.write(render(derive(layer, convention, sizes=args.sizes), args.format))
        return 0
    if args.command == "codegen":
        from symconv.codegen import module_for

        try:
            sys.stdout.write(module_for(derive(layer, convention, sizes=args.sizes)))
        except SymconvError as error:  # the library asks for numeric values; on the command line --set gives them
            raise type(error)(str(error).replace("numeric values", "numeric values with --set")) from None
        return 0
    if args.command == "verify":
        from symconv.verify import verify_layer

        if args.samples < 0:
            raise SymconvError("--samples must be 0 or more")
        report = verify_layer(layer, convention, samples=args.samples, seed=args.seed, progress=_progress,
                              sizes=args.sizes)
        sys.stdout.write(_report(report, args.format))
        return 0 if report.ok else 1
    raise AssertionError(args.command)


def _report(report, fmt: str) -> str:  # type: ignore[no-untyped-def]
    from symconv.verify import report_dict, report_text

    if fmt == "json":
        return json.dumps(report_dict(report), indent=2) + "\n"
    return report_text(report)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SymconvError as error:
        print(f"symconv: error: {_shown(str(error), 400)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
