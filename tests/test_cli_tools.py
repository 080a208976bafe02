"""symconv.cli.tools, the tool presets on the command line: ``--convention PRESET`` on derive, net and torch makes
``flops`` the tool's number, and ``--tools`` prints every tool's; what they print is what the library renders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symconv.cli import main
from symconv.derive import derive
from symconv.network import builtin
from symconv.network import count as count_network
from symconv.network.tables import to_dict
from symconv.presets import PRESETS, compare, count, count_derivation
from symconv.printing.presets import render, render_derivation, with_preset
from symconv.printing.tools import render_comparison
from symconv.printing.wrap import WIDTH
from symconv.variants import make

#: The issue's examples: a 3×3 convolution with a bias (3 → 16 channels on 4 × 8, batch 1), and a stride-2
#: transposed convolution without one (3 → 1 channels, 2 × 2 → 4 × 4).
CONV = ["standard", "--bias", "--sizes", "input", *(f"--set={v}" for v in (
    "N=1", "C_in=3", "C_out=16", "H_in=4", "W_in=8", "k_h=3", "k_w=3", "s_h=1", "s_w=1", "p_h=1", "p_w=1", "d_h=1",
    "d_w=1"))]
TRANSPOSED = ["transposed", "--no-bias", *(f"--set={v}" for v in (
    "N=1", "C_in=3", "C_out=1", "g=1", "H_in=2", "W_in=2", "k_h=2", "k_w=2", "s_h=2", "s_w=2", "p_h=0", "p_w=0",
    "d_h=1", "d_w=1", "op_h=0", "op_w=0"))]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("layer", "preset", "flops"), [
    (CONV, "flopcounter", 27_648), (CONV, "ptflops-pytorch", 14_336), (CONV, "thop", 13_824),
    (CONV, "fvcore", 13_824), (TRANSPOSED, "thop", 192), (TRANSPOSED, "ptflops-pytorch", 48),
    (TRANSPOSED, "fvcore", 48),
])
def test_derive_under_a_preset_gives_the_issues_numbers(capsys, layer, preset, flops):
    code, out, err = run(capsys, "derive", *layer, "--convention", preset, "--format", "json")
    data = json.loads(out)
    assert (code, err) == (0, "")
    assert data["convention"] == preset
    assert data["quantities"]["flops"]["value"] == flops
    assert data["preset"]["name"] == preset and data["preset"]["rules"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "json"])
def test_derive_under_a_preset_prints_what_the_library_renders(capsys, fmt):
    code, out, _ = run(capsys, "derive", "separable", "--convention", "calflops", "--format", fmt)
    derivation = derive(make("separable", 2))
    assert code == 0
    options = {"steps": "brief", "quantities": None, **({"width": WIDTH} if fmt == "text" else {})}
    assert out == render_derivation(derivation, count_derivation(derivation, "calflops"), fmt, **options)


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex"])
def test_net_under_a_preset_prints_what_the_library_renders(capsys, fmt):
    code, out, _ = run(capsys, "net", "mobilenet_v1", "--set", "alpha=1", "--set", "rho=1", "--convention", "thop",
                       "--format", fmt)
    assert code == 0
    assert out.startswith(render(count(builtin("mobilenet_v1"), "thop", {"alpha": 1, "rho": 1}), fmt)[:200])


def test_net_json_under_a_preset_is_nets_json_with_the_tools_flops(capsys):
    code, out, _ = run(capsys, "net", "resnet50", "--set", "alpha=1", "--set", "rho=1", "--convention", "torchvision",
                       "--format", "json")
    data = json.loads(out)
    plain = to_dict(count_network(builtin("resnet50"), {"alpha": 1, "rho": 1}))
    assert code == 0
    assert set(data) == {*plain, "preset"}
    assert data["convention"] == "torchvision"
    assert data["totals"]["flops"]["value"] == 4_089_184_256 == data["totals"]["macs"]["value"]
    assert data["closed_forms"]["flops"]["expr"] == data["closed_forms"]["macs"]["expr"]
    assert [layer["flops"]["value"] for layer in data["layers"][:2]] == [118_013_952, 0]
    tool = count(builtin("resnet50"), "torchvision", {"alpha": 1, "rho": 1})
    assert data["preset"] == with_preset(plain, tool)["preset"]


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex", "json"])
def test_net_tools_prints_every_tools_number(capsys, fmt):
    code, out, _ = run(capsys, "net", "mobilenet_v2", "--set", "alpha=1", "--set", "rho=1", "--tools", "--format", fmt)
    assert code == 0
    assert out == render_comparison(compare(builtin("mobilenet_v2"), {"alpha": 1, "rho": 1}), fmt)
    if fmt == "json":
        assert [tool["preset"] for tool in json.loads(out)["tools"]] == list(PRESETS)


def test_torch_under_a_preset_and_with_tools(capsys):
    pytest.importorskip("torch")
    target = f"{Path(__file__).parent / 'torch_models.py'}:UNet"
    code, out, _ = run(capsys, "torch", target, "--input", "1x3xHxW", "--set", "H=16", "--set", "W=16",
                       "--convention", "thop", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["totals"]["flops"]["value"] == 1_726_464  # thop 0.1.1 on this U-Net at 16 × 16
    assert data["closed_forms"]["flops"]["expr"] == "6744*H*W"
    assert [e["name"] for e in data["preset"]["errors"]] == ["transposed-output-grid", "modules-only"]
    assert data["unknown"] == []
    code, out, _ = run(capsys, "torch", target, "--input", "1x3x16x16", "--tools")
    assert code == 0 and "transposed-output-grid" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["net", "resnet50", "--convention", "fvcor"], "invalid choice: 'fvcor'"),
    (["net", "resnet50", "--tools", "--plot", "x.png", "--x", "alpha=1/4:1"], "not with --tools"),
    (["verify", "standard", "--convention", "thop"], "invalid choice: 'thop'"),
])
def test_bad_input_is_one_line_and_exit_status_2(capsys, argv, message):
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
