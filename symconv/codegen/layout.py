"""Lines of generated code laid out black's way, narrower than :data:`WIDTH` columns.

>>> print(wrap_call("def f(", ["*", "N", "C_in"], "):"))
def f(*, N, C_in):
>>> print(wrap_call("__all__ = [", ['"flops"', '"params"'], "]", offset=100, collection=True))
__all__ = [
    "flops",
    "params",
]
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from symconv.codegen.tree import (
    ATOM,
    PRODUCT,
    FloorDiv,
    Node,
    Prod,
    Sum,
    code,
    needs_parens,
    product_operands,
    sum_operands,
)

__all__ = ["WIDTH", "docstring_text", "layout", "return_lines", "tuple_display", "tuple_text", "wrap_call"]

WIDTH = 110  # generated code stays narrower than the project's limit (pyproject.toml)


def docstring_text(text: str) -> str:
    r"""``text`` escaped to stand between triple quotes: backslashes doubled, triple quotes escaped, and each
    character that cannot stand in source as it is written as its escape; the lines kept.

    >>> print(docstring_text("a \\ b" + chr(0) + "c\nd"))
    a \\ b\x00c
    d
    """
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return "".join(c if c == "\n" or c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def tuple_text(items: Sequence[str]) -> str:
    """A tuple display: ``(a,)`` or ``(a, b)``."""
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def tuple_display(items: Sequence[str], *, offset: int = 0) -> str:
    """A tuple display for a line indented by ``offset``: ``(a,)`` or ``(a, b)`` on one line if it fits, else
    one item per line, each followed by a comma, as black writes it.

    >>> print(tuple_display(["x" * 60, "y" * 60]))
    (
        xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,
        yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy,
    )
    """
    one_line = tuple_text(items)
    if "\n" not in one_line and offset + len(one_line) <= WIDTH:
        return one_line
    return "(\n" + "".join(textwrap.indent(f"{item},", "    ") + "\n" for item in items) + ")"


def return_lines(nodes: Sequence[Node], *, tuple_: bool) -> list[str]:
    """``return <expression>`` or ``return (<expression>, ...)``, split the way black splits long lines."""
    texts = [code(node) for node in nodes]
    line = f"return {tuple_text(texts) if tuple_ else texts[0]}"
    if 4 + len(line) <= WIDTH:
        return [line]
    lines = []
    for node in nodes:
        lines += layout(node, 8, suffix="," if tuple_ else "")
    return ["return (", *("    " + line for line in lines), ")"]


def layout(node: Node, indent: int, prefix: str = "", suffix: str = "") -> list[str]:
    """``prefix + node + suffix`` as lines starting at column ``indent``, split black's way when too long.

    A sum is split before each + and -, a product before each *, and a parenthesised operand that is still
    too long is opened up: ``* (`` on one line, its contents indented, ``)`` on a line of its own.
    """
    text = prefix + code(node) + suffix
    if indent + len(text) <= WIDTH:
        return [text]
    operands = _operands(node)
    if not operands:
        return [text]
    lines: list[str] = []
    for i, (operator, operand, parenthesised) in enumerate(operands):
        head = (prefix if i == 0 else "") + operator
        tail = suffix if i == len(operands) - 1 else ""
        inner = code(operand)
        if not parenthesised:
            lines += layout(operand, indent, head, tail)
        elif indent + len(head) + len(inner) + 2 + len(tail) <= WIDTH:
            lines.append(f"{head}({inner}){tail}")
        else:
            lines += [f"{head}(", *("    " + line for line in layout(operand, indent + 4)), f"){tail}"]
    return lines


def _operands(node: Node) -> list[tuple[str, Node, bool]]:
    """The operands a long line splits between: (operator before it, operand, parenthesised)."""
    operands: list[tuple[str, Node, bool]] = []
    if isinstance(node, Sum):
        for i, (operator, term) in enumerate(sum_operands(node)):
            negative = operator == "- "
            if i == 0:
                operands.append(("-" if negative else "", term, needs_parens(term, PRODUCT, floors=negative)))
            else:
                operands.append((operator, term, needs_parens(term, PRODUCT)))
    elif isinstance(node, Prod):
        for i, factor in enumerate(product_operands(node)):
            operator = ("-" if node.coeff < 0 else "") if i == 0 else "* "
            operands.append((operator, factor, needs_parens(factor, PRODUCT, floors=True)))
    elif isinstance(node, FloorDiv):
        operands.append(("", node.num, needs_parens(node.num, PRODUCT, floors=True)))
        operands.append(("// ", node.den, needs_parens(node.den, ATOM)))
    return operands


def wrap_call(head: str, items: Sequence[str], tail: str, *, offset: int = 0, collection: bool = False) -> str:
    """``head + items + tail`` in black's style, for a line that will be indented by ``offset`` columns.

    On one line if it fits; else, for a call or signature, the items on one indented line of their own if
    that fits; else one item per line, as black always does for a collection literal.
    """
    one_line = f"{head}{', '.join(items)}{tail}"
    if "\n" not in one_line and offset + len(one_line) <= WIDTH:
        return one_line
    joined = ", ".join(items)
    if not collection and "\n" not in joined and offset + 4 + len(joined) <= WIDTH:
        return f"{head}\n    {joined}\n{tail}"
    return f"{head}\n" + "".join(textwrap.indent(f"{item},", "    ") + "\n" for item in items) + tail
