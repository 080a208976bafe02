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
calls, and only that tree is turned into SymPy. The data flows in one direction, one module per stage:

    text --limits.screen--> tokens --text (ast.parse) / latex (lark)--> tree.Node --build.Builder--> sympy.Expr

``names`` says what a name means, and ``formula`` holds the entry points that choose the syntax and read
the ``NAME=VALUE`` assignments.

* Text (:mod:`symconv.parsing.text`): :mod:`tokenize` splits the formula, implicit ``*`` is inserted and
  ``^`` becomes ``**``; numbers are replaced by placeholders (their exact values are kept aside, so ``0.5`` is
  ``1/2``, never a float), and Python's own parser (``ast.parse``, which parses without executing) builds a
  syntax tree that is walked with a whitelist: ``+ - * / **``, unary signs, numbers, names and calls of
  ``floor``, ``ceil``/``ceiling``, ``min``, ``max``, ``abs``/``Abs``. Anything else (attributes, indexing,
  strings, keywords such as ``lambda``, comparisons, ``//``, ``%``, keyword arguments) is refused, naming the
  construct and where.
* LaTeX (:mod:`symconv.parsing.latex`): the grammar in ``symconv/parsing/latex.lark`` (LALR, so every input
  has one reading) over tokens from that module's lexer, which refuses every command it does not know
  (``\input``, ``\def``, ...).

A name is looked up in ``aliases`` first (they shadow the table: with the alias ``N = C_out``, ``N`` means
``C_out``, not the batch), then in the symbol table, then, with ``allow_new``, introduced by
:func:`symconv.symbols.new_symbol`; otherwise it is an error. :func:`parse_aliases` reads aliases as
``--let`` gives them.

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

from symconv.parsing.formula import parse_aliases, parse_assignment, parse_formula
from symconv.parsing.latex import parse_latex
from symconv.parsing.limits import LIMITS, Limits
from symconv.parsing.text import parse_text

__all__ = [
    "LIMITS",
    "Limits",
    "parse_aliases",
    "parse_assignment",
    "parse_formula",
    "parse_latex",
    "parse_text",
]
