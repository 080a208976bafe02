"""The text syntax (Python's arithmetic, ``^`` for powers, implicit ``*``), read without running anything.

Three steps: :mod:`tokenize` splits the formula and the checks that need no parse are made on its tokens;
the tokens become Python source with the implicit ``*`` inserted and each number a placeholder; Python's
parser (``ast.parse``, which never executes) reads that source, and its tree is walked with a whitelist into
the tree of :mod:`symconv.parsing.tree`. :mod:`symconv.parsing` describes the syntax and its limits.
"""

from __future__ import annotations

import ast
import bisect
import io
import keyword
import tokenize
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import sympy

from symconv.errors import FormulaError
from symconv.parsing.build import Builder
from symconv.parsing.limits import LIMITS, TOO_DEEP, screen
from symconv.parsing.names import Names
from symconv.parsing.tree import Call, Name, Node, Num, Power, Product, Sum, negated, number

__all__ = ["parse_text"]


def parse_text(text: str, *, aliases: Mapping[str, sympy.Expr] | None = None,
               allow_new: bool = True) -> sympy.Expr:
    """Read a formula in text syntax: Python's arithmetic, ``^`` for powers and implicit multiplication.

    >>> parse_text("2*k**2*H_out*W_out*C_in*C_out") == parse_text("2 k^2 H_out W_out C_in C_out")
    True
    >>> parse_text("0.5 max(k_h, k_w)")
    Max(k_h, k_w)/2
    """
    names = Names(aliases, allow_new)
    tree = _read_text(screen(text), names.known)
    return Builder(names.resolve).result(tree)


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
                yield _Token("number", string, col, number(string, col))
            elif kind == tokenize.NAME:
                if keyword.iskeyword(string):
                    raise FormulaError(f"'{string}' is not allowed in a formula", col)
                yield _Token("name", string, col)
            elif kind == tokenize.OP:
                if string in ("(", "[", "{"):
                    opened.append(_Token("op", string, col))
                    if len(opened) > LIMITS.max_depth:
                        raise FormulaError(TOO_DEEP, col)
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


def _read_text(text: str, known: Callable[[str], bool]) -> Node:
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
    """Python's syntax tree, walked with a whitelist, into a Node tree.

    Chains (``a + b - c``, ``a * b / c``, unary signs and power towers) are walked with loops, so the
    recursion only goes as deep as the brackets, which the tokenizer limited.
    """

    def __init__(self, source: _Source) -> None:
        self._source = source

    def _pos(self, node: ast.expr) -> int:
        return self._source.origin(node.col_offset)

    def read(self, node: ast.expr) -> Node:
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
            return self.read(inner) if sign > 0 else negated(self.read(inner))
        if isinstance(node, ast.Constant) and node.col_offset in self._source.numbers:
            return Num(self._source.numbers[node.col_offset], self._pos(node))
        if isinstance(node, ast.Name):
            return Name(node.id, self._pos(node))
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

    def _signed(self, node: ast.expr) -> tuple[int, Node]:
        sign, inner = self._unsigned(node)
        return sign, self.read(inner)

    def _sum(self, node: ast.BinOp) -> Sum:
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
        return Sum(tuple(terms), self._pos(node))

    def _product(self, node: ast.BinOp) -> Product:
        chain: list[tuple[bool, ast.expr]] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp) and isinstance(current.op, ast.Mult | ast.Div):
            chain.append((isinstance(current.op, ast.Div), current.right))
            current = current.left
        chain.append((False, current))
        return Product(tuple((divides, self.read(f)) for divides, f in reversed(chain)), self._pos(node))

    def _power(self, node: ast.BinOp) -> Power:
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
        return Power(self.read(node.left), tuple((s, self.read(x)) for s, x in exponents), self._pos(node))

    def _call(self, node: ast.Call) -> Call:
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
        return Call(_FUNCTIONS[name], tuple(self.read(arg) for arg in node.args), self._pos(node))


