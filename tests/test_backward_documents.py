"""The documents of the backward pass in derivations/ are up to date, byte for byte, and say what they derive."""

from __future__ import annotations

from pathlib import Path

from symconv.backward_documents import DOCUMENTS, main, write

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"


def test_the_committed_documents_are_what_the_code_writes(tmp_path):
    written = write(tmp_path, DERIVATIONS / "claims.toml")
    assert {p.parent.name for p in written} == {"backward"}
    assert len(written) == 2 * len(DOCUMENTS)
    for path in written:
        committed = DERIVATIONS / "backward" / path.name
        assert committed.exists(), f"{path.name} is not in derivations/: run python -m symconv.backward_documents"
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} is stale"


def test_the_documents_check_the_rules_and_certify_g1():
    standard = (DERIVATIONS / "backward" / "standard.md").read_text(encoding="utf-8")
    assert "## How far from twice the forward pass" in standard and "backward-twice-forward-exact" in standard
    rules = (DERIVATIONS / "backward" / "rules.md").read_text(encoding="utf-8")
    assert "| flopcounter-depthwise-backward |" in rules and "$C_{\\mathrm{in}} + 1$" in rules
    g1 = (DERIVATIONS / "backward" / "shufflenet-g1.md").read_text(encoding="utf-8")
    assert "h w \\left(\\sqrt{c_{1}} - \\sqrt{c_{2}}\\right)^{2}" in g1 and "and it holds" in g1


def test_the_writer_refuses_a_missing_claims_file_in_one_line(tmp_path, capsys):
    assert main([str(tmp_path), "--claims", str(tmp_path / "none.toml")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
