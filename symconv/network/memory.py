"""A network's memory: the compulsory traffic of each layer in a pass with its arithmetic intensity and roofline
bound (:func:`network_traffic`), and the memory a training step keeps for its backward pass, with the largest
batch that fits a budget (:func:`training_memory`).

**Traffic.** Under the model of :mod:`symconv.memory` — every element a layer reads or writes moved once,
``B`` bytes each — a layer's forward pass reads its inputs, its parameters and buffers and writes its output;
its backward pass reads ``dy``, what it kept and its parameters, and writes its gradients
(:attr:`symconv.network.passes.PassRow.reads`); a training step moves both. Views move nothing (a flatten, a
reshape), nor do rows that count nothing (unknown operations, unused parameters). On a device the network's
roofline time is the sum of its layers' (each waits for the one before), at least the whole network's
``max(flops / peak, bytes / bandwidth)``.

**Training memory.** What a training step holds when its forward pass ends: the parameters, the gradients of
the trainable ones, and each tensor a layer keeps for its backward pass (a convolution its input, batch norm
its input and statistics, ReLU its output, max pooling its indices), each tensor once however many layers keep
it, ``B`` bytes per element (8 per index, PyTorch's int64). The kept tensors grow with the batch ``N``; the largest
batch that fits a budget of ``M`` bytes is ``⌊(M − fixed) / per_sample⌋``.

>>> from symconv.network import builtin
>>> memory = training_memory(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, bytes_per_element=4)
>>> memory.bytes  # 4 bytes a value: the parameters and their gradients, and the kept tensors of N samples
40951712*N + 33943360
>>> memory.largest(16 * 2**30)  # in 16 GiB
(floor((M - 33943360)/40951712), 418)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import sympy

from symconv.memory import Device, bound_on, ratio
from symconv.network.graph import Analysis, Network, walk
from symconv.network.layers import Flatten, LayerSpec, NetworkError, Reshape, Reused, Shape, Unknown, Unused, as_expr
from symconv.network.layers.elementwise import divided
from symconv.network.passes import NETWORK_GRADS, PassAnalysis, analyse_pass
from symconv.symbols import sym

__all__ = ["LayerTraffic", "NetworkTraffic", "TrainingMemory", "budget_bytes", "network_traffic", "training_memory"]

Expr: TypeAlias = sympy.Expr

#: The bytes of an index a layer keeps (PyTorch's int64).
INDEX_BYTES = 8


@dataclass(frozen=True)
class LayerTraffic:
    """One layer's (or the network's) traffic in a pass: its FLOPs in the analysis's convention, the elements
    moved, the bytes, the intensity (FLOPs per byte) and, on a device, the roofline time and which bound it is
    (once the numbers decide)."""

    name: str
    label: str
    flops: Expr
    elements: Expr
    bytes: Expr
    intensity: Expr
    roofline: Expr | None = None
    bound: str | None = None


@dataclass(frozen=True)
class NetworkTraffic:
    """Each layer's traffic, the network's (its roofline the sum of the layers'), ``per`` bytes per element,
    and the device."""

    rows: tuple[LayerTraffic, ...]
    total: LayerTraffic
    per: Expr
    device: Device | None = None


def _bytes_per(value: Expr | int | None) -> Expr:
    return sym("B") if value is None else as_expr(value, "bytes per element")


def forward_elements(layer: LayerSpec, inputs: Sequence[Shape], output: Shape, batch: Expr) -> Expr:
    """The elements a layer's forward pass moves: its inputs and output, ``batch`` samples each, and its
    parameters and buffers (a shared layer's as well: it reads them again)."""
    inner = layer.layer if isinstance(layer, Reused) else layer
    if isinstance(inner, Unknown | Unused | Flatten | Reshape):
        return sympy.Integer(0)
    own = inner.counts(tuple(inputs), output, batch)
    moved = batch * (sum((s.elements for s in inputs), sympy.Integer(0)) + output.elements)
    return sympy.expand(moved + own.params + own.buffers)


def _layer(name: str, label: str, flops: Expr, elements: Expr, per: Expr, device: Device | None) -> LayerTraffic:
    moved = sympy.factor_terms(sympy.expand(per * elements))
    found = LayerTraffic(name, label, flops, sympy.factor_terms(sympy.expand(elements)), moved,
                         ratio(flops, moved) if moved != 0 else sympy.Integer(0))
    if device is None:
        return found
    time, bound = bound_on(flops, moved, device)
    return replace(found, roofline=time, bound=bound)


def network_traffic(analysis: Analysis | PassAnalysis, bytes_per_element: Expr | int | None = None,
                    device: Device | None = None) -> NetworkTraffic:
    """The compulsory traffic of each layer of a forward analysis, a backward pass or a training step,
    ``bytes_per_element`` bytes per element (the symbol ``B`` unless given), and on ``device`` the roofline.

    >>> from symconv.network import Network, Shape, Conv2d
    >>> net = Network.sequence("one", Shape(2, (4, 4)), [Conv2d(out=3, kernel=1, bias=False)])
    >>> t = network_traffic(analyse_pass(net, None, pass_="backward"), 4)
    >>> t.rows[0].elements, t.rows[0].bytes  # dy (48) and x (32) read, dw (6) written
    (86, 344)
    """
    per = _bytes_per(bytes_per_element)
    network, subs = analysis.network, dict(analysis.values)
    batch = as_expr(network.batch, "batch").xreplace(subs)
    convention = analysis.convention
    rows = []
    counted: Sequence[Any] = analysis.rows
    for (_, layer, inputs, output), row in zip(walk(network, subs), counted, strict=True):
        elements = sympy.Integer(0)
        if not isinstance(analysis, PassAnalysis) or analysis.pass_.value == "training":
            elements += forward_elements(layer, inputs, output, batch)
        if isinstance(analysis, PassAnalysis):
            elements += row.reads + row.writes
        rows.append(_layer(row.name, row.label, row.counts.flops(convention), elements, per, device))
    total = _layer("total", "", analysis.totals.flops(convention),
                   sum((r.elements for r in rows), sympy.Integer(0)), per, device)
    if device is not None:
        total = replace(total, roofline=sum((r.roofline for r in rows if r.roofline is not None), sympy.Integer(0)),
                        bound=None)
    return NetworkTraffic(tuple(rows), total, per, device)


@dataclass(frozen=True)
class TrainingMemory:
    """What a training step holds when its forward pass ends: per layer the tensors it keeps (``(tensor, what,
    elements)``, in the batch symbol ``batch``), each kept tensor once (``kept``), the parameters, the entries of
    their gradients (the trainable ones'), and the ``bytes`` of it all (``per`` bytes per element,
    :data:`INDEX_BYTES` per index)."""

    layers: tuple[tuple[str, tuple[tuple[str, str, Expr], ...]], ...]
    kept: Mapping[str, tuple[Expr, bool]]
    params: Expr
    gradients: Expr
    per: Expr
    batch: sympy.Symbol
    bytes: Expr

    @property
    def kept_elements(self) -> Expr:
        return sympy.expand(sum((e for e, _ in self.kept.values()), sympy.Integer(0)))

    def largest(self, budget: Expr | int | None = None) -> tuple[Expr, Expr | None]:
        """The largest batch whose memory fits ``budget`` bytes: the formula in the budget ``M`` (and the sizes
        left symbols) and, with a budget, its value (0 when not even one sample fits)."""
        m = sympy.Symbol("M", positive=True)
        poly = sympy.Poly(self.bytes, self.batch)
        if poly.degree() != 1:
            raise NetworkError(f"the memory is not a part per sample plus a fixed part: {self.bytes}")
        per_sample, fixed = poly.all_coeffs()
        # kept as written, (M − fixed)/per_sample: SymPy would spread the division over the sum
        formula = sympy.floor(divided(sympy.Add(m, -fixed, evaluate=False), per_sample), evaluate=False)
        if budget is None:
            return formula, None
        value = sympy.floor((budget_bytes(budget) - fixed) / per_sample)
        return formula, sympy.Max(sympy.Integer(0), value) if value.is_number else value


def budget_bytes(budget: Expr | int) -> Expr:
    """A memory budget: a positive number of bytes, or a formula in symbols (refused when it is a number of at
    most 0).

    >>> budget_bytes(16 * 2**30)
    17179869184
    """
    value = as_expr(budget, "budget")
    if value.is_number and not value.is_positive:
        raise NetworkError(f"a memory budget is a positive number of bytes, not {value}")
    return value


def _tensor(node: Any, what: str, source: int | None) -> str:
    """The name of the tensor a layer keeps: the input it reads, its output, or one of its own."""
    if source is not None:
        return node.inputs[source]
    return node.name if what == "output" else f"{node.name}:{what}"


def training_memory(network: Network, values: Mapping[str, Expr | int] | None = None,
                    grad: Sequence[str] | str = NETWORK_GRADS,
                    bytes_per_element: Expr | int | None = None) -> TrainingMemory:
    """The memory of a training step of ``network`` under ``values``, the batch left a symbol (``N``): the
    kept tensors per layer and in all, the parameters and the gradients ``grad`` asks for, ``bytes_per_element``
    bytes each."""
    per = _bytes_per(bytes_per_element)
    batch_name = str(network.batch) if isinstance(network.batch, sympy.Symbol) else None
    free = {k: v for k, v in (values or {}).items() if k != batch_name}
    step = analyse_pass(network, free, pass_="training", grad=grad)
    layers, kept = [], {}  # type: ignore[var-annotated]
    for node, row in zip(network.nodes, step.rows, strict=True):
        mine = []
        for k in row.kept:
            name = _tensor(node, k.what, k.source)
            mine.append((name, k.what, k.elements))
            kept.setdefault(name, (k.elements, k.integer))
        layers.append((row.name, tuple(mine)))
    params = step.analysis.totals.params
    gradients = sympy.expand(step.parts["grad_weight"].params + step.parts["grad_bias"].params)
    kept_bytes = sum((e * (INDEX_BYTES if integer else per) for e, integer in kept.values()), sympy.Integer(0))
    total = sympy.expand(per * (params + gradients) + kept_bytes)
    return TrainingMemory(tuple(layers), kept, params, gradients, per, step.per, total)
