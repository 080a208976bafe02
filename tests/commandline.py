"""``symconv`` run in the test's own process: its exit status and what it printed."""

from __future__ import annotations

import pytest

from symconv.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The exit status of ``symconv ARGV...``, its stdout and its stderr; a usage error exits with its status."""
    try:
        code = main(list(argv))
    except SystemExit as stop:  # a usage error: argparse exits
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
