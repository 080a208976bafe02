"""The documents of the backward pass in ``derivations/backward/`` (built in :mod:`symconv.documents.backward`,
written by ``python -m symconv.documents derivations`` with the others); :func:`write` writes them alone::

    python -m symconv.backward_documents derivations

A test regenerates them into a temporary folder and fails when a committed file differs by a byte.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from symconv.documents import generate
from symconv.documents.backward import BACKWARD_DOCUMENTS, SUBFOLDER, g1, rules, variant_document
from symconv.errors import SymconvError

__all__ = ["DOCUMENTS", "SUBFOLDER", "g1", "rules", "variant_document", "write"]

#: File stem under ``derivations/backward/`` → how its document is built from the claims file.
DOCUMENTS = BACKWARD_DOCUMENTS


def write(folder: str | Path, claims_file: str | Path | None = None) -> list[Path]:
    """Write every document of the backward pass into ``folder/backward``; returns the paths written."""
    claims = Path(claims_file) if claims_file is not None else Path(folder) / "claims.toml"
    return generate(Path(folder) / SUBFOLDER, claims, DOCUMENTS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m symconv.backward_documents",
                                     description="Write the documents of the backward pass.")
    parser.add_argument("folder", nargs="?", default="derivations",
                        help="where to write: into FOLDER/backward (default derivations)")
    parser.add_argument("--claims", help="the claims file (default FOLDER/claims.toml)")
    args = parser.parse_args(argv)
    try:
        written = write(args.folder, args.claims)
    except (SymconvError, OSError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
