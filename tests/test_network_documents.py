"""derivations/mobilenet_v1.* and blocks.* are generated: regenerating them gives the committed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from symconv.documents import DOCUMENTS, PRINTERS
from symconv.documents.blocks import blocks
from symconv.documents.mobilenet import mobilenet

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"


@pytest.mark.parametrize("stem", ["mobilenet_v1", "blocks"])
def test_network_documents_are_up_to_date(stem):
    document = DOCUMENTS[stem](DERIVATIONS / "claims.toml")
    for suffix, printer in PRINTERS.items():
        assert printer(document) == (DERIVATIONS / f"{stem}{suffix}").read_text(encoding="utf-8"), \
            f"regenerate with: python -m symconv.documents derivations ({stem}{suffix})"


def test_the_generators_are_registered():
    assert DOCUMENTS["mobilenet_v1"] is mobilenet and DOCUMENTS["blocks"] is blocks


def test_the_documents_say_where_the_paper_differs():
    text = (DERIVATIONS / "mobilenet_v1.md").read_text(encoding="utf-8")
    assert "| Conv 3×3, share of mult-adds | alpha = 1, rho = 1 | mult-adds | 1.19% | 10,838,016 (1.91%) |" in text
    assert "truncated (rounded: 291)" in text
