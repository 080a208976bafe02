"""Hypothesis strategies: only valid layers. Invalid input is tested separately, as tables."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from symconv import variants
from symconv.direct import output_size, transposed_output_size
from symconv.errors import SpecError
from symconv.symbols import axes
from symconv.variants import Layer


@st.composite
def numeric_layers(draw: st.DrawFn, variant: str | None = None, dims: int | None = None,
                   max_size: int = 5) -> tuple[str, int, dict[str, int], Layer]:
    """A fully numeric layer of a variant: every symbol set, the input size chosen so the kernel fits."""
    variant = variant or draw(st.sampled_from(sorted(variants.VARIANTS)))
    dims = dims or draw(st.integers(1, 3))
    g = draw(st.integers(1, 3))
    values: dict[str, int] = {
        "N": draw(st.integers(1, 2)),
        "g": g,
        "C_in": g * draw(st.integers(1, 3)),
        "C_out": g * draw(st.integers(1, 3)),
        "m": draw(st.integers(1, 3)),
        "b": draw(st.integers(0, 1)),
    }
    for a in axes(dims):
        k, s, d = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        p = draw(st.integers(0, 2))
        span = d * (k - 1) + 1
        values |= {f"k_{a}": k, f"s_{a}": s, f"p_{a}": p, f"d_{a}": d}
        if variant == "transposed":
            op = draw(st.integers(0, max(s, d) - 1))
            values[f"op_{a}"] = op
            # The output (A_in - 1) s + span + op - 2p must be at least 1.
            least = max(1, -((span + op - 2 * p - 1) // s) + 1)
            values[f"{a.upper()}_in"] = draw(st.integers(least, least + max_size - 1))
            continue
        values[f"{a.upper()}_in"] = draw(st.integers(max(1, span - 2 * p), span - 2 * p + max_size))
    layer = variants.make(variant, dims, values)
    return variant, dims, values, layer


#: The gradients a backward pass can be asked for: every non-empty choice.
GRAD_CHOICES = (("input",), ("weight",), ("bias",), ("input", "weight"), ("input", "bias"), ("weight", "bias"),
                ("input", "weight", "bias"))


@st.composite
def numeric_passes(draw: st.DrawFn, variant: str | None = None, dims: int | None = None,
                   max_size: int = 4) -> tuple[str, int, dict[str, int], Layer, str, tuple[str, ...]]:
    """A fully numeric layer (:func:`numeric_layers`), a pass other than the forward one, and the gradients its
    backward pass computes."""
    name, dims_, values, layer = draw(numeric_layers(variant, dims, max_size))
    chosen = draw(st.sampled_from(("backward", "training")))
    grads = draw(st.sampled_from(GRAD_CHOICES))
    return name, dims_, values, layer, chosen, grads


@st.composite
def symbolic_geometry(draw: st.DrawFn, variant: str | None = None) -> tuple[str, int, dict[str, int]]:
    """A variant and a dimensionality with some of its geometry fixed (padding 0, stride 1, dilation 1, or
    none of them), the rest symbolic: the settings in which some backward counts are polynomials."""
    variant = variant or draw(st.sampled_from(sorted(variants.VARIANTS)))
    dims = draw(st.integers(1, 2))
    fixed: dict[str, int] = {}
    for a in axes(dims):
        if draw(st.booleans()) and variant != "pointwise":
            fixed[f"p_{a}"] = 0
            if draw(st.booleans()):
                fixed |= {f"s_{a}": 1, f"d_{a}": 1}
    return variant, dims, fixed


@st.composite
def numeric_stages(draw: st.DrawFn, transposed: bool) -> dict:  # type: ignore[type-arg]
    """A small numeric stage (transposed or not) with random integer data for the direct counters: ``x``,
    ``w``, ``dy`` (None when the padding crops the whole output), ``bias`` (or None), the keyword ``options``
    of the counters and ``dims``."""
    dims = draw(st.integers(1, 3))
    g = draw(st.integers(1, 3))
    n, cin, cout = draw(st.integers(1, 2)), g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    s = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    p = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    d = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    options = {"stride": s, "padding": p, "dilation": d, "groups": g}
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if transposed:
        op = tuple(draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d, strict=True))
        size = tuple(draw(st.integers(max(1, pi // si + 1), 4)) for pi, si in zip(p, s, strict=True))
        try:
            out = tuple(transposed_output_size(*a) for a in zip(size, k, s, p, d, op, strict=True))
        except SpecError:
            out = ()
        options["output_padding"] = op
        w = rng.integers(-3, 4, (cin, cout // g, *k))
    else:
        size = tuple(draw(st.integers(max(1, di * (ki - 1) + 1 - 2 * pi), max(1, di * (ki - 1) + 1 - 2 * pi) + 3))
                     for ki, di, pi in zip(k, d, p, strict=True))
        out = tuple(output_size(*a) for a in zip(size, k, s, p, d, strict=True))
        w = rng.integers(-3, 4, (cout, cin // g, *k))
    bias = rng.integers(-3, 4, cout) if draw(st.booleans()) else None
    return {"x": rng.integers(-3, 4, (n, cin, *size)), "w": w, "dy": rng.integers(-3, 4, (n, cout, *out)) if out
            else None, "bias": bias, "options": options, "dims": dims}
