"""The printers of a verification report: the lines ``symconv verify`` prints, and its JSON shape."""

from __future__ import annotations

import json

import pytest

from symconv import variants
from symconv.derive import derive
from symconv.printing.verify import verification_dict, verification_text
from symconv.verify import GridProof, Mismatch, Report, verify_layer

UNREAL = "no real layer has these sizes with the geometry given"


@pytest.fixture(scope="module")
def failed() -> Report:
    """A report made by hand: one sample disagrees, one grid point is no real layer, one count is piecewise."""
    sample = Mismatch("sample", {"C_in": 2, "L_out": 3}, "flops", 13, 12)
    point = Mismatch("grid", {"C_in": 1, "L_out": 1}, "sizes", 0, UNREAL)
    grid = GridProof(variables=("C_in", "L_out"), degrees={"C_in": 1, "L_out": 1},
                     values={"C_in": (1, 2), "L_out": (1, 2)}, fixed={"s_l": 1}, points=4, mismatches=(point,),
                     piecewise=("performed_mults",))
    return Report(derive(variants.pointwise(1, bias=False)), 1, (sample,), grid, ("a note",))


def test_a_failed_report_prints_every_mismatch_and_the_verdict(failed: Report) -> None:
    assert not failed.ok
    assert verification_text(failed).splitlines() == [
        "Pointwise convolution, 1-D, FLOPs in the exact convention",
        "samples: 1 random configurations (stride, padding, dilation, groups, bias varied): closed forms vs direct "
        "count, output vs numpy: 1 mismatches",
        "grid: degree bounds from the loop structure: C_in<=1, L_out<=1",
        "grid: 4 points (degree + 1 values per variable; degree 0, where they give the point's sizes: s_l=1)",
        "grid: 1 mismatches: NOT proven",
        "grid: does not apply to performed_mults: piecewise in the geometry (padding, cropping), not polynomials; "
        "checked on the samples, which vary the geometry, and per regime by the property tests",
        "  mismatch (sample) flops: closed form 13, direct 12 at C_in=2, L_out=3",
        f"  grid point C_in=1, L_out=1: {UNREAL}",
        "note: a note",
        "verdict: FAILED",
    ]
    assert verification_text(failed).endswith("FAILED\n")


def test_at_most_ten_mismatches_are_listed(failed: Report) -> None:
    many = tuple(Mismatch("sample", {"N": n}, "mults", n + 1, n) for n in range(12))
    report = Report(failed.derivation, 12, many, failed.grid)
    listed = [line for line in verification_text(report).splitlines() if line.startswith("  ")]
    assert len(listed) == 10
    assert "12 mismatches" in verification_text(report)


def test_the_json_of_a_failed_report(failed: Report) -> None:
    data = verification_dict(failed)
    assert data == {
        "variant": "pointwise",
        "dims": 1,
        "convention": "exact",
        "ok": False,
        "samples": {"checked": 1, "mismatches": [
            {"where": "sample", "values": {"C_in": 2, "L_out": 3}, "quantity": "flops", "closed_form": 13,
             "direct": 12}]},
        "grid": {"variables": ["C_in", "L_out"], "degrees": {"C_in": 1, "L_out": 1},
                 "values": {"C_in": [1, 2], "L_out": [1, 2]}, "fixed": {"s_l": 1}, "points": 4, "proven": False,
                 "piecewise": ["performed_mults"],
                 "mismatches": [{"where": "grid", "values": {"C_in": 1, "L_out": 1}, "quantity": "sizes",
                                 "closed_form": 0, "direct": UNREAL}]},
        "notes": ["a note"],
    }
    assert json.loads(json.dumps(data)) == data  # JSON-ready: no tuples, no SymPy objects


def test_a_verified_report_prints_its_proof() -> None:
    report = verify_layer(variants.pointwise(1, bias=False), samples=2)
    text = verification_text(report)
    assert text.endswith("verdict: VERIFIED\n")
    assert "proven for all sizes (Combinatorial Nullstellensatz, Lemma 2.1)" in text
    assert verification_dict(report)["ok"] is True


def test_report_dict_shape():
    data = verification_dict(verify_layer(variants.pointwise(1), samples=2))
    assert data["ok"] is True
    assert set(data) == {"variant", "dims", "convention", "ok", "samples", "grid", "notes"}
    assert data["grid"]["proven"] is True
