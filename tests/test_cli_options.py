"""What the commands share (symconv.cli.options): ``--set`` reads expressions and introduces new names;
``--pass``, ``--grad``, ``--memory`` and ``--device``: what derive, verify and codegen print with them, the JSON
shapes, and bad input as one line with exit status 2."""

from __future__ import annotations

import json

import pytest
import sympy
from commandline import run

from symconv import variants
from symconv.derive import derive
from symconv.passes import derive_pass
from symconv.printing import render
from symconv.quantities import LAYER


def test_set_with_expressions_and_new_names(capsys):
    code, out, _ = run(capsys, "derive", "standard", "--set", "k_h=k", "--set", "k_w=k", "--set", "N=1",
                       "--bias", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["quantities"]["flops"]["expr"] == "2*C_in*k**2*H_out*W_out*C_out"
    assert data["quantities"]["params"]["value"] is None


# --- ``--pass``, ``--grad``, ``--memory`` and ``--device`` on derive, verify and codegen -------------------


def test_backward_json_has_the_pass_its_gradients_and_parts_shaped_like_quantities(capsys):
    status, out, _ = run(capsys, "derive", "standard", "--pass", "backward", "--grad", "weight,bias",
                          "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["pass"] == "backward" and data["grad"] == ["weight", "bias"]
    assert list(data["parts"]) == ["grad_weight", "grad_bias"]
    assert all(list(part) == list(data["quantities"]) == list(LAYER) for part in data["parts"].values())


def test_a_training_step_has_the_forward_part_first(capsys):
    status, out, _ = run(capsys, "derive", "depthwise", "--dims", "1", "--pass", "training", "--format", "json")
    assert status == 0 and list(json.loads(out)["parts"]) == ["forward", "grad_input", "grad_weight", "grad_bias"]


@pytest.mark.parametrize("fmt", ["text", "json", "latex", "markdown"])
def test_the_forward_pass_prints_what_it_printed_before(capsys, fmt):
    status, out, _ = run(capsys, "derive", "grouped", "--format", fmt, "--pass", "forward")
    assert status == 0 and out == render(derive(variants.grouped(2)), fmt, steps="brief")
    assert "pass" not in (json.loads(out) if fmt == "json" else {})


def test_the_derivation_printed_is_the_librarys(capsys):
    status, out, _ = run(capsys, "derive", "transposed", "--dims", "1", "--pass", "backward", "--convention",
                          "flopcounter", "--grad", "input")
    expected = derive_pass(variants.transposed(1), "flopcounter", pass_="backward", grad=("input",))
    assert status == 0 and out == render(expected, steps="brief")


def test_flopcounter_counts_the_forward_pass_as_the_tool_and_the_backward_pass_by_its_rule(capsys):
    forward = json.loads(run(capsys, "derive", "standard", "--convention", "flopcounter", "--format", "json")[1])
    backward = json.loads(run(capsys, "derive", "standard", "--convention", "flopcounter", "--pass", "backward",
                               "--format", "json")[1])
    assert forward["preset"]["name"] == "flopcounter" and "pass" not in forward
    assert backward["pass"] == "backward" and "preset" not in backward


@pytest.mark.parametrize(("argv", "message"), [
    (["--grad", "input"], "--grad chooses the gradients of a backward pass"),
    (["--pass", "backward", "--grad", "gamma"], "--grad gamma: unknown gradient 'gamma'"),
    (["--pass", "backward", "--grad", ","], "give at least one gradient"),
    (["--pass", "backward", "--convention", "thop"], "the preset 'thop' counts the forward pass"),
    (["--convention", "fvcore", "--memory"], "--memory and --device count in a convention"),
    (["--pass", "training", "--convention", "output-grid"], "a backward pass is counted in"),
    (["--device", "peak=1e12"], "--device peak=1e12: the device needs bandwidth"),
])
def test_bad_input_is_one_line_and_status_2(capsys, argv, message):
    status, out, err = run(capsys, "derive", "standard", *argv)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1


def test_memory_and_the_roofline_print_as_text_and_json(capsys):
    argv = ["derive", "pointwise", "--no-bias", "--set", "N=1", "--set", "C_in=32", "--set", "C_out=64",
            "--set", "H_in=56", "--set", "W_in=56", "--set", "s_h=1", "--set", "s_w=1", "--set", "B=4",
            "--device", "peak=10e12,bandwidth=500e9"]
    status, out, err = run(capsys, *argv, "--format", "json")
    memory = json.loads(out)["memory"]
    assert status == 0 and err == ""  # B belongs to the memory traffic: no note that the layer does not use it
    assert memory["bytes"]["value"] == 4 * (32 * 56 * 56 + 32 * 64 + 64 * 56 * 56)
    assert memory["bound"] == "memory" and memory["device"]["ridge"]["value"] == 20
    status, out, _ = run(capsys, *argv)
    assert status == 0 and "Memory traffic:" in out and "memory-bound" in out


def test_verify_checks_a_backward_pass(capsys):
    status, out, _ = run(capsys, "verify", "pointwise", "--dims", "1", "--pass", "backward", "--samples", "4",
                          "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["ok"] and data["pass"] == "backward" and data["grid"]["proven"]
    status, out, _ = run(capsys, "verify", "depthwise", "--dims", "1", "--pass", "training", "--grad", "weight",
                          "--samples", "3")
    assert status == 0 and "training step (gradients of the weight)" in out and "VERIFIED" in out


def test_codegen_of_a_backward_pass_computes_its_closed_forms(capsys):
    from symconv.codegen import functions_for

    status, out, _ = run(capsys, "codegen", "pointwise", "--dims", "1", "--pass", "backward", "--no-bias")
    assert status == 0 and "backward pass, gradients of the input, weight, bias" in out
    namespace: dict[str, object] = {}
    exec(compile(out, "<generated>", "exec"), namespace)
    d = derive_pass(variants.pointwise(1, bias=False), pass_="backward")
    values = {"N": 2, "C_in": 3, "C_out": 5, "L_out": 7}
    for function in functions_for(d):
        if function.name in LAYER:
            expected = d.polynomials[function.name].xreplace({sympy.Symbol(k, integer=True, positive=True): v
                                                               for k, v in values.items()})
            assert namespace[function.name](**{k: v for k, v in values.items()
                                               if k in function.parameters}) == expected
