r"""The entry points: a formula in either syntax, and the ``NAME=VALUE`` assignments of ``--set`` and ``--let``.

>>> parse_formula("2 k^2 C_in") == parse_formula(r"2k^2 \cdot C_{in}")
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sympy

from symconv.errors import FormulaError, SymconvError, UnknownSymbolError
from symconv.parsing.latex import parse_latex
from symconv.parsing.limits import clip
from symconv.parsing.text import parse_text
from symconv.symbols import new_symbol

__all__ = ["parse_aliases", "parse_assignment", "parse_formula"]


def parse_formula(text: str, *, syntax: str = "auto", aliases: Mapping[str, sympy.Expr] | None = None,
                  allow_new: bool = True) -> sympy.Expr:
    r"""Read a formula in ``syntax`` "text", "latex" or "auto" (LaTeX when it has ``\``, ``{`` or ``$``).

    >>> from symconv.symbols import sym
    >>> parse_formula(r"\frac{1}{N} + \frac{1}{D_K^2}", aliases={"N": sym("C_out")})
    D_K**(-2) + 1/C_out
    >>> parse_formula("(C_in * k_h * k_w + 1) * C_out")
    C_out*(C_in*k_h*k_w + 1)
    """
    if not isinstance(text, str):
        raise TypeError(f"a formula must be a str, not {type(text).__name__}")
    if not isinstance(syntax, str):
        raise SymconvError(f"syntax must be 'auto', 'text' or 'latex', not {syntax!r}")
    if syntax == "auto":
        syntax = "latex" if any(c in text for c in "\\{$") else "text"
    if syntax == "text":
        return parse_text(text, aliases=aliases, allow_new=allow_new)
    if syntax == "latex":
        return parse_latex(text, aliases=aliases, allow_new=allow_new)
    raise SymconvError(f"syntax must be 'auto', 'text' or 'latex', not {syntax!r}")


def parse_assignment(text: str) -> tuple[str, sympy.Expr]:
    """Split ``NAME=VALUE`` (as given to ``--set`` and ``--let``) and read VALUE in text syntax.

    >>> parse_assignment("k_h = 2*k + 1")
    ('k_h', 2*k + 1)
    """
    if not isinstance(text, str):
        raise TypeError(f"an assignment must be a str, not {type(text).__name__}")
    head, equals, _ = text.partition("=")
    if not equals:
        raise FormulaError(f"expected NAME=VALUE, not {clip(text)!r}")
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

