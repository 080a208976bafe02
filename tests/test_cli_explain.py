"""``symconv explain`` (symconv.cli.explain): numbers read as printed, each tool's number identified as that tool's on
the test models, a number from another batch or input size found there, a paper's row explained with a layer left
out, the gap between two numbers by layer type, and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from symconv.cli import main
from symconv.errors import SymconvError
from symconv.network import builtin
from symconv.presets.explain import explain, subject
from symconv.presets.numbers import reported

MODELS_FILE = Path(__file__).parent / "torch_models.py"


@pytest.mark.parametrize(("text", "value", "decimals", "unit"), [
    ("14336", 14336, 0, None), ("14,336", 14336, 0, 1), ("4.089", sympy.Rational(4089, 1000), 3, None),
    ("4.09G", sympy.Rational(409, 100), 2, 10**9), ("569 M", 569, 0, 10**6), ("4.09 GFLOPs", sympy.Rational(409, 100),
                                                                               2, 10**9),
    ("1.2e9", sympy.Rational(6, 5), 1, 10**9), ("16.4 GMac", sympy.Rational(82, 5), 1, 10**9),
])
def test_numbers_are_read_as_printed(text, value, decimals, unit):
    number = reported(text)
    assert (number.value, number.decimals, number.unit) == (value, decimals, unit)


@pytest.mark.parametrize(("text", "count", "fit"), [
    ("4.089G", 4_089_184_256, "rounded"), ("4.08G", 4_089_184_256, "truncated"), ("4.1G", 4_049_000_000, None),
    ("569", 568_740_352, "rounded"), ("290", 290_675_200, "truncated"), ("14,336", 14_336, "exact"),
    ("14,336", 14_337, None), ("13824", 13_824, "exact"),
])
def test_a_count_fits_a_number_rounded_or_truncated_to_its_digits(text, count, fit):
    assert reported(text).fit(count) == fit


@pytest.mark.parametrize("text", ["", "four", "-3", "1.2e9G", "12 34"])
def test_a_malformed_number_is_one_error(text):
    with pytest.raises(SymconvError, match=r"is not a number|exponent or a unit"):
        reported(text)


def test_torchvisions_figures_are_macs_and_params():
    e = explain(subject(builtin("resnet50"), {"alpha": 1, "rho": 1}), ["4.089", "25557032"])
    assert {"macs", "torchvision"} <= {m.reading.name for m in e.numbers[0].matches}
    assert [m.reading.name for m in e.numbers[1].matches] == ["params"]
    assert e.gap is None  # FLOPs against parameters: no gap by layer type


def test_a_row_that_leaves_a_layer_out_is_explained_by_it():
    # TF-slim's 0.75 MobileNet at 224: 317 million MACs, the standard count without the first convolution
    (match,) = explain(subject(builtin("mobilenet_v1"), {"alpha": "3/4", "rho": 1}), ["317"]).numbers[0].matches
    assert (match.reading.name, match.without, match.count, match.fit) == ("macs", "conv1", 317_271_936, "rounded")


def test_a_number_from_another_input_size_is_found_there():
    (e,) = explain(subject(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}), ["186"]).numbers
    assert {(m.reading.name, m.moved) for m in e.matches} >= {("macs", "rho = 4/7"), ("torchvision", "rho = 4/7")}


def test_a_number_none_reproduces_has_the_nearest():
    (e,) = explain(subject(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}), ["4.24"]).numbers
    assert e.matches == ()
    assert (e.nearest.reading.name, e.nearest.count, e.nearest.difference) == ("params", 4_231_976, 8024)


def _cli(capsys, *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(["explain", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


CONV = ["--input", "1x3x4x8", "--bias", *(f"--set={v}" for v in (
    "C_out=16", "k_h=3", "k_w=3", "s_h=1", "s_w=1", "p_h=1", "p_w=1", "d_h=1", "d_w=1"))]


def test_the_issues_convolution_numbers_and_their_gap(capsys):
    data = _cli(capsys, "standard", *CONV, "27648", "14336", "13824")
    assert set(data) == {"target", "input", "numbers", "gap"}
    names = [{m["convention"] for m in n["matches"]} for n in data["numbers"]]
    assert names[0] >= {"flopcounter", "2macs"} and names[1] >= {"ptflops-pytorch", "torchinfo"}
    assert names[2] >= {"fvcore", "thop", "macs"}
    first = data["numbers"][0]["matches"][0]
    assert set(first) >= {"convention", "input", "count", "fit", "unit"} and first["input"] == "1x3x4x8"
    assert data["numbers"][0]["nearest"] is None
    gap = data["gap"]
    assert (gap["first"], gap["second"], gap["difference"]["value"]) == ("flopcounter", "ptflops-pytorch", -13_312)
    assert [(row["type"], row["difference"]["value"]) for row in gap["by_type"]] == [("conv 3×3", -13_312)]


def test_the_issues_transposed_convolution_numbers(capsys):
    data = _cli(capsys, "transposed", "--input", "1x3x2x2", "--no-bias", *(f"--set={v}" for v in (
        "C_out=1", "g=1", "k_h=2", "k_w=2", "s_h=2", "s_w=2", "p_h=0", "p_w=0", "d_h=1", "d_w=1", "op_h=0",
        "op_w=0")), "192", "48")
    assert {m["convention"] for m in data["numbers"][0]["matches"]} == {"output-grid", "thop", "torchinfo"}
    assert {"fvcore", "ptflops-pytorch", "macs"} <= {m["convention"] for m in data["numbers"][1]["matches"]}


def test_a_network_file_and_text_output(capsys, tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text('[network]\nname = "tiny"\ninput = { channels = 3, size = [8, 8] }\n[[layer]]\ntype = "conv"\n'
                    'out = 4\npadding = 1\nbias = true\n', encoding="utf-8")
    assert main(["explain", str(path), "6,912", "1800"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tiny, N = 1:\n6,912:\n  macs: 6,912, exactly")
    assert "none reproduces it; the nearest is" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["explain", "resnet50", "4.09G"], "give every symbol of resnet50 a value"),
    (["explain", "resnet50", "--input", "1x3x224x224", "4.09G"], "--input is for a PyTorch model or a variant"),
    (["explain", "standard", "--input", "1x3x8x8", "100"], "give every symbol a value"),
    (["explain", "mobilenet_v1", "--set", "alpha=1", "--set", "rho=1", "lots"], "is not a number"),
])
def test_bad_input_is_one_line_and_exit_status_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


torch = pytest.importorskip("torch")
from preset_tools import TOOLS  # noqa: E402
from torch_models import MODELS  # noqa: E402


@pytest.mark.parametrize("name", MODELS)
def test_explain_names_each_tools_number_as_that_tools(capsys, name):
    build, shape, sizes = MODELS[name]
    values = sizes[0]
    dims = "x".join(str(values.get(d, d)) for d in shape.split("x"))
    numbers = {}
    for preset, tool in TOOLS.items():
        torch.manual_seed(0)
        numbers[preset] = str(tool(build().eval(), torch.randn(*map(int, dims.split("x")))))
    data = _cli(capsys, f"{MODELS_FILE}:{build.__name__}", "--input", dims, *numbers.values())
    for (preset, _), explained in zip(numbers.items(), data["numbers"], strict=True):
        assert preset in {m["convention"] for m in explained["matches"]}, (preset, explained)


def test_a_tools_number_at_batch_1_or_a_smaller_input_is_found_there(capsys):
    torch.manual_seed(0)
    build = MODELS["resnet"][0]
    per_sample = TOOLS["ptflops-pytorch"](build().eval(), torch.randn(1, 3, 64, 64))
    small = TOOLS["thop"](build().eval(), torch.randn(8, 3, 32, 32))
    data = _cli(capsys, f"{MODELS_FILE}:resnet", "--input", "8x3x64x64", str(per_sample), str(small))
    assert ("ptflops-pytorch", "batch 1x3x64x64") in {(m["convention"], m["moved"])
                                                      for m in data["numbers"][0]["matches"]}
    assert ("thop", "input 8x3x32x32") in {(m["convention"], m["moved"]) for m in data["numbers"][1]["matches"]}
