"""The one symbol table of symconv.

Every symbol that can appear in a closed form is created here, once, with its assumptions and its LaTeX
name. Other modules look symbols up; none creates its own ``Symbol("C_in")``.

Names follow one rule. Spatial axes are ``l`` in 1-D (length), ``h, w`` in 2-D and ``d, h, w`` in 3-D. For an
axis ``a`` with capital ``A``:

* ``A_in``, ``A_out``: the input and output size along the axis (``H_in``, ``W_out``, ``L_in``, ``D_out``);
* ``k_a``, ``s_a``, ``p_a``, ``d_a``: kernel size, stride, padding (per side) and dilation (``k_h``, ``s_w``);
* ``pe_a``: the padding at the end of the axis when it differs from the start (``p_a`` is then the start);
* ``op_a``: the output padding of a transposed convolution.

Shared by every dimensionality: ``N`` (batch), ``C_in``, ``C_out``, ``g`` (groups), ``m`` (depth multiplier),
``b`` (the bias flag, 0 or 1) and the channels per group ``C_in_g = C_in/g`` and ``C_out_g = C_out/g``; and
``B``, the bytes of one tensor element in the memory traffic of :mod:`symconv.memory`.

>>> from symconv.symbols import sym
>>> sym("H_out"), sym("H_out").is_positive, sym("b").is_nonnegative
(H_out, True, True)
>>> names_for_dims(1)
('N', 'C_in', 'C_out', 'L_in', 'L_out', 'k_l', 's_l', 'p_l', 'd_l', 'g', 'm', 'b', 'pe_l', 'op_l')
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from functools import cache

import sympy

from symconv.errors import UnknownSymbolError

__all__ = [
    "AXES",
    "SymbolInfo",
    "all_names",
    "axes",
    "canonical_order",
    "index",
    "info",
    "is_flag",
    "latex_names",
    "names_for_dims",
    "new_symbol",
    "position_index",
    "sym",
    "tap_index",
]

#: The spatial axes of each dimensionality, outermost first (PyTorch's D, H, W order).
AXES: dict[int, tuple[str, ...]] = {1: ("l",), 2: ("h", "w"), 3: ("d", "h", "w")}

_AXIS_WORD = {"l": "length", "d": "depth", "h": "height", "w": "width"}


@dataclass(frozen=True)
class SymbolInfo:
    """A documented symbol: its plain name, LaTeX name, meaning and domain."""

    name: str
    latex: str
    meaning: str
    domain: str  # "positive" (an integer >= 1), "nonnegative" (>= 0) or "flag" (0 or 1)

    @property
    def symbol(self) -> sympy.Symbol:
        return sym(self.name)


def _table() -> dict[str, SymbolInfo]:
    rows = [
        SymbolInfo("N", "N", "batch size", "positive"),
        SymbolInfo("C_in", r"C_{\mathrm{in}}", "input channels", "positive"),
        SymbolInfo("C_out", r"C_{\mathrm{out}}", "output channels", "positive"),
        SymbolInfo("g", "g", "groups", "positive"),
        SymbolInfo("m", "m", "depth multiplier of a depthwise convolution (C_out = m C_in)", "positive"),
        SymbolInfo("b", "b", "bias flag: 1 with a bias, 0 without", "flag"),
        SymbolInfo("C_in_g", r"C_{\mathrm{in}/g}", "input channels per group, C_in/g", "positive"),
        SymbolInfo("C_out_g", r"C_{\mathrm{out}/g}", "output channels per group, C_out/g", "positive"),
        SymbolInfo("B", "B", "bytes per tensor element, in the memory traffic (symconv.memory)", "positive"),
    ]
    for axis in ("l", "d", "h", "w"):
        big, word = axis.upper(), _AXIS_WORD[axis]
        rows += [
            SymbolInfo(f"{big}_in", rf"{big}_{{\mathrm{{in}}}}", f"input {word}", "positive"),
            SymbolInfo(f"{big}_out", rf"{big}_{{\mathrm{{out}}}}", f"output {word}", "positive"),
            SymbolInfo(f"k_{axis}", f"k_{{{axis}}}", f"kernel {word}", "positive"),
            SymbolInfo(f"s_{axis}", f"s_{{{axis}}}", f"stride along the {word}", "positive"),
            SymbolInfo(f"p_{axis}", f"p_{{{axis}}}", f"padding on each side along the {word}", "nonnegative"),
            SymbolInfo(f"d_{axis}", f"d_{{{axis}}}", f"dilation along the {word}", "positive"),
            SymbolInfo(f"pe_{axis}", rf"\mathit{{pe}}_{{{axis}}}",
                       f"padding at the end along the {word}, when it differs from p_{axis} (p_{axis} is then "
                       "the start)", "nonnegative"),
            SymbolInfo(f"op_{axis}", rf"\mathit{{op}}_{{{axis}}}",
                       f"output padding of a transposed convolution along the {word}", "nonnegative"),
        ]
    return {row.name: row for row in rows}


TABLE: dict[str, SymbolInfo] = _table()


def axes(dims: int) -> tuple[str, ...]:
    """The axis letters of a dimensionality (1, 2 or 3)."""
    try:
        return AXES[dims]
    except KeyError:
        from symconv.errors import SpecError

        raise SpecError(f"dims must be 1, 2 or 3, not {dims!r}") from None


def names_for_dims(dims: int) -> tuple[str, ...]:
    """The documented CLI symbol names of a dimensionality, in the order the docs list them."""
    per_axis = [f"{a.upper()}_in" for a in axes(dims)] + [f"{a.upper()}_out" for a in axes(dims)]
    for letter in "kspd":
        per_axis += [f"{letter}_{a}" for a in axes(dims)]
    geometry = [f"{prefix}_{a}" for prefix in ("pe", "op") for a in axes(dims)]
    return ("N", "C_in", "C_out", *per_axis, "g", "m", "b", *geometry)


def canonical_order() -> tuple[str, ...]:
    """Every table name in the documented order (batch, channels, sizes, kernel, stride, padding, dilation,
    groups, multiplier, bias flag, channels per group): the order of generated functions' arguments."""
    sizes = [f"{a.upper()}_{end}" for end in ("in", "out") for a in "ldhw"]
    per_axis = [f"{letter}_{a}" for letter in "kspd" for a in "ldhw"]
    geometry = [f"{prefix}_{a}" for prefix in ("pe", "op") for a in "ldhw"]
    return ("N", "C_in", "C_out", *sizes, *per_axis, "g", "m", "b", "C_in_g", "C_out_g", *geometry, "B")


def all_names() -> tuple[str, ...]:
    """Every name in the table, including the per-group channel counts."""
    return tuple(TABLE)


@cache
def sym(name: str) -> sympy.Symbol:
    """The symbol called ``name``, with its assumptions; the same object on every call."""
    row = TABLE.get(name)
    if row is None:
        raise UnknownSymbolError(f"unknown symbol {name!r}")
    return _make(name, row.domain)


def _make(name: str, domain: str) -> sympy.Symbol:
    if domain == "positive":
        return sympy.Symbol(name, integer=True, positive=True)
    # A flag is an integer in {0, 1}; SymPy has no such assumption, so it is declared nonnegative and the
    # counting rules treat it as a 0/1 indicator (see symconv.derive).
    return sympy.Symbol(name, integer=True, nonnegative=True)


def info(name: str) -> SymbolInfo:
    row = TABLE.get(name)
    if row is None:
        raise UnknownSymbolError(f"unknown symbol {name!r}")
    return row


def is_flag(symbol: sympy.Basic) -> bool:
    """True for the bias flag ``b``: a 0/1 indicator, not a factor that costs a multiplication."""
    return isinstance(symbol, sympy.Symbol) and symbol == sym("b")


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}\Z")


#: Names that SymPy's parser reads as its own constants: a closed form that used one as a symbol
#: would not read back. (N, a documented symbol, is the exception users meet: see docs/symbols.md.)
_SYMPY_NAMES = frozenset({"I", "E", "S", "O", "Q", "pi", "oo", "nan", "zoo"})


@cache
def new_symbol(name: str) -> sympy.Symbol:
    """A user-introduced name (``k`` in ``--set k_h=k``): a positive integer, like the sizes it stands for.

    The name must be a plain identifier (a letter, then letters, digits and underscores, at most 32
    characters), not a Python keyword and not a dunder, so that generated code can use it as an argument.
    """
    if name in TABLE:
        return sym(name)
    if not _NAME.match(name) or keyword.iskeyword(name) or name.startswith("_"):
        raise UnknownSymbolError(
            f"{name!r} is not a usable name: use a letter followed by letters, digits or underscores"
        )
    if name in _SYMPY_NAMES:
        raise UnknownSymbolError(f"{name!r} is a SymPy constant or function name; choose another name")
    return sympy.Symbol(name, integer=True, positive=True)


#: The bound variables of one output element's sum: batch, output channel, input channel within the group,
#: output position along each axis, and kernel tap along each axis.
_POSITION = {"l": "t", "d": "t", "h": "u", "w": "v"}
_TAP = {"l": "i", "d": "r", "h": "i", "w": "j"}


@cache
def index(name: str) -> sympy.Symbol:
    """A summation or tensor index (``n``, ``o``, ``c``, positions ``t, u, v``, taps ``r, i, j``)."""
    return sympy.Symbol(name, integer=True, nonnegative=True)


def position_index(axis: str) -> sympy.Symbol:
    return index(_POSITION[axis])


def tap_index(axis: str) -> sympy.Symbol:
    return index(_TAP[axis])


def latex_names() -> dict[sympy.Symbol, str]:
    """Map every table symbol to its LaTeX name, for SymPy's ``symbol_names`` printer setting."""
    return {sym(name): row.latex for name, row in TABLE.items()}
