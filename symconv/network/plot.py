"""Cost against a symbol (``alpha``, ``rho`` or any other), and a network's layers on a device's roofline,
drawn with matplotlib to PNG or SVG.

Every point is an exact count (:meth:`symconv.network.graph.Analysis.evaluate`, and
:func:`symconv.network.memory.network_traffic`); only the drawing turns it into a float. matplotlib is
optional: ``pip install matplotlib`` (or the ``plot`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy

from symconv.errors import SymconvError
from symconv.network.graph import Analysis
from symconv.network.layers import NetworkError, as_expr
from symconv.printing.exprs import text_expr

if TYPE_CHECKING:
    from symconv.network.memory import NetworkTraffic

__all__ = ["plot", "points", "roofline_plot", "roofline_points"]


def points(analysis: Analysis, quantity: str, x: tuple[str, Sequence[sympy.Expr]],
           series: tuple[str, Sequence[sympy.Expr]] | None = None) -> dict[str, list[tuple[sympy.Expr, int]]]:
    """The exact ``quantity`` at every ``x`` value, one list per value of ``series``: ``{label: [(x, count)]}``.

    >>> from symconv.network import builtin, analyse
    >>> a = analyse(builtin("mobilenet_v1"), {"rho": 1}, "macs")
    >>> points(a, "flops", ("alpha", [1, sympy.Rational(1, 2)]))
    {'': [(1, 568740352), (1/2, 149497088)]}
    """
    lines: dict[str, list[tuple[sympy.Expr, int]]] = {}
    for s in (series[1] if series else [None]):
        label = f"{series[0]} = {text_expr(as_expr(s, series[0]))}" if series else ""
        line = []
        for value in x[1]:
            values = {x[0]: value, **({series[0]: s} if series else {})}
            expr = analysis.evaluate(values).quantities[quantity]
            if not expr.is_Integer:
                free = ", ".join(sorted(str(f) for f in expr.free_symbols))
                raise NetworkError(f"{quantity} still depends on {free}: give {free} a value")
            line.append((as_expr(value, x[0]), int(expr)))
        lines[label] = line
    return lines


def plot(analysis: Analysis, path: str | Path, quantity: str, x: tuple[str, Sequence[sympy.Expr]],
         series: tuple[str, Sequence[sympy.Expr]] | None = None) -> Path:
    """Draw ``quantity`` (in millions) against ``x`` to ``path`` (``.png`` or ``.svg``)."""
    path, plt = _pyplot(path)
    lines = points(analysis, quantity, x, series)
    figure, axes = plt.subplots(figsize=(6, 4))
    for label, line in lines.items():
        xs = [float(v) for v, _ in line]
        ys = [count / 1e6 for _, count in line]
        axes.plot(xs, ys, marker="o", label=label or None)
    network = analysis.network
    axes.set_xlabel(f"{x[0]}" + (f" ({network.meanings[x[0]].split(':')[0]})" if x[0] in network.meanings else ""))
    name = "mult-adds" if quantity == "macs" else quantity
    axes.set_ylabel(f"{name} (millions)")
    title = network.title or network.name
    axes.set_title(title if quantity != "flops" else f"{title}\nFLOPs: {analysis.convention.value}", fontsize=9)
    if series:
        axes.legend()
    return _save(plt, figure, axes, path)


def _pyplot(path: str | Path) -> tuple[Path, Any]:
    """The path checked, and matplotlib's pyplot drawing to files."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise NetworkError(f"{path}: the plot is written as .png or .svg, not {path.suffix or 'no suffix'!r}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise NetworkError("plotting needs matplotlib: pip install matplotlib") from None
    return path, plt


def _save(plt: Any, figure: Any, axes: Any, path: Path) -> Path:
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    try:
        figure.savefig(path, metadata={"Date": None} if path.suffix.lower() == ".svg" else None)
    except OSError as error:
        raise SymconvError(f"{path}: cannot write the plot ({error.strerror})") from None
    finally:
        plt.close(figure)
    return path


def roofline_points(traffic: NetworkTraffic) -> list[tuple[str, sympy.Expr, sympy.Expr]]:
    """Each layer that computes and moves something, as ``(name, intensity, attained FLOP/s)``: its FLOPs over
    its roofline time, exact.

    >>> from symconv.memory import Device
    >>> from symconv.network import Network, Shape, Conv2d, analyse
    >>> from symconv.network.memory import network_traffic
    >>> net = Network.sequence("one", Shape(2, (4, 4)), [Conv2d(out=3, kernel=1, bias=False)])  # 144 FLOPs
    >>> roofline_points(network_traffic(analyse(net), 4, Device(sympy.Integer(10**9), sympy.Integer(10**8))))
    [('conv1', 18/43, 1800000000/43)]
    """
    if traffic.device is None:
        raise NetworkError("a roofline needs a device (peak FLOP/s and bandwidth)")
    found = []
    for row in traffic.rows:
        if row.flops == 0 or row.bytes == 0 or row.roofline is None:
            continue
        if not (row.intensity.is_number and row.roofline.is_number):
            raise NetworkError(f"{row.name}: its traffic still depends on "
                               f"{', '.join(sorted(map(str, row.bytes.free_symbols)))}: give them values")
        found.append((row.name, row.intensity, row.flops / row.roofline))
    return found


def roofline_plot(traffic: NetworkTraffic, path: str | Path) -> Path:
    """Draw each layer at its intensity and attained FLOP/s under the device's roof (log axes) to ``path``."""
    path, plt = _pyplot(path)
    found = roofline_points(traffic)
    device = traffic.device
    assert device is not None
    figure, axes = plt.subplots(figsize=(6, 4))
    ridge = float(device.ridge)
    lows = [float(i) for _, i, _ in found] or [ridge]
    xs = [min(min(lows), ridge) / 4, ridge, max(max(lows), ridge) * 4]
    axes.plot(xs, [min(float(device.peak), x * float(device.bandwidth)) for x in xs], color="black", lw=1,
              label="roofline")
    axes.scatter([float(i) for _, i, _ in found], [float(f) for _, _, f in found], s=12)
    for name, i, f in found:
        axes.annotate(name, (float(i), float(f)), fontsize=5, alpha=0.7)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("arithmetic intensity (FLOPs per byte)")
    axes.set_ylabel("attained FLOP/s")
    axes.set_title(f"each layer on the roofline: peak {float(device.peak):.3g} FLOP/s, "
                   f"{float(device.bandwidth):.3g} bytes/s", fontsize=9)
    return _save(plt, figure, axes, path)
