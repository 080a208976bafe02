"""Verifying a derivation: its closed forms against the direct count on random samples, then the grid proof,
gathered into one :class:`~symconv.verify.report.Report`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from symconv.backward import GRADS
from symconv.conventions import Convention, Rule
from symconv.derive import Derivation
from symconv.errors import SymconvError, must_be
from symconv.limits import MAX_SAMPLES
from symconv.passes import Pass, PassDerivation, derive_pass
from symconv.quantities import FURTHER
from symconv.variants import Layer
from symconv.verify.compare import check
from symconv.verify.grid import grid_proof
from symconv.verify.passes import check_pass, pass_exprs
from symconv.verify.report import Mismatch, Progress, Report
from symconv.verify.samples import samples as random_samples


def verify_layer(layer: Layer, convention: Rule | str = Convention.EXACT, *, samples: int = 20,
                 seed: int = 0, progress: Progress | None = None, sizes: str = "output",
                 pass_: Pass | str = Pass.FORWARD, grad: Sequence[str] | str = GRADS) -> Report:
    """Check every closed form of ``layer`` against direct counting: random samples, then the grid proof.

    With ``sizes="input"`` the samples check the counts written in the input sizes (floor forms); the grid,
    which needs polynomials, proves the same counts in the output sizes, which the floor relations turn into
    the former. ``pass_`` and ``grad`` choose the pass (:func:`symconv.passes.derive_pass`): a backward pass
    or a training step is checked against the backward counters.
    """
    if not isinstance(sizes, str) or sizes not in ("output", "input"):
        raise SymconvError(f"sizes must be 'output' or 'input', not {sizes!r}")
    derivation = derive_pass(layer, convention, pass_=pass_, grad=grad)
    if sizes == "output":
        return verify(derivation, samples=samples, seed=seed, progress=progress)
    in_sizes = derive_pass(layer, convention, pass_=pass_, grad=grad, sizes=sizes)
    report = verify(in_sizes, samples=samples, seed=seed, progress=progress, grid=derivation)
    note = ("the grid proves the counts in the output sizes; in the input sizes they are those counts with the "
            "floor relations put in, checked on the samples")
    return dataclasses.replace(report, notes=(*report.notes, note))


def verify(derivation: Derivation, *, samples: int = 20, seed: int = 0, progress: Progress | None = None,
           grid: Derivation | None = None) -> Report:
    """Check the closed forms of ``derivation`` (``quantities`` and ``counts`` on the samples, ``polynomials``
    and the polynomial ``counts`` on the grid; ``grid`` proves another derivation of the same layer instead,
    one in the output sizes). A pass derivation's parts are checked too."""
    must_be(derivation, Derivation, "derivation", "a Derivation (symconv.derive)")
    must_be(grid, (Derivation, type(None)), "grid", "a Derivation or None")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function of (done, total) or None, not {type(progress).__name__}")
    if isinstance(samples, bool) or not isinstance(samples, int) or not 0 <= samples <= MAX_SAMPLES:
        raise SymconvError(f"samples must be an integer from 0 to {MAX_SAMPLES:,}, not {samples!r}")
    layer = derivation.layer
    mismatches: list[Mismatch] = []
    made = 0
    for values, numeric in random_samples(layer, samples, seed):
        made += 1
        shown = {str(s): int(v) for s, v in values.items()}
        if isinstance(derivation, PassDerivation):
            mismatches += check_pass(pass_exprs(derivation), derivation, values, numeric, "sample", shown,
                                     "vectorized")
            continue
        exprs = {**derivation.quantities, **{name: derivation.counts[name] for name in FURTHER
                                             if name in derivation.counts}}
        assert isinstance(derivation.convention, Convention)
        mismatches += check(exprs, layer, values, numeric, derivation.convention, "sample", shown, "vectorized")
    notes: tuple[str, ...] = () if made == samples else (f"only {made} of {samples} random configurations were valid",)
    if isinstance(derivation, PassDerivation) and not isinstance(derivation.convention, Convention):
        notes += (f"flops in the {derivation.convention.value} preset is a tool's rule, not a count of a "
                  "computation: checked against the tool itself (tests), the other counts here",)
    return Report(derivation, made, tuple(mismatches), grid_proof(grid or derivation, progress), notes)
