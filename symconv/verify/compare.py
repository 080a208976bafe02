"""One configuration checked: the closed forms evaluated there against the direct counts of the numeric layer,
every disagreement a :class:`~symconv.verify.report.Mismatch`."""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from symconv.conventions import Convention
from symconv.direct import Mode
from symconv.errors import SpecError
from symconv.quantities import FURTHER, LAYER
from symconv.variants import Layer
from symconv.verify.counts import check_work, direct_counts
from symconv.verify.report import Mismatch


def evaluate(exprs: Mapping[str, sympy.Expr], values: Mapping[sympy.Symbol, sympy.Expr],
             names: tuple[str, ...] = LAYER) -> dict[str, int]:
    """The named closed forms of ``exprs`` at ``values``, as ints; a :class:`SpecError` where one is no integer."""
    out = {}
    for name in names:
        if name not in exprs:
            continue
        value = exprs[name].xreplace(dict(values))
        if not value.is_Integer:
            value = value.doit()
        if not value.is_Integer:
            raise SpecError(f"{name} = {value} is not an integer at {values}")
        out[name] = int(value)
    return out


def output_sizes(symbolic: Layer, numeric: Layer) -> dict[sympy.Symbol, sympy.Expr]:
    """The output sizes the numeric layer computed, for the symbols that stood for them."""
    sizes = {}
    for before, after in zip(symbolic.stages, numeric.stages, strict=True):
        for symbol, value in zip(before.conv.out_size, after.conv.out_size, strict=True):
            if isinstance(symbol, sympy.Symbol):
                sizes[symbol] = value
    return sizes


def compare(expected: Mapping[str, int], numeric: Layer, convention: Convention, where: str,
            values: Mapping[str, int], mode: Mode) -> list[Mismatch]:
    """Every count of ``expected`` that the direct count of ``numeric`` disagrees with (``flops`` in the
    derivation's convention), and the output values when they differ from the numpy computation."""
    performed = convention is Convention.PERFORMED or any(name.startswith("performed") for name in expected)
    counts, agree = direct_counts(numeric, mode=mode, performed=performed)
    counts["flops"] = int(convention.flops(
        counts["mults"], counts["adds"], counts["macs"], input_grid=counts["input_grid"],
        output_grid=counts["output_grid"], performed=counts["performed_mults"] + counts["performed_adds"]))
    out = [Mismatch(where, values, name, expected[name], counts[name])
           for name in (*LAYER, *FURTHER) if name in expected and expected[name] != counts[name]]
    if not agree:
        out.append(Mismatch(where, values, "output values", 0, "differs from the numpy convolution"))
    return out


def check(exprs: Mapping[str, sympy.Expr], symbolic: Layer, values: Mapping[sympy.Symbol, int], numeric: Layer,
          convention: Convention, where: str, shown: Mapping[str, int], mode: Mode) -> list[Mismatch]:
    """The closed forms ``exprs`` of ``symbolic`` at ``values`` (with the output sizes ``numeric``, the layer
    there, computed) against the direct count of ``numeric``; the mismatches name the configuration ``shown``."""
    check_work(numeric)
    expected = evaluate(exprs, {**values, **output_sizes(symbolic, numeric)}, (*LAYER, *FURTHER))
    return compare(expected, numeric, convention, where, shown, mode)
