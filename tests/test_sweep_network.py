"""Sweeps of networks through their generated module: every total at every point equals the network's own
count (``symconv net``), with constraints on totals and rational symbols, and a Pareto front."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import pytest
import sympy

from symconv.cli import main
from symconv.network import analyse, builtin
from symconv.sweep import Space, Sweep, read_axis, run
from symconv.sweep.evaluators import NetworkEvaluator

pytest.importorskip("symconv.codegen.network", reason="network targets need the network code generation")


@pytest.fixture(scope="module")
def mobilenet() -> NetworkEvaluator:
    return NetworkEvaluator(builtin("mobilenet_v1"))


def exact(alpha: Fraction, rho: Fraction, total: str) -> int:
    values = {"alpha": sympy.Rational(alpha.numerator, alpha.denominator),
              "rho": sympy.Rational(rho.numerator, rho.denominator)}
    value = analyse(builtin("mobilenet_v1"), values, "exact").value(total)
    assert value is not None
    return int(value)


def test_every_total_is_the_network_count(mobilenet):
    space = Space((read_axis("alpha=1/4:1:1/4"), read_axis("rho=4/7:1:1/7")), chunk=5)
    rows = list(run(Sweep.build(mobilenet, space)))
    for chunk in rows:
        for i, (a, r) in enumerate(zip(*chunk.indices, strict=True)):
            alpha, rho = space.axes[0].values[int(a)], space.axes[1].values[int(r)]
            for total in ("params", "macs"):
                assert int(chunk.totals[total][i]) == exact(alpha, rho, total), (alpha, rho, total)


def test_constraints_and_a_front_on_a_network(mobilenet):
    space = Space((read_axis("alpha=1/4:1:1/8"), read_axis("rho=4/7:1:1/7")))
    sweep = Sweep.build(mobilenet, space, where=["macs <= 300e6", "alpha >= 1/2"], pareto=("macs", "params"))
    [front] = list(run(sweep))
    points = [(space.axes[0].values[int(a)], space.axes[1].values[int(r)]) for a, r in zip(*front.indices, strict=True)]
    assert points and all(alpha >= Fraction(1, 2) for alpha, _ in points)
    assert all(exact(alpha, rho, "macs") <= 300 * 10**6 for alpha, rho in points)


def test_the_command_sweeps_a_built_in_network(capsys):
    assert main(["sweep", "mobilenet_v1", "--grid", "alpha=1/2,1", "--set", "rho=1", "--quiet"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["alpha"] for r in rows] == ["1/2", "1"]
    assert int(rows[1]["macs"]) == exact(Fraction(1), Fraction(1), "macs")
