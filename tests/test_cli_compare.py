"""``symconv compare`` (symconv.cli.compare): it prints the comparison the library makes, recorded in
tests/golden/compare/ and compared byte for byte (``pytest --update-golden`` records it again).
"""

from __future__ import annotations

from commandline import run
from golden import ROOT, command_file

from symconv import variants
from symconv.compare import compare
from symconv.derive import derive
from symconv.printing import render


def test_compare_prints_the_comparison(capsys):
    code, out, _ = run(capsys, "compare", "separable", "standard", "--set", "m=1", "--quantity", "mults")
    expected = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)),
                       quantities=["mults"])
    assert code == 0 and out == render(expected, "text", steps="brief")
    assert "1/C_out" in out


COMPARE = ["compare", "separable", "standard", "--set", "m=1"]


def test_compare_prints_its_golden_file(capsys, golden):
    code, out, err = run(capsys, *COMPARE)
    assert (code, err) == (0, "")
    golden(command_file(COMPARE, "txt"), out)
    assert sorted(p.name for p in (ROOT / "compare").iterdir()) == [command_file(COMPARE, "txt").split("/")[1]]
