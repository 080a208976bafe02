"""Hypothesis strategies: only valid layers. Invalid input is tested separately, as tables."""

from __future__ import annotations

from hypothesis import strategies as st

from symconv import variants
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
