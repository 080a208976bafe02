"""Cost against a symbol (``alpha``, ``rho`` or any other), drawn with matplotlib to PNG or SVG.

Every point is an exact count (:meth:`symconv.network.graph.Analysis.evaluate`); only the drawing turns it
into a float. matplotlib is optional: ``pip install matplotlib`` (or the ``plot`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sympy

from symconv.errors import SymconvError
from symconv.network.graph import Analysis
from symconv.network.layers import NetworkError, as_expr
from symconv.printing.exprs import text_expr

__all__ = ["plot", "points"]


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
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise NetworkError(f"{path}: the plot is written as .png or .svg, not {path.suffix or 'no suffix'!r}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise NetworkError("plotting needs matplotlib: pip install matplotlib") from None
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
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    try:
        figure.savefig(path, metadata={"Date": None} if path.suffix.lower() == ".svg" else None)
    except OSError as error:
        raise SymconvError(f"{path}: cannot write the plot ({error.strerror})") from None
    finally:
        plt.close(figure)
    return path
