"""symconv net and symconv torch with --pass, --grad, --memory, --device, --budget and --roofline: the JSON shape
the issue documents ("pass", "grad", "parts" shaped like "totals"), what the library returns printed, and every
bad combination one line with exit status 2."""

from __future__ import annotations

import json

import pytest

from symconv.cli import main
from symconv.network import builtin
from symconv.network.memory import network_traffic, training_memory
from symconv.network.passes import count_pass
from symconv.printing.network import render

MOBILENET = ["mobilenet_v1", "--set", "alpha=1", "--set", "rho=1"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_backward_pass_in_json_has_its_pass_its_gradients_and_its_parts(capsys):
    code, out, _ = run(capsys, "net", *MOBILENET, "--pass", "backward", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data)[:4] == ["network", "convention", "pass", "grad"]
    assert data["pass"] == "backward" and data["grad"] == ["weight", "bias"]
    assert list(data["parts"]) == ["grad_input", "grad_weight", "grad_bias"]
    for part in data["parts"].values():
        assert list(part) == list(data["totals"])
    assert sum(p["flops"]["value"] for p in data["parts"].values()) == data["totals"]["flops"]["value"]
    assert list(data["layers"][0]["parts"]) == ["grad_input", "grad_weight", "grad_bias"]
    # the first layer computes no input gradient
    assert data["layers"][0]["parts"]["grad_input"]["flops"]["value"] == 0


def test_a_training_step_counts_the_forward_pass_first(capsys):
    _, out, _ = run(capsys, "net", *MOBILENET, "--pass", "training", "--convention", "macs", "--format", "json")
    data = json.loads(out)
    assert list(data["parts"]) == ["forward", "grad_input", "grad_weight", "grad_bias"]
    assert data["parts"]["forward"]["macs"]["value"] == 568740352  # Table 1's mult-adds
    assert data["totals"]["macs"]["value"] == 568740352 + 557102144 + 568740352


def test_the_forward_output_is_unchanged_and_has_no_pass(capsys):
    _, out, _ = run(capsys, "net", *MOBILENET, "--format", "json")
    assert "pass" not in json.loads(out) and "parts" not in json.loads(out)


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex"])
def test_the_printers_name_the_pass(capsys, fmt):
    code, out, _ = run(capsys, "net", *MOBILENET, "--pass", "backward", "--grad", "weight", "--format", fmt)
    assert code == 0
    analysis = count_pass(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, pass_="backward", grad=["weight"])
    assert out == render(analysis, fmt)
    assert "he backward pass (the gradients of the weights)" in out


def test_memory_and_the_device_per_layer_and_in_total(capsys):
    _, out, _ = run(capsys, "net", *MOBILENET, "--set", "B=4", "--device", "peak=19.5e12,bandwidth=1.5e12",
                    "--format", "json")
    data = json.loads(out)["memory"]
    net = builtin("mobilenet_v1")
    from symconv.network import count

    traffic = network_traffic(count(net, {"alpha": 1, "rho": 1}), 4)
    assert [r["bytes"]["value"] for r in data["layers"]] == [int(r.bytes) for r in traffic.rows]
    assert data["total"]["bytes"]["value"] == sum(int(r.bytes) for r in traffic.rows)
    assert {r["bound"] for r in data["layers"]} <= {"compute", "memory", None}
    assert "roofline" in data["total"]


def test_training_memory_and_the_largest_batch_in_a_budget(capsys):
    code, out, _ = run(capsys, "net", *MOBILENET, "--pass", "training", "--set", "B=4", "--budget", "16e9")
    assert code == 0
    memory = training_memory(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, bytes_per_element=4)
    _, value = memory.largest(16 * 10**9)
    assert value == 389
    assert "largest batch in M bytes: ⌊(M − 33943360)/40951712⌋ = 389 at M = 16000000000" in out
    data = json.loads(run(capsys, "net", *MOBILENET, "--pass", "training", "--set", "B=4", "--budget", "16e9",
                          "--format", "json")[1])
    assert data["training_memory"]["largest_batch"]["value"]["value"] == 389


def test_the_largest_batch_fits_and_one_more_does_not():
    memory = training_memory(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}, bytes_per_element=4)
    for budget in (10**8, 10**9, 16 * 2**30):
        _, n = memory.largest(budget)
        assert memory.bytes.subs(memory.batch, n) <= budget < memory.bytes.subs(memory.batch, n + 1)


def test_a_roofline_plot_of_the_layers(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "roof.svg"
    code, _, err = run(capsys, "net", *MOBILENET, "--set", "B=4", "--device", "peak=1e12,bandwidth=1e11",
                       "--roofline", str(path))
    assert code == 0 and path.exists() and "wrote" in err


@pytest.mark.parametrize(("argv", "problem"), [
    (["--grad", "weight"], "--grad chooses the gradients of a backward pass"),
    (["--pass", "backward", "--grad", "wieght"], "--grad wieght"),
    (["--budget", "1e9"], "--budget is the training memory's"),
    (["--roofline", "x.png"], "give --device too"),
    (["--pass", "backward", "--tools"], "--pass counts in a convention"),
    (["--memory", "--convention", "flopcounter"], "--memory counts in a convention"),
    (["--pass", "training", "--budget", "lots"], "--budget lots: 'lots' is not a number"),
    (["--pass", "training", "--budget", "-1"], "--budget -1: a memory budget is a positive number of bytes"),
    (["--pass", "training", "--budget", "0"], "--budget 0: a memory budget is a positive number of bytes"),
    (["--device", "peak=1"], "--device peak=1"),
    (["--pass", "backward", "--plot", "x.png", "--x", "alpha=1/4:1"], "--plot draws the forward pass"),
])
def test_bad_combinations_are_one_line_and_exit_2(capsys, argv, problem):
    code, out, err = run(capsys, "net", *MOBILENET, *argv)
    assert code == 2 and out == ""
    assert problem in err and len(err.strip().splitlines()) == 1, err


def test_torch_frozen_parameters_get_no_gradient(capsys, tmp_path):
    torch = pytest.importorskip("torch")
    source = tmp_path / "frozen_model.py"
    source.write_text(
        "import torch\n"
        "def model():\n"
        "    m = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),\n"
        "                            torch.nn.Conv2d(8, 4, 1), torch.nn.Flatten(), torch.nn.Linear(256, 10))\n"
        "    m[0].weight.requires_grad_(False)\n"
        "    return m\n", encoding="utf-8")
    assert torch is not None
    code, out, _ = run(capsys, "torch", f"{source}:model", "--input", "2x3x8x8", "--pass", "backward",
                       "--format", "json")
    assert code == 0
    first = json.loads(out)["layers"][0]["parts"]
    assert first["grad_weight"]["flops"]["value"] == 0  # frozen: requires_grad is false
    assert first["grad_bias"]["flops"]["value"] > 0  # its bias still trains
    assert first["grad_input"]["flops"]["value"] == 0  # the network input needs none
    assert json.loads(out)["unknown"] == []


FROZEN_STEM = """
[network]
name = "frozen"
input = { channels = 3, size = [8, 8] }

[[layer]]
name = "stem"
type = "conv"
out = 4
kernel = 3
bias = true
frozen = true

[[layer]]
name = "head"
type = "conv"
out = 2
kernel = 1
bias = true
frozen = ["bias"]
"""


def test_a_network_file_freezes_parameters_and_writes_them_back():
    from symconv.network import loads
    from symconv.network.writer import dumps

    net = loads(FROZEN_STEM, "frozen.toml")
    assert [n.frozen for n in net.nodes] == [("weight", "bias"), ("bias",)]
    assert [n.frozen for n in loads(dumps(net), "again.toml").nodes] == [n.frozen for n in net.nodes]
    step = count_pass(net, pass_="backward")
    stem, head = step.rows
    assert stem.counts.flops("exact") == 0  # frozen, and the input needs no gradient
    assert head.parts["grad_bias"].flops("exact") == 0 and head.parts["grad_weight"].mults > 0


@pytest.mark.parametrize("value", ["1", '"weight"', '["gamma"]', "[]"])
def test_a_bad_frozen_field_is_one_line(value):
    from symconv.network import NetworkError, loads

    with pytest.raises(NetworkError, match="frozen must be true, false or a list"):
        loads(FROZEN_STEM.replace("frozen = true", f"frozen = {value}"), "frozen.toml")
