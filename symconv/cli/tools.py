"""What ``symconv net`` and ``symconv torch`` print under a tool's preset (``--convention fvcore``) and with
``--tools`` (every tool's number beside the exact count): the options they share and the printing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping

import sympy

from symconv.cli.options import PRESETS_HELP, Choices
from symconv.network.graph import Network, count
from symconv.network.layers import CONVENTIONS
from symconv.network.tables import to_dict

__all__ = ["add_options", "conventions", "write"]


def conventions(help_text: str) -> dict[str, object]:
    """The ``--convention`` option of a network: its conventions and the tool presets."""
    return {"default": "exact", "choices": Choices(CONVENTIONS), "metavar": "CONVENTION",
            "help": help_text + PRESETS_HELP}


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tools", action="store_true",
                        help="print what every counting tool reports for the network, its difference to the exact "
                             "count and why, by layer type (docs/presets.md)")


def write(network: Network, values: Mapping[str, sympy.Expr], args: argparse.Namespace,
          extra: Mapping[str, object] | None = None) -> bool:
    """Print the network under a preset or with ``--tools``, ``extra`` added to the JSON; False when neither
    is asked (the caller prints the plain analysis)."""
    from symconv.presets import compare
    from symconv.presets import count as tool_count
    from symconv.printing.presets import render, with_preset
    from symconv.printing.tools import render_comparison

    if args.tools:
        sys.stdout.write(render_comparison(compare(network, values or None), args.format))
        return True
    if args.convention in CONVENTIONS:
        return False
    analysis = count(network, values, "exact")
    tool = tool_count(network, args.convention, values or None)
    if args.format == "json":
        closed = tool_count(network, args.convention) if values and analysis.closed is not None else None
        data = {**with_preset(to_dict(analysis), tool, closed), **(extra or {})}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render(tool, args.format, analysis))
    return True
