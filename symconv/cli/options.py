"""What the commands share: a parser whose usage errors are one line, the options of every command about a
layer, and the one reader of ``--set NAME=VALUE`` and ``--let ALIAS=EXPR``.

>>> read_values(["k_h=k", "N=1"], known=("k_h", "N"))
{'k_h': k, 'N': 1}
>>> read_values(["kh=3"], known=("k_h", "k_w"))
Traceback (most recent call last):
    ...
symconv.errors.UnknownSymbolError: --set kh=3: 'kh' is not a symbol here (did you mean k_h?); ...
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Sequence
from typing import Any, NoReturn

import sympy

from symconv.backward import GRADS, parse_grads
from symconv.conventions import PRESETS, Convention
from symconv.errors import SymconvError, UnknownSymbolError, did_you_mean, printable
from symconv.parsing import parse_aliases, parse_assignment
from symconv.passes import Pass
from symconv.printing import FORMATS
from symconv.printing.sections import STEPS
from symconv.printing.wrap import terminal_width

__all__ = ["DERIVED", "PRESETS_HELP", "Choices", "Parser", "layer_options", "memory_options", "output_options",
           "pass_options", "preset_names", "print_options", "read_aliases", "read_grads", "read_values", "shown"]

#: Per-group channel counts are derived, never set: C_in_g is C_in/g.
DERIVED = frozenset({"C_in_g", "C_out_g"})


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def shown(text: str, limit: int = 80) -> str:
    r"""Text as an error message quotes it: control characters (a newline, a terminal's escape codes) written
    as escapes and long input cut, so that the message stays one readable line.

    >>> print(shown("k\x1b[31m\nN"))
    k\x1b[31m\nN
    """
    text = printable(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


#: What --convention says beside the conventions' names, where it takes the tool presets too.
PRESETS_HELP = ("; or a tool's preset, flops being the number that tool reports: flopcounter, fvcore, "
                "ptflops-pytorch, ptflops-aten, thop, torchinfo, calflops, torchvision (docs/presets.md)")


def preset_names() -> list[str]:
    """The tool presets' names (symconv.presets), as --convention takes them."""
    from symconv.presets import PRESETS

    return list(PRESETS)


class Choices:
    """``--convention``'s choices: ``names``, then the tool presets, whose registry is imported only when a
    name is not among ``names`` (a command that counts in a convention does not load the presets)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)

    def __contains__(self, name: object) -> bool:
        return name in self.names or name in preset_names()

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter([*self.names, *preset_names()])


def layer_options(parser: argparse.ArgumentParser, presets: bool = False) -> None:
    """``--dims``, ``--bias``/``--no-bias`` and ``--convention``: the options of every command about a layer;
    with ``presets``, ``--convention`` takes the tool presets too."""
    parser.add_argument("--dims", type=int, choices=(1, 2, 3), default=2, help="spatial dimensions (default 2)")
    bias = parser.add_mutually_exclusive_group()
    bias.add_argument("--bias", dest="bias", action="store_const", const=True, default=None,
                      help="every stage has a bias (b = 1)")
    bias.add_argument("--no-bias", dest="bias", action="store_const", const=False,
                      help="no stage has a bias (b = 0); without either flag b stays a symbol")
    names = [c.value for c in Convention]
    parser.add_argument("--convention", default="exact", metavar="CONVENTION",
                        choices=Choices(names) if presets else [*names, *PRESETS],
                        help="what 'flops' counts: exact = mults + adds (default), macs, 2macs = 2 x macs, "
                             "input-grid / output-grid = the macs of a transposed convolution on its input / "
                             "output grid, performed = mults + adds skipping the zeros of the padding"
                             + (PRESETS_HELP if presets else "") + "; flopcounter also counts a backward pass "
                             "or a training step as PyTorch's FlopCounterMode does")


def pass_options(parser: argparse.ArgumentParser, network: bool = False) -> None:
    """``--pass`` and ``--grad``: which pass of a layer (or of a ``network``), and which gradients a backward
    pass computes."""
    parser.add_argument("--pass", dest="pass_", default="forward", choices=[p.value for p in Pass],
                        help="the pass counted: forward (default), backward (the gradients of --grad), training "
                             "(forward + backward)")
    grads = ("the gradients a backward pass computes, comma-separated: weight and bias are every trainable "
             "parameter's (frozen ones get none), input the network input's (default weight,bias: the first layer "
             "needs no input gradient)") if network else (
             f"the gradients a backward pass computes, comma-separated (default all: {','.join(GRADS)}); the "
             "first layer of a network needs no input gradient")
    parser.add_argument("--grad", metavar="NAMES", default=None, help=grads)


def memory_options(parser: argparse.ArgumentParser) -> None:
    """``--memory`` and ``--device``: the memory traffic of the pass, and its roofline bound on a device."""
    parser.add_argument("--memory", action="store_true",
                        help="add the pass's memory traffic (every tensor element read or written once, B bytes "
                             "each: --set B=4) and its arithmetic intensity")
    parser.add_argument("--device", metavar="peak=FLOP/s,bandwidth=B/s",
                        help="add the roofline bound max(flops/peak, bytes/bandwidth) on this device (implies "
                             "--memory), e.g. --device peak=19.5e12,bandwidth=1.5e12")


def read_device(args: argparse.Namespace) -> Any:
    """The :class:`~symconv.memory.Device` ``--device`` describes, or None without it."""
    if not args.device:
        return None
    from symconv.memory import Device

    try:
        return Device.parse(args.device)
    except SymconvError as error:
        raise SymconvError(f"--device {shown(args.device)}: {error}") from None


def read_grads(args: argparse.Namespace) -> tuple[str, ...]:
    """The gradients ``--grad`` names (all when it is not given); refused with a forward pass."""
    if args.grad is None:
        return GRADS
    if args.pass_ == Pass.FORWARD.value:
        raise SymconvError("--grad chooses the gradients of a backward pass: give --pass backward or training")
    try:
        return parse_grads(args.grad)
    except SymconvError as error:
        raise SymconvError(f"--grad {shown(args.grad)}: {error}") from None


def output_options(parser: argparse.ArgumentParser, quantities: Sequence[str]) -> None:
    """``--format``, ``--steps`` and ``--quantity``: what a derivation or a comparison prints, and how much."""
    parser.add_argument("--format", default="text", choices=list(FORMATS), help="output format (default text)")
    parser.add_argument("--steps", default="brief", choices=STEPS,
                        help="none: the closed forms alone; brief (default): the steps that matter (the "
                             "padding-aware counts only under --convention performed); full: every step")
    parser.add_argument("--quantity", action="append", dest="quantities", choices=list(quantities), metavar="Q",
                        help=f"print only this count (repeatable): {', '.join(quantities)}")


def print_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`symconv.printing.render` that the output options give."""
    options: dict[str, Any] = {"steps": args.steps, "quantities": args.quantities}
    if args.format == "text":
        options["width"] = terminal_width()
    return options


def read_values(assignments: Sequence[str], *, known: Collection[str] | None = None, flag: str = "--set",
                hint: str = "'symconv symbols' lists them") -> dict[str, sympy.Expr]:
    """``NAME=VALUE`` assignments, each read by :func:`symconv.parsing.parse_assignment` (never evaluated).

    A name given twice, a per-group channel count and, with ``known``, a name not among them are refused, the
    closest known name suggested.
    """
    values: dict[str, sympy.Expr] = {}
    for text in assignments:
        try:
            name, expr = parse_assignment(text)
        except SymconvError as error:
            raise type(error)(f"{flag} {shown(text)}: {error}") from None
        if name in DERIVED:
            raise UnknownSymbolError(f"{flag} {shown(text)}: {name} follows from C_in, C_out and g; it cannot be set")
        if known is not None and name not in known:
            raise UnknownSymbolError(f"{flag} {shown(text)}: {name!r} is not a symbol here"
                                     f"{did_you_mean(name, known)}; {hint}")
        if name in values:
            raise SymconvError(f"{flag} {shown(text)}: {name} is given twice; give each name once")
        values[name] = expr
    return values


def read_aliases(assignments: Sequence[str]) -> dict[str, sympy.Expr]:
    """``ALIAS=EXPR`` assignments of ``--let``: names of a formula read as expressions in symconv's names."""
    aliases: dict[str, sympy.Expr] = {}
    for text in assignments:
        try:
            new = parse_aliases([text])
        except SymconvError as error:
            raise type(error)(f"--let {shown(text)}: {error}") from None
        twice = sorted(set(new) & set(aliases))
        if twice:
            raise SymconvError(f"--let {shown(text)}: {twice[0]} is given twice; give each alias once")
        aliases.update(new)
    return aliases
