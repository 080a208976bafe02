r"""Read the formulas users type, as plain text or as LaTeX, into SymPy expressions, safely.

Users give formulas on the command line (``--set k_h=2*k+1``) and copy claimed formulas from papers. Both
syntaxes give the same expression, built from the symbols of :mod:`symconv.symbols`:

>>> from symconv.parsing import parse_formula
>>> parse_formula("2 k^2 H_out W_out C_in C_out")
2*C_in*C_out*H_out*W_out*k**2
>>> parse_formula(r"2k^2 \cdot H_{out} \cdot W_{out} \cdot C_{\mathrm{in}} \cdot C_{out}")
2*C_in*C_out*H_out*W_out*k**2
>>> parse_formula(r"\lfloor (H_{in} + 2p - k)/s \rfloor + 1")
floor((H_in - k + 2*p)/s) + 1

Nothing the user types is ever run as Python or handed to ``sympify``/``parse_expr``/``parse_latex``: a
formula is read by a whitelisted grammar into a small tree of sums, products, powers, names, numbers and
calls, and only that tree is turned into SymPy. The data flows in one direction:

    text --screen--> tokens --ast.parse / lark--> tree (_Node) --_Builder--> sympy.Expr

* Text: :mod:`tokenize` splits the formula, implicit ``*`` is inserted and ``^`` becomes ``**``; numbers are
  replaced by placeholders (their exact values are kept aside, so ``0.5`` is ``1/2``, never a float), and
  Python's own parser (``ast.parse``, which parses without executing) builds a syntax tree that is walked
  with a whitelist: ``+ - * / **``, unary signs, numbers, names and calls of ``floor``, ``ceil``/``ceiling``,
  ``min``, ``max``, ``abs``/``Abs``. Anything else (attributes, indexing, strings, keywords such as
  ``lambda``, comparisons, ``//``, ``%``, keyword arguments) is refused, naming the construct and where.
* LaTeX: the grammar in ``symconv/latex.lark`` (LALR, so every input has one reading) over tokens from this
  module's lexer, which refuses every command it does not know (``\input``, ``\def``, ...).

A name is looked up in ``aliases`` first (they shadow the table: MobileNet's ``N`` means ``C_out``), then in
the symbol table, then, with ``allow_new``, introduced by :func:`symconv.symbols.new_symbol`; otherwise it is
an error. :func:`parse_aliases` reads aliases as ``--let`` gives them, and :data:`NOTATIONS` holds the names
of well-known papers (``notation("mobilenet")``: ``D_K``, ``M``, ``N``, ``D_F``) with what their formulas
assume.

Limits (:data:`LIMITS`): each is checked in linear time before the work it guards, so a formula is either
read quickly or refused with a one-line :class:`~symconv.errors.FormulaError` saying what and, when it is
known, where (``position``, 0-based; the message counts from 1):

* ``max_length`` = 20,000 characters; a 100 kB input is refused before it is read. Control characters
  (``\x00`` included) and characters outside the formula alphabet are refused; ``×``, ``·`` and ``−`` are
  read as ``*``, ``*`` and ``-``.
* ``max_depth`` = 64 levels of ``( [ {``, ``\lfloor``, ``\lceil``, counted on the tokens before any parsing.
* ``max_digits`` = 30 digits in one number as written.
* ``max_exponent`` = 64: an exponent must be an integer or a fraction whose numerator and denominator are at
  most 64 in absolute value, and a power of a power may reach degree 64 at most. A tower ``9**9**9**9`` is
  evaluated from the top down and refused at the first exponent that is too large.
* ``max_power_digits`` = 10,000: the digits that powers may create, summed over the formula (``9^64`` creates
  62), estimated before SymPy computes them, so that ``((9^64)^64)^64`` is refused, not computed.
* ``max_number_digits`` = 1,000 digits for any number in the result (a product of 30-digit literals can
  reach it), so that every result can be printed: Python refuses to print integers over 4,300 digits.
* ``max_evaluated_calls`` = 16 and ``max_evaluated_size`` = 64: SymPy simplifies ``floor``, ``ceiling``,
  ``Abs``, ``Min`` and ``Max`` of symbols (``floor(k) = k``) by querying its assumptions, which is slow for
  large arguments (the floor of a 2,000-term sum takes 28 s). The first 16 calls whose arguments have at most
  64 nodes (for ``min``/``max``: at most 4 arguments, none itself a min or max) are evaluated; the others are
  built unevaluated, with the same value (``expr.doit()`` evaluates them). Calls of numbers are always
  evaluated.

Text syntax is Python's, with three changes: ``^`` means ``**``, juxtaposition multiplies (``2k``, ``2(k+1)``,
``(a)(b)``) and a name followed by ``(`` is a call unless the name is a known symbol (``k(k+1)`` is a product
when ``k`` is in the table or in ``aliases``, and ``exp(x)`` is an unknown function). A number never follows
a factor without an operator (``k 2``, and ``2 3``, are refused), in either syntax. Division is left to right
in both: ``a/b c`` is ``(a/b)·c``. A chain of ``+`` or ``*`` becomes one ``Add`` or ``Mul``, built once.
Python's parser nests a chain of n operators n levels deep and guards its own stack, so text chains longer
than about 2,500 operators are refused; the LaTeX reader has no such limit.
"""

from __future__ import annotations

import ast
import bisect
import importlib.resources
import io
import itertools
import keyword
import math
import re
import tokenize
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import cast

import lark
import lark.exceptions
import lark.lexer
import sympy

from symconv.errors import FormulaError, UnknownSymbolError
from symconv.symbols import TABLE, new_symbol, sym

__all__ = [
    "LIMITS",
    "NOTATIONS",
    "Limits",
    "Notation",
    "notation",
    "parse_aliases",
    "parse_assignment",
    "parse_formula",
    "parse_latex",
    "parse_text",
]


@dataclass(frozen=True)
class Limits:
    """The bounds every formula must keep; see the module docstring for why each exists."""

    max_length: int = 20_000  # characters in a formula
    max_depth: int = 64  # nested ( [ { \lfloor \lceil
    max_digits: int = 30  # digits of one number as written
    max_exponent: int = 64  # |numerator| and denominator of an exponent; degree of a power of a power
    max_power_digits: int = 10_000  # digits that powers may create, summed over the formula
    max_number_digits: int = 1_000  # digits of any number in the result
    max_evaluated_calls: int = 16  # floor/ceiling/abs/min/max calls that SymPy evaluates
    max_evaluated_size: int = 64  # nodes in the arguments of a call that SymPy evaluates


#: The limits in force.
LIMITS = Limits()


# --- The tree both syntaxes are read into -------------------------------------------------------------------
# ``pos`` is the 0-based offset in the user's text where the node starts, for error messages.


@dataclass(frozen=True, slots=True)
class _Num:
    value: sympy.Rational
    pos: int


@dataclass(frozen=True, slots=True)
class _Name:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class _Sum:
    terms: tuple[tuple[int, _Node], ...]  # (sign +1 or -1, term)
    pos: int


@dataclass(frozen=True, slots=True)
class _Product:
    factors: tuple[tuple[bool, _Node], ...]  # (divides, factor), applied left to right
    pos: int


@dataclass(frozen=True, slots=True)
class _Power:
    """``base ** (s1 * (x1 ** (s2 * (x2 ** ...))))``: a whole tower, so it is evaluated without recursion."""

    base: _Node
    exponents: tuple[tuple[int, _Node], ...]  # (sign, x) from the outermost exponent in
    pos: int


@dataclass(frozen=True, slots=True)
class _Call:
    function: str  # a key of _SYMPY_FUNCTIONS
    args: tuple[_Node, ...]
    pos: int


_Node = _Num | _Name | _Sum | _Product | _Power | _Call


def _negated(node: _Node) -> _Node:
    return _Sum(((-1, node),), node.pos)


# --- Public API ---------------------------------------------------------------------------------------------


def parse_formula(text: str, *, syntax: str = "auto", aliases: Mapping[str, sympy.Expr] | None = None,
                  allow_new: bool = True) -> sympy.Expr:
    r"""Read a formula in ``syntax`` "text", "latex" or "auto" (LaTeX when it has ``\``, ``{`` or ``$``).

    >>> parse_formula(r"\frac{1}{N} + \frac{1}{D_K^2}", aliases={"N": sym("C_out")})
    D_K**(-2) + 1/C_out
    >>> parse_formula("(C_in * k_h * k_w + 1) * C_out")
    C_out*(C_in*k_h*k_w + 1)
    """
    if not isinstance(text, str):
        raise TypeError(f"a formula must be a str, not {type(text).__name__}")
    if syntax == "auto":
        syntax = "latex" if any(c in text for c in "\\{$") else "text"
    if syntax == "text":
        return parse_text(text, aliases=aliases, allow_new=allow_new)
    if syntax == "latex":
        return parse_latex(text, aliases=aliases, allow_new=allow_new)
    raise ValueError(f"syntax must be 'auto', 'text' or 'latex', not {syntax!r}")


def parse_text(text: str, *, aliases: Mapping[str, sympy.Expr] | None = None,
               allow_new: bool = True) -> sympy.Expr:
    """Read a formula in text syntax: Python's arithmetic, ``^`` for powers and implicit multiplication.

    >>> parse_text("2*k**2*H_out*W_out*C_in*C_out") == parse_text("2 k^2 H_out W_out C_in C_out")
    True
    >>> parse_text("0.5 max(k_h, k_w)")
    Max(k_h, k_w)/2
    """
    names = _Names(aliases, allow_new)
    tree = _read_text(_screen(text), names.known)
    return _Builder(names.resolve).result(tree)


def parse_latex(text: str, *, aliases: Mapping[str, sympy.Expr] | None = None,
                allow_new: bool = True) -> sympy.Expr:
    r"""Read a formula as papers write it in LaTeX.

    Subscripts name symbols (``C_{in}``, ``C_{\mathrm{in}}``, ``C_{\rm in}`` and ``C_\text{in}`` are all
    ``C_in``; ``C_{\mathrm{in}/g}`` is ``C_in_g``); outside a subscript, adjacent letters multiply (``ab`` is
    a·b) and ``\mathrm{word}`` is one name. Greek commands are names (``\rho`` is ``rho``; ``\lambda`` is
    ``lamda``, as in SymPy). ``^`` and ``_`` take a braced group or one token, as in TeX; where TeX's reading
    surprises (``C_out`` is C_{o}ut, ``k^23`` is k^{2}3) the formula is refused rather than guessed. Spacing
    (``\,`` ``\;`` ``\!`` ``\quad`` ``~``), ``$`` delimiters, ``\displaystyle`` and ``\left``/``\right``
    are ignored; any other command outside this grammar is refused. A word as superscript is part of a name,
    exponents being numbers: ``p^{\mathrm{end}}_{h}`` reads as the table's name with that LaTeX, if any.

    >>> parse_latex(r"C_{in} \times (k^2 + C_{out})")
    C_in*(C_out + k**2)
    >>> parse_latex(r"\dfrac12 \rho \, k_h")
    k_h*rho/2
    """
    names = _Names(aliases, allow_new)
    tree = _read_latex(_screen(text))
    return _Builder(names.resolve).result(tree)


def parse_assignment(text: str) -> tuple[str, sympy.Expr]:
    """Split ``NAME=VALUE`` (as given to ``--set`` and ``--let``) and read VALUE in text syntax.

    >>> parse_assignment("k_h = 2*k + 1")
    ('k_h', 2*k + 1)
    """
    if not isinstance(text, str):
        raise TypeError(f"an assignment must be a str, not {type(text).__name__}")
    head, equals, _ = text.partition("=")
    if not equals:
        raise FormulaError(f"expected NAME=VALUE, not {_clip(text)!r}")
    name = head.strip()
    start = len(head) - len(head.lstrip())
    if not name:
        raise FormulaError("expected NAME=VALUE: the name is missing", start)
    try:
        new_symbol(name)
    except UnknownSymbolError as error:
        raise FormulaError(str(error), start) from None
    # Blank out NAME= so that positions in VALUE's errors count from the start of the whole assignment.
    return name, parse_text(" " * (len(head) + 1) + text[len(head) + 1:])


# --- Screening: the checks every formula passes before it is tokenized ------------------------------------

_READ_AS = {"×": "*", "·": "*", "⋅": "*", "∗": "*", "−": "-", "\t": " ", "\n": " ", "\r": " "}
_UNUSUAL = re.compile(r"[^\x20-\x7e]")


def _screen(text: str) -> str:
    """The text with its length and characters checked, and the characters read as others replaced, one for
    one (so positions stay valid)."""
    if not isinstance(text, str):
        raise TypeError(f"a formula must be a str, not {type(text).__name__}")
    if len(text) > LIMITS.max_length:
        raise FormulaError(f"formula is too long ({len(text):,} characters, limit {LIMITS.max_length:,})")

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char in _READ_AS:
            return _READ_AS[char]
        category = unicodedata.category(char)
        if category == "Zs":
            return " "
        if category == "Cc":
            raise FormulaError(f"control character {char!r} is not allowed", match.start())
        if category.startswith("C"):
            raise FormulaError(f"invisible character {char!r} is not allowed", match.start())
        raise FormulaError(f"unexpected character {char!r}", match.start())

    text = _UNUSUAL.sub(replace, text)
    if not text.strip():
        raise FormulaError("empty formula")
    return text


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- Names -------------------------------------------------------------------------------------------------


class _Names:
    """How names resolve: aliases, then the symbol table, then (with ``allow_new``) new symbols."""

    def __init__(self, aliases: Mapping[str, sympy.Expr] | None, allow_new: bool) -> None:
        self._aliases = {name: _alias(name, value) for name, value in (aliases or {}).items()}
        self._allow_new = allow_new

    def known(self, name: str) -> bool:
        return name in self._aliases or name in TABLE

    def resolve(self, name: str, pos: int) -> sympy.Expr:
        if name in self._aliases:
            return self._aliases[name]
        if name in TABLE:
            return sym(name)
        if "^" in name:
            # A name with a word as superscript (p^{\mathrm{end}}_{h}) is one of the table's, or nothing.
            if name in _decorated_names():
                return sym(_decorated_names()[name])
            raise FormulaError(f"unknown symbol {name.replace('^', '^{', 1).replace('_', '}_', 1)}"
                               f"{'' if '_' in name else '}'}: a superscript word names no symbol here", pos)
        if not self._allow_new:
            raise FormulaError(f"unknown symbol {name!r}", pos)
        try:
            return new_symbol(name)
        except UnknownSymbolError as error:
            raise FormulaError(str(error), pos) from None


@dataclass(frozen=True)
class Notation:
    """The names a paper gives to symconv's symbols, and what its formulas take for granted.

    ``aliases`` maps the paper's names to expressions in symconv's (as ``--let`` does); they shadow the
    table, so MobileNet's ``N`` reads as ``C_out``, not the batch. ``values`` are the substitutions its
    formulas assume, applied to both sides of a check (as ``--set`` does): MobileNet's costs are per image,
    for a square kernel on a square map.
    """

    name: str
    source: str
    aliases: Mapping[str, str]
    values: Mapping[str, str]
    note: str

    def alias_exprs(self) -> dict[str, sympy.Expr]:
        return {name: parse_text(text) for name, text in self.aliases.items()}

    def value_exprs(self) -> dict[str, sympy.Expr]:
        return {name: parse_text(text) for name, text in self.values.items()}


#: The built-in notations of well-known papers, by the name ``--notation`` takes.
NOTATIONS: dict[str, Notation] = {
    "mobilenet": Notation(
        "mobilenet", "Howard et al. 2017, MobileNets, section 3.1",
        aliases={"D_K": "k", "M": "C_in", "N": "C_out", "D_F": "H_out"},
        values={"k_h": "k", "k_w": "k", "W_out": "H_out", "N": "1", "m": "1"},
        note="D_K is the square kernel, M the input and N the output channels, D_F the side of the square "
             "feature map (the input's, equal to the output's at stride 1 with padding); costs per image, "
             "depth multiplier 1",
    ),
    "shufflenet": Notation(
        "shufflenet", "Zhang et al. 2018, ShuffleNet, section 3.2",
        aliases={"h": "H_out", "w": "W_out", "m": "m_b"},
        values={"N": "1"},
        note="an input of c channels on an h × w map, m bottleneck channels (m_b here: symconv's m is the "
             "depth multiplier), g groups; costs per image",
    ),
}


def notation(name: str) -> Notation:
    """A built-in notation by name.

    >>> notation("mobilenet").aliases["N"]
    'C_out'
    """
    try:
        return NOTATIONS[name]
    except KeyError:
        known = ", ".join(NOTATIONS)
        raise FormulaError(f"unknown notation {name!r} (known: {known})") from None


def parse_aliases(assignments: Iterable[str], *, base: Mapping[str, sympy.Expr] | None = None
                  ) -> dict[str, sympy.Expr]:
    """Read ``ALIAS=EXPR`` assignments (``--let``) into aliases for :func:`parse_formula`; later ones win,
    over ``base`` too. EXPR is text syntax in symconv's names, and may introduce names of its own.

    >>> parse_aliases(["D_K=k", "M = C_in", "N=C_out"])
    {'D_K': k, 'M': C_in, 'N': C_out}
    """
    aliases = dict(base or {})
    for text in assignments:
        name, value = parse_assignment(text)
        aliases[name] = value
    return aliases


_DECORATED = re.compile(r"([A-Za-z])\^\{\\mathrm\{([A-Za-z]+)\}\}(?:_\{([A-Za-z0-9]+)\})?\Z")


@cache
def _decorated_names() -> dict[str, str]:
    r"""The table's names whose LaTeX has a word as superscript, keyed as the LaTeX reader spells them:
    ``p^{\mathrm{end}}_{h}`` is ``"p^end_h"``."""
    names = {}
    for name, row in TABLE.items():
        match = _DECORATED.match(row.latex)
        if match:
            base, word, sub = match.groups()
            names[f"{base}^{word}" + (f"_{sub}" if sub else "")] = name
    return names


def _alias(name: str, value: object) -> sympy.Expr:
    if isinstance(value, int):
        return sympy.Integer(value)
    if not isinstance(value, sympy.Expr):
        raise TypeError(f"alias {name!r} must be a sympy expression, not {type(value).__name__}")
    return value


# --- Numbers -----------------------------------------------------------------------------------------------

_DECIMAL = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def _number(text: str, pos: int) -> sympy.Rational:
    """An integer or decimal literal as an exact rational: ``0.5`` is ``1/2``."""
    match = _DECIMAL.fullmatch(text)
    if match is None or not (match.group(1) or match.group(2)):
        raise FormulaError(f"unsupported number {_clip(text)!r}: write an integer or a decimal like 0.5", pos)
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole) + len(fraction) > LIMITS.max_digits:
        raise FormulaError(f"number {_clip(text, 16)!r} has more than {LIMITS.max_digits} digits", pos)
    return sympy.Rational(int(whole + fraction or "0"), 10 ** len(fraction))


def _digits(number: sympy.Rational) -> int:
    """About how many decimal digits ``number`` has (numerator and denominator), without printing it."""

    def digits(n: int) -> int:
        return int((n.bit_length() - 1) * math.log10(2)) + 1 if n else 1

    return digits(abs(number.p)) + (digits(number.q) if number.q != 1 else 0)


def _show(value: sympy.Expr) -> str:
    """A short rendering for error messages; Python refuses to print integers over 4,300 digits."""
    if isinstance(value, sympy.Rational) and abs(value.p).bit_length() + value.q.bit_length() > 200:
        return f"a {_digits(value):,}-digit number"
    return _clip(str(value))


# --- Text syntax -------------------------------------------------------------------------------------------

_TOO_DEEP = f"formula is nested too deeply (limit {LIMITS.max_depth} levels)"

# The user's function names, and the SymPy function each one means.
_FUNCTIONS = {"floor": "floor", "ceil": "ceiling", "ceiling": "ceiling", "min": "min", "max": "max",
              "abs": "abs", "Abs": "abs"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name" or "op"
    text: str
    pos: int
    value: sympy.Rational | None = None


def _python_tokens(text: str) -> Iterator[_Token]:
    """The tokens of a text formula, with the checks that need no parse: nesting, numbers, strings."""
    opened: list[_Token] = []
    readline = io.StringIO(text).readline
    try:
        for kind, string, (_, col), _, _ in tokenize.generate_tokens(readline):
            if kind in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if kind == tokenize.NUMBER:
                yield _Token("number", string, col, _number(string, col))
            elif kind == tokenize.NAME:
                if keyword.iskeyword(string):
                    raise FormulaError(f"'{string}' is not allowed in a formula", col)
                yield _Token("name", string, col)
            elif kind == tokenize.OP:
                if string in ("(", "[", "{"):
                    opened.append(_Token("op", string, col))
                    if len(opened) > LIMITS.max_depth:
                        raise FormulaError(_TOO_DEEP, col)
                elif string in (")", "]", "}"):
                    if not opened:
                        raise FormulaError(f"unexpected {string!r}", col)
                    opened.pop()
                elif string == "=":
                    raise FormulaError("'=' is not allowed in a formula (NAME=VALUE is an assignment)", col)
                yield _Token("op", string, col)
            elif kind == tokenize.STRING:
                raise FormulaError("strings are not allowed in a formula", col)
            elif kind == tokenize.COMMENT:
                raise FormulaError("'#' is not allowed in a formula", col)
            elif not string.isspace():
                raise FormulaError(f"unexpected character {string[:1]!r}", col)
    except tokenize.TokenError:
        pass  # unclosed brackets, reported below with their position
    if opened:
        raise FormulaError(f"{opened[-1].text!r} is never closed", opened[-1].pos)


def _ends_operand(token: _Token) -> bool:
    return token.kind in ("number", "name") or token.text == ")"


def _starts_operand(token: _Token) -> bool:
    return token.kind == "name" or token.text == "("


@dataclass(frozen=True)
class _Source:
    """Python source made from the tokens, and where each of its tokens came from in the user's text."""

    code: str
    starts: list[int]  # offset of each token in ``code``, increasing
    origins: list[int]  # offset of the same token in the user's text
    numbers: dict[int, sympy.Rational]  # offset in ``code`` of each number placeholder -> its value

    def origin(self, offset: int) -> int:
        return self.origins[max(bisect.bisect_right(self.starts, offset) - 1, 0)]


def _python_source(tokens: list[_Token], known: Callable[[str], bool]) -> _Source:
    """Insert the implicit ``*``, turn ``^`` into ``**`` and every number into the placeholder ``0``."""
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    numbers: dict[int, sympy.Rational] = {}
    length = 0
    previous: _Token | None = None
    for token in tokens:
        if previous is not None and _ends_operand(previous):
            if token.kind == "number":
                raise FormulaError(f"number {token.text!r} needs an operator before it", token.pos)
            is_call = previous.kind == "name" and token.text == "(" and (
                previous.text in _FUNCTIONS or not known(previous.text))
            if _starts_operand(token) and not is_call:
                pieces.append("* ")
                length += 2
        piece = "0" if token.kind == "number" else "**" if token.text == "^" else token.text
        starts.append(length)
        origins.append(token.pos)
        if token.value is not None:
            numbers[length] = token.value
        pieces.append(piece + " ")
        length += len(piece) + 1
        previous = token
    return _Source("".join(pieces), starts, origins, numbers)


def _read_text(text: str, known: Callable[[str], bool]) -> _Node:
    tokens = list(_python_tokens(text))
    source = _python_source(tokens, known)
    try:
        tree = ast.parse(source.code, mode="eval")
    except SyntaxError as error:
        # Python reports a formula that stops short (``2 +``) at offset 0, or past the end.
        offset = (error.offset or 0) - 1
        index = bisect.bisect_right(source.starts, offset) - 1
        if error.lineno != 1 or offset < 0 or offset >= len(source.code.rstrip()) or index < 0:
            raise FormulaError("the formula ends too early") from None
        raise FormulaError(f"unexpected {tokens[index].text!r}", tokens[index].pos) from None
    except (RecursionError, MemoryError):
        # Python's parser guards its own stack: a chain of thousands of operators, or of unary signs.
        raise FormulaError("formula is too long a chain of operators for the text syntax "
                           "(about 2,500 at most; LaTeX syntax has no such limit)") from None
    try:
        return _AstReader(source).read(tree.body)
    except RecursionError:
        raise FormulaError("formula is nested too deeply for the stack left to the parser") from None


_OPERATORS: dict[type, str] = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|",
    ast.BitAnd: "&", ast.BitXor: "^", ast.Invert: "~", ast.Not: "not",
}
_CONSTRUCTS: dict[type, str] = {
    ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Slice: "slicing",
    ast.Compare: "a comparison", ast.BoolOp: "'and'/'or'", ast.IfExp: "a conditional expression",
    ast.Lambda: "lambda", ast.NamedExpr: "':='", ast.Starred: "unpacking with '*'",
    ast.Tuple: "a tuple", ast.List: "a list", ast.Dict: "a dict", ast.Set: "a set",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension", ast.JoinedStr: "a string", ast.Constant: "a constant",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}


class _AstReader:
    """Python's syntax tree, walked with a whitelist, into a _Node tree.

    Chains (``a + b - c``, ``a * b / c``, unary signs and power towers) are walked with loops, so the
    recursion only goes as deep as the brackets, which the tokenizer limited.
    """

    def __init__(self, source: _Source) -> None:
        self._source = source

    def _pos(self, node: ast.expr) -> int:
        return self._source.origin(node.col_offset)

    def read(self, node: ast.expr) -> _Node:
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Add | ast.Sub):
                return self._sum(node)
            if isinstance(node.op, ast.Mult | ast.Div):
                return self._product(node)
            if isinstance(node.op, ast.Pow):
                return self._power(node)
            where = self._next_token(node.left.end_col_offset or node.col_offset)
            raise FormulaError(f"operator {_OPERATORS.get(type(node.op), '?')!r} is not allowed", where)
        if isinstance(node, ast.UnaryOp):
            sign, inner = self._unsigned(node)
            if isinstance(inner, ast.UnaryOp):
                raise FormulaError(f"operator {_OPERATORS.get(type(inner.op), '?')!r} is not allowed",
                                   self._pos(inner))
            return self.read(inner) if sign > 0 else _negated(self.read(inner))
        if isinstance(node, ast.Constant) and node.col_offset in self._source.numbers:
            return _Num(self._source.numbers[node.col_offset], self._pos(node))
        if isinstance(node, ast.Name):
            return _Name(node.id, self._pos(node))
        if isinstance(node, ast.Call):
            return self._call(node)
        construct = _CONSTRUCTS.get(type(node), type(node).__name__)
        raise FormulaError(f"{construct} is not allowed in a formula", self._pos(node))

    def _next_token(self, offset: int) -> int:
        """The user's position of the first token at or after ``offset`` in the source: an operator."""
        starts = self._source.starts
        index = min(bisect.bisect_left(starts, offset), len(starts) - 1)
        return self._source.origins[index]

    @staticmethod
    def _unsigned(node: ast.expr) -> tuple[int, ast.expr]:
        sign = 1
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            sign = -sign if isinstance(node.op, ast.USub) else sign
            node = node.operand
        return sign, node

    def _signed(self, node: ast.expr) -> tuple[int, _Node]:
        sign, inner = self._unsigned(node)
        return sign, self.read(inner)

    def _sum(self, node: ast.BinOp) -> _Sum:
        chain: list[tuple[int, ast.expr]] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add | ast.Sub):
            chain.append((1 if isinstance(current.op, ast.Add) else -1, current.right))
            current = current.left
        chain.append((1, current))
        terms = []
        for sign, operand in reversed(chain):
            inner_sign, term = self._signed(operand)
            terms.append((sign * inner_sign, term))
        return _Sum(tuple(terms), self._pos(node))

    def _product(self, node: ast.BinOp) -> _Product:
        chain: list[tuple[bool, ast.expr]] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Mult | ast.Div):
            chain.append((isinstance(current.op, ast.Div), current.right))
            current = current.left
        chain.append((False, current))
        return _Product(tuple((divides, self.read(f)) for divides, f in reversed(chain)), self._pos(node))

    def _power(self, node: ast.BinOp) -> _Power:
        exponents: list[tuple[int, ast.expr]] = []
        exponent = node.right
        while True:
            sign, exponent = self._unsigned(exponent)
            if isinstance(exponent, ast.BinOp) and isinstance(exponent.op, ast.Pow):
                exponents.append((sign, exponent.left))
                exponent = exponent.right
            else:
                exponents.append((sign, exponent))
                break
        return _Power(self.read(node.left), tuple((s, self.read(x)) for s, x in exponents), self._pos(node))

    def _call(self, node: ast.Call) -> _Call:
        if not isinstance(node.func, ast.Name):
            construct = _CONSTRUCTS.get(type(node.func), "this")
            raise FormulaError(f"calling {construct} is not allowed", self._pos(node.func))
        name = node.func.id
        if name not in _FUNCTIONS:
            symbol_like = len(name) == 1 or "_" in name
            hint = f" (write {name}*(...) to multiply)" if symbol_like else ""
            raise FormulaError(f"unknown function {name!r}{hint}", self._pos(node))
        if node.keywords:
            raise FormulaError(f"keyword arguments are not allowed in {name}()",
                               self._pos(node.keywords[0].value))
        return _Call(_FUNCTIONS[name], tuple(self.read(arg) for arg in node.args), self._pos(node))


# --- LaTeX syntax ------------------------------------------------------------------------------------------

_GREEK = frozenset({
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho", "sigma", "varsigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
})
# Commands that only change spacing or the size of delimiters.
_SPACING = frozenset({
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
    "Biggr", "quad", "qquad", "displaystyle", "textstyle",
})
_COMMANDS = {
    "cdot": "MUL", "times": "MUL", "ast": "MUL", "div": "DIV", "frac": "FRAC", "dfrac": "FRAC",
    "tfrac": "FRAC", "lfloor": "LFLOOR", "rfloor": "RFLOOR", "lceil": "LCEIL", "rceil": "RCEIL",
    "max": "FUNC", "min": "FUNC", "lbrace": "LBRACE_ESC", "rbrace": "RBRACE_ESC", "rm": "RM",
}
_SYMBOLS = {
    "+": "ADD", "-": "ADD", "*": "MUL", "/": "DIV", "^": "SUP", "_": "SUB", "(": "LPAR", ")": "RPAR",
    "[": "LBRACK", "]": "RBRACK", "{": "LBRACE", "}": "RBRACE", ".": "DOT", ",": "COMMA",
}
_OPENERS = frozenset({"LPAR", "LBRACK", "LBRACE", "LBRACE_ESC", "LFLOOR", "LCEIL"})
_CLOSERS = frozenset({"RPAR", "RBRACK", "RBRACE", "RBRACE_ESC", "RFLOOR", "RCEIL"})
_LATEX_TOKEN = re.compile(r"""
      (?P<space> \s+ | \$ | ~ | \\[,;:!\ ] )
    | (?P<decorated> [A-Za-z] \s* \^ \s* \{ \s* \\(?:mathrm|text|textrm) \s* \{ \s* (?P<sup>[A-Za-z]+) \s* \}
                     \s* \} )
    | (?P<word> \\(?:mathrm|text|textrm|textit|mathit|mathsf|mathbf|textbf) \s* \{ (?P<content>[^{}\\]*) \} )
    | (?P<command> \\[A-Za-z]+ )
    | (?P<escape> \\. )
    | (?P<digit> [0-9] )
    | (?P<letter> [A-Za-z] )
    | (?P<symbol> [-+*/^_()\[\]{}.,] )
    | (?P<other> . )
""", re.VERBOSE)


def _latex_tokens(text: str) -> list[lark.Token]:
    """The tokens of a LaTeX formula, spacing dropped, with the nesting depth checked."""
    tokens: list[lark.Token] = []
    depth = 0
    for match in _LATEX_TOKEN.finditer(text):
        group, lexeme, pos = match.lastgroup, match.group(), match.start()
        if group == "space":
            continue
        value = lexeme
        if group == "decorated":
            # A word as superscript is part of a name (p^{\mathrm{end}}), never a power: exponents are numbers.
            kind, value = "LETTER", f"{lexeme[0]}^{match.group('sup')}"
        elif group == "word":
            value = "".join(match.group("content").split())
            if not value.isalnum() or not value.isascii():
                command = lexeme.split("{")[0].rstrip()
                raise FormulaError(f"{command}{{...}} may hold only letters and digits here", pos)
            kind = "WORD"
        elif group == "command":
            name = lexeme[1:]
            if name in _SPACING:
                continue
            if name in _GREEK:
                kind, value = "GREEK", "lamda" if name == "lambda" else name
            elif name in _COMMANDS:
                kind = _COMMANDS[name]
                value = name if kind == "FUNC" else lexeme
            else:
                raise FormulaError(f"unsupported LaTeX command '{lexeme}'", pos)
        elif group == "escape":
            if lexeme not in ("\\{", "\\}"):
                raise FormulaError(f"unsupported LaTeX command '{lexeme}'", pos)
            kind = "LBRACE_ESC" if lexeme == "\\{" else "RBRACE_ESC"
        elif group == "digit":
            kind = "DIGIT"
        elif group == "letter":
            kind = "LETTER"
        elif group == "symbol":
            kind = _SYMBOLS[lexeme]
        elif lexeme == "=":
            raise FormulaError("'=' is not supported: give the formula alone, without a side", pos)
        else:
            raise FormulaError(f"unexpected character {lexeme!r}", pos)
        if kind in _OPENERS:
            depth += 1
            if depth > LIMITS.max_depth:
                raise FormulaError(_TOO_DEEP, pos)
        elif kind in _CLOSERS:
            depth -= 1
            if depth < 0:
                raise FormulaError(f"unexpected '{lexeme}'", pos)
        tokens.append(lark.Token(kind, value, start_pos=pos, end_pos=match.end(), line=1, column=pos + 1))
    _refuse_run_on_scripts(text, tokens)
    return tokens


_RUN = {"LETTER": re.compile("[A-Za-z]+"), "DIGIT": re.compile("[0-9]+")}


def _refuse_run_on_scripts(text: str, tokens: list[lark.Token]) -> None:
    """Refuse ``C_out`` and ``k^23``: TeX reads them as C_{o}ut and k^{2}3, which nobody means."""
    for script, first, second in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (script.type in ("SUB", "SUP") and first.type in _RUN and second.type == first.type
                and second.start_pos == first.end_pos):
            start = _start(first)
            run = _RUN[first.type].match(text, start)
            written = run.group() if run else str(first)
            mark = text[_start(script)]
            raise FormulaError(f"TeX reads {mark}{written} as {mark}{{{written[0]}}}{written[1:]}: write "
                               f"{mark}{{{written}}}, or put a space after {mark}{written[0]} for a product",
                               start)


def _start(token: lark.Token) -> int:
    return token.start_pos or 0


class _PreLexed(lark.lexer.Lexer):
    """Hands lark the tokens made by :func:`_latex_tokens`."""

    def __init__(self, lexer_conf: object) -> None:
        pass

    def lex(self, data: list[lark.Token]) -> Iterator[lark.Token]:  # type: ignore[override]
        return iter(data)


def _sign(tokens: list[lark.Token]) -> int:
    return -1 if sum(token == "-" for token in tokens) % 2 else 1


class _LatexToTree(lark.Transformer):
    """Called by the LALR parser as it reduces each rule (no recursion), building the _Node tree."""

    def start(self, children: list) -> _Node:
        return children[0]

    def expr(self, children: list) -> _Node:
        sign, first = children[0]
        terms = [(sign, first)]
        for operator, (sign, term) in zip(children[1::2], children[2::2], strict=True):
            terms.append((sign * (-1 if operator == "-" else 1), term))
        return first if len(terms) == 1 and sign == 1 else _Sum(tuple(terms), first.pos)

    def signed(self, children: list) -> tuple[int, _Node]:
        return _sign(children[:-1]), children[-1]

    def term(self, children: list) -> _Node:
        first = children[0]
        if len(children) == 1:
            return first
        return _Product(((False, first), *children[1:]), first.pos)

    def explicit(self, children: list) -> tuple[bool, _Node]:
        factor = children[-1]
        return children[0].type == "DIV", factor if _sign(children[1:-1]) > 0 else _negated(factor)

    def implicit(self, children: list) -> tuple[bool, _Node]:
        return False, children[0]

    def numeral(self, children: list) -> _Node:
        return self.nfactor(children)

    def nfactor(self, children: list) -> _Node:
        base = children[0]
        return base if len(children) == 1 else _Power(base, ((1, children[2]),), base.pos)

    def number(self, children: list[lark.Token]) -> _Num:
        for before, after in itertools.pairwise(children):
            if after.start_pos != before.end_pos:
                raise FormulaError("a number must not contain spaces: write 1000, not 1 000 or 1\\,000",
                                   before.end_pos)
        pos = _start(children[0])
        return _Num(_number("".join(children), pos), pos)

    def name(self, children: list) -> _Name:
        base = children[0]
        return _Name(base + (f"_{children[2]}" if len(children) == 3 else ""), base.start_pos)

    def subscript(self, children: list[lark.Token]) -> str:
        if children[0].type == "LBRACE":
            children = children[1:-1]
        # The separators of C_{in/g} and x_{i,j} become underscores: C_in_g, x_i_j.
        parts = {"DIV": "_", "COMMA": "_", "RM": ""}
        return "".join(parts.get(token.type, str(token)) for token in children)

    def script(self, children: list) -> _Node:
        if len(children) == 3:
            return children[1]
        token = children[0]
        if token.type == "DIGIT":
            return _Num(sympy.Integer(int(token)), token.start_pos)
        return _Name(str(token), token.start_pos)

    def group(self, children: list) -> _Node:
        return children[1]

    def frac(self, children: list) -> _Product:
        return _Product(((False, children[1]), (True, children[2])), children[0].start_pos)

    def floor(self, children: list) -> _Call:
        return _Call("floor", (children[1],), children[0].start_pos)

    def ceil(self, children: list) -> _Call:
        return _Call("ceiling", (children[1],), children[0].start_pos)

    def call(self, children: list) -> _Call:
        return _Call(str(children[0]), tuple(children[2:-1:2]), children[0].start_pos)


@cache
def _latex_parser() -> lark.Lark:
    grammar = importlib.resources.files("symconv").joinpath("latex.lark").read_text(encoding="utf-8")
    # strict: a shift/reduce conflict is an error, not silently resolved, so the grammar stays unambiguous.
    return lark.Lark(grammar, parser="lalr", lexer=_PreLexed, transformer=_LatexToTree(), strict=True)


def _read_latex(text: str) -> _Node:
    tokens = _latex_tokens(text)
    if not tokens:
        raise FormulaError("empty formula")
    try:
        tree = cast(_Node, _latex_parser().parse(tokens))  # type: ignore[arg-type]
    except lark.exceptions.UnexpectedToken as error:
        token = error.token
        if token.type == "$END":
            raise FormulaError("the formula ends too early") from None
        lexeme = text[token.start_pos:token.end_pos]
        if token.type == "DIGIT":
            raise FormulaError(f"unexpected digit {lexeme!r}: write \\cdot between numbers and factors, and "
                               "braces around longer exponents and subscripts (k^{23}, x_{12})",
                               token.start_pos) from None
        raise FormulaError(f"unexpected '{lexeme}'", token.start_pos) from None
    return tree


# --- The tree into SymPy -----------------------------------------------------------------------------------

_SYMPY_FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "floor": sympy.floor, "ceiling": sympy.ceiling, "abs": sympy.Abs, "min": sympy.Min, "max": sympy.Max,
}
_ONE_ARGUMENT = frozenset({"floor", "ceiling", "abs"})


class _Builder:
    """Turns a _Node tree into SymPy, enforcing the limits that need values: exponents and number sizes."""

    def __init__(self, resolve: Callable[[str, int], sympy.Expr]) -> None:
        self._resolve = resolve
        self._power_digits = 0
        self._evaluated_calls = 0

    def result(self, tree: _Node) -> sympy.Expr:
        """The expression of a whole formula, its numbers checked."""
        try:
            expr = self.build(tree)
        except RecursionError:
            # 64 levels need about 400 frames; a caller already deep in its own recursion may not have them.
            raise FormulaError("formula is nested too deeply for the stack left to the parser") from None
        for number in expr.atoms(sympy.Rational):
            if _digits(number) > LIMITS.max_number_digits:
                raise FormulaError(f"the formula makes {_show(number)}, too large (limit "
                                   f"{LIMITS.max_number_digits:,} digits)")
        return expr

    def build(self, node: _Node) -> sympy.Expr:
        match node:
            case _Num(value):
                return value
            case _Name(name, pos):
                return self._resolve(name, pos)
            case _Sum(terms):
                return sympy.Add(*(self.build(t) if sign > 0 else -self.build(t) for sign, t in terms))
            case _Product():
                return self._product(node)
            case _Power():
                return self._power(node)
            case _Call():
                return self._call(node)
        raise AssertionError(node)

    def _product(self, node: _Product) -> sympy.Expr:
        factors = []
        for divides, child in node.factors:
            value = self.build(child)
            if divides:
                if value == 0:
                    raise FormulaError("division by zero", child.pos)
                value = sympy.Pow(value, -1)
            factors.append(value)
        return sympy.Mul(*factors)

    def _power(self, node: _Power) -> sympy.Expr:
        # From the top of the tower down, so that 9**9**9**9 stops at 9**387420489 without computing it.
        exponent: sympy.Expr | None = None
        position = node.pos
        for sign, child in reversed(node.exponents):
            value = self.build(child)
            if exponent is not None:
                value = self._raise(value, exponent, position)
            exponent = value if sign > 0 else -value
            position = child.pos
        assert exponent is not None
        return self._raise(self.build(node.base), exponent, position)

    def _raise(self, base: sympy.Expr, exponent: sympy.Expr, pos: int) -> sympy.Expr:
        limit = LIMITS.max_exponent
        if not isinstance(exponent, sympy.Rational):
            raise FormulaError(f"exponent {_show(exponent)} is not a number", pos)
        if abs(exponent.p) > limit or exponent.q > limit:
            raise FormulaError(f"exponent {_show(exponent)} is too large (limit {limit})", pos)
        if base == 0 and exponent < 0:
            raise FormulaError("division by zero (0 to a negative power)", pos)
        degree, digits = _degree_and_digits(base)
        if degree * abs(exponent) > limit:
            raise FormulaError(f"exponent {exponent} on a power of degree {degree} gives degree "
                               f"{degree * abs(exponent)}, too large (limit {limit})", pos)
        self._power_digits += math.ceil(digits * abs(exponent))
        if self._power_digits > LIMITS.max_power_digits:
            raise FormulaError("the numbers that powers create are too large "
                               f"(over {LIMITS.max_power_digits:,} digits in all)", pos)
        return sympy.Pow(base, exponent)

    def _call(self, node: _Call) -> sympy.Expr:
        args = [self.build(arg) for arg in node.args]
        name = node.function
        if name in _ONE_ARGUMENT and len(args) != 1:
            raise FormulaError(f"{name}() takes one argument, not {len(args)}", node.pos)
        if not args:
            raise FormulaError(f"{name}() needs at least one argument", node.pos)
        if all(isinstance(arg, sympy.Rational) for arg in args):
            if name in _ONE_ARGUMENT:
                return _SYMPY_FUNCTIONS[name](*args)
            return max(args) if name == "max" else min(args)
        if self._worth_evaluating(name, args):
            self._evaluated_calls += 1
            return _SYMPY_FUNCTIONS[name](*args)
        return _SYMPY_FUNCTIONS[name](*args, evaluate=False)

    def _worth_evaluating(self, name: str, args: list[sympy.Expr]) -> bool:
        """Whether SymPy may simplify this call: its evaluation queries assumptions, superlinearly."""
        if self._evaluated_calls >= LIMITS.max_evaluated_calls:
            return False
        budget = LIMITS.max_evaluated_size
        for arg in args:
            budget -= sum(1 for _ in itertools.islice(sympy.preorder_traversal(arg), budget + 1))
            if budget < 0:
                return False
        if name in ("min", "max"):
            return len(args) <= 4 and not any(arg.has(sympy.Min, sympy.Max) for arg in args)
        return True


def _degree_and_digits(base: sympy.Expr) -> tuple[sympy.Rational, int]:
    """The largest exponent inside ``base`` (1 if none) and the digits of the numbers that raising ``base``
    to a power multiplies: those of its numeric factors, not those inside sums, which a power leaves alone."""
    degree: sympy.Rational = sympy.Integer(1)
    for power in base.atoms(sympy.Pow):
        if isinstance(power.exp, sympy.Rational):
            degree = max(degree, abs(power.exp))
    digits = 0
    pending = [base]
    while pending:
        expr = pending.pop()
        if isinstance(expr, sympy.Rational):
            digits += _digits(expr)
        elif isinstance(expr, sympy.Mul):
            pending.extend(expr.args)
        elif isinstance(expr, sympy.Pow):
            pending.append(expr.base)
    return degree, digits
