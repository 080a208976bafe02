"""The command line: what it prints is what the library returns; bad input is one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from symconv import variants
from symconv.cli import main
from symconv.compare import compare
from symconv.derive import derive
from symconv.printing import render


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_what_the_library_renders(capsys, fmt):
    code, out, err = run(capsys, "derive", "depthwise", "--dims", "3", "--no-bias", "--format", fmt)
    assert code == 0 and err == ""
    assert out == render(derive(variants.depthwise(3, bias=False)), fmt, steps="brief")


def test_set_with_expressions_and_new_names(capsys):
    code, out, _ = run(capsys, "derive", "standard", "--set", "k_h=k", "--set", "k_w=k", "--set", "N=1",
                       "--bias", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["quantities"]["flops"]["expr"] == "2*C_in*k**2*H_out*W_out*C_out"
    assert data["quantities"]["params"]["value"] is None


def test_all_symbols_set_gives_values(capsys):
    args = ["derive", "separable", "--no-bias", "--format", "json"]
    for name, value in {"N": 1, "C_in": 32, "C_out": 64, "H_in": 112, "W_in": 112, "k_h": 3, "k_w": 3,
                        "s_h": 1, "s_w": 1, "p_h": 1, "p_w": 1, "d_h": 1, "d_w": 1, "m": 1}.items():
        args += ["--set", f"{name}={value}"]
    code, out, _ = run(capsys, *args)
    q = json.loads(out)["quantities"]
    assert code == 0
    assert q["params"]["value"] == 32 * 9 + 32 * 64
    assert q["mults"]["value"] == 112 * 112 * 32 * (9 + 64)


def test_convention_changes_flops(capsys):
    _, out, _ = run(capsys, "derive", "standard", "--convention", "2macs", "--format", "json")
    data = json.loads(out)
    assert data["convention"] == "2macs"
    assert data["quantities"]["flops"]["expr"] == "2*N*C_in*k_h*k_w*H_out*W_out*C_out"


def test_unused_symbol_is_noted_not_refused(capsys):
    code, out, err = run(capsys, "derive", "depthwise", "--set", "C_out=64", "--set", "g=2")
    assert code == 0 and out
    assert err == "symconv: note: depthwise (2-D) does not use C_out, g; setting it changes nothing\n"


def test_compare_prints_the_comparison(capsys):
    code, out, _ = run(capsys, "compare", "separable", "standard", "--set", "m=1", "--quantity", "mults")
    expected = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)),
                       quantities=["mults"])
    assert code == 0 and out == render(expected, "text", steps="brief")
    assert "1/C_out" in out


def test_verify_passes_and_reports(capsys):
    code, out, _ = run(capsys, "verify", "grouped", "--dims", "1", "--samples", "4")
    assert code == 0
    assert "verdict: VERIFIED" in out and "proven for all sizes" in out
    code, out, _ = run(capsys, "verify", "pointwise", "--format", "json", "--samples", "2")
    assert code == 0 and json.loads(out)["ok"] is True


def test_symbols_lists_the_contract(capsys):
    code, out, _ = run(capsys, "symbols", "--dims", "3")
    names = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and names[:3] == ["N", "C_in", "C_out"] and "d_d" in names
    assert names[names.index("b") + 1:] == ["pe_d", "pe_h", "pe_w", "op_d", "op_h", "op_w"]


@pytest.mark.parametrize("argv", [
    ["derive", "dense"],
    ["derive", "standard", "--set", "K_h=3"],
    ["derive", "standard", "--set", "C_in_g=3"],
    ["derive", "standard", "--set", "k_h"],
    ["derive", "standard", "--set", "k_h=3+"],
    ["derive", "standard", "--set", "k_h=__import__('os').system('echo hi')"],
    ["derive", "standard", "--set", "k_h=9**9**9**9"],
    ["derive", "standard", "--set", "k_h=0"],
    ["derive", "standard", "--set", "k_h=2.5"],
    ["derive", "grouped", "--set", "C_in=6", "--set", "g=4"],
    ["derive", "standard", "--set", "H_in=3", "--set", "k_h=5", "--set", "p_h=0", "--set", "d_h=1"],
    ["derive", "standard", "--set", "b=2"],
    ["derive", "standard", "--set", "k_h=k_w", "--set", "k_w=k_h"],
    ["derive", "standard", "--set", "k_h=I"],
    ["verify", "standard", "--set", "H_out=100000", "--set", "W_out=100000"],
    ["verify", "standard", "--set", "k_h=10**12"],
    ["derive", "standard", "--dims", "4"],
    ["derive", "standard", "--convention", "flops"],
    ["derive", "standard", "--format", "pdf"],
    ["derive", "standard", "--bias", "--no-bias"],
    ["verify", "standard", "--samples", "-1"],
    ["frobnicate"],
    [],
])
def test_bad_input_is_one_line_and_exit_2(argv):
    result = subprocess.run([sys.executable, "-m", "symconv.cli", *argv], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("symconv") and "error" in lines[0]
    assert "Traceback" not in result.stderr
