"""``symconv derive`` (symconv.cli.derive): it prints what the library renders."""

from __future__ import annotations

import json

import pytest
from commandline import run

from symconv import variants
from symconv.derive import derive
from symconv.printing import render


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_what_the_library_renders(capsys, fmt):
    code, out, err = run(capsys, "derive", "depthwise", "--dims", "3", "--no-bias", "--format", fmt)
    assert code == 0 and err == ""
    assert out == render(derive(variants.depthwise(3, bias=False)), fmt)


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


def test_cli_derives_a_transposed_convolution_in_every_convention(capsys):
    sets = ["--set", "N=1", "--set", "C_in=16", "--set", "C_out=32", "--set", "g=1", "--set", "H_in=4",
            "--set", "W_in=4", "--set", "k_h=3", "--set", "k_w=3", "--set", "s_h=2", "--set", "s_w=2",
            "--set", "p_h=1", "--set", "p_w=1", "--set", "d_h=1", "--set", "d_w=1", "--set", "op_h=1",
            "--set", "op_w=1"]
    flops = {}
    for convention in ("exact", "macs", "2macs", "input-grid", "output-grid", "performed"):
        code, out, err = run(capsys, "derive", "transposed", "--bias", "--convention", convention,
                             "--format", "json", *sets)
        data = json.loads(out)
        assert code == 0 and err == "" and data["convention"] == convention
        assert set(data) >= {"variant", "dims", "convention", "quantities", "sizes", "steps", "counts"}
        flops[convention] = data["quantities"]["flops"]["value"]
    assert flops == {"exact": 123904, "macs": 61952, "2macs": 123904, "input-grid": 73728,
                     "output-grid": 294912, "performed": 123904}
