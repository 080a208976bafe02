"""The generated module of a network (``symconv codegen --net``): imported from its file and run, it equals
``symconv net --set ... --format json`` at every setting, where the closed forms hold and where the rounding
rule and the floors bite; a setting that is no network is refused. tests/tiny_network.toml's module is
recorded in tests/golden/codegen_network/ (``pytest --update-golden`` records it again).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from golden import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symconv.cli import main
from symconv.codegen.network import TOTALS, NetworkFunctions, denominators, network_functions, network_source
from symconv.errors import NetworkError, SymconvError
from symconv.network import builtin, count, load

TINY = Path(__file__).parent / "tiny_network.toml"
GOLDEN = ROOT / "codegen_network" / "tiny.py"
_MODULES: dict[str, object] = {}


def _module(tmp_path_factory: pytest.TempPathFactory, name: str) -> object:
    """The module ``symconv codegen --net NAME`` prints, written to a file and imported from it."""
    if name not in _MODULES:
        source = network_source(load(TINY) if name == "tiny" else builtin(name))
        path = tmp_path_factory.mktemp("generated") / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"generated_network_{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[name] = module
    return _MODULES[name]


def _net_json(capsys: pytest.CaptureFixture[str], target: str, values: dict[str, Fraction]) -> dict | None:
    """``symconv net TARGET --set ... --format json``'s totals, or None where it refuses the setting."""
    capsys.readouterr()
    argv = ["net", target, *(f"--set={k}={v}" for k, v in values.items()), "--format", "json"]
    if main(argv) != 0:
        return None
    out = capsys.readouterr().out
    return {name: quantity["value"] for name, quantity in json.loads(out)["totals"].items()}


def _generated(module: object, values: dict[str, Fraction]) -> dict[str, int] | None:
    try:
        return {name: getattr(module, name)(**values) for name in TOTALS}
    except ValueError:
        return None


_CASES = {  # network -> the most multiples of 1/D a setting takes
    "tiny": 12,
    "resnet18": 12,
    "mobilenet_v2": 8,  # D = 6: 2α and 3α need not be integers, and then the closed forms do not hold
    "mobilenet_v1_tfslim": 40,  # below α = 1/4 the rule raises channels to 8
}


@pytest.mark.parametrize("name", sorted(_CASES))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_generated_module_equals_symconv_net(tmp_path_factory, capsys, name, data):
    network = load(TINY) if name == "tiny" else builtin(name)
    module = _module(tmp_path_factory, name)
    values = {symbol: Fraction(data.draw(st.integers(1, _CASES[name]), label=symbol), d)
              for symbol, d in denominators(network).items()}
    expected = _net_json(capsys, str(TINY) if name == "tiny" else name, values)
    assert _generated(module, values) == expected
    if expected is not None:  # floats on the grid read as the same settings, arrays of them too
        floats = {k: float(v) for k, v in values.items()}
        assert _generated(module, floats) == expected
        arrays = {k: np.array([v, v]) for k, v in floats.items()}
        assert {k: v.tolist() for k, v in network_functions_cached(name)(**arrays).items()} == {
            k: [v, v] for k, v in expected.items()}


_FUNCTIONS: dict[str, NetworkFunctions] = {}


def network_functions_cached(name: str) -> NetworkFunctions:
    if name not in _FUNCTIONS:
        _FUNCTIONS[name] = network_functions(load(TINY) if name == "tiny" else builtin(name))
    return _FUNCTIONS[name]


def test_where_rounding_and_floors_bite(tmp_path_factory, capsys):
    module = _module(tmp_path_factory, "tiny")
    network = load(TINY)
    # rho = 1: a 16-pixel input leaves 8, then 3 after the 3x3 pooling, not the 3.5 of the closed forms (2ρ − 1/2
    # is no integer); alpha = 1/8: one channel, rounded up to 4
    values = {"alpha": Fraction(1, 8), "rho": Fraction(1)}
    assert count(network, {k: str(v) for k, v in values.items()}).closed is None
    assert _generated(module, values) == _net_json(capsys, str(TINY), values)
    # rho = 1/4: the 3x3 pooling does not fit its 2-pixel input
    with pytest.raises(NetworkError, match="more than the padded input"):
        count(network, {"alpha": 1, "rho": "1/4"})
    with pytest.raises(ValueError, match=r"layer 7 \(maxpool7, type maxpool\): height is 0, not at least 1, at "
                                         r"alpha = 1, rho = 1/4"):
        module.params(alpha=1, rho=0.25)


def test_arrays_mix_every_regime_exactly(capsys):
    functions = network_functions_cached("mobilenet_v1_tfslim")
    alphas = np.arange(1, 41) / 32
    got = functions(alpha=alphas, rho=1)
    for i, alpha in enumerate(alphas):
        expected = _net_json(capsys, "mobilenet_v1_tfslim", {"alpha": Fraction(i + 1, 32), "rho": Fraction(1)})
        assert {name: int(got[name][i]) for name in TOTALS} == expected, alpha
    assert got["macs"].dtype == np.int64


def test_huge_settings_are_exact_python_ints():
    functions = network_functions_cached("resnet18")
    big = functions(alpha=2**40, rho=np.array([1, 2**30]))
    exact = count(builtin("resnet18"), {"alpha": 2**40, "rho": 2**30}).value("macs")
    assert big["macs"].dtype == object and big["macs"][1] == exact


def test_refusals_name_the_setting():
    functions = network_functions_cached("resnet18")
    with pytest.raises(SymconvError, match=r"alpha = 0\.3 is not within 1e-9 of a multiple of 1/8"):
        functions(alpha=0.3, rho=1)
    with pytest.raises(SymconvError, match=r"rho = 0\.5 is not within 1e-9 of a multiple of 1/7 at index 1"):
        functions(alpha=1, rho=np.array([1.0, 0.5]))
    with pytest.raises(SymconvError, match="alpha must be positive, got 0"):
        functions(alpha=0, rho=1)
    with pytest.raises(SymconvError, match="'beta' is not a symbol of the network"):
        functions(alpha=1, rho=1, beta=2)
    with pytest.raises(SymconvError, match="need rho too"):
        functions(alpha=1)
    with pytest.raises(TypeError, match="not a bool"):
        functions(alpha=True, rho=1)


def test_the_denominators_come_from_the_network():
    assert denominators(builtin("resnet50")) == {"alpha": 8, "rho": 7}
    assert denominators(load(TINY)) == {"alpha": 8, "rho": 4}
    assert denominators(builtin("dcgan_generator")) == {}
    module = network_functions_cached("resnet18")
    assert module.symbols == ("alpha", "rho") and module.totals == TOTALS


def test_a_network_without_symbols():
    functions = network_functions(builtin("dcgan_generator"))
    assert functions() == {name: count(builtin("dcgan_generator")).value(name) for name in TOTALS}


def test_the_golden_module(capsys, golden):
    assert main(["codegen", "--net", str(TINY)]) == 0
    source = capsys.readouterr().out
    assert source == network_source(load(TINY))
    golden("codegen_network/tiny.py", source)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_the_golden_module_passes_ruff():
    pyproject = Path(__file__).parents[1] / "pyproject.toml"
    ruff = [shutil.which("ruff"), "check", "--no-cache", "--config", str(pyproject), str(GOLDEN)]
    run = subprocess.run(ruff, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout


@pytest.mark.parametrize("argv, message", [
    (["codegen", "--net", "no_such_network"], "no network file or built-in network 'no_such_network'"),
    (["codegen", "standard", "--net", "resnet18"], "give a VARIANT or --net, not both"),
    (["codegen"], "codegen needs a VARIANT or --net FILE_OR_NAME"),
    (["codegen", "--net", "resnet18", "--set", "alpha=1"], "--set belongs to a variant"),
])
def test_refusals_are_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
