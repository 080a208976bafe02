"""derivations/ is generated: regenerating it must give the committed files byte for byte, and the claims
carry the verdicts the article's formulas deserve."""

from __future__ import annotations

from pathlib import Path

import pytest

from symconv.check.claims import check_claim, load_catalogue, load_claims
from symconv.documents import DOCUMENTS, generate, main
from symconv.documents.claims import catalogue_of
from symconv.printing.markdown import document_markdown

ROOT = Path(__file__).resolve().parent.parent
DERIVATIONS = ROOT / "derivations"


def test_derivations_are_up_to_date(tmp_path):
    written = generate(tmp_path, DERIVATIONS / "claims.toml")  # every document reads the claims file it is given
    assert written
    stale = [p.name for p in written if (DERIVATIONS / p.name).read_bytes() != p.read_bytes()]
    assert not stale, f"regenerate with: python -m symconv.documents derivations ({stale})"
    committed = {p.name for p in DERIVATIONS.glob("*.md")} | {p.name for p in DERIVATIONS.glob("*.tex")}
    assert committed == {p.name for p in written}


def test_every_document_is_one_model_in_both_formats():
    assert {f"{stem}.md" for stem in DOCUMENTS} | {"claims.md"} == {p.name for p in DERIVATIONS.glob("*.md")}
    assert {f"{stem}.tex" for stem in DOCUMENTS} == {p.name for p in DERIVATIONS.glob("*.tex")}
    for path in DERIVATIONS.glob("*.tex"):
        assert path.read_text(encoding="utf-8").isascii(), f"{path.name}: pdflatex reads ASCII"


def test_the_claims_file_is_the_one_given(tmp_path, capsys):
    claims = tmp_path / "mine.toml"
    claims.write_text('[[claim]]\nid = "x"\nsource = "a test"\nstated = "with bias"\nformula = "C_in*C_out"\n'
                      'variant = "pointwise"\nquantity = "params"\n', encoding="utf-8")
    assert main([str(tmp_path / "out"), "--claims", str(claims)]) == 0
    assert "| a test | with bias |" in (tmp_path / "out" / "pointwise.md").read_text(encoding="utf-8")
    assert "a test" in (tmp_path / "out" / "claims.md").read_text(encoding="utf-8")
    assert not (tmp_path / "out" / "claims.toml").exists()
    capsys.readouterr()
    assert main([str(tmp_path / "other"), "--claims", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m symconv.documents: error: ") and "missing.toml" in err and err.count("\n") == 1


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
    text = document_markdown(catalogue_of(claims[:2]))
    assert "| [article-standard-params](#article-standard-params) |" in text
    assert "Smallest counterexample: at C_in = 1, C_out = 1, b = 1, k = 1: claimed 1, derived 2." in text
