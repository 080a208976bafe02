"""``symconv verify`` (symconv.cli.verify): the verdict, in text and in JSON."""

from __future__ import annotations

import json

from commandline import run


def test_verify_passes_and_reports(capsys):
    code, out, _ = run(capsys, "verify", "grouped", "--dims", "1", "--samples", "4")
    assert code == 0
    assert "verdict: VERIFIED" in out and "proven for all sizes" in out
    code, out, _ = run(capsys, "verify", "pointwise", "--format", "json", "--samples", "2")
    assert code == 0 and json.loads(out)["ok"] is True
