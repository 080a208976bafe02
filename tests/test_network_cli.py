"""``symconv net``: what it prints is what the library renders; bad input is one line on stderr and exit 2."""

from __future__ import annotations

import json

import pytest

from symconv.cli import main
from symconv.network import builtin, count
from symconv.network.tables import TOTALS, render


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["net", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["table", "latex", "markdown", "json"])
def test_net_prints_what_the_library_renders(capsys, fmt):
    code, out, err = run(capsys, "mobilenet_v1", "--set", "alpha=3/4", "--set", "rho=1", "--format", fmt)
    assert (code, err) == (0, "")
    assert out == render(count(builtin("mobilenet_v1"), {"alpha": "3/4", "rho": 1}), fmt)


@pytest.mark.parametrize(("alpha", "rho", "macs", "params"), [
    ("1", "1", 568_740_352, 4_231_976),
    ("0.75", "1", 325_400_448, 2_585_560),
    ("1/2", "1", 149_497_088, 1_331_592),
    ("1/4", "1", 41_030_272, 470_072),
    ("1", "192/224", 418_121_728, 4_231_976),
    ("1", "160/224", 290_675_200, 4_231_976),
    ("1", "128/224", 186_400_768, 4_231_976),
])
def test_mobilenet_tables_6_and_7_from_the_command_line(capsys, alpha, rho, macs, params):
    code, out, _ = run(capsys, "mobilenet_v1", "--set", f"alpha={alpha}", "--set", f"rho={rho}",
                       "--convention", "macs", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert list(data["totals"]) == list(TOTALS)
    assert data["totals"]["macs"]["value"] == data["totals"]["flops"]["value"] == macs
    assert data["totals"]["params"]["value"] == params
    assert data["convention"] == "macs"


def test_json_layers_and_closed_forms(capsys):
    code, out, _ = run(capsys, "mobilenet_v1", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["totals"]["params"]["value"] is None
    assert data["totals"]["params"]["expr"] == "8*(392448*alpha**2 + 136424*alpha + 125)"
    first = data["layers"][0]
    assert (first["name"], first["type"], first["output"]) == ("conv1", "conv 3×3", ["32*alpha", "112*rho",
                                                                                    "112*rho"])
    assert set(first) >= {"params", "buffers", "weights", "mults", "adds", "others", "macs", "flops", "share"}
    assert data["conditions"] == [{"integer": "32*alpha", "at_least": 8}, {"integer": "7*rho", "at_least": 1}]


def test_closed_forms_beside_the_values(capsys):
    _, out, _ = run(capsys, "mobilenet_v1", "--set", "alpha=1", "--set", "rho=1", "--format", "json")
    data = json.loads(out)
    assert data["closed_forms"]["params"]["expr"] == "8*(392448*alpha**2 + 136424*alpha + 125)"
    assert data["totals"]["params"]["value"] == 4_231_976
    _, out, _ = run(capsys, "mobilenet_v1", "--set", "alpha=0.35", "--set", "rho=1", "--format", "json")
    data = json.loads(out)
    assert data["closed_forms"] is None  # 0.35·32 = 11.2: TF-slim's 11 channels, counted layer by layer
    assert data["closed_form_conditions"][0] == {"integer": "32*alpha", "at_least": 8}
    _, out, _ = run(capsys, "mobilenet_v1", "--set", "alpha=0.35", "--set", "rho=1")
    assert "not here: these counts are the network's, built and counted layer by layer" in out


def test_latex_is_a_booktabs_tabular(capsys):
    _, out, _ = run(capsys, "mobilenet_v1", "--set", "alpha=1", "--set", "rho=1", "--format", "latex")
    assert r"\begin{tabular}" in out and r"\toprule" in out and r"\bottomrule" in out and out.isascii()
    assert r"Total &  &  & 4{,}231{,}976 & 568{,}740{,}352" in out


def test_by_type_table_is_table_2(capsys):
    _, out, _ = run(capsys, "mobilenet_v1", "--set", "alpha=1", "--set", "rho=1", "--convention", "macs")
    by_type = out.split("By type:")[1].split("Totals:")[0]
    rows = {line.split("  ")[0].strip(): line.split() for line in by_type.strip().splitlines()[1:]}
    assert rows["conv 1×1"][-1] == "94.86%" and rows["conv dw 3×3"][-1] == "3.06%"
    assert rows["conv 3×3"][-1] == "1.91%" and rows["fc"][-1] == "0.18%"


@pytest.mark.parametrize(("argv", "message"), [
    (["vgg16"], "no network file or built-in network 'vgg16'"),
    (["missing.toml"], "missing.toml: no such network file"),
    (["mobilenet_v1", "--set", "beta=1"], "mobilenet_v1.toml: 'beta' is not a symbol of network 'mobilenet_v1'"),
    (["mobilenet_v1", "--set", "alpha=__import__('os')"], ""),
    (["mobilenet_v1", "--set", "alpha=1", "--set", "rho=1/3"], "the input size 224/3 is not a positive integer"),
    (["mobilenet_v1", "--plot", "x.png"], "--plot needs --x"),
    (["mobilenet_v1", "--plot", "x.pdf", "--x", "alpha=1/4:1"], "written as .png or .svg"),
    (["mobilenet_v1", "--plot", "/nonexistent/dir/p.png", "--x", "alpha=1/4:1", "--set", "rho=1"],
     "cannot write the plot"),
    (["x" * 300], "not a file name"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("symconv: error: ") and err.count("\n") == 1
    assert message in err


def test_a_bad_file_names_itself_and_the_layer(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[network]\nname = "b"\ninput = { channels = 3, size = [8, 8] }\n[[layer]]\ntype = "conv"\n'
                    'kernel = 3\n', encoding="utf-8")
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert err == f"symconv: error: {path}: layer 1 (conv1, type conv): missing field 'out'\n"


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_against_alpha_and_rho(capsys, tmp_path, suffix):
    pytest.importorskip("matplotlib")
    path = tmp_path / f"cost{suffix}"
    code, _, err = run(capsys, "mobilenet_v1", "--plot", str(path), "--x", "alpha=1/4:1:4",
                       "--series", "rho=1,6/7,5/7,4/7")
    assert code == 0 and path.stat().st_size > 1000
    assert str(path) in err
