"""The passes of a network — its backward pass and a training step — counted layer by layer, each layer's
gradients derived from their elements (:mod:`symconv.network.backward`).

**Which gradients.** ``grad`` names the gradients the step is for: ``weight`` and ``bias`` (every trainable
weight — a convolution's, a linear layer's, a norm's ``γ``, a learned scale — and bias, the default) and
``input`` (the network input's, for saliency or adversarial inputs; no training step needs it). A layer's
parameters listed in its node's ``frozen`` get none. A tensor needs a gradient when a parameter that gets
one, or the network input when it gets one, is upstream of it, and its layer computes the gradient of each
input that needs one: so the first layer computes no input gradient, and a frozen stem none at all. Layers
whose output never reaches the network's output get no gradient.

**Sums of gradients.** A tensor read by several layers receives a gradient from each. The backward pass
runs from the last layer to the first: the last reader's gradient is stored, and each earlier reader adds
its own into the sum, one addition per entry both cover (a slice covers only its own entries). These
additions count in the earlier reader's ``grad_input``.

**Training.** A training step is the forward pass in training (batch norm computes its batch statistics,
:func:`symconv.network.backward.training_counts`) and the backward pass; its parts are ``forward``,
``grad_input``, ``grad_weight`` and ``grad_bias``.

>>> from symconv.network import builtin
>>> step = analyse_pass(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, "macs", pass_="training")
>>> [step.parts[p].macs for p in step.parts]  # forward, then the gradients: input, weight, bias
[568740352, 557102144, 568740352, 0]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import sympy

from symconv.backward import parse_grads
from symconv.conventions import Convention
from symconv.network.backward import Kept, LayerBackward, Needs, layer_backward, parameters, training_counts
from symconv.network.graph import Analysis, Network, analyse, by_type, strongest, walk
from symconv.network.layers import Counts, LayerSpec, NetworkError, Shape, Slice, Unknown, as_expr
from symconv.passes import Pass
from symconv.quantities import PARTS

__all__ = ["NETWORK_GRADS", "PassAnalysis", "PassRow", "analyse_pass", "count_pass", "needs"]

#: The gradients a network's backward pass computes unless told: every parameter's, not the input's.
NETWORK_GRADS = ("weight", "bias")

Expr: TypeAlias = sympy.Expr


@dataclass(frozen=True)
class PassRow:
    """One layer in a pass: its name, type and output, the pass's ``counts`` (with the layer's parameters)
    and each part's, the node's inputs and their shapes, the layer, and for the memory: what it keeps (entries
    in the batch symbol :attr:`PassAnalysis.per`), the entries its backward pass reads and writes, and its
    forward pass's counts (in training, batch norm's with its batch statistics)."""

    name: str
    label: str
    output: Shape
    counts: Counts
    parts: Mapping[str, Counts]
    inputs: tuple[str, ...]
    shapes: tuple[Shape, ...]
    layer: LayerSpec
    kept: tuple[Kept, ...]
    reads: Expr
    writes: Expr
    forward: Counts


@dataclass(frozen=True)
class PassAnalysis:
    """A network's backward pass or training step: one :class:`PassRow` per layer, the totals, each part's
    totals (``grad_input``, ``grad_weight``, ``grad_bias``; a training step's ``forward`` first), and the
    conditions where the closed forms hold (the forward pass's and the backward pass's own). ``analysis`` is
    the forward pass's analysis; ``per`` the symbol of the batch in which the kept entries are written, and
    ``batch`` its value. ``closed`` keeps the closed forms :meth:`evaluate` put values into, as
    :class:`~symconv.network.graph.Analysis` does."""

    analysis: Analysis
    pass_: Pass
    grads: tuple[str, ...]
    rows: tuple[PassRow, ...]
    totals: Counts
    parts: Mapping[str, Counts]
    conditions: tuple[tuple[Expr, int], ...]
    per: sympy.Symbol
    batch: Expr
    closed: Mapping[str, Expr] | None = None
    closed_conditions: tuple[tuple[Expr, int], ...] = ()

    @property
    def network(self) -> Network:
        return self.analysis.network

    @property
    def convention(self) -> Convention:
        return self.analysis.convention

    @property
    def values(self) -> Mapping[sympy.Basic, Expr]:
        return self.analysis.values

    @property
    def quantities(self) -> dict[str, Expr]:
        return self.totals.as_dict(self.convention)

    def by_type(self) -> list[tuple[str, int, Counts]]:
        """Layers grouped by type, as :meth:`symconv.network.graph.Analysis.by_type`, counting this pass."""
        return by_type(self.rows)

    def value(self, name: str) -> int | None:
        expr = self.quantities[name]
        return int(expr) if expr.is_Integer else None

    def holds_at(self, values: Mapping[str, Expr | int]) -> bool:
        """Whether the closed forms give the exact counts at ``values``: the forward pass's do, and the
        backward pass's conditions hold there."""
        if not self.analysis.holds_at(values):
            return False
        subs = self.network.resolve(values)
        for expr, least in self.conditions:
            value = expr.xreplace(subs)
            if value.is_number and not (value.is_integer and value >= least):
                return False
        return True

    def evaluate(self, values: Mapping[str, Expr | int]) -> PassAnalysis:
        """The pass at ``values``: the closed forms where they hold, the network counted layer by layer where
        they do not."""
        if not self.holds_at(values):
            named = {**{str(k): v for k, v in self.values.items()}, **values}
            built = analyse_pass(self.network, named, self.convention, pass_=self.pass_, grad=self.grads)
            return replace(built, closed=None, closed_conditions=self.conditions)
        subs = self.network.resolve(values)

        def put(expr: Expr) -> Expr:
            return _tidy(as_expr(expr).xreplace(subs))

        rows = tuple(replace(r, output=r.output.xreplace(subs), counts=r.counts.map(put),
                             parts={p: c.map(put) for p, c in r.parts.items()},
                             shapes=tuple(s.xreplace(subs) for s in r.shapes),
                             kept=tuple(replace(k, elements=put(k.elements)) for k in r.kept),
                             reads=put(r.reads), writes=put(r.writes), forward=r.forward.map(put)) for r in self.rows)
        conditions = tuple((e.xreplace(subs), m) for e, m in self.conditions if not e.xreplace(subs).is_number)
        return PassAnalysis(self.analysis.evaluate(values), self.pass_, self.grads, rows, self.totals.map(put),
                            {p: c.map(put) for p, c in self.parts.items()}, conditions, self.per, put(self.batch),
                            self.quantities, self.conditions)


def _tidy(expr: Expr) -> Expr:
    expr = as_expr(expr)
    return expr if expr.is_number else sympy.factor_terms(sympy.expand(expr))


def needs(network: Network, layers: Sequence[LayerSpec], grads: Sequence[str]) -> dict[str, Needs]:
    """The gradients each node computes: of the inputs that need one, of its trainable parameters, all of
    them only when its output reaches the network's output."""
    requires: dict[str, bool] = {"input": "input" in grads}
    trainable: dict[str, tuple[str, ...]] = {}
    for node, layer in zip(network.nodes, layers, strict=True):
        trainable[node.name] = tuple(k for k in parameters(layer) if k in grads and k not in node.frozen)
        requires[node.name] = bool(trainable[node.name]) or any(requires[i] for i in node.inputs)
    reaches = {network.output}
    for node in reversed(network.nodes):
        if node.name in reaches:
            reaches.update(node.inputs)
    found = {}
    for node, layer in zip(network.nodes, layers, strict=True):
        runs = node.name in reaches and requires[node.name]
        own = trainable[node.name] if runs else ()
        # an unknown operation's output is shaped as its first input, the one it passes dy back to
        passes = 1 if isinstance(layer, Unknown) else len(node.inputs)
        inputs = tuple(runs and requires[i] and position < passes for position, i in enumerate(node.inputs))
        found[node.name] = Needs(inputs, "weight" in own, "bias" in own)
    return found


def _batch_symbol(network: Network, batch: Expr) -> sympy.Symbol:
    """The symbol the kept entries are written in: the batch's own when it is one, else ``N`` (``N_batch``
    when the network has a symbol ``N`` of its own)."""
    if isinstance(batch, sympy.Symbol):
        return batch
    return sympy.Symbol("N_batch" if "N" in network.symbols else "N", positive=True, integer=True)


def analyse_pass(network: Network, values: Mapping[str, Expr | int] | None = None,
                 convention: Convention | str = Convention.EXACT, *, pass_: Pass | str = Pass.BACKWARD,
                 grad: Sequence[str] | str = NETWORK_GRADS) -> PassAnalysis:
    """The ``backward`` pass (or the ``training`` step) of ``network`` under ``values``, computing the
    gradients ``grad`` asks for (``weight``, ``bias``, ``input``)."""
    chosen = Pass.parse(pass_)
    if chosen is Pass.FORWARD:
        raise NetworkError("a network's forward pass is its analysis (symconv.network.analyse)")
    grads = parse_grads(grad)
    forward = analyse(network, values, convention)
    subs = dict(forward.values)
    batch = as_expr(network.batch, "batch").xreplace(subs)
    per = _batch_symbol(network, batch)
    walked = list(walk(network, subs))
    wanted = needs(network, [layer for _, layer, _, _ in walked], grads)
    extra = _accumulation(walked, wanted, batch)
    rows, conditions = [], list(forward.conditions)
    for (node, layer, inputs, output), frow in zip(walked, forward.rows, strict=True):
        backward = layer_backward(layer, inputs, output, per, wanted[node.name])
        conditions += backward.conditions
        rows.append(_row(node.name, node.inputs, layer, inputs, output, frow.counts, backward, chosen,
                         (per, batch), extra[node.name]))
    parts = {p: sum((r.parts[p] for r in rows), Counts()).map(_tidy) for p in rows[0].parts}
    totals = sum((r.counts for r in rows), Counts()).map(_tidy)
    return PassAnalysis(forward, chosen, grads, tuple(rows), totals, parts, strongest(conditions), per, batch)


def _row(name: str, reads: tuple[str, ...], layer: LayerSpec, inputs: tuple[Shape, ...], output: Shape,
         counts: Counts, backward: LayerBackward, chosen: Pass, batch: tuple[sympy.Symbol, Expr],
         added: Expr) -> PassRow:
    per, value = batch

    def put(expr: Expr) -> Expr:
        return _tidy(as_expr(expr).xreplace({per: value}))

    parts = {p: backward.parts[p].map(put) for p in PARTS}
    parts["grad_input"] = parts["grad_input"] + Counts(adds=added)
    forward = training_counts(layer, inputs, output, value).map(_tidy) if chosen is Pass.TRAINING else counts
    if chosen is Pass.TRAINING:
        parts = {"forward": forward, **parts}
    total = sum((parts[p] for p in parts), Counts())
    own = Counts(params=counts.params, buffers=counts.buffers, weights=counts.weights, mults=total.mults,
                 adds=total.adds, others=total.others, macs=total.macs).map(_tidy)
    return PassRow(name, layer.label(inputs), output, own, parts, reads, inputs, layer, backward.kept,
                   put(backward.reads + added), put(backward.writes), forward)


def _cover(layer: LayerSpec, shape: Shape) -> tuple[int, Expr, Expr, int] | None:
    """The entries of its input a layer's gradient covers: all (None), or a slice's ``(dim, start, stop,
    step)``."""
    if not isinstance(layer, Slice):
        return None
    dim = shape.axis(layer.dim)
    stop = shape.dims[dim] if layer.stop is None else layer.stop
    return dim, as_expr(layer.start), as_expr(stop), layer.step


def _accumulation(walked: Sequence[Any], wanted: Mapping[str, Needs], batch: Expr) -> dict[str, Expr]:
    """Per node, the additions that put its gradients into the sums of the tensors they go to: every reader
    of a tensor but the last adds the entries it shares with the later ones."""
    shapes: dict[str, Shape] = {}
    readers: dict[str, list[tuple[str, tuple[int, Expr, Expr, int] | None]]] = defaultdict(list)
    for node, layer, inputs, _ in walked:
        for position, (source, shape) in enumerate(zip(node.inputs, inputs, strict=True)):
            shapes[source] = shape
            if wanted[node.name].inputs[position]:
                readers[source].append((node.name, _cover(layer, shape)))
    extra: dict[str, Expr] = defaultdict(lambda: sympy.Integer(0))
    for source, found in readers.items():
        for i, (name, cover) in enumerate(found[:-1]):
            shared = _shared(cover, [c for _, c in found[i + 1:]], shapes[source], source)
            extra[name] += _tidy(as_expr(batch) * shared)
    return extra


def _shared(own: tuple[int, Expr, Expr, int] | None, later: list[tuple[int, Expr, Expr, int] | None],
            shape: Shape, source: str) -> Expr:
    """The entries of one sample that ``own`` covers and some of ``later`` covers too."""
    if own is None and any(c is None for c in later):
        return shape.elements
    slices = [c for c in ([own] if own is not None else []) + later if c is not None]
    if len({c[0] for c in slices}) > 1 or any(c[3] != 1 for c in slices):
        raise NetworkError(f"cannot tell which entries of {source!r} its slices share: they are taken along "
                           "different dimensions or with a step")
    dim = slices[0][0]
    row = shape.elements / shape.dims[dim]
    if own is None:
        return row * _union([c for c in later if c is not None], source)
    if any(c is None for c in later):
        return row * (own[2] - own[1])
    return row * sum((_overlap(own, c) for c in later if c is not None), sympy.Integer(0))


def _overlap(a: tuple[int, Expr, Expr, int], b: tuple[int, Expr, Expr, int]) -> Expr:
    return sympy.Max(0, sympy.Min(a[2], b[2]) - sympy.Max(a[1], b[1]))


def _union(slices: list[tuple[int, Expr, Expr, int]], source: str) -> Expr:
    """The entries a set of slices covers: their lengths, once they are apart."""
    for i, a in enumerate(slices):
        for b in slices[i + 1:]:
            if _overlap(a, b) != 0:
                raise NetworkError(f"cannot tell which entries of {source!r} its slices share")
    return sum((c[2] - c[1] for c in slices), sympy.Integer(0))


def count_pass(network: Network, values: Mapping[str, Expr | int] | None = None,
               convention: Convention | str = Convention.EXACT, *, pass_: Pass | str = Pass.BACKWARD,
               grad: Sequence[str] | str = NETWORK_GRADS) -> PassAnalysis:
    """The pass's closed forms evaluated at ``values`` (what ``symconv net --pass`` prints), as
    :func:`symconv.network.graph.count` does for the forward pass."""
    closed = analyse_pass(network, None, convention, pass_=pass_, grad=grad)
    return closed.evaluate(values) if values else closed
