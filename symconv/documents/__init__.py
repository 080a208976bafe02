"""The generated documents of ``derivations/``, each built once as a document model and printed to Markdown
and to LaTeX (:mod:`symconv.printing.document`).

One per variant and one comparison (:mod:`~symconv.documents.variants`: the closed forms, the reference
article's claims with symconv's verdict, the derivation step by step), the output sizes and the padding-aware
counts (:mod:`~symconv.documents.output_sizes`, :mod:`~symconv.documents.padding_aware`), MobileNetV1's
published tables and the block formulas (:mod:`~symconv.documents.mobilenet`, :mod:`~symconv.documents.blocks`),
TF-slim's and torchvision's published tables of checkpoints (:mod:`~symconv.documents.published`),
MobileNetV1's training step (:mod:`~symconv.documents.training`), the catalogue of every claim
(``claims.md``), and in ``backward/`` the backward pass of the convolutions, the rules people quote about
training and ShuffleNetV2's G1 (:mod:`~symconv.documents.backward`). Regenerate them all with::

    python -m symconv.documents derivations

A test regenerates them into a temporary folder and fails when a committed file differs by a byte.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from symconv.documents.backward import BACKWARD_DOCUMENTS, SUBFOLDER
from symconv.documents.blocks import blocks
from symconv.documents.claims import catalogue
from symconv.documents.mobilenet import mobilenet
from symconv.documents.output_sizes import output_sizes
from symconv.documents.padding_aware import padding_aware
from symconv.documents.published import published_tables
from symconv.documents.training import mobilenet_training
from symconv.documents.variants import comparison, variant
from symconv.errors import SymconvError
from symconv.printing.document import Document
from symconv.printing.latex import document_latex
from symconv.printing.markdown import document_markdown

__all__ = ["DOCUMENTS", "FOLDERS", "PRINTERS", "generate", "main"]

#: File stem → how its document is built from the claims file; each is written as stem.md and stem.tex.
DOCUMENTS: dict[str, Callable[[Path], Document]] = {
    "standard": variant("standard"),
    "grouped": variant("grouped"),
    "depthwise": variant("depthwise"),
    "pointwise": variant("pointwise"),
    "separable": variant("separable"),
    "separable-vs-standard": comparison("separable", "standard"),
    "transposed": variant("transposed"),
    "spatial-separable": variant("spatial-separable"),
    "output-sizes": output_sizes,
    "padding-aware": padding_aware,
    "mobilenet_v1": mobilenet,
    "mobilenet_v1-training": mobilenet_training,
    "blocks": blocks,
    "published-tables": published_tables,
    "claims": catalogue,
}

#: Subfolder → its documents, written as :data:`DOCUMENTS` are, into that folder.
FOLDERS: dict[str, dict[str, Callable[[Path], Document]]] = {SUBFOLDER: BACKWARD_DOCUMENTS}

#: Suffix → the printer that writes a document in that format.
PRINTERS: dict[str, Callable[[Document], str]] = {".md": document_markdown, ".tex": document_latex}


def generate(folder: str | Path, claims_file: str | Path | None = None,
             documents: dict[str, Callable[[Path], Document]] | None = None) -> list[Path]:
    """Write every document of ``documents`` (:data:`DOCUMENTS` by default) into ``folder`` from
    ``claims_file`` (``folder/claims.toml`` by default); returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    claims = Path(claims_file) if claims_file is not None else folder / "claims.toml"
    written = []
    for stem, build in (DOCUMENTS if documents is None else documents).items():
        document = build(claims)
        for suffix, printer in PRINTERS.items():
            written.append(_write(folder / f"{stem}{suffix}", printer(document)))
    return written


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="python -m symconv.documents", description=doc.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="derivations", help="where to write (default derivations)")
    parser.add_argument("--claims", help="the claims file (default FOLDER/claims.toml)")
    args = parser.parse_args(argv)
    claims = args.claims or Path(args.folder) / "claims.toml"
    try:
        written = generate(args.folder, claims)
        for sub, documents in FOLDERS.items():
            written += generate(Path(args.folder) / sub, claims, documents)
    except (SymconvError, OSError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path, file=sys.stderr)
    return 0
