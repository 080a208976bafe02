"""``symconv compare`` (symconv.cli.compare): it prints the comparison the library makes."""

from __future__ import annotations

from commandline import run

from symconv import variants
from symconv.compare import compare
from symconv.derive import derive
from symconv.printing import render


def test_compare_prints_the_comparison(capsys):
    code, out, _ = run(capsys, "compare", "separable", "standard", "--set", "m=1", "--quantity", "mults")
    expected = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)),
                       quantities=["mults"])
    assert code == 0 and out == render(expected, "text")
    assert "1/C_out" in out
