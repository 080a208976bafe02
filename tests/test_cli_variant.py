"""The options of the commands about a variant (symconv.cli.variant): ``--padding``, ``--sizes`` and geometry
given with ``--set``; a name the variant does not use is noted, an impossible geometry refused in one line."""

from __future__ import annotations

import json

import pytest
from commandline import run


def test_unused_symbol_is_noted_not_refused(capsys):
    code, out, err = run(capsys, "derive", "depthwise", "--set", "C_out=64", "--set", "g=2")
    assert code == 0 and out
    assert err == "symconv: note: depthwise (2-D) does not use C_out, g; setting it changes nothing\n"


def test_cli_padding_modes_and_sizes(capsys):
    code, out, _ = run(capsys, "derive", "standard", "--padding", "same", "--sizes", "input", "--format", "json")
    assert code == 0 and json.loads(out)["sizes"]["H_out"]["expr"] == "H_in"
    code, out, _ = run(capsys, "derive", "standard", "--sizes", "input", "--set", "N=1", "--format", "json")
    assert "floor" in json.loads(out)["quantities"]["mults"]["expr"]
    code, out, err = run(capsys, "derive", "transposed", "--set", "op_h=1", "--set", "op_w=0")
    assert code == 0 and err == ""
    code, out, err = run(capsys, "derive", "standard", "--set", "op_h=1")
    assert code == 0 and "does not use op_h" in err
    code, out, err = run(capsys, "verify", "standard", "--dims", "1", "--sizes", "input", "--samples", "3")
    assert code == 0 and "verdict: VERIFIED" in out and "floor relations put in" in out
    code, out, err = run(capsys, "verify", "transposed", "--dims", "1", "--samples", "3", "--set", "g=1")
    assert code == 0 and "verdict: VERIFIED" in out and "does not apply to mults" in out


@pytest.mark.parametrize("argv", [
    ["derive", "transposed", "--set", "op_h=2", "--set", "s_h=2", "--set", "d_h=2"],
    ["derive", "transposed", "--set", "H_in=1", "--set", "k_h=1", "--set", "p_h=1", "--set", "op_h=0",
     "--set", "s_h=1", "--set", "d_h=1"],
    ["derive", "standard", "--set", "p_w=-2"],
    ["derive", "standard", "--set", "pe_h=-1"],
    ["derive", "standard", "--set", "W_in=2", "--set", "k_w=5", "--set", "p_w=1", "--set", "d_w=1"],
    ["derive", "standard", "--padding", "same", "--set", "s_h=2"],
    ["derive", "standard", "--padding", "same", "--set", "p_h=1"],
    ["derive", "transposed", "--padding", "valid"],
    ["derive", "standard", "--padding", "half"],
    ["derive", "standard", "--sizes", "middle"],
    ["codegen", "transposed"],
])
def test_bad_geometry_is_one_line_and_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(("symconv: error:", "symconv derive: error:",
                                                    "symconv codegen: error:"))
