"""derivations/ is generated: regenerating it must give the committed files byte for byte, and the claims
carry the verdicts the article's formulas deserve."""

from __future__ import annotations

from pathlib import Path

import pytest

from symconv.claims import check_claim, load_claims
from symconv.documents import generate

ROOT = Path(__file__).resolve().parent.parent
DERIVATIONS = ROOT / "derivations"


def test_derivations_are_up_to_date(tmp_path):
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
    "article-separable-over-standard-params": "holds exactly when b = 0",
    "article-separable-over-standard-flops": "holds exactly when b = 1",
}


@pytest.mark.parametrize("claim", load_claims(DERIVATIONS / "claims.toml"), ids=lambda c: c.id)
def test_article_claims_verdicts(claim):
    _, _, verdict = check_claim(claim)
    assert verdict.summary == EXPECTED[claim.id]
