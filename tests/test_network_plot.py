"""symconv.network.plot: exact counts against a symbol, drawn with matplotlib when it is installed.

The points are exact and need no matplotlib; a test that draws asks for it with ``pytest.importorskip`` and
skips, saying so, where it is missing.
"""

from __future__ import annotations

import sys

import pytest
import sympy

from symconv.errors import SymconvError
from symconv.network import NetworkError, analyse, builtin
from symconv.network.plot import plot, points

HALF = sympy.Rational(1, 2)


@pytest.fixture(scope="module")
def mobilenet():
    return analyse(builtin("mobilenet_v1"), {"rho": 1}, "macs")


def test_the_points_are_the_exact_counts_at_each_value(mobilenet):
    assert points(mobilenet, "macs", ("alpha", [1, HALF])) == {"": [(1, 568_740_352), (HALF, 149_497_088)]}
    series = points(analyse(builtin("mobilenet_v1"), None, "macs"), "macs", ("alpha", [1]), ("rho", [1, HALF]))
    assert list(series) == ["rho = 1", "rho = 1/2"] and series["rho = 1"] == [(1, 568_740_352)]


def test_a_point_needs_every_symbol_set():
    with pytest.raises(NetworkError, match="macs still depends on rho: give rho a value"):
        points(analyse(builtin("mobilenet_v1"), None, "macs"), "macs", ("alpha", [1]))


@pytest.mark.parametrize("name", ["cost.pdf", "cost", "cost.PNG.txt"])
def test_a_plot_is_written_as_png_or_svg_only(mobilenet, tmp_path, name):
    with pytest.raises(NetworkError, match=r"the plot is written as \.png or \.svg"):
        plot(mobilenet, tmp_path / name, "macs", ("alpha", [1]))


def test_without_matplotlib_the_plot_says_how_to_install_it(mobilenet, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    with pytest.raises(NetworkError, match=r"^plotting needs matplotlib: pip install matplotlib$"):
        plot(mobilenet, tmp_path / "cost.png", "macs", ("alpha", [1]))
    assert not (tmp_path / "cost.png").exists()


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_plot_is_drawn(mobilenet, tmp_path, suffix):
    pytest.importorskip("matplotlib", reason="drawing a plot needs matplotlib (the plot extra)")
    path = plot(mobilenet, tmp_path / f"cost{suffix}", "flops", ("alpha", [HALF, 1]))
    assert path == tmp_path / f"cost{suffix}" and path.stat().st_size > 1000


def test_a_plot_that_cannot_be_written_is_one_error(mobilenet, tmp_path):
    pytest.importorskip("matplotlib", reason="drawing a plot needs matplotlib (the plot extra)")
    with pytest.raises(SymconvError, match=r"cannot write the plot \("):
        plot(mobilenet, tmp_path / "missing" / "cost.png", "macs", ("alpha", [1]))
