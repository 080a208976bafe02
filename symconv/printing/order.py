"""A fixed, readable order of factors and terms, the same on every run and hash seed.

SymPy orders a product's factors by name (``C_in C_out H_out N W_out k_h k_w``). Papers write the batch first,
the kernel beside the input channels and the output channels last (``N C_in k_h k_w H_out W_out C_out``), so
the printers first rebuild every product and sum in that order, unevaluated, then print with ``order="none"``.

>>> from symconv.symbols import sym
>>> arrange(sym("C_out") * sym("k_h") * sym("N") * sym("C_in")).args
(N, C_in, k_h, C_out)
"""

from __future__ import annotations

import sympy

from symconv.symbols import TABLE

__all__ = ["arrange", "factor_key"]

_RANKED = (
    ["N", "g", "m", "C_in", "C_in_g"]
    + [f"k_{a}" for a in "ldhw"]
    + ["*"]  # names introduced by the user (``k`` in --set k_h=k) read best beside the kernel
    + [f"{a}_in" for a in "LDHW"]
    + [f"{a}_out" for a in "LDHW"]
    + ["C_out", "C_out_g"]
    + [f"{letter}_{a}" for letter in "sdp" for a in "ldhw"]
    + ["b"]
    + ["n", "o", "c", "t", "u", "v", "r", "i", "j"]
)
_RANK = {name: rank for rank, name in enumerate(_RANKED)}


def _symbol_rank(symbol: sympy.Symbol) -> tuple[int, str]:
    name = symbol.name
    if name in _RANK:
        return (_RANK[name], name)
    return (_RANK["*"] if name not in TABLE else len(_RANK), name)


def factor_key(factor: sympy.Basic) -> tuple[object, ...]:
    """Numbers first, then symbols (and their powers) by rank, then compound factors in a stable order."""
    if factor.is_Number:
        return (0,)
    base, _ = factor.as_base_exp()
    if isinstance(base, sympy.Symbol):
        return (1, *_symbol_rank(base))
    return (2, _degree(factor) * -1, sympy.srepr(factor))


def _degree(expr: sympy.Basic) -> int:
    if isinstance(expr, sympy.Symbol):
        return 1
    if expr.is_Number:
        return 0
    if isinstance(expr, sympy.Pow):
        base, exp = expr.as_base_exp()
        return _degree(base) * int(exp) if exp.is_Integer else 1
    if isinstance(expr, sympy.Mul):
        return sum(_degree(arg) for arg in expr.args)
    if isinstance(expr, sympy.Add):
        return max(_degree(arg) for arg in expr.args)
    return 1  # a sum, a floor, a tensor entry: one opaque factor


def _term_key(term: sympy.Basic) -> tuple[object, ...]:
    if isinstance(term, sympy.Sum):
        return (0,)  # the reduction of an element before its bias
    if isinstance(term, sympy.Indexed) or (term.is_Mul and any(isinstance(a, sympy.Indexed) for a in term.args)):
        return (2,)
    coeff, rest = term.as_coeff_Mul()
    # Added terms before subtracted ones (H_in + 2 p - d (k - 1) - 1, s u + d i - p, 1 - b), each by degree
    # and rank, a constant last among its sign.
    if rest == 1:
        return (1, bool(coeff.is_negative), 1)
    return (1, bool(coeff.is_negative), 0, -_degree(term), [factor_key(f) for f in sympy.Mul.make_args(rest)])


def arrange(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` rebuilt, unevaluated, with products and sums in the fixed order."""
    if isinstance(expr, sympy.Indexed):  # an atom to SymPy, but its indices are expressions
        return sympy.Indexed(expr.base, *(arrange(i) for i in expr.indices))
    if expr.is_Atom or isinstance(expr, sympy.IndexedBase):
        return expr
    args = [arrange(arg) for arg in expr.args]
    if isinstance(expr, sympy.Mul):
        return sympy.Mul(*sorted(args, key=factor_key), evaluate=False)
    if isinstance(expr, sympy.Add):
        return sympy.Add(*sorted(args, key=_term_key), evaluate=False)
    if isinstance(expr, sympy.Pow):
        return sympy.Pow(*args, evaluate=False)
    if isinstance(expr, sympy.Sum | sympy.Subs | sympy.Tuple):
        return expr.func(*args)
    return expr.func(*args, evaluate=False) if hasattr(expr, "is_Function") and expr.is_Function else expr
