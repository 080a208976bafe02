"""Running a numeric layer through the direct counters of :mod:`symconv.direct`, stage by stage, on random
integer data: :func:`direct_counts`, within the :data:`WORK_LIMITS` of one machine."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from symconv.direct import (
    Mode,
    conv_direct,
    conv_reference,
    conv_transpose_dense,
    conv_transpose_direct,
    conv_transpose_reference,
)
from symconv.errors import SymconvError, must_be
from symconv.quantities import FURTHER
from symconv.spec import Conv
from symconv.variants import Layer

#: The most work one direct count may take: entries of a stage's tensors and products of its loop nest, and
#: (channel, tap) pairs of a group, which the vectorized counter loops over in Python.
WORK_LIMITS = {"products": 10**8, "input entries": 10**8, "output entries": 10**8, "(channel, tap) pairs": 10**5}


def check_work(layer: Layer) -> None:
    """Refuse, with one clear sentence, a layer too large to compute for real on this machine."""
    for stage in layer.stages:
        conv = stage.conv
        outputs = int(conv.batch) * int(conv.out_channels) * int(sympy.prod(conv.out_size))
        pairs = int(conv.in_per_group) * int(sympy.prod(conv.kernel))
        work = {
            "products": outputs * pairs,
            "input entries": int(conv.batch) * int(conv.in_channels) * int(sympy.prod(conv.in_size)),
            "output entries": outputs,
            "(channel, tap) pairs": pairs,
        }
        for what, amount in work.items():
            if amount > WORK_LIMITS[what]:
                raise SymconvError(
                    f"a direct count of the {stage.name} stage would need {amount:.3g} {what} (the limit is "
                    f"{WORK_LIMITS[what]:.0e}); verify at smaller sizes, or leave the large ones symbolic"
                )


def direct_counts(layer: Layer, *, mode: Mode = "vectorized", seed: int = 0,
                  performed: bool = False) -> tuple[dict[str, int], bool]:
    """Run a numeric layer through the direct counter, stage by stage, on random integer data.

    Returns the counts (``params`` are the entries of the weight and bias arrays the computation reads; ``macs``
    one per product, the multiplications of the sums; the further counts of :data:`symconv.quantities.FURTHER`) and
    whether every stage's output equals the independent numpy computation.

    A forward stage runs :func:`~symconv.direct.conv_direct`; with ``performed`` once more skipping the padding
    (``performed_mults``/``performed_adds``; without, they are the nominal counts). Its input-grid and
    output-grid counts are its ``macs``. A transposed stage runs the scatter cropping before multiplying (the
    exact counts), the scatter of every product into the uncropped result (``input_grid``) and the dense
    convolution on the output grid (``output_grid``); all three outputs must equal the adjoint of the forward
    convolution.
    """
    must_be(layer, Layer, "layer", "a Layer (symconv.variants)")
    check_work(layer)
    rng = np.random.default_rng(seed)
    first = layer.stages[0].conv
    x = rng.integers(-3, 4, size=(int(first.batch), int(first.in_channels), *(int(s) for s in first.in_size)))
    counts = dict.fromkeys(("params", "mults", "adds", "macs", *FURTHER), 0)
    values_agree = True
    for stage in layer.stages:
        conv = stage.conv
        weight, bias = _stage_arrays(conv, rng)
        counts["params"] += weight.size + (bias.size if bias is not None else 0)
        run = _transposed_stage if conv.transposed else _forward_stage
        x, step, agree = run(x, weight, bias, _options(conv), mode, performed)
        values_agree &= agree
        for name, value in step.items():
            counts[name] += value
    return counts, values_agree


Step = tuple[np.ndarray, dict[str, int], bool]


def _forward_stage(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, options: dict[str, Any],
                   mode: Mode, performed: bool) -> Step:
    """A forward stage's output, its counts and whether its values agree with the numpy convolution."""
    result = conv_direct(x, weight, bias, mode=mode, **options)
    agree = bool(np.array_equal(result.output, conv_reference(x, weight, bias, **options)))
    skipped = conv_direct(x, weight, bias, skip_padding=True, **options) if performed else result
    agree &= bool(np.array_equal(skipped.output, result.output))
    step = {"mults": result.mults, "adds": result.adds, "macs": result.mults, "input_grid": result.mults,
            "output_grid": result.mults, "performed_mults": skipped.mults, "performed_adds": skipped.adds}
    return result.output, step, agree


def _transposed_stage(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, options: dict[str, Any],
                      mode: Mode, performed: bool) -> Step:
    """A transposed stage's output, its counts and whether its three computations agree with the adjoint (the
    scatter has one mode, and crops exactly, so ``mode`` and ``performed`` change nothing)."""
    result = conv_transpose_direct(x, weight, bias, **options)
    scatter = conv_transpose_direct(x, weight, bias, crop="after", **options)
    dense = conv_transpose_dense(x, weight, bias, **options)
    reference = conv_transpose_reference(x, weight, bias, **options)
    agree = all(bool(np.array_equal(r.output, reference)) for r in (result, scatter, dense))
    step = {"mults": result.mults, "adds": result.adds, "macs": result.mults, "input_grid": scatter.mults,
            "output_grid": dense.mults, "performed_mults": result.mults, "performed_adds": result.adds}
    return result.output, step, agree


def _stage_arrays(conv: Conv, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray | None]:
    """A stage's random integer weight and (with ``b = 1``) bias, in the layout its counter reads."""
    channels = ((int(conv.in_channels), int(conv.out_per_group)) if conv.transposed
                else (int(conv.out_channels), int(conv.in_per_group)))
    weight = rng.integers(-3, 4, size=(*channels, *(int(k) for k in conv.kernel)))
    bias = rng.integers(-3, 4, size=int(conv.out_channels)) if conv.bias == 1 else None
    return weight, bias


def _options(conv: Conv) -> dict[str, Any]:
    """A numeric stage's geometry as the keyword arguments of the direct counters."""
    options: dict[str, Any] = {
        "stride": tuple(int(s) for s in conv.stride),
        "padding": tuple(int(p) for p in conv.padding),
        "dilation": tuple(int(d) for d in conv.dilation),
        "groups": int(conv.groups),
    }
    if conv.padding_end is not None:
        options["padding_end"] = tuple(int(p) for p in conv.padding_end)
    if conv.transposed:
        options["output_padding"] = tuple(int(p) for p in conv.out_pad)
    return options
