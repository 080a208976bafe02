"""derivations/mobilenet_v1.* and blocks.* are generated: regenerating them gives the committed files."""

from __future__ import annotations

from pathlib import Path

from symconv.documents import _generators
from symconv.network.documents import write

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"


def test_network_documents_are_up_to_date(tmp_path):
    written = write(tmp_path)
    assert {p.name for p in written} == {"mobilenet_v1.md", "mobilenet_v1.tex", "blocks.md", "blocks.tex"}
    stale = [p.name for p in written if (DERIVATIONS / p.name).read_bytes() != p.read_bytes()]
    assert not stale, f"regenerate with: python -m symconv.documents derivations ({stale})"


def test_the_generator_is_registered():
    assert write in _generators()


def test_the_documents_say_where_the_paper_differs():
    text = (DERIVATIONS / "mobilenet_v1.md").read_text(encoding="utf-8")
    assert "| Conv 3×3, share of mult-adds | alpha = 1, rho = 1 | mult-adds | 1.19% | 10,838,016 (1.91%) |" in text
    assert "truncated (rounded: 291)" in text
