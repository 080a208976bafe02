"""The printers of a verification report (:class:`symconv.verify.Report`): a few lines for a terminal
(:func:`verification_text`) and JSON-ready data (:func:`verification_dict`), what ``symconv verify`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symconv.verify.report import Mismatch, Report

__all__ = ["verification_dict", "verification_text"]


def verification_dict(report: Report) -> dict[str, object]:
    """The report as JSON-ready data."""
    grid = report.grid
    return {
        "variant": report.derivation.variant,
        "dims": report.derivation.dims,
        "convention": report.derivation.convention.value,
        **({"pass": counted[0], "grad": counted[1]} if (counted := _pass(report)) else {}),
        "ok": report.ok,
        "samples": {"checked": report.samples, "mismatches": [_mismatch_dict(m) for m in report.sample_mismatches]},
        "grid": {"variables": list(grid.variables), "degrees": dict(grid.degrees),
                 "values": {k: list(v) for k, v in grid.values.items()}, "fixed": dict(grid.fixed),
                 "points": grid.points, "proven": grid.proven, "piecewise": list(grid.piecewise),
                 "mismatches": [_mismatch_dict(m) for m in grid.mismatches],
                 **({"free_geometry": True} if grid.free_geometry else {})},
        "notes": list(report.notes),
    }


def verification_text(report: Report) -> str:
    """The report as a few lines for a terminal."""
    d, grid = report.derivation, report.grid
    counted = _pass(report)
    which = ""
    if counted:
        step = {"backward": "backward pass", "training": "training step"}[counted[0]]
        which = f", {step} (gradients of the {', '.join(counted[1])})"
    lines = [f"{d.title}, {d.dims}-D{which}, FLOPs in the {d.convention.value} convention"]
    verdict = "agree" if not report.sample_mismatches else f"{len(report.sample_mismatches)} mismatches"
    lines.append(f"samples: {report.samples} random configurations (stride, padding, dilation, groups, bias "
                 f"varied): closed forms vs direct count, output vs numpy: {verdict}")
    degrees = ", ".join(f"{v}<={grid.degrees[v]}" for v in grid.variables)
    lines.append(f"grid: degree bounds from the loop structure: {degrees}")
    fixed = ", ".join(f"{k}={v}" for k, v in grid.fixed.items()) or "none"
    lines.append(f"grid: {grid.points} points (degree + 1 values per variable; degree 0, where they give the "
                 f"point's sizes: {fixed})")
    if grid.free_geometry:
        lines.append("grid: the geometry given ties the sizes together, so the points are realised by the same "
                     "variant with its stride, padding, dilation and input sizes free; the counts depend on the "
                     "loops' trip counts alone")
    if grid.proven:
        which = "polynomial count" if grid.piecewise else "count"
        lines.append(f"grid: every {which} equals the direct count at every point: proven for all sizes "
                     "(Combinatorial Nullstellensatz, Lemma 2.1)")
    else:
        lines.append(f"grid: {len(grid.mismatches)} mismatches: NOT proven")
    if grid.piecewise:
        lines.append(f"grid: does not apply to {', '.join(grid.piecewise)}: piecewise in the geometry (padding, "
                     "cropping), not polynomials; checked on the samples, which vary the geometry, and per regime "
                     "by the property tests")
    for m in (*report.sample_mismatches, *grid.mismatches)[:10]:
        where = ", ".join(f"{k}={v}" for k, v in m.values.items())
        if m.quantity == "sizes":  # no count disagrees: the point is no real layer, so the proof is incomplete
            lines.append(f"  grid point {where}: {m.direct}")
        else:
            lines.append(f"  mismatch ({m.where}) {m.quantity}: closed form {m.closed_form}, direct {m.direct} "
                         f"at {where}")
    lines += [f"note: {n}" for n in report.notes]
    lines.append("verdict: " + ("VERIFIED" if report.ok else "FAILED"))
    return "\n".join(lines) + "\n"


def _pass(report: Report) -> tuple[str, list[str]] | None:
    """The pass and the gradients of a backward pass or a training step; None for a forward pass."""
    counted = getattr(report.derivation, "pass_", None)
    if counted is None:
        return None
    return counted.value, list(getattr(report.derivation, "grads", ()))


def _mismatch_dict(m: Mismatch) -> dict[str, object]:
    return {"where": m.where, "values": dict(m.values), "quantity": m.quantity, "closed_form": m.closed_form,
            "direct": m.direct}
