"""``symconv derive`` (symconv.cli.derive): it prints what the library renders; what it prints for every variant
at two dimensions, and for the standard layer's backward pass and training step, is recorded in
tests/golden/derive/ and compared byte for byte.

``pytest --update-golden tests/test_cli_derive.py`` records them again after an intended change.
"""

from __future__ import annotations

import json

import pytest
import sympy
from commandline import run
from golden import ROOT, command_file
from test_printing_latex import _check as check_latex

from symconv import variants
from symconv.derive import derive
from symconv.geometry import Covered, Hit, ValidPairs
from symconv.printing import render
from symconv.printing.exprs import latex_expr
from symconv.quantities import LAYER
from symconv.symbols import TABLE, sym


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_what_the_library_renders(capsys, fmt):
    code, out, err = run(capsys, "derive", "depthwise", "--dims", "3", "--no-bias", "--format", fmt)
    assert code == 0 and err == ""
    assert out == render(derive(variants.depthwise(3, bias=False)), fmt, steps="brief")


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


# --- golden files: what ``symconv derive VARIANT --dims 2`` prints, in every format, and of a pass ------------

SUFFIX = {"text": "txt", "latex": "tex", "markdown": "md", "json": "json"}


def derive_argv(variant: str, fmt: str) -> list[str]:
    """``derive VARIANT --dims 2``, with ``--format FMT`` unless the default text is asked for."""
    return ["derive", variant, "--dims", "2", *([] if fmt == "text" else ["--format", fmt])]


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_derive_at_two_dims_prints_its_golden_file(capsys, golden, variant, fmt):
    argv = derive_argv(variant, fmt)
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    golden(command_file(argv, SUFFIX[fmt]), out)
    if fmt == "latex":
        check_latex(out)


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_the_golden_json_reads_back_as_the_derivation(variant):
    # The recorded closed forms, parsed by SymPy as the JSON's users parse them, are the derivation's.
    data = json.loads((ROOT / command_file(derive_argv(variant, "json"), "json")).read_text(encoding="utf-8"))
    derivation = derive(variants.make(variant, 2))
    names = {name: sym(name) for name in TABLE} | {f.__name__: f for f in (ValidPairs, Covered, Hit)}
    assert list(data["quantities"]) == list(LAYER)
    for name, recorded in data["quantities"].items():
        expr = sympy.parse_expr(recorded["expr"], local_dict=names)
        assert sympy.expand(expr - derivation.quantities[name]) == 0, name
        assert recorded["latex"] == latex_expr(derivation.quantities[name]) and recorded["value"] is None


#: The passes other than the forward one recorded too, of the standard layer: ``--pass PASS`` and its format.
PASSES = [(chosen, fmt) for chosen in ("backward", "training") for fmt in ("text", "json")]


def pass_argv(chosen: str, fmt: str) -> list[str]:
    """``derive standard --dims 2 --pass PASS``, with ``--format FMT`` unless the default text is asked for."""
    return [*derive_argv("standard", fmt)[:4], "--pass", chosen, *derive_argv("standard", fmt)[4:]]


@pytest.mark.parametrize(("chosen", "fmt"), PASSES)
def test_derive_of_a_pass_prints_its_golden_file(capsys, golden, chosen, fmt):
    argv = pass_argv(chosen, fmt)
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    golden(command_file(argv, SUFFIX[fmt]), out)


def test_every_golden_derivation_has_a_case():
    recorded = sorted(path.name for path in (ROOT / "derive").iterdir())
    expected = sorted([command_file(derive_argv(v, fmt), SUFFIX[fmt]).split("/")[1]
                       for v in variants.VARIANTS for fmt in SUFFIX]
                      + [command_file(pass_argv(chosen, fmt), SUFFIX[fmt]).split("/")[1] for chosen, fmt in PASSES])
    assert recorded == expected
