"""``symconv check FORMULA``: does a claimed formula equal the count symconv derives?

Exit status 0 when the claim holds, 1 when it does not (the difference, the smallest counterexample and the
condition where it does hold are printed), 2 for input that cannot be read (one line on stderr saying what and
where), 3 when the check is undecided within its time bound.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from symconv import variants
from symconv.check import DEFAULT_TIMEOUT, CheckRequest, check_count
from symconv.check.notations import NOTATIONS
from symconv.check.timing import TimeUp, check_timeout, time_limit
from symconv.cli.options import layer_options, read_aliases, read_values
from symconv.errors import FormulaError, SymconvError
from symconv.limits import MAX_TIMEOUT
from symconv.printing.check import result_dict, result_text
from symconv.quantities import LAYER

__all__ = ["EXIT", "add_parser", "run"]

#: The exit status of each verdict.
EXIT = {"holds": 0, "fails": 1, "undecided": 3}


def add_parser(sub: Any) -> None:
    """Add ``check`` to the ``symconv`` subcommands."""
    p = sub.add_parser("check", help="check a claimed formula against the derived count (exit 0 holds, "
                                     "1 does not, 2 unreadable, 3 undecided)",
                       description="Check a claimed formula against the count symconv derives: exit 0 when it "
                                   "holds, 1 when it does not (with the difference, the smallest counterexample "
                                   "and where it holds), 2 for input that cannot be read, 3 when undecided.")
    p.add_argument("formula", metavar="FORMULA", help="the claimed formula, as text (2*k^2*C_in*C_out) or "
                                                      r"LaTeX (2k^2 \cdot C_{in} \cdot C_{out})")
    p.add_argument("--variant", required=True, help=f"one of: {', '.join(variants.VARIANTS)}")
    p.add_argument("--quantity", required=True, choices=LAYER, help="the count the formula claims")
    p.add_argument("--versus", metavar="OTHER", help="check the ratio VARIANT / OTHER instead")
    layer_options(p)
    p.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                   help="put a value or expression in for a symbol, on both sides (--set k_h=k --set N=1)")
    p.add_argument("--let", dest="aliases", action="append", default=[], metavar="ALIAS=EXPR",
                   help="read a name of the formula as an expression in symconv's names (--let D_K=k "
                        "--let M=C_in); an alias may shadow a symconv name (--let N=C_out)")
    p.add_argument("--free", action="append", default=[], metavar="NAME",
                   help="a name of the formula that is neither symconv's nor given by --set or --let, kept as a "
                        "free positive integer (otherwise such a name is refused as a typo)")
    p.add_argument("--notation", choices=sorted(NOTATIONS),
                   help="a paper's names and assumptions, applied before --let and --set")
    p.add_argument("--syntax", default="auto", choices=["auto", "text", "latex"],
                   help="how to read FORMULA (default auto: LaTeX when it has \\, { or $)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds the check may take (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--grid", action="store_true",
                   help="when the claim holds, also prove the derived count against the direct count")
    p.add_argument("--format", default="text", choices=["text", "json"], help="output format (default text)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``symconv check``; returns the exit status."""
    try:
        timeout = check_timeout(args.timeout)
    except SymconvError:
        raise SymconvError(f"--timeout must be a positive number of seconds, at most {MAX_TIMEOUT:g}") from None
    if args.variant not in variants.VARIANTS or (args.versus and args.versus not in variants.VARIANTS):
        bad = args.variant if args.variant not in variants.VARIANTS else args.versus
        raise SymconvError(f"unknown variant {bad!r} (known: {', '.join(variants.VARIANTS)})")
    values, aliases = read_values(args.values), read_aliases(args.aliases)
    try:
        # Reading, deciding and printing, all within the one bound; the check leaves a tenth of it for printing.
        with time_limit(timeout):
            verdict = check_count(args.formula, args.variant, args.quantity, versus=args.versus,
                                  convention=args.convention, bias=args.bias, dims=args.dims, values=values,
                                  aliases=aliases, notation=args.notation, syntax=args.syntax, timeout=0.9 * timeout,
                                  grid=args.grid, free=args.free)
            text = (json.dumps(result_dict(verdict, _request(args)), indent=2) + "\n" if args.format == "json"
                    else result_text(verdict, _request(args)))
    except FormulaError as error:
        raise FormulaError(f"FORMULA: {error}") from None
    except TimeUp:
        print(f"symconv: the check did not finish within the time bound ({timeout:g} s): undecided",
              file=sys.stderr)
        return EXIT["undecided"]
    sys.stdout.write(text)
    return EXIT[verdict.status]


def _request(args: argparse.Namespace) -> CheckRequest:
    """What ``symconv check`` was asked, as the printers take it: the options as given."""
    return CheckRequest(formula=args.formula, variant=args.variant, quantity=args.quantity, versus=args.versus,
                        convention=args.convention, dims=args.dims, bias=args.bias, notation=args.notation,
                        values=tuple(args.values), aliases=tuple(args.aliases))
