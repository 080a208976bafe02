"""``symconv explain TARGET NUMBER [NUMBER ...]``: which conventions and tool presets reproduce numbers
reported for a model (a PyTorch model, a network file or built-in network, or a layer variant), and the gap
between two of them, layer type by layer type (docs/presets.md)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

import sympy

from symconv import variants
from symconv.cli.options import read_values
from symconv.errors import SymconvError
from symconv.network.graph import Network

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("explain", help="which conventions and tool presets reproduce a reported number",
                       description="For each NUMBER (a paper's, a README's, a tool's: 14336, 4.09G, 569M), the "
                                   "conventions and counting tools' presets that reproduce it for the model, at its "
                                   "input or at another batch or input size, or the nearest; for two numbers, the gap "
                                   "between them by layer type (docs/presets.md).")
    p.add_argument("target", metavar="TARGET",
                   help="a PyTorch model (package.module:callable or path/to/file.py:callable), a network file or "
                        f"built-in network, or a layer variant ({', '.join(variants.VARIANTS)})")
    p.add_argument("numbers", nargs="+", metavar="NUMBER", help="a reported number: 14336, 14,336, 4.09G, 569M, 1.2e9")
    p.add_argument("--input", metavar="SHAPE", help="the input's shape, batch first (1x3x224x224): needed for a "
                                                    "PyTorch model; for a variant, N x C_in x its sizes")
    p.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                   help="give a symbol a value: a network's (alpha=1), a variant's (k_h=3), an input size's")
    bias = p.add_mutually_exclusive_group()
    bias.add_argument("--bias", dest="bias", action="store_const", const=True, default=None,
                      help="a variant's stages have a bias")
    bias.add_argument("--no-bias", dest="bias", action="store_const", const=False, help="they have none")
    p.add_argument("--padding", choices=("valid", "same", "full"), help="a variant's padding mode")
    p.add_argument("--format", default="text", choices=("text", "json"), help="output format (default text)")
    p.set_defaults(run=run)


def _variant(args: argparse.Namespace) -> tuple[Network, dict[str, sympy.Expr], str]:
    from symconv.network.variant import network_of
    from symconv.symbols import axes

    values = read_values(args.values)
    dims = 2
    given: dict[str, sympy.Expr] = {}
    if args.input:
        parts = [p for p in args.input.replace("×", "x").split("x")]
        if len(parts) < 3 or not all(p.isdigit() for p in parts):
            raise SymconvError(f"--input {args.input}: a variant's input is N x C_in x its sizes, in integers")
        dims = len(parts) - 2
        given = {"N": sympy.Integer(parts[0])}
        values |= {"C_in": sympy.Integer(parts[1]),
                   **{f"{a.upper()}_in": sympy.Integer(n) for a, n in zip(axes(dims), parts[2:], strict=True)}}
    given.setdefault("N", values.pop("N", sympy.Integer(1)))
    layer = variants.make(args.target, dims, values, args.bias, padding=args.padding)
    shape = "x".join(["N", *(str(v) for v in (layer.stages[0].conv.in_channels, *layer.stages[0].conv.in_size))])
    return network_of(layer), given, shape


def _torch(args: argparse.Namespace) -> tuple[Network, dict[str, sympy.Expr], str]:
    try:
        import torch  # noqa: F401
    except ImportError:
        raise SymconvError("explaining a PyTorch model needs PyTorch: pip install torch (from a clone: "
                           "pip install '.[torch]')") from None
    from symconv.torch import convert, load_model, parse_input

    if not args.input:
        raise SymconvError("a PyTorch model needs --input SHAPE (1x3x224x224)")
    spec = parse_input(args.input)
    dims = [str(d) for d in spec.dims]
    given: dict[str, sympy.Expr] = {}
    if dims[0].isdigit():
        given["N"], dims[0] = sympy.Integer(dims[0]), "N"
    spatial = dims[2:]
    if spatial and all(d.isdigit() for d in spatial) and len(set(spatial)) == 1:
        given["S"] = sympy.Integer(spatial[0])
        dims[2:] = ["S"] * len(spatial)
    shape = "x".join(dims)
    network = convert(load_model(args.target), shape).network
    network = replace(network, title=f"{network.name} (PyTorch)")
    values = read_values(args.values, known=tuple(network.symbols), hint=f"the input {args.input} names them")
    return network, {**given, **values}, shape


def run(args: argparse.Namespace) -> int:
    from symconv.cli.net import network
    from symconv.network.fileformat import builtin_names
    from symconv.presets.explain import explain, subject
    from symconv.printing.explain import render_explanation

    if args.target in variants.VARIANTS:
        net, given, shape = _variant(args)
    elif ":" in args.target and args.target not in builtin_names():
        net, given, shape = _torch(args)
    else:
        if args.input:
            raise SymconvError("--input is for a PyTorch model or a variant: a network's input is its own "
                               "(--set its symbols)")
        net, given, shape = network(args.target), read_values(args.values), ""
    sys.stdout.write(render_explanation(explain(subject(net, given, shape), args.numbers), args.format))
    return 0
