"""Count the operations of an expression from its structure, and the tensors it reads.

Every count symconv derives goes through :func:`count_ops`: the expression of one output element (a
convolution's sum of products, a batch norm's ``x·a + s``, a pooling window's maximum) is walked once, and
each node costs what evaluating it costs. :func:`tensors_read` gives the sizes of the tensors an expression
reads, weighted by the flags of the terms that read them: a layer's parameters are the parameter tensors its
element reads, never a formula typed in.

>>> from symconv.symbols import sym, index
>>> x, w, beta = sympy.IndexedBase("x"), sympy.IndexedBase("w"), sympy.IndexedBase("beta")
>>> c, K, b = index("c"), sym("C_in"), sym("b")
>>> element = sympy.Sum(w[c] * x[c], (c, 0, K - 1)) + b * beta[0]
>>> count_ops(element)
Ops(mults=C_in, adds=C_in + b - 1, others=0)
>>> tensors_read(element, [sympy.IndexedBase("w", shape=(K,)), sympy.IndexedBase("beta", shape=(1,))])
C_in + b
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import mul

import sympy
from sympy.core.function import AppliedUndef

from symconv.errors import SymconvError
from symconv.symbols import is_flag

__all__ = ["ELEMENTARY", "Ops", "count_ops", "presence", "product", "receipts", "size", "tensors_read"]


_NONE = sympy.Integer(0)


@dataclass(frozen=True)
class Ops:
    """Multiplications, additions and other operations (comparisons, divisions, square roots, exponentials)."""

    mults: sympy.Expr
    adds: sympy.Expr
    others: sympy.Expr = _NONE

    def __add__(self, other: Ops) -> Ops:
        return Ops(self.mults + other.mults, self.adds + other.adds, self.others + other.others)

    def scale(self, factor: sympy.Expr) -> Ops:
        return Ops(factor * self.mults, factor * self.adds, factor * self.others)


ZERO = Ops(sympy.Integer(0), sympy.Integer(0))

#: Functions that cost one operation of their own ("others") each time they are applied.
ELEMENTARY: tuple[type[sympy.Function], ...] = (sympy.exp, sympy.log, sympy.tanh, sympy.erf, sympy.Abs)


def product(items: Iterable[sympy.Expr]) -> sympy.Expr:
    """The product of ``items`` (1 for none)."""
    return reduce(mul, items, sympy.Integer(1))


def size(base: sympy.IndexedBase) -> sympy.Expr:
    """The entries of a tensor: the product of its shape."""
    return product(base.shape)


def presence(term: sympy.Expr) -> sympy.Expr:
    """1 for a term that is always computed; the product of its flags for one that exists only when they
    are 1 (``b * beta[o]`` is present exactly when ``b = 1``)."""
    return product(f for f in sympy.Mul.make_args(term) if is_flag(f))


def count_ops(expr: sympy.Expr) -> Ops:
    """Count the operations that evaluating ``expr`` performs, from its structure.

    * a tensor entry, a symbol or a number costs nothing (it is read, not computed);
    * a product of ``n`` factors costs ``n - 1`` multiplications, a power ``x**n`` ``n - 1``; a flag factor
      (``b``) is not a factor that is multiplied but a condition, so the product's whole cost is weighted by it;
      a factor ``x**-1`` is a division (one other operation) instead of a multiplication;
    * a sum of ``n`` present terms costs ``n - 1`` additions;
    * ``Sum(body, ranges)`` repeats the body once per index value and adds the ``n`` results with ``n - 1``
      additions, ``n`` the product of the range lengths;
    * ``Max``/``Min`` of ``n`` arguments cost ``n - 1`` comparisons, a square root and each function of
      :data:`ELEMENTARY` one other operation;
    * a comparison (``x > 0``) is one other operation, ``And``/``Or`` of ``n`` conditions ``n - 1`` more, and a
      ``Piecewise`` costs every branch and every condition: a vectorised select computes them all and blends
      (choosing adds nothing, as ``Max`` costs its comparisons alone).

    >>> x = sympy.IndexedBase("x")
    >>> count_ops(sympy.Min(sympy.Max(x[0], 0), 6)), count_ops(x[0] / (1 + sympy.exp(-x[0])))
    (Ops(mults=0, adds=0, others=2), Ops(mults=0, adds=1, others=2))
    >>> count_ops(sympy.Piecewise((x[1], x[0] > 0), (sympy.Symbol("a") * x[1], True)))  # leaky ReLU's gradient
    Ops(mults=1, adds=0, others=1)
    """
    if isinstance(expr, sympy.Indexed | sympy.Symbol | sympy.Number):
        return ZERO
    if isinstance(expr, sympy.Sum):
        n = product(upper - lower + 1 for _, lower, upper in expr.limits)
        body = count_ops(expr.function)
        return Ops(n * body.mults, n * body.adds + n - 1, n * body.others)
    if isinstance(expr, sympy.Mul):
        return _product_ops(expr)
    if isinstance(expr, sympy.Pow):
        return _power_ops(expr)
    if isinstance(expr, sympy.Add):
        terms = expr.args
        if all(presence(t) != 1 for t in terms):
            raise SymconvError(f"every term of {expr} depends on a flag; the sum's size is unknown")
        inner = sum((count_ops(t) for t in terms), ZERO)
        return Ops(inner.mults, inner.adds + sum(presence(t) for t in terms) - 1, inner.others)
    if isinstance(expr, sympy.Max | sympy.Min):
        inner = sum((count_ops(a) for a in expr.args), ZERO)
        return inner + Ops(sympy.Integer(0), sympy.Integer(0), sympy.Integer(len(expr.args) - 1))
    if isinstance(expr, ELEMENTARY) and not isinstance(expr, AppliedUndef):
        inner = sum((count_ops(a) for a in expr.args), ZERO)
        return inner + Ops(sympy.Integer(0), sympy.Integer(0), sympy.Integer(1))
    if isinstance(expr, sympy.Piecewise | sympy.Rel | sympy.And | sympy.Or | sympy.logic.boolalg.BooleanAtom):
        return _select_ops(expr)
    raise SymconvError(f"cannot count the operations of {type(expr).__name__}: {expr}")


def _select_ops(expr: sympy.Basic) -> Ops:
    """A select, a comparison or a combination of comparisons: every branch and condition of a select, one
    other operation per comparison and per joining of two conditions; ``True`` costs nothing."""
    if isinstance(expr, sympy.logic.boolalg.BooleanAtom):
        return ZERO
    if isinstance(expr, sympy.Piecewise):
        return sum((count_ops(e) + _select_ops(c) for e, c in expr.args), ZERO)
    inner = sum((count_ops(a) if isinstance(a, sympy.Expr) else _select_ops(a) for a in expr.args), ZERO)
    joins = 1 if isinstance(expr, sympy.Rel) else len(expr.args) - 1
    return inner + Ops(sympy.Integer(0), sympy.Integer(0), sympy.Integer(joins))


def _product_ops(expr: sympy.Mul) -> Ops:
    factors = [f for f in expr.args if not is_flag(f)]
    divisions = [f for f in factors if isinstance(f, sympy.Pow) and f.exp == -1]
    # A sign is no multiplication: -x is computed by the addition that uses it (a - x).
    numerators = [f for f in factors if f not in divisions and f != -1]
    inner = sum((count_ops(f.base if f in divisions else f) for f in factors if f != -1), ZERO)
    ops = Ops(inner.mults + max(len(numerators) - 1, 0), inner.adds, inner.others + len(divisions))
    return ops.scale(presence(expr))


def _power_ops(expr: sympy.Pow) -> Ops:
    base = count_ops(expr.base)
    if expr.exp.is_Integer and expr.exp > 0:
        return Ops(base.mults + expr.exp - 1, base.adds, base.others)  # x**n: n - 1 multiplications
    if expr.exp.is_Integer and expr.exp < 0:  # 1/x**n: n - 1 multiplications and one division
        return base + Ops(-expr.exp - 1, sympy.Integer(0), sympy.Integer(1))
    if expr.exp == sympy.Rational(1, 2):
        return base + Ops(sympy.Integer(0), sympy.Integer(0), sympy.Integer(1))  # a square root
    if expr.exp == sympy.Rational(-1, 2):
        return base + Ops(sympy.Integer(0), sympy.Integer(0), sympy.Integer(2))  # a square root, a division
    raise SymconvError(f"cannot count the operations of the power {expr}")


def receipts(element_of: Callable[[sympy.Expr], sympy.Expr], terms: sympy.Expr, elements: sympy.Expr) -> Ops:
    """The operations of ``elements`` elements that have ``terms`` terms between them, each one
    ``element_of(r)`` for its own ``r`` terms (which terms an element has varies; their number is what counts).

    Each count of one element is linear in its ``r``: a slope per term and an intercept per element, so the
    total is the slope times ``terms`` plus the intercept times ``elements``. ``elements`` counts the elements
    with at least one term: one with none computes nothing.

    >>> j, r = sympy.Symbol("j"), sympy.Symbol("R")
    >>> x = sympy.IndexedBase("x")
    >>> receipts(lambda n: sympy.Sum(x[j] * x[j + 1], (j, 0, n - 1)), r, sympy.Integer(3))  # 3 sums of R terms
    Ops(mults=R, adds=R - 3, others=0)
    """
    r = sympy.Dummy("r", integer=True, positive=True)
    per = count_ops(element_of(r))

    def total(count: sympy.Expr) -> sympy.Expr:
        line = sympy.Poly(count, r)
        if line.degree() > 1:
            raise SymconvError(f"an element's count {count} is not linear in its number of terms")
        return sympy.expand(line.coeff_monomial(r) * terms + line.coeff_monomial(1) * elements)

    return Ops(total(per.mults), total(per.adds), total(per.others))


def tensors_read(expr: sympy.Expr, tensors: Sequence[sympy.IndexedBase]) -> sympy.Expr:
    """The entries of ``tensors`` that ``expr`` reads: a tensor counts once when a term of the sum reads it,
    weighted by that term's flags (a bias read by ``b * beta[o]`` counts when ``b = 1``). Tensors are known by
    their labels, so a shaped tensor matches the entries of an unshaped one of the same name.

    >>> from symconv.symbols import sym
    >>> w, beta = sympy.IndexedBase("w", shape=(3, 4)), sympy.IndexedBase("beta", shape=(3,))
    >>> tensors_read(w[0, 1] * sympy.IndexedBase("x")[1] + sym("b") * beta[0], [w, beta])
    3*b + 12
    """
    total = sympy.Integer(0)
    for base in tensors:
        weights = [presence(term) for term in sympy.Add.make_args(expr) if base.label in _read(term)]
        if weights:
            total += (1 if 1 in weights else weights[0]) * size(base)
    return sympy.expand(total)


def _read(term: sympy.Expr) -> set[sympy.Basic]:
    """The labels of the tensors a term reads."""
    return {entry.base.label for entry in term.atoms(sympy.Indexed)}
