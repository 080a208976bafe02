"""Verifying a backward pass or a training step: its closed forms against the backward counters of
:mod:`symconv.direct.backward`, and the degree bounds of their loop nests for the grid proof.

A numeric layer runs forward on random integer data (each stage's input is the one before's output), then
backward from a random ``dy`` through the stages in reverse, each stage computing the gradients the pass
needs (:func:`symconv.backward.needed`), its ``dy`` the input gradient of the stage after it. The gradients are
checked against the adjoint identities of the forward computation (:func:`symconv.direct.adjoint_identities`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from symconv.backward import needed
from symconv.conventions import BACKWARD, Convention
from symconv.direct import (
    Mode,
    adjoint_identities,
    conv_backward_direct,
    conv_reference,
    conv_transpose_backward_direct,
    conv_transpose_reference,
    gradient_loop_nest,
)
from symconv.passes import COUNTED, Pass, PassDerivation
from symconv.quantities import LAYER
from symconv.spec import Conv
from symconv.variants import Layer
from symconv.verify.bounds import degree_bounds, raise_bounds, trip_values
from symconv.verify.compare import evaluate, output_sizes
from symconv.verify.counts import _options, _stage_arrays, check_work, direct_counts
from symconv.verify.report import Mismatch

__all__ = ["check_pass", "pass_degree_bounds", "pass_direct_counts", "pass_exprs", "pass_polynomials"]

#: The counts of a part that verification compares, beside its FLOPs.
_COMPARED = ("mults", "adds", "macs")


def pass_exprs(derivation: PassDerivation) -> dict[str, sympy.Expr]:
    """Every closed form of a pass, by the name the report gives it: the pass's quantities, its padding-aware
    counts, and each part's counts as ``part.quantity``."""
    exprs = {**derivation.quantities,
             **{name: derivation.counts[name] for name in ("performed_mults", "performed_adds")}}
    for part, counts in derivation.parts.items():
        exprs.update({f"{part}.{name}": expr for name, expr in counts.items()})
    return exprs


def pass_polynomials(derivation: PassDerivation) -> dict[str, sympy.Expr]:
    """The same closed forms in the channels per group (:attr:`PassDerivation.part_polynomials`)."""
    exprs = {**{name: derivation.polynomials[name] for name in LAYER},
             **{name: derivation.counts[name] for name in ("performed_mults", "performed_adds")}}
    for part, counts in derivation.part_polynomials.items():
        exprs.update({f"{part}.{name}": expr for name, expr in counts.items()})
    return exprs


def _forward(conv: Conv) -> Any:
    options = _options(conv)
    reference = conv_transpose_reference if conv.transposed else conv_reference
    return lambda x, w, b: reference(x, w, b, **options)


def pass_direct_counts(layer: Layer, derivation: PassDerivation, *, mode: Mode = "vectorized",
                       seed: int = 0) -> tuple[dict[str, dict[str, int]], int, bool]:
    """The direct counts of each part of the pass (``mults``, ``adds``, ``macs``, ``performed_mults``,
    ``performed_adds``, ``params``) on the numeric ``layer``, the entries of the parameter arrays it reads, and
    whether every gradient satisfies the adjoint identities (and, in a training step, every forward output
    equals the numpy convolution)."""
    check_work(layer)
    rng = np.random.default_rng(seed)
    first = layer.stages[0].conv
    x = rng.integers(-3, 4, size=(int(first.batch), int(first.in_channels), *(int(s) for s in first.in_size)))
    trace = []
    params = 0
    for stage in layer.stages:
        weight, bias = _stage_arrays(stage.conv, rng)
        params += weight.size + (0 if bias is None else bias.size)
        trace.append((stage.conv, x, weight, bias))
        x = _forward(stage.conv)(x, weight, bias)
    dy = rng.integers(-3, 4, size=x.shape)
    parts = {name: dict.fromkeys(("params", *COUNTED[:-1]), 0) for name in derivation.parts}
    agree = True
    for (conv, x_in, weight, bias), wanted in reversed(list(zip(trace, needed(layer, derivation.grads), strict=True))):
        result, performed = _backward(conv, x_in, weight, bias, dy, wanted, mode)
        grads = {"grad_input": result.grad_input, "grad_weight": result.grad_weight, "grad_bias": result.grad_bias}
        agree &= adjoint_identities(_forward(conv), x_in, weight, dy, grads, bias, seed=seed)
        sizes = {"grad_input": 0, "grad_weight": weight.size, "grad_bias": 0 if bias is None else bias.size}
        for part in grads:
            if part in parts and (part != "grad_bias" or bias is not None) and part[5:] in wanted:
                counts = parts[part]
                counts["mults"] += result.mults[part]
                counts["macs"] += result.mults[part]
                counts["adds"] += result.adds[part]
                counts["performed_mults"] += performed.mults[part]
                counts["performed_adds"] += performed.adds[part]
                counts["params"] += sizes[part]
        if result.grad_input is not None:
            dy = result.grad_input
    if derivation.pass_ is Pass.TRAINING:
        forward, values_agree = direct_counts(layer, mode=mode, performed=True, seed=seed)
        agree &= values_agree
        parts["forward"] = {name: forward[name] for name in ("params", *COUNTED[:-1])}
    return parts, params, agree


def _backward(conv: Conv, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, dy: np.ndarray,
              wanted: Sequence[str], mode: Mode) -> tuple[Any, Any]:
    """A stage's gradients, counted, and the counts of a computation that skips the padding's zeros."""
    options = _options(conv)
    if conv.transposed:
        result = conv_transpose_backward_direct(x, weight, dy, bias, grad=wanted, mode=mode, **options)
        return result, result
    result = conv_backward_direct(x, weight, dy, bias, grad=wanted, mode=mode, **options)
    if "weight" not in wanted or all(p == 0 for p in (*conv.padding, *conv.pad_end)):
        return result, result
    skipped = conv_backward_direct(x, weight, dy, bias, grad=("weight",), skip_padding=True, **options)
    performed = type(result)(None, None, None, {**result.mults, "grad_weight": skipped.mults["grad_weight"]},
                             {**result.adds, "grad_weight": skipped.adds["grad_weight"]})
    return result, performed


def _totals(parts: Mapping[str, Mapping[str, int]], params: int, derivation: PassDerivation) -> dict[str, int]:
    """The pass's direct counts by the names of :func:`pass_exprs`, FLOPs in each convention that a direct
    count decides (a preset's rule is checked against its tool, not here)."""
    flat: dict[str, int] = {}
    total = {name: sum(c[name] for c in parts.values()) for name in ("mults", "adds", "macs", "performed_mults",
                                                                    "performed_adds")}
    convention = derivation.convention
    for part, counts in {**parts, "": total}.items():
        prefix = f"{part}." if part else ""
        flat.update({f"{prefix}{name}": counts[name] for name in _COMPARED})
        if part:
            flat[f"{prefix}params"] = counts["params"]
        if isinstance(convention, Convention) and convention in BACKWARD:
            flat[f"{prefix}flops"] = int(convention.of(counts))
    flat.update({name: total[name] for name in ("performed_mults", "performed_adds")})
    flat["params"] = params
    return flat


def check_pass(exprs: Mapping[str, sympy.Expr], derivation: PassDerivation, values: Mapping[sympy.Symbol, int],
               numeric: Layer, where: str, shown: Mapping[str, int], mode: Mode,
               symbolic: Layer | None = None) -> list[Mismatch]:
    """The closed forms ``exprs`` of a pass at ``values`` against the direct counts of ``numeric`` (an instance
    of ``symbolic``, the derivation's layer unless the grid realises it with its geometry free)."""
    check_work(numeric)
    expected = evaluate(exprs, {**values, **output_sizes(symbolic or derivation.layer, numeric)}, tuple(exprs))
    parts, params, agree = pass_direct_counts(numeric, derivation, mode=mode)
    direct = _totals(parts, params, derivation)
    out = [Mismatch(where, shown, name, expected[name], direct[name])
           for name in expected if name in direct and expected[name] != direct[name]]
    if not agree:
        out.append(Mismatch(where, shown, "gradient values", 0, "break the adjoint identities"))
    return out


def pass_degree_bounds(derivation: PassDerivation) -> dict[sympy.Symbol, int]:
    """The degree of each direct count of the pass in each variable, bounded by the loop nests of its programs
    (:func:`symconv.direct.gradient_loop_nest`, and for a training step the forward ones too), as
    :func:`symconv.verify.degree_bounds` bounds the forward counts.

    Each gradient's scalar program does constant work per innermost iteration wherever its counts are
    polynomials (no tap on the padding, nothing cropped), so its counts are sums of products of its trip
    counts. A convolution's input gradient loops over the input grid, whose size at a grid point is the one
    the realisation gives it, the smallest input of that output: :func:`symconv.geometry.input_size`.
    """
    bounds = degree_bounds(derivation.layer) if derivation.pass_ is Pass.TRAINING else {}
    for stage, wanted in zip(derivation.layer.stages, needed(derivation.layer, derivation.grads), strict=True):
        conv = stage.conv
        values = trip_values(conv, realised_input=True)
        raise_bounds(bounds, [[values[name] for name in gradient_loop_nest(conv.dims, f"grad_{g}", conv.transposed)]
                              for g in wanted], conv.bias)
    return bounds
