"""``symconv verify`` (symconv.cli.verify): the verdict, in text and in JSON; the text of one verification is
recorded in tests/golden/verify/ and compared byte for byte (``pytest --update-golden`` records it again).
"""

from __future__ import annotations

import json

from commandline import run
from golden import ROOT, command_file


def test_verify_passes_and_reports(capsys):
    code, out, _ = run(capsys, "verify", "grouped", "--dims", "1", "--samples", "4")
    assert code == 0
    assert "verdict: VERIFIED" in out and "proven for all sizes" in out
    code, out, _ = run(capsys, "verify", "pointwise", "--format", "json", "--samples", "2")
    assert code == 0 and json.loads(out)["ok"] is True


VERIFY = ["verify", "standard", "--dims", "1", "--samples", "3"]


def test_verify_prints_its_golden_file(capsys, golden):
    # The samples are drawn from the default seed: the same configurations, so the same text, on every run.
    code, out, err = run(capsys, *VERIFY)
    assert (code, err) == (0, "")
    golden(command_file(VERIFY, "txt"), out)
    assert sorted(p.name for p in (ROOT / "verify").iterdir()) == [command_file(VERIFY, "txt").split("/")[1]]
