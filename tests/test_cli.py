"""The ``symconv`` command as a whole (symconv.cli): bad input to any subcommand is one line and exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest


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


def test_the_cli_refuses_a_layer_no_value_makes_real_in_one_line():
    from symconv.cli import main

    assert main(["derive", "standard", "--set", "H_in=2", "--set", "k_h=5", "--set", "p_h=0"]) == 2
