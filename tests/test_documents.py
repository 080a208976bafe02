"""derivations/ is generated: regenerating it must give the committed files byte for byte, and the claims
carry the verdicts the article's formulas deserve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from symconv.check.catalogue import catalogue_markdown
from symconv.check.claims import check_claim, load_catalogue, load_claims
from symconv.documents import generate

ROOT = Path(__file__).resolve().parent.parent
DERIVATIONS = ROOT / "derivations"


def test_derivations_are_up_to_date(tmp_path):
    shutil.copy(DERIVATIONS / "claims.toml", tmp_path / "claims.toml")  # the catalogue reads it from the folder
    written = generate(tmp_path, DERIVATIONS / "claims.toml")
    assert written
    stale = [p.name for p in written if (DERIVATIONS / p.name).read_bytes() != p.read_bytes()]
    assert not stale, f"regenerate with: python -m symconv.documents derivations ({stale})"
    committed = {p.name for p in DERIVATIONS.glob("*.md")} | {p.name for p in DERIVATIONS.glob("*.tex")}
    assert committed == {p.name for p in written}


EXPECTED = {
    "article-standard-params": "holds exactly when b = 0",
    "article-standard-params-bias": "holds exactly when b = 1",
    "article-standard-flops": "holds exactly when b = 1",
    "article-standard-flops-per-element": "holds exactly when b = 0",
    "article-separable-params": "holds exactly when b = 0",
    "article-separable-flops": "holds exactly when b = 1",
    "article-separable-over-standard": "holds",
    # A 1-wide kernel on one input channel is the other case: both layers are then C_out products per position.
    "article-separable-over-standard-params": "holds exactly when b = 0 or (C_in = 1 and k = 1)",
    "article-separable-over-standard-flops": "holds exactly when b = 1 or (C_in = 1 and k = 1)",
    "mobilenet-standard-cost": "holds",
    "mobilenet-depthwise-cost": "holds",
    "mobilenet-separable-cost": "holds",
    "mobilenet-reduction": "holds",
    "mobilenet-reduction-exact-flops": "holds exactly when b = 1 or (C_in = 1 and k = 1)",
    "shufflenet-resnet-unit": "holds",
    "shufflenet-resnext-unit": "holds",
    "shufflenet-unit": "holds",
    "resnext-block-params": "holds",
}


@pytest.mark.parametrize("claim", load_catalogue(DERIVATIONS / "claims.toml"), ids=lambda c: c.id)
def test_claims_verdicts(claim):
    _, _, verdict = check_claim(claim)
    assert verdict.summary == EXPECTED[claim.id]
    if verdict.status == "fails":
        assert verdict.counterexample is not None
        assert verdict.counterexample.claimed != verdict.counterexample.derived


def test_load_claims_keeps_to_the_article():
    article = load_claims(DERIVATIONS / "claims.toml")
    assert article and all(c.id.startswith("article-") for c in article)
    assert set(EXPECTED) == {c.id for c in load_catalogue(DERIVATIONS / "claims.toml")}


def test_units_are_derived_from_their_layers():
    (unit,) = [c for c in load_catalogue(DERIVATIONS / "claims.toml") if c.id == "shufflenet-unit"]
    assert [p.variant for p in unit.parts] == ["grouped", "depthwise", "grouped"]
    _, derived, _ = check_claim(unit)
    # no layer was typed in: remove the depthwise stage and the claim no longer holds
    from dataclasses import replace
    _, _, verdict = check_claim(replace(unit, parts=unit.parts[::2]))
    assert verdict.status == "fails" and derived != verdict.derived


def test_catalogue_lists_every_claim_with_its_verdict():
    claims = load_catalogue(DERIVATIONS / "claims.toml")
    text = catalogue_markdown(claims[:2])
    assert "| [article-standard-params](#article-standard-params) |" in text
    assert "Smallest counterexample: at C_in = 1, C_out = 1, b = 1, k = 1: claimed 1, derived 2." in text
