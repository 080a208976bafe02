r"""The LaTeX syntax: formulas as papers write them, read by a whitelisted grammar and nothing else.

This module's lexer names each token (it drops spacing, ``$`` and ``\left``/``\right``, counts the nesting
and refuses every command it does not know: ``\input``, ``\def``, ...); the grammar beside it,
``latex.lark`` (LALR, so every input has at most one reading), reduces the tokens into the tree of
:mod:`symconv.parsing.tree`. :mod:`symconv.parsing` describes the limits.
"""

from __future__ import annotations

import importlib.resources
import itertools
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import cast

import lark
import lark.exceptions
import lark.lexer
import sympy

from symconv.errors import FormulaError
from symconv.parsing.build import Builder
from symconv.parsing.limits import LIMITS, TOO_DEEP, screen
from symconv.parsing.names import Names
from symconv.parsing.tree import Call, Name, Node, Num, Power, Product, Sum, negated, number

__all__ = ["parse_latex"]


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
    names = Names(aliases, allow_new)
    tree = _read_latex(screen(text))
    return Builder(names.resolve).result(tree)


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
                raise FormulaError(TOO_DEEP, pos)
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
    """Called by the LALR parser as it reduces each rule (no recursion), building the Node tree."""

    def start(self, children: list) -> Node:
        return children[0]

    def expr(self, children: list) -> Node:
        sign, first = children[0]
        terms = [(sign, first)]
        for operator, (sign, term) in zip(children[1::2], children[2::2], strict=True):
            terms.append((sign * (-1 if operator == "-" else 1), term))
        return first if len(terms) == 1 and sign == 1 else Sum(tuple(terms), first.pos)

    def signed(self, children: list) -> tuple[int, Node]:
        return _sign(children[:-1]), children[-1]

    def term(self, children: list) -> Node:
        first = children[0]
        if len(children) == 1:
            return first
        return Product(((False, first), *children[1:]), first.pos)

    def explicit(self, children: list) -> tuple[bool, Node]:
        factor = children[-1]
        return children[0].type == "DIV", factor if _sign(children[1:-1]) > 0 else negated(factor)

    def implicit(self, children: list) -> tuple[bool, Node]:
        return False, children[0]

    def numeral(self, children: list) -> Node:
        return self.nfactor(children)

    def nfactor(self, children: list) -> Node:
        base = children[0]
        return base if len(children) == 1 else Power(base, ((1, children[2]),), base.pos)

    def number(self, children: list[lark.Token]) -> Num:
        for before, after in itertools.pairwise(children):
            if after.start_pos != before.end_pos:
                raise FormulaError("a number must not contain spaces: write 1000, not 1 000 or 1\\,000",
                                   before.end_pos)
        pos = _start(children[0])
        return Num(number("".join(children), pos), pos)

    def name(self, children: list) -> Name:
        base = children[0]
        return Name(base + (f"_{children[2]}" if len(children) == 3 else ""), base.start_pos)

    def subscript(self, children: list[lark.Token]) -> str:
        if children[0].type == "LBRACE":
            children = children[1:-1]
        # The separators of C_{in/g} and x_{i,j} become underscores: C_in_g, x_i_j.
        parts = {"DIV": "_", "COMMA": "_", "RM": ""}
        return "".join(parts.get(token.type, str(token)) for token in children)

    def script(self, children: list) -> Node:
        if len(children) == 3:
            return children[1]
        token = children[0]
        if token.type == "DIGIT":
            return Num(sympy.Integer(int(token)), token.start_pos)
        return Name(str(token), token.start_pos)

    def group(self, children: list) -> Node:
        return children[1]

    def frac(self, children: list) -> Product:
        return Product(((False, children[1]), (True, children[2])), children[0].start_pos)

    def floor(self, children: list) -> Call:
        return Call("floor", (children[1],), children[0].start_pos)

    def ceil(self, children: list) -> Call:
        return Call("ceiling", (children[1],), children[0].start_pos)

    def call(self, children: list) -> Call:
        return Call(str(children[0]), tuple(children[2:-1:2]), children[0].start_pos)


@cache
def _latex_parser() -> lark.Lark:
    grammar = importlib.resources.files("symconv.parsing").joinpath("latex.lark").read_text(encoding="utf-8")
    # strict: a shift/reduce conflict is an error, not silently resolved, so the grammar stays unambiguous.
    return lark.Lark(grammar, parser="lalr", lexer=_PreLexed, transformer=_LatexToTree(), strict=True)


def _read_latex(text: str) -> Node:
    tokens = _latex_tokens(text)
    if not tokens:
        raise FormulaError("empty formula")
    try:
        tree = cast(Node, _latex_parser().parse(tokens))  # type: ignore[arg-type]
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

