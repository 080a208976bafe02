r"""Assertions for your own tests: is the FLOP formula in your code, docstring or paper right?

Each helper raises ``AssertionError`` with the difference, the smallest counterexample and, where there is
one, the condition under which the claim does hold, so that a plain ``assert``-style pytest test reads well:

>>> from symconv.testing import assert_count
>>> verdict = assert_count("2 k^2 H_out W_out C_in C_out", "standard", "flops", bias=True,
...                        values={"k_h": "k", "k_w": "k", "N": 1})
>>> verdict.method
'symbolic normal form: derived − claimed simplifies to 0'
>>> assert_count("2 k^2 H_out W_out C_in C_out", "standard", "flops", bias=False,
...              values={"k_h": "k", "k_w": "k", "N": 1})
Traceback (most recent call last):
    ...
AssertionError: the claimed flops of standard (2-D, exact convention, without bias) does not hold
claimed:    2C_in·k²·H_out·W_out·C_out
derived:    H_out·W_out·C_out·(2C_in·k² − 1)
difference: derived − claimed = −H_out·W_out·C_out
verdict:    does not hold
counterexample: at C_in = 1, C_out = 1, H_out = 1, W_out = 1, k = 1: claimed 2, derived 1
condition:  holds for no values of the symbols

A verdict of "holds" is always a proof (the symbolic normal form of the difference is 0), never the outcome
of sampling; an undecided check fails the assertion, saying why.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import sympy

from symconv.check import DEFAULT_TIMEOUT, Part, Value, Verdict, check_count, claim_expr, equivalent
from symconv.errors import must_be
from symconv.printing.check import setting, verdict_text

__all__ = ["assert_count", "assert_equivalent"]


def assert_equivalent(left: str | sympy.Expr, right: str | sympy.Expr, *,
                      aliases: Mapping[str, Value] | None = None, notation: str | None = None,
                      values: Mapping[str, Value] | None = None, timeout: float = DEFAULT_TIMEOUT) -> Verdict:
    r"""Assert that two formulas (text, LaTeX or SymPy) are equal for every value of their symbols.

    ``left`` is taken as the claim and ``right`` as the reference: the message's difference is
    ``right − left``. Returns the verdict when they are equal.

    >>> from symconv.testing import assert_equivalent
    >>> assert_equivalent(r"C_{in} \times (k^2 + C_{out})", "C_in*k**2 + C_in*C_out").method
    'symbolic normal form: derived − claimed simplifies to 0'
    >>> assert_equivalent("k^2 C_in", "k C_in")
    Traceback (most recent call last):
        ...
    AssertionError: the two formulas differ
    claimed:    C_in·k²
    derived:    C_in·k
    difference: derived − claimed = −C_in·k·(k − 1)
    verdict:    does not hold
    counterexample: at C_in = 1, k = 2: claimed 4, derived 2
    condition:  holds exactly when k = 1
    """
    __tracebackhide__ = True  # pytest shows the message, not this helper's source
    claimed = claim_expr(left, aliases=aliases, notation=notation, values=values)
    reference = claim_expr(right, aliases=aliases, notation=notation, values=values)
    verdict = equivalent(claimed, reference, timeout=timeout)
    if verdict.status != "holds":
        raise AssertionError("the two formulas differ\n" + verdict_text(verdict) if verdict.status == "fails" else
                             "could not decide whether the two formulas are equal\n" + verdict_text(verdict))
    return verdict


def assert_count(formula: object, variant: str | None = None, quantity: str = "flops", *,
                 versus: str | None = None, parts: tuple[Part, ...] = (), convention: str = "exact",
                 bias: bool | None = None, dims: int = 2, values: Mapping[str, Value] | None = None,
                 aliases: Mapping[str, Value] | None = None, notation: str | None = None,
                 when: str | None = None, timeout: float = DEFAULT_TIMEOUT, grid: bool = False,
                 free: Collection[str] = ()) -> Verdict:
    r"""Assert that ``formula`` is the ``quantity`` symconv derives for a layer (see
    :func:`symconv.check.check_count` for the arguments), or, with ``when``, that it holds exactly under
    that condition and not otherwise. Returns the verdict.

    ``formula`` may be text or LaTeX, a SymPy expression in your own symbols (they are read by name), a
    number (a concrete layer's count) or your own function, called with symbols named by its parameters.

    >>> from symconv.testing import assert_count
    >>> assert_count(r"\frac{1}{N} + \frac{1}{D_K^2}", "separable", "macs", versus="standard",
    ...              notation="mobilenet").summary
    'holds'
    >>> assert_count("(k^2 + C_out) C_in", "separable", "params", values={"k_h": "k", "k_w": "k", "m": 1},
    ...              when="b = 0").counterexample.values
    {'C_in': 1, 'C_out': 1, 'b': 1, 'k': 1}
    """
    __tracebackhide__ = True  # pytest shows the message, not this helper's source
    must_be(when, (str, type(None)), "when", "a condition (a str) or None")
    verdict = check_count(formula, variant, quantity, versus=versus, parts=parts, convention=convention,
                          bias=bias, dims=dims, values=values, aliases=aliases, notation=notation,
                          timeout=timeout, grid=grid, free=free)
    layers = variant or " + ".join(p.variant for p in parts)
    what = (f"{quantity} of {layers}" + (f" / {versus}" if versus else "")
            + f" ({dims}-D, {setting(quantity, convention, bias)})")
    if when is None:
        if verdict.status != "holds":
            outcome = "does not hold" if verdict.status == "fails" else "is undecided"
            raise AssertionError(f"the claimed {what} {outcome}\n{verdict_text(verdict)}")
    elif verdict.status != "fails" or verdict.condition != when:
        found = "it holds for every value" if verdict.status == "holds" else f"it {verdict.summary}"
        raise AssertionError(f"the claimed {what} was expected to hold exactly when {when}, but {found}\n"
                             f"{verdict_text(verdict)}")
    return verdict
