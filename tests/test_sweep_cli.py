"""``symconv sweep``: what it prints is what the library keeps; bad input is one line and exit status 2."""

from __future__ import annotations

import csv
import io
import json

import pytest

from symconv.cli import main

LAYER = ["standard", "--no-bias", "--set", "N=1", "--set", "k_h=k", "--set", "k_w=k", "--set", "H_out=56",
         "--set", "W_out=56"]
SPACE = ["--grid", "C_in=16:64:16", "--grid", "C_out=32,64", "--grid", "k=1,3"]


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_on_stdout_with_constraints(capsys):
    assert main(["sweep", *LAYER, *SPACE, "--where", "macs <= 30e6", "--where", "k > 1"]) == 0
    captured = capsys.readouterr()
    rows = rows_of(captured.out)
    assert list(rows[0]) == ["C_in", "C_out", "k", "params", "mults", "adds", "flops", "macs"]
    expected = [(c_in, c_out, 3) for c_in in (16, 32, 48, 64) for c_out in (32, 64)
                if c_in * c_out * 9 * 56 * 56 <= 30 * 10**6]
    assert [(int(r["C_in"]), int(r["C_out"]), int(r["k"])) for r in rows] == expected
    assert all(int(r["macs"]) == int(r["C_in"]) * int(r["C_out"]) * 9 * 56 * 56 for r in rows)
    assert captured.err == f"symconv: 16 points, {len(expected)} meet the constraints\n"


def test_pareto_front_to_json_lines(tmp_path, capsys):
    out = tmp_path / "front.jsonl"
    assert main(["sweep", *LAYER, *SPACE, "--pareto", "macs,params", "--output", str(out), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == [{"C_in": 16, "C_out": 32, "k": 1, "params": 512, "mults": 1605632, "adds": 1505280,
                     "flops": 3110912, "macs": 1605632}]


def test_parquet_file(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet is written through pyarrow")
    out = tmp_path / "all.parquet"
    assert main(["sweep", *LAYER, *SPACE, "--output", str(out), "--quiet"]) == 0
    table = pq.read_table(out).to_pydict()
    assert len(table["macs"]) == 16 and table["C_in"][:2] == [16, 16]


def test_samples_are_reproducible(capsys):
    args = ["sweep", *LAYER, *SPACE, "--sample", "50", "--seed", "3", "--quiet"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first and len(rows_of(first)) == 50


def test_the_engines_agree(capsys):
    outputs = []
    for engine in ("local", "dask"):
        if engine == "dask":
            pytest.importorskip("dask", reason="the dask engine needs dask")
        assert main(["sweep", *LAYER, *SPACE, "--engine", engine, "--quiet"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(("args", "message"), [
    (["standard", "--grid", "alpha=1:2:1/2"], "alpha is not a symbol of the target"),
    (["standad", "--grid", "k=1"], r"not a variant, network file, built-in network or model \(FILE.py:NAME\) "
                                   r"\(did you mean standard\?\)"),
    (["resnet50", "--grid", "alpha=1/4:1:1/8"], "the target needs a value of rho: give each an axis or a fixed"),
    (["models.py:make", "--grid", "alpha=1"], "a model is traced on an input: give --input SHAPE"),
    (["resnet50", "--grid", "alpha=1/4:1:1/3", "--set", "rho=1"],
     "at alpha=7/12: .*not within 1e-9 of a multiple of 1/8"),
    ([*LAYER], "give the design space with --grid"),
    ([*LAYER, "--grid", "C_in=1:2"], "--grid C_in=1:2: a range is START:STOP:STEP"),
    ([*LAYER, *SPACE, "--where", "macs = 3"], "equality is =="),
    ([*LAYER, *SPACE, "--where", "__import__('os').system('true') > 1"], "not allowed"),
    ([*LAYER, *SPACE, "--pareto", "macs"], "--pareto macs: name two counts"),
    ([*LAYER, *SPACE, "--output", "out.xlsx"], "write to a file ending in .csv, .jsonl, .parquet"),
    ([*LAYER, *SPACE, "--limit", "10"], "16 points, over the limit of 10; raise it with --limit POINTS"),
    ([*LAYER, "--grid", "C_in=1:2:1", "--grid", "C_out=1", "--grid", "k=0,1"], "at C_in=1, C_out=1, k=0: "),
    ([*LAYER, *SPACE, "--sample", "0"], "--sample takes a positive number"),
])
def test_bad_input_is_one_line(capsys, args, message):
    import re

    assert main(["sweep", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(message, err), err


def test_an_unreachable_scheduler_is_one_line(capsys):
    pytest.importorskip("distributed", reason="--scheduler needs dask.distributed")
    assert main(["sweep", *LAYER, *SPACE, "--scheduler", "tcp://127.0.0.1:9", "--quiet"]) == 2
    assert "no dask scheduler answers at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_a_reader_that_stops_early_stops_the_sweep_quietly(monkeypatch, capsys):
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("sys.stdout", Closed())
    assert main(["sweep", *LAYER, *SPACE, "--quiet"]) == 0


def test_a_network_and_a_traced_model(capsys):
    pytest.importorskip("symconv.codegen.network", reason="network targets need the network code generation")
    assert main(["sweep", "resnet50", "--grid", "alpha=1/4:1:1/8", "--grid", "rho=4/7:1:1/7", "--where",
                 "macs <= 2e9", "--quiet"]) == 0
    rows = rows_of(capsys.readouterr().out)
    assert len(rows) > 3 and all(int(r["macs"]) <= 2 * 10**9 for r in rows)
    assert {"alpha": "1", "rho": "4/7"}.items() <= next(r for r in rows if r["alpha"] == "1").items()
    pytest.importorskip("torch", reason="a traced model needs PyTorch")
    assert main(["sweep", "tests/torch_models.py:resnet", "--input", "1x3xHxW", "--grid", "H=32:64:32",
                 "--grid", "W=32,64", "--quiet"]) == 0
    rows = rows_of(capsys.readouterr().out)
    assert [(r["H"], r["W"]) for r in rows] == [("32", "32"), ("32", "64"), ("64", "32"), ("64", "64")]
    from symconv.network import analyse
    from symconv.torch import convert, load_model

    network = convert(load_model("tests/torch_models.py:resnet"), "1x3xHxW").network
    for row in rows:
        at = analyse(network, {"H": int(row["H"]), "W": int(row["W"])}, "exact")
        assert [int(row[t]) for t in ("params", "macs", "flops")] == [at.value(t) for t in ("params", "macs", "flops")]
