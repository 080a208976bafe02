"""A network's training step computed for real: the forward pass in training (batch norm with its batch
statistics), then the backward pass from the last layer to the first, every operation counted part by part.

Each layer's gradients are computed by its kind's ``BACKWARD`` entry (:mod:`symconv.network.direct.grads`)
from the gradient of its output; nothing here evaluates a closed form. A tensor read by several layers
receives their gradients in the order the backward pass reaches them, from the last reader to the first:
the first to arrive is stored, each later one is added into the sum over the entries it covers, by the
reader that sends it. A layer used again (``shared``) adds each parameter gradient of a later use into the
first use's, in the network's order. Which gradients are computed is :func:`symconv.network.passes.needs`.
The tests hold these counts to :func:`symconv.network.passes.analyse_pass`, layer by layer, and the
gradients' values to an independent computation (finite differences, and ``torch.autograd``).

>>> from symconv.network import Network, Shape, Conv2d, BatchNorm, Activation
>>> net = Network.sequence("tiny", Shape(2, (4, 4)), [Conv2d(out=3, kernel=3, padding=1), BatchNorm(),
...                                                   Activation("relu")])
>>> rows = run_backward(net)
>>> [(r.name, r.parts["grad_weight"].mults, r.parts["grad_input"].mults) for r in rows]
[('conv1', 864, 0), ('batchnorm2', 51, 111), ('activation3', 0, 0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from symconv.network.direct import arith, elementwise, layout, norms, pooling
from symconv.network.direct import compute_layer as forward_layer
from symconv.network.direct.grads import Backward, Gradients, Kept
from symconv.network.direct.tally import Tally
from symconv.network.graph import Network, walk
from symconv.network.layers import (
    Convolution,
    Counts,
    LayerSpec,
    Linear,
    Matmul,
    NetworkError,
    Reused,
    Slice,
    Unknown,
    Unused,
    as_expr,
)
from symconv.network.passes import NETWORK_GRADS, needs
from symconv.quantities import PARTS

__all__ = ["BACKWARD", "BackwardRow", "run_backward"]

#: How each kind of layer's gradients are computed for real.
BACKWARD: dict[type, Backward] = {**arith.BACKWARD, **norms.BACKWARD, **elementwise.BACKWARD, **pooling.BACKWARD,
                                  **layout.BACKWARD}

#: The layers whose gradients' products are multiply-accumulates.
_MACS = (Convolution, Linear, Matmul)


@dataclass(frozen=True)
class BackwardRow:
    """One layer of a training step computed: its forward pass's counts (in training), each part's counts,
    what its backward pass read of the forward pass (``(what, input position)`` → entries and whether they
    are indices), and its gradients (of each input, of its weight, of its bias)."""

    name: str
    forward: Counts
    parts: Mapping[str, Counts]
    kept: Mapping[tuple[str, int | None], tuple[int, bool]]
    gradients: Gradients


def _inner(layer: LayerSpec) -> LayerSpec:
    return layer.layer if isinstance(layer, Reused) else layer


def _forward(layer: LayerSpec, xs: list[np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, Counts]:
    """The forward pass in training: batch norm with its batch statistics, every other layer as at inference."""
    training = norms.TRAINING.get(type(_inner(layer)))
    if training is None:
        output, counts, _ = forward_layer(layer, xs, rng)
        return output, counts
    output, counts, _, _ = training(_inner(layer), xs, rng, Tally())
    if isinstance(layer, Reused):
        counts = Counts(mults=counts.mults, adds=counts.adds, others=counts.others)
    return output, counts


def _gradients(layer: LayerSpec, xs: list[np.ndarray], y: np.ndarray, dy: np.ndarray, wanted: Any,
               rng: np.random.Generator, parts: dict[str, Tally], kept: Kept) -> Gradients:
    inner = _inner(layer)
    if isinstance(inner, Unknown | Unused):
        return [dy if i == 0 else None for i in range(len(xs))], None, None
    compute = BACKWARD.get(type(inner))
    if compute is None:
        raise NetworkError(f"no direct backward computation for {type(inner).__name__}")
    return compute(inner, xs, y, dy, wanted, rng, parts, kept)


class _Sums:
    """The gradients reaching each tensor, summed as they arrive: an entry's first is stored, each later one
    added, by the tally of the layer that sends it."""

    def __init__(self) -> None:
        self.sums: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def send(self, source: str, gradient: np.ndarray, covered: np.ndarray, t: Tally) -> None:
        if source not in self.sums:
            self.sums[source] = (gradient.astype(float), covered.copy())
            return
        total, seen = self.sums[source]
        both, fresh = covered & seen, covered & ~seen
        total[both] = t.add(total[both], gradient[both])
        total[fresh] = gradient[fresh]
        seen |= covered


def _covered(layer: LayerSpec, x: np.ndarray) -> np.ndarray:
    """The entries of its input a layer's gradient covers: a slice's own, every other layer's all."""
    covered = np.zeros(x.shape, dtype=bool) if isinstance(layer, Slice) else np.ones(x.shape, dtype=bool)
    if isinstance(layer, Slice):
        index = [slice(None)] * x.ndim
        index[layout.sample_axis(layer.dim, x)] = slice(int(layer.start), None if layer.stop is None
                                                        else int(layer.stop), layer.step)
        covered[tuple(index)] = True
    return covered


def _row_counts(layer: LayerSpec, parts: dict[str, Tally], gradients: Gradients) -> dict[str, Counts]:
    macs = isinstance(_inner(layer), _MACS)
    shared = isinstance(layer, Reused)
    counted = {}
    for part, array in zip(PARTS, (None, *gradients[1:]), strict=True):
        t = parts[part]
        params = 0 if array is None or shared else array.size
        counted[part] = Counts(params=params, weights=params if macs and part == "grad_weight" else 0,
                               mults=t.mults, adds=t.adds, others=t.others,
                               macs=t.mults if macs and part != "grad_bias" else 0)
    return counted


def run_backward(network: Network, values: Mapping[str, Any] | None = None,
                 grad: Sequence[str] = NETWORK_GRADS, seed: int = 0) -> list[BackwardRow]:
    """Compute a training step of ``network`` (every symbol given a value) on random data and a random
    gradient of its output; one :class:`BackwardRow` per layer, in the network's order."""
    subs = network.resolve(values)
    batch, shape = as_expr(network.batch, "batch").xreplace(subs), network.input.xreplace(subs)
    if not all(v.is_Integer for v in (batch, *shape.dims)):
        raise NetworkError("direct counting needs every size set: give each symbol a value")
    rng = np.random.default_rng(seed)
    env = {"input": rng.standard_normal((int(batch), *(int(s) for s in shape.dims)))}
    walked = list(walk(network, subs))
    wanted = needs(network, [layer for _, layer, _, _ in walked], grad)
    forward = {}
    for number, (node, layer, _, _) in enumerate(walked):
        env[node.name], forward[node.name] = _forward(layer, [env[i] for i in node.inputs],
                                                      np.random.default_rng([seed, number]))
    sums = _Sums()
    sums.send(network.output, rng.standard_normal(env[network.output].shape),
              np.ones(env[network.output].shape, dtype=bool), Tally())
    found: dict[str, BackwardRow] = {}
    for number, (node, layer, _, _) in reversed(list(enumerate(walked))):
        xs, tallies = [env[i] for i in node.inputs], {p: Tally() for p in PARTS}
        kept = Kept(xs, env[node.name])
        grads: Gradients = ([None] * len(node.inputs), None, None)
        if wanted[node.name].any and node.name in sums.sums:
            grads = _gradients(layer, xs, env[node.name], sums.sums[node.name][0], wanted[node.name],
                               np.random.default_rng([seed, number]), tallies, kept)
            for position in reversed(range(len(xs))):
                dx = grads[0][position]
                if wanted[node.name].inputs[position] and dx is not None:
                    sums.send(node.inputs[position], dx, _covered(layer, xs[position]), tallies["grad_input"])
        found[node.name] = BackwardRow(node.name, forward[node.name], _row_counts(layer, tallies, grads),
                                       kept.read, grads)
    return _shared_sums([found[node.name] for node, _, _, _ in walked], [layer for _, layer, _, _ in walked])


def _shared_sums(rows: list[BackwardRow], layers: list[LayerSpec]) -> list[BackwardRow]:
    """Each later use of a shared layer adds its parameter gradients into the first use's (into the gradient
    of a use outside the network where none is in it)."""
    first: dict[Any, list[np.ndarray | None]] = {}
    out = []
    for row, layer in zip(rows, layers, strict=True):
        key = _inner(layer)
        if not isinstance(layer, Reused):
            first.setdefault(key, list(row.gradients[1:]))
            out.append(row)
            continue
        parts = dict(row.parts)
        totals = first.setdefault(key, [None, None])
        for i, (part, mine) in enumerate(zip(PARTS[1:], row.gradients[1:], strict=True)):
            if mine is None:
                continue
            t = Tally()
            # with no earlier use in the network, the shared parameter's gradient is a use's outside it
            earlier = totals[i]
            totals[i] = t.add(np.zeros_like(mine) if earlier is None else earlier, mine)
            parts[part] = parts[part] + Counts(adds=t.adds)
        out.append(BackwardRow(row.name, row.forward, parts, row.kept, row.gradients))
    return out
