"""``symconv net FILE_OR_NAME``: a network's per-layer table and totals, and plots of its cost.

Bad input is one line on stderr and exit status 2 (:func:`symconv.cli.main` prints every
:class:`~symconv.errors.SymconvError`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import sympy

from symconv.cli import tools
from symconv.cli.options import memory_options, pass_options, read_device, read_grads, read_values, shown
from symconv.cli.tools import conventions
from symconv.errors import SymconvError
from symconv.network.fileformat import builtin, builtin_names, load
from symconv.network.graph import Network, analyse, count
from symconv.network.layers import CONVENTIONS, NetworkError
from symconv.network.tables import FORMATS, render, to_dict
from symconv.parsing import parse_text

__all__ = ["add_parser", "network", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("net", help="a network's per-layer counts and totals, from a network file or a built-in",
                       description="Per-layer table and totals of a network (docs/networks.md). Built in: "
                                   + ", ".join(builtin_names()) + ".")
    p.add_argument("network", metavar="FILE_OR_NAME", help="a network file (TOML) or a built-in network's name")
    p.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                   help="give a symbol of the network a value, e.g. --set alpha=3/4 --set rho=1")
    p.add_argument("--convention", **conventions(  # type: ignore[arg-type]
        "what 'flops' counts: exact = every operation (default), macs = the mult-adds of convolutions and fully "
        "connected layers (the papers' count), 2macs = 2 x macs"))
    tools.add_options(p)
    counted_options(p)
    p.add_argument("--format", default="table", choices=list(FORMATS), help="output format (default table)")
    p.add_argument("--plot", metavar="PATH", help="draw a quantity against --x to PATH (.png or .svg) instead")
    p.add_argument("--x", metavar="NAME=FROM:TO[:POINTS]", help="the symbol on the plot's x axis and its range "
                                                                  "(default 10 points), e.g. alpha=1/4:1")
    p.add_argument("--series", metavar="NAME=V1,V2,...", help="one line per value of this symbol")
    p.add_argument("--quantity", default="macs", choices=["params", "buffers", "mults", "adds", "macs", "flops"],
                   help="the plotted quantity (default macs)")
    p.set_defaults(run=run)


def counted_options(p: argparse.ArgumentParser) -> None:
    """The pass, its gradients, the memory and the device, and the training memory's budget (net, torch)."""
    pass_options(p, network=True)
    memory_options(p)
    p.add_argument("--budget", metavar="BYTES",
                   help="with --pass training: the largest batch whose training memory (parameters, gradients and "
                        "the tensors kept for the backward pass) fits BYTES, e.g. 16e9 or 16*2^30")
    p.add_argument("--roofline", metavar="PATH", help="with --device: also draw each layer on the device's roofline "
                                                      "to PATH (.png or .svg)")


def _bytes_per(net: Network, values: dict[str, sympy.Expr]) -> tuple[dict[str, sympy.Expr], sympy.Expr | None]:
    """The network's values, and ``B`` (bytes per element) when it is given and is not the network's own."""
    if "B" in values and "B" not in net.symbols:
        rest = dict(values)
        return rest, rest.pop("B")
    return values, None


def print_counted(net: Network, values: dict[str, sympy.Expr], args: argparse.Namespace,
                  extra: dict[str, Any] | None = None) -> None:
    """The network's pass (``--pass``, ``--grad``) in ``args.format``, with its memory (``--memory``,
    ``--device``, ``--budget``) and ``extra`` keys last in the JSON."""
    from symconv.network.passes import NETWORK_GRADS, count_pass
    from symconv.printing.network_memory import render_with_memory

    values, per = _bytes_per(net, values)
    if args.budget and args.pass_ != "training":
        raise NetworkError("--budget is the training memory's: give --pass training")
    if args.roofline and not args.device:
        raise NetworkError("--roofline draws the layers on a device's roofline: give --device too")
    if args.pass_ == "forward":
        read_grads(args)  # refuses --grad with a forward pass
        analysis: Any = count(net, values, args.convention)
    else:
        grads = NETWORK_GRADS if args.grad is None else read_grads(args)
        analysis = count_pass(net, values, args.convention, pass_=args.pass_, grad=grads)
    device = read_device(args)
    traffic = memory = budget = None
    if args.memory or device is not None:
        from symconv.network.memory import network_traffic

        traffic = network_traffic(analysis, per, device)
    if args.pass_ == "training":
        from symconv.network.memory import training_memory

        memory = training_memory(net, values, analysis.grads, per)
        budget = _budget(args.budget) if args.budget else None
    if args.roofline and traffic is not None:
        from symconv.network.plot import roofline_plot

        print(f"symconv: wrote {roofline_plot(traffic, args.roofline)}", file=sys.stderr)
    if traffic is None and memory is None:
        if extra is not None and args.format == "json":
            sys.stdout.write(json.dumps({**to_dict(analysis), **extra}, indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(render(analysis, args.format))
        return
    sys.stdout.write(render_with_memory(analysis, traffic, memory, args.format, budget, extra))


def network(name: str) -> Network:
    """A network file's network, or the built-in of that name."""
    path = Path(name)
    try:
        exists = path.exists()
    except OSError as error:  # a name no file system accepts (too long, say)
        raise NetworkError(f"{shown(name)}: not a file name ({error.strerror})") from None
    if path.suffix == ".toml" or exists:
        if not path.exists():
            raise NetworkError(f"{name}: no such network file")
        return load(path)
    return builtin(name)


#: The most points a plot draws along its x axis.
MAX_POINTS = 1000


def _range(text: str) -> tuple[str, list[sympy.Expr]]:
    name, _, spec = text.partition("=")
    parts = spec.split(":")
    if not name.strip() or len(parts) not in (2, 3):
        raise NetworkError(f"--x {text}: expected NAME=FROM:TO or NAME=FROM:TO:POINTS")
    start, stop = (parse_text(p) for p in parts[:2])
    count = parse_text(parts[2]) if len(parts) == 3 else sympy.Integer(10)
    if not (start.is_number and stop.is_number and count.is_Integer and 2 <= count <= MAX_POINTS):
        raise NetworkError(f"--x {text}: FROM and TO must be numbers, POINTS an integer from 2 to {MAX_POINTS}")
    step = (stop - start) / (count - 1)
    return name.strip(), [start + i * step for i in range(int(count))]


def _series(text: str) -> tuple[str, list[sympy.Expr]]:
    name, _, spec = text.partition("=")
    if not name.strip() or not spec:
        raise NetworkError(f"--series {text}: expected NAME=V1,V2,...")
    return name.strip(), [parse_text(v) for v in spec.split(",")]


def run(args: argparse.Namespace) -> int:
    if not args.plot:
        given = [flag for flag, value in (("--x", args.x), ("--series", args.series)) if value]
        if given:
            raise NetworkError(f"{given[0]} draws a plot: give --plot PATH too")
    net = network(args.network)
    values = read_values(args.values)
    if args.plot:
        from symconv.network.plot import plot

        if args.tools or args.convention not in CONVENTIONS:
            raise NetworkError("--plot draws the network's own counts: not with --tools or a tool's preset")
        if args.pass_ != "forward" or args.memory or args.device or args.budget:
            raise NetworkError("--plot draws the forward pass against --x: not with --pass, --memory, --device or "
                               "--budget (--roofline draws the layers on a device)")
        if not args.x:
            raise NetworkError("--plot needs --x NAME=FROM:TO[:POINTS]")
        x = _range(args.x)
        series = _series(args.series) if args.series else None
        fixed = {k: v for k, v in values.items() if k != x[0] and (series is None or k != series[0])}
        analysis = analyse(net, fixed, args.convention)
        path = plot(analysis, args.plot, args.quantity, x, series)
        print(f"symconv: wrote {path}", file=sys.stderr)
        return 0
    if refuse_presets(args) and tools.write(net, values, args):
        return 0
    print_counted(net, values, args)
    return 0


def refuse_presets(args: argparse.Namespace) -> bool:
    """Whether a tool's count is asked (``--tools``, a preset); refused with a pass, the memory or a budget."""
    asked = bool(args.tools) or args.convention not in CONVENTIONS
    if asked:
        given = [flag for flag, on in (("--pass", args.pass_ != "forward"), ("--memory", args.memory),
                                       ("--device", args.device), ("--budget", args.budget),
                                       ("--roofline", args.roofline)) if on]
        if given:
            raise NetworkError(f"{given[0]} counts in a convention, not with --tools or a tool's preset")
    return asked


def _budget(text: str) -> sympy.Expr:
    """``--budget``: a positive number of bytes, read exactly."""
    from symconv.memory import exact_number
    from symconv.network.memory import budget_bytes

    try:
        return budget_bytes(exact_number(text))
    except SymconvError as error:
        raise SymconvError(f"--budget {shown(text)}: {error}") from None
