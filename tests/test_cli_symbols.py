"""``symconv symbols`` (symconv.cli.symbols): the names ``--set`` takes, in order."""

from __future__ import annotations

from commandline import run


def test_symbols_lists_the_contract(capsys):
    code, out, _ = run(capsys, "symbols", "--dims", "3")
    names = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and names[:3] == ["N", "C_in", "C_out"] and "d_d" in names
    assert names[names.index("b") + 1:] == ["pe_d", "pe_h", "pe_w", "op_d", "op_h", "op_w"]
