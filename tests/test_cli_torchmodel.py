"""``symconv torch`` (symconv.cli.torchmodel): the table and JSON of ``symconv net`` for a PyTorch model, ``--write-
net`` files that ``symconv net`` counts alike, and one line with exit status 2 for every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402
from torch_models import resnet  # noqa: E402

from symconv.cli import main  # noqa: E402

HERE = Path(__file__).parent
MODELS = str(HERE / "torch_models.py")
SIZES = ["--set", "N=2", "--set", "H=64", "--set", "W=32"]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_json_is_symconv_nets_with_module_paths_and_flop_counter_modes_macs(capsys):
    status, out, _ = _run(capsys, "torch", f"{MODELS}:resnet", "--input", "Nx3xHxW", *SIZES, "--convention", "macs",
                          "--format", "json")
    assert status == 0
    data = json.loads(out)
    model = resnet().train(False)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.randn(2, 3, 64, 32))
    assert data["totals"]["macs"]["value"] == counter.get_total_flops() // 2
    assert data["totals"]["params"]["value"] == sum(p.numel() for p in model.parameters())
    assert data["closed_forms"]["macs"]["expr"] == "4*N*(419*H*W + 80)"
    assert [layer["name"] for layer in data["layers"]][:5] == ["conv1", "bn1", "relu", "maxpool", "layer1.0.conv1"]
    assert data["unknown"] == []


def test_the_table_names_its_rows_by_module_path(capsys):
    status, out, _ = _run(capsys, "torch", "tests.torch_models:inception", "--input", "1x3xHxW")
    assert status == 0
    assert "\n2.branch4.0    maxpool 3×3           16×H/4×W/4 " in out
    assert "closed forms hold where H/8 is an integer" in out


def test_write_net_gives_a_file_symconv_net_counts_alike(capsys, tmp_path):
    path = tmp_path / "unet.toml"
    _, traced, _ = _run(capsys, "torch", f"{MODELS}:UNet", "--input", "1x3xHxW", "--set", "H=32", "--set", "W=48",
                        "--format", "json", "--write-net", str(path))
    status, read, _err = _run(capsys, "net", str(path), "--set", "H=32", "--set", "W=48", "--format", "json")
    assert status == 0
    traced_data, read_data = json.loads(traced), json.loads(read)
    assert read_data["totals"] == traced_data["totals"]
    assert [row["name"] for row in read_data["layers"]] == [row["name"] for row in traced_data["layers"]]


def test_an_unknown_operation_can_be_counted_and_listed(capsys, tmp_path):
    source = tmp_path / "padded.py"
    source.write_text("import torch\nfrom torch import nn\n\nclass M(nn.Module):\n    def forward(self, x):\n"
                      "        return torch.nn.functional.pad(x, (1, 1)).relu()\n", encoding="utf-8")
    status, _, err = _run(capsys, "torch", f"{source}:M", "--input", "1x3xL")
    assert status == 2
    assert err.strip() == ("symconv: error: pad: torch.nn.functional.pad has no symconv layer (torch.nn.functional.pad "
                           "at the model itself); --unknown count counts it as an unknown row instead")
    status, out, _ = _run(capsys, "torch", f"{source}:M", "--input", "1x3xL", "--unknown", "count")
    assert status == 0
    assert "Counted as unknown (no counts):\n  pad: torch.nn.functional.pad has no symconv layer" in out
    _, out, _ = _run(capsys, "torch", f"{source}:M", "--input", "1x3xL", "--unknown", "count", "--format", "json")
    assert json.loads(out)["unknown"] == [{"name": "pad", "op": "torch.nn.functional.pad",
                                           "reason": "torch.nn.functional.pad has no symconv layer"}]


@pytest.mark.parametrize(("argv", "message"), [
    (["resnet", "--input", "1x3x8x8"], "resnet: give the model as package.module:callable or path/to/file.py:callable"),
    (["nowhere.py:model", "--input", "1x3x8x8"], "nowhere.py: no such file"),
    (["no_such_package_xyz:model", "--input", "1x3x8x8"], "no_such_package_xyz: no module 'no_such_package_xyz'"),
    ([f"{MODELS}:missing", "--input", "1x3x8x8"], "has no 'missing'"),
    ([f"{MODELS}:MODELS", "--input", "1x3x8x8"], "MODELS is not callable"),
    ([f"{MODELS}:channel_shuffle", "--input", "1x3x8x8"], "channel_shuffle() missing"),
    ([f"{MODELS}:resnet", "--input", "1x3x0x8"], "'0' is neither a positive integer nor a name"),
    ([f"{MODELS}:resnet", "--input", "3"], "give the batch and at least one more dimension"),
    ([f"{MODELS}:resnet", "--input", "1x3xHxW", "--set", "K=3"], "'K' is not a symbol here"),
    ([f"{MODELS}:resnet", "--input", "1x3xHxW", "--set", "H=7/2"], "H = 7/2 must be a positive integer"),
    ([f"{MODELS}:resnet", "--input", "1x3x8"], "needs a 2-D input"),
])
def test_bad_input_is_one_line_and_exit_status_2(capsys, argv, message):
    status, _, err = _run(capsys, "torch", *argv)
    assert status == 2
    assert err.count("\n") == 1 and message in err, err
