"""What a layer's backward pass is made of: the gradients it is asked for (:class:`Needs`), the elements that
compute them (:class:`Element`), the tensors its forward pass leaves for them (:class:`Saved`), and what
counting them finds (:class:`LayerBackward`, by :func:`counted`).

Each element is one entry of a gradient (or of a sum the gradients share), written as the expression that
computes it; :func:`symconv.counting.count_ops` counts it, and an element whose number of terms varies from
entry to entry is counted by :func:`symconv.counting.receipts` from the total of its terms. The tensors a
layer keeps for its backward pass are those its elements read (:func:`symconv.counting.tensors_read`):
nothing is kept that no gradient reads.

>>> x, dy, dx = (sympy.IndexedBase(n, shape=(sympy.Integer(10),)) for n in ("x", "dy", "dx"))
>>> from symconv.symbols import index
>>> t = index("t")
>>> relu = counted([Element("grad_input", dx[t], sympy.Piecewise((dy[t], x[t] > 0), (0, True)), 10)],
...                saved=[Saved(x, "input", 0)], dy=dy)
>>> relu.parts["grad_input"].others, relu.kept  # a comparison per element; it keeps its input
(10, (Kept(what='input', source=0, elements=10, integer=False),))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from symconv.counting import ZERO as NO_OPS
from symconv.counting import Ops, count_ops, receipts, tensors_read
from symconv.network.layers import Counts
from symconv.quantities import PARTS

__all__ = ["Condition", "Element", "Kept", "LayerBackward", "Needs", "Rule", "Saved", "counted", "nothing", "shaped"]

#: ``(X, m)``: the closed forms hold where ``X`` is an integer of at least ``m``.
Condition = tuple[sympy.Expr, int]


@dataclass(frozen=True)
class Needs:
    """The gradients one layer's backward pass computes: of each input (in order), of its weight (a
    convolution's or linear layer's weight, a norm's ``γ``, a learned scale) and of its bias (``β``)."""

    inputs: tuple[bool, ...]
    weight: bool = False
    bias: bool = False

    @property
    def any(self) -> bool:
        return any(self.inputs) or self.weight or self.bias


@dataclass(frozen=True)
class Saved:
    """A tensor the forward pass leaves for the backward pass: an input (``source`` its position), the output,
    or one of the layer's own (``source`` None: statistics, indices, a padded copy); ``integer`` for indices
    (8 bytes each, PyTorch's int64)."""

    base: sympy.IndexedBase
    what: str
    source: int | None = None
    integer: bool = False


@dataclass(frozen=True)
class Element:
    """One entry of a gradient or of a sum the gradients share: ``lhs = rhs``, ``count`` of them, counted in
    ``part``. With ``terms``, ``rhs`` is a function of an entry's number of terms, ``terms`` their total and
    ``count`` the entries with at least one. ``result``: the entry is a gradient, written to memory (not an
    intermediate); ``macs``: its products are multiply-accumulates (a convolution's, linear layer's or matrix
    product's)."""

    part: str
    lhs: sympy.Expr
    rhs: sympy.Expr | Callable[[sympy.Expr], sympy.Expr]
    count: sympy.Expr | int
    terms: sympy.Expr | None = None
    result: bool = True
    macs: bool = False

    @property
    def expression(self) -> sympy.Expr:
        """The right side, an entry of ``r`` terms where their number varies."""
        return self.rhs(sympy.Symbol("r")) if callable(self.rhs) else self.rhs

    def ops(self) -> Ops:
        if self.terms is None:
            return count_ops(self.expression).scale(_expr(self.count))
        assert callable(self.rhs)
        return receipts(self.rhs, self.terms, _expr(self.count))


@dataclass(frozen=True)
class Kept:
    """What a layer keeps for its backward pass: ``what`` (``input``, ``output``, ``mean``, ...), the input it
    is (``source``; None for the output and the layer's own tensors), its entries, and whether they are
    indices."""

    what: str
    source: int | None
    elements: sympy.Expr
    integer: bool = False


@dataclass(frozen=True)
class LayerBackward:
    """A layer's backward pass counted: each part's counts (``grad_input``, ``grad_weight``, ``grad_bias``,
    every one present), what it keeps from the forward pass, the entries it reads (``dy``, what it keeps,
    its parameters) and writes (its gradients), its elements, and the conditions its closed forms need."""

    parts: Mapping[str, Counts]
    kept: tuple[Kept, ...] = ()
    reads: sympy.Expr = sympy.S.Zero
    writes: sympy.Expr = sympy.S.Zero
    elements: tuple[Element, ...] = ()
    conditions: tuple[Condition, ...] = field(default=())

    @property
    def total(self) -> Counts:
        return sum(self.parts.values(), Counts())


@dataclass(frozen=True)
class Rule:
    """How one kind of layer's backward pass is derived: ``backward(layer, inputs, output, batch, needs)``,
    the kinds of parameters it has (``weight``, ``bias``), and, where training changes its forward pass
    (batch norm's batch statistics), ``training(layer, inputs, output, batch)``: that pass's counts."""

    backward: Callable[..., LayerBackward]
    parameters: Callable[[Any], tuple[str, ...]] = lambda layer: ()
    training: Callable[..., Counts] | None = None


def _expr(value: sympy.Expr | int) -> sympy.Expr:
    return sympy.Integer(value) if isinstance(value, int) else value


def shaped(name: str, *dims: sympy.Expr | int) -> sympy.IndexedBase:
    """A tensor called ``name`` with entries ``dims``, so that :func:`~symconv.counting.tensors_read` sizes it."""
    return sympy.IndexedBase(name, shape=tuple(_expr(d) for d in dims))


def counted(elements: Sequence[Element], *, saved: Sequence[Saved] = (), params: Sequence[sympy.IndexedBase] = (),
            dy: sympy.IndexedBase | None = None, conditions: Sequence[Condition] = (),
            weights: bool = False, writes: sympy.Expr | None = None) -> LayerBackward:
    """Count the elements, part by part; what they read of ``saved`` is what the layer keeps.

    A part's ``params`` are the parameters whose gradient it computes (the entries of its results), and with
    ``weights`` (a convolution's or a linear layer's) its weight gradient's are ``weights`` as well. The
    entries written are those of the results, unless ``writes`` says otherwise (a gradient some of whose
    entries no term reaches is written whole).
    """
    ops: dict[str, Ops] = {p: NO_OPS for p in PARTS}
    macs: dict[str, sympy.Expr] = {p: sympy.Integer(0) for p in PARTS}
    params_of: dict[str, sympy.Expr] = {p: sympy.Integer(0) for p in PARTS}
    for e in elements:
        found = e.ops()
        ops[e.part] += found
        if e.macs:
            macs[e.part] += found.mults
        if e.result and e.part != "grad_input":
            params_of[e.part] += _expr(e.count)
    parts = {p: Counts(params=params_of[p], weights=params_of[p] if weights and p == "grad_weight" else 0,
                       mults=sympy.expand(ops[p].mults), adds=sympy.expand(ops[p].adds),
                       others=sympy.expand(ops[p].others), macs=sympy.expand(macs[p])) for p in PARTS}
    read = sympy.Add(*(e.expression for e in elements), evaluate=False)  # dy and -dy must not cancel
    kept = []
    for s in saved:
        entries = tensors_read(read, [s.base])
        if entries != 0:
            kept.append(Kept(s.what, s.source, entries, s.integer))
    reads = tensors_read(read, [*([dy] if dy is not None else []), *(s.base for s in saved), *params])
    if writes is None:
        writes = sum((_expr(e.count) for e in elements if e.result), sympy.Integer(0))
    return LayerBackward(parts, tuple(kept), reads, sympy.expand(writes), tuple(elements), tuple(conditions))


def nothing() -> LayerBackward:
    """The backward pass of a layer whose gradients are ``dy`` itself, or slices and views of it: no
    operation, nothing kept, nothing moved."""
    return LayerBackward({p: Counts() for p in PARTS})
