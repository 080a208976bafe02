"""A network computed for real, layer by layer, counting every operation it performs.

Convolutions run through :func:`symconv.direct.conv_direct` (transposed ones through
:func:`symconv.direct.conv_transpose_direct`); every other layer is computed here with numpy, one elementwise
operation at a time, and each operation is counted by the size of its result (a comparison, square root,
division, exponential, ``erf`` or ``tanh`` counts as one "other" operation). Parameters and buffers are the
sizes of the arrays the computation reads. Nothing here evaluates a closed form: the tests compare these
counts with :func:`symconv.network.graph.analyse`, layer by layer, and each layer's values with an
independent numpy computation.

>>> from symconv.network import Network, Shape, BatchNorm
>>> rows = run(Network.sequence("bn", Shape(2, (3, 3)), [BatchNorm()]))
>>> c = rows[0].counts
>>> c.params, c.buffers, c.mults, c.adds, c.others  # 2·2; 2·2 + 1; 18 + 2·2; 18 + 2·2; 2·2
(4, 5, 22, 22, 4)

**Where each part lives.** :mod:`~symconv.network.direct.tally` counts the operations; ``arith`` computes
convolutions, linear layers and matrix products, ``norms`` the normalisations, ``elementwise`` the
activations, softmax and elementwise operations, ``pooling`` the windows and ``layout`` what only moves data
(and upsampling). Each module registers its layers in its ``COMPUTE`` table, and their backward passes in
its ``BACKWARD`` table; :mod:`~symconv.network.direct.backward` runs a network's training step with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from symconv.network.direct import arith, elementwise, layout, norms, pooling
from symconv.network.direct.tally import Computed, Tally
from symconv.network.graph import Network, walk
from symconv.network.layers import Counts, LayerSpec, NetworkError, Reused, Unknown, Unused, as_expr

__all__ = ["COMPUTE", "DirectRow", "compute_layer", "run"]

#: How each kind of layer is computed and counted for real.
COMPUTE: dict[type, Callable[..., Computed]] = {
    **arith.COMPUTE, **norms.COMPUTE, **elementwise.COMPUTE, **pooling.COMPUTE, **layout.COMPUTE}


@dataclass(frozen=True)
class DirectRow:
    """One layer computed: its name, output array and the operations counted."""

    name: str
    output: np.ndarray
    counts: Counts
    values_agree: bool  # the output equals an independent computation of the same layer


def run(network: Network, values: Mapping[str, Any] | None = None, seed: int = 0) -> list[DirectRow]:
    """Compute ``network`` (every symbol given a value) on random data; one :class:`DirectRow` per layer."""
    rng = np.random.default_rng(seed)
    subs = network.resolve(values)
    batch = as_expr(network.batch, "batch").xreplace(subs)
    shape = network.input.xreplace(subs)
    if not all(v.is_Integer for v in (batch, *shape.dims)):
        raise NetworkError("direct counting needs every size set: give each symbol a value")
    env: dict[str, np.ndarray] = {"input": rng.standard_normal((int(batch), *(int(s) for s in shape.dims)))}
    rows = []
    for node, layer, _, _ in walk(network, subs):
        inputs = [env[name] for name in node.inputs]
        output, counts, agree = compute_layer(layer, inputs, rng)
        env[node.name] = output
        rows.append(DirectRow(node.name, output, counts, agree))
    return rows


def compute_layer(layer: LayerSpec, xs: list[np.ndarray], rng: np.random.Generator) -> Computed:
    """One layer computed on ``xs`` (its parameters drawn from ``rng``) and counted."""
    if isinstance(layer, Reused):
        output, counts, agree = compute_layer(layer.layer, xs, rng)
        return output, replace(counts, params=0, buffers=0, weights=0), agree
    if isinstance(layer, Unknown):
        return xs[0], Counts(), True
    if isinstance(layer, Unused):
        return xs[0], Counts(params=layer.params, buffers=layer.buffers), True
    compute = COMPUTE.get(type(layer))
    if compute is None:
        raise NetworkError(f"no direct computation for {type(layer).__name__}")
    return compute(layer, xs, rng, Tally())
