"""``symconv check`` (symconv.cli.check): verdicts, conditions and counterexamples printed; exit 0, 1 or 3;
hostile formulas and bad options refused in one line."""

from __future__ import annotations

import json
import time

import pytest
from test_check_layers import ARTICLE_FLOPS
from test_parsing import HOSTILE

from symconv.check import CheckRequest, check_count
from symconv.cli import main
from symconv.printing.check import result_dict, result_text
from symconv.symbols import new_symbol

k = new_symbol("k")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- claims that fail, and the article's --------------------------------------------------------------------


WRONG = [
    # (argv, exit status, condition printed, counterexample printed)
    ([ARTICLE_FLOPS, "--variant", "standard", "--quantity", "flops"], 1, "b = 1",
     "at C_in = 1, C_out = 1, H_out = 1, W_out = 1, b = 0, k = 1: claimed 2, derived 1"),
    (["k^2 C_in C_out", "--variant", "standard", "--quantity", "params"], 1, "b = 0",
     "at C_in = 1, C_out = 1, b = 1, k = 1: claimed 1, derived 2"),
    (["k^2 H_out W_out C_in C_out", "--variant", "standard", "--quantity", "flops", "--bias"], 1,
     None, "claimed 1, derived 2"),
    (["2 k H_out W_out C_in C_out", "--variant", "standard", "--quantity", "flops", "--bias"], 1, "k = 1",
     "at C_in = 1, C_out = 1, H_out = 1, W_out = 1, k = 2: claimed 4, derived 8"),
]


@pytest.mark.parametrize(("argv", "code", "condition", "example"), WRONG)
def test_check_reports_wrong_claims(capsys, argv, code, condition, example):
    status, out, err = run(capsys, *argv, "--set", "k_h=k", "--set", "k_w=k", "--set", "N=1")
    assert status == code and err == ""
    assert "verdict:    does not hold" in out
    assert example in out
    if condition:
        assert f"condition:  holds exactly when {condition}" in out
    else:
        assert "condition:  holds for no values of the symbols" in out


ARTICLE = [
    # The reference article's four formulas (derivations/claims.toml), as it states them, through the command.
    (["k^2 C_in C_out", "--quantity", "params", "--variant", "standard", "--no-bias"], 0, None),
    (["k^2 C_in C_out", "--quantity", "params", "--variant", "standard"], 1, "b = 0"),
    ([ARTICLE_FLOPS, "--quantity", "flops", "--variant", "standard", "--no-bias"], 1, None),
    ([ARTICLE_FLOPS, "--quantity", "flops", "--variant", "standard", "--bias"], 0, None),
    (["(k^2 + C_out) C_in", "--quantity", "params", "--variant", "separable", "--bias"], 1, None),
    (["(k^2 + C_out) C_in", "--quantity", "params", "--variant", "separable"], 1, "b = 0"),
    (["2(k^2 + C_out) H_out W_out C_in", "--quantity", "flops", "--variant", "separable", "--bias"], 0, None),
    (["2(k^2 + C_out) H_out W_out C_in", "--quantity", "flops", "--variant", "separable"], 1, "b = 1"),
]


@pytest.mark.parametrize(("argv", "code", "condition"), ARTICLE)
def test_the_articles_formulas_through_the_command(capsys, argv, code, condition):
    status, out, _ = run(capsys, *argv, "--set", "k_h=k", "--set", "k_w=k", "--set", "N=1", "--set", "m=1")
    assert status == code
    if code == 0:
        assert "verdict:    holds" in out
    else:
        assert "counterexample: at " in out
        assert (f"condition:  holds exactly when {condition}" if condition else
                "condition:  holds for no values of the symbols") in out


# --- what it prints -----------------------------------------------------------------------------------------


def test_check_holds_exit_0_and_prints_the_proof(capsys):
    status, out, _ = run(capsys, r"2k^2 \cdot H_{out} \cdot W_{out} \cdot C_{in} \cdot C_{out}", "--variant",
                         "standard", "--quantity", "flops", "--bias", "--set", "k_h=k", "--set", "k_w=k",
                         "--set", "N=1")
    assert status == 0
    assert "verdict:    holds" in out and "proof:      symbolic normal form" in out


def test_check_with_notation_and_let(capsys):
    status, out, _ = run(capsys, r"\frac{1}{N} + \frac{1}{D_K^2}", "--variant", "separable", "--versus",
                         "standard", "--quantity", "macs", "--notation", "mobilenet")
    assert status == 0 and "notation:   mobilenet" in out
    status, _, _ = run(capsys, r"\frac{1}{N} + \frac{1}{D_K^2}", "--variant", "separable", "--versus",
                       "standard", "--quantity", "mults", "--let", "D_K=k", "--let", "N=C_out", "--set", "k_h=k",
                       "--set", "k_w=k", "--set", "m=1")
    assert status == 0


def test_the_command_prints_the_notation_it_read(capsys):
    code = main(["check", "9 h w c m / g", "--variant", "grouped", "--quantity", "macs", "--no-bias",
                 "--notation", "shufflenet", "--set", "C_in=c", "--set", "C_out=m_b", "--set", "k_h=3",
                 "--set", "k_w=3"])
    out = capsys.readouterr().out
    assert out.splitlines()[1] == ("notation:   shufflenet (Zhang et al. 2018, ShuffleNet, section 3.2): "
                                   "h = H_out, w = W_out, m = m_b; assumes N = 1")
    assert code == 0


def test_check_prints_what_the_library_returns(capsys):
    argv = [ARTICLE_FLOPS, "--variant", "standard", "--quantity", "flops", "--set", "k_h=k", "--set", "k_w=k",
            "--set", "N=1"]
    request = CheckRequest(ARTICLE_FLOPS, "standard", "flops", values=("k_h=k", "k_w=k", "N=1"))
    verdict = check_count(ARTICLE_FLOPS, "standard", "flops", values={"k_h": k, "k_w": k, "N": 1})
    _, out, _ = run(capsys, *argv)
    assert out == result_text(verdict, request)
    _, out, _ = run(capsys, *argv, "--format", "json")
    assert json.loads(out) == result_dict(verdict, request)


def test_check_json_shape(capsys):
    status, out, _ = run(capsys, "k^2 C_in C_out", "--variant", "standard", "--quantity", "params", "--set",
                         "k_h=k", "--set", "k_w=k", "--format", "json")
    data = json.loads(out)
    assert status == 1
    assert set(data) == {"formula", "against", "claimed", "derived", "difference", "verdict", "holds", "summary",
                         "method", "counterexample", "condition", "nowhere", "notes"}
    assert data["verdict"] == "fails" and data["holds"] is False and data["condition"] == "b = 0"
    assert data["difference"] == {"expr": "C_out*b", "latex": "C_{\\mathrm{out}} b"}
    assert data["counterexample"] == {"values": {"C_in": 1, "C_out": 1, "b": 1, "k": 1}, "claimed": "1",
                                      "derived": "2"}


def test_check_undecided_exits_3(capsys):
    status, out, _ = run(capsys, "floor((k+1)/2) + floor(k/2) + C_in - k", "--variant", "pointwise", "--quantity",
                         "params", "--no-bias", "--set", "C_out=1", "--free", "k", "--timeout", "0.5")
    assert status == 3 and "verdict:    undecided" in out


# --- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_formulas_are_refused_quickly_with_one_line(capsys, text):
    start = time.perf_counter()
    status, out, err = run(capsys, "--variant", "standard", "--quantity", "flops", "--", text)
    assert time.perf_counter() - start < 1
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symconv: error: FORMULA: ")


@pytest.mark.parametrize("argv", [
    ["k", "--variant", "standard", "--quantity", "flops", "--let", "2x=3"],
    ["k", "--variant", "standard", "--quantity", "flops", "--let", "D_K=__import__('os')"],
    ["k", "--variant", "standard", "--quantity", "flops", "--set", "k_h=9**9**9**9"],
    ["k", "--variant", "standard", "--quantity", "flops", "--set", "C_out_g=2"],
    ["k", "--variant", "dense", "--quantity", "flops"],
    ["k", "--variant", "standard", "--versus", "dense", "--quantity", "flops"],
    ["k", "--variant", "standard", "--quantity", "flops", "--timeout", "0"],
    ["k", "--variant", "standard", "--quantity", "flops", "--notation", "alexnet"],
    ["k", "--variant", "standard", "--quantity", "energy"],
    ["k", "--variant", "standard"],
])
def test_bad_options_are_one_line_and_exit_2(capsys, argv):
    try:
        code = main(["check", *argv])
    except SystemExit as exited:  # argparse's usage errors
        code = exited.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "error" in err
