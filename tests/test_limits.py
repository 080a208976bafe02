"""symconv.limits: every command bounds the work it accepts and says so in one line: huge values, long time bounds,
many samples, files that are not network files, bias flags that are not booleans, control characters in input."""

from __future__ import annotations

import os
import time

import pytest

from symconv import variants
from symconv.check import check_count
from symconv.cli import main
from symconv.errors import SpecError, SymconvError
from symconv.verify import verify_layer


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symconv: error: "), err
    return err


@pytest.mark.parametrize("argv", [
    ["derive", "standard", "--set", "k_h=(10^30)^33", "--set", "k_w=(10^30)^33"],
    ["derive", "standard", "--set", "N=(a0+a1+a2+a3+a4+a5+a6+a7+a8+a9+a10+a11)^3"],
    ["verify", "standard", "--set", "N=(10^30)^11"],
    ["verify", "standard", "--samples", "100001"],
    ["check", "k_h", "--variant", "standard", "--quantity", "params", "--timeout", "1e10"],
    ["check", "k_h", "--variant", "standard", "--quantity", "params", "--timeout", "inf"],
    ["check", "k_h", "--variant", "standard", "--quantity", "params", "--timeout", "nan"],
    ["net", "/dev/zero"],
    ["derive", "standard", "--set", "k_h=3\x1b[2J"],
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv):
    start = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - start < 5
    err = _one_line(capsys)
    assert "\x1b" not in err


def test_a_fifo_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "net.toml"
    os.mkfifo(fifo)
    assert main(["net", str(fifo)]) == 2
    _one_line(capsys)


def test_a_check_keeps_to_its_time_bound(capsys):
    # Decided or not, a check of a 1,500-factor product keeps to its bound, from reading to printing.
    product = "*".join(f"(C_in+{i})" for i in range(1500))
    start = time.perf_counter()
    status = main(["check", product, "--variant", "standard", "--quantity", "params", "--timeout", "0.5"])
    assert status in (1, 3) and time.perf_counter() - start < 3  # wall-clock time, on a machine others share
    start = time.perf_counter()
    v = check_count(product, "standard", "params", timeout=0.5)
    assert time.perf_counter() - start < 2.5
    assert (v.status == "undecided" and "time bound" in v.notes[0]) or v.counterexample is not None


def test_library_arguments_are_checked_with_the_documented_errors():
    with pytest.raises(SpecError):
        variants.standard(2, bias=1.5)  # type: ignore[arg-type]
    with pytest.raises(SymconvError):
        verify_layer(variants.standard(1, bias=False), samples=-1)
    with pytest.raises(SymconvError):
        check_count("k_h", "standard", "params", timeout=float("inf"))


@pytest.mark.parametrize("text", [
    '[network]\nname = "x"\ninput = { channels = 3, size = [8, 8] }\n[[layer]]\ntype = "relu"\nrepeat = "10^30"\n',
    '[network]\nname = "x"\ninput = { channels = 3, size = [8, 8] }\n[blocks.a]\n'
    'layers = [ { type = "relu", repeat = 1000 } ]\n[blocks.b]\nlayers = [ { type = "a", repeat = 1000 } ]\n'
    '[[layer]]\ntype = "b"\nrepeat = 1000\n',
    '[network]\nname = "x"\ninput = { channels = 3, size = [8, 8] }\nbatch = -3\n[[layer]]\ntype = "conv"\n'
    'out = 4\nkernel = 3\n',
])
def test_network_files_that_would_grow_without_bound_or_are_no_network_are_refused(tmp_path, capsys, text):
    path = tmp_path / "net.toml"
    path.write_text(text)
    start = time.perf_counter()
    assert main(["net", str(path)]) == 2
    assert time.perf_counter() - start < 5
    assert str(path) in _one_line(capsys)


def test_a_plot_with_too_many_points_is_refused(capsys):
    assert main(["net", "mobilenet_v1", "--plot", "x.png", "--x", "alpha=1/4:1:10^30", "--set", "rho=1"]) == 2
    _one_line(capsys)
