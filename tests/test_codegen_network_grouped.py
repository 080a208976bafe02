"""A network's module with grouped convolutions: each counted on its channels per group, a value checked
whole, so that its counts are polynomials; equal to ``symconv.network.count`` at every setting, refused where
the channels do not divide, as the network is."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from symconv.codegen.network import TOTALS, network_functions, network_source
from symconv.errors import SymconvError
from symconv.network import count, loads

GROUPED = """
[network]
name = "grouped"
input = { channels = 3, size = ["224*rho", "224*rho"] }
rounding = { rule = "floor", minimum = 8 }

[symbols]
alpha = "width multiplier"
rho = "resolution multiplier"

[[layer]]
type = "conv"
out = "32*alpha"
kernel = 3
stride = 2
padding = 1

[[layer]]
type = "conv"
out = "64*alpha"
kernel = 3
groups = 4
padding = 1

[[layer]]
type = "groupnorm"
groups = 4

[[layer]]
type = "shuffle"
groups = 4

[[layer]]
type = "conv"
out = "128*alpha"
kernel = 3
groups = 8
stride = 2
padding = 1
"""


@pytest.fixture(scope="module")
def grouped():
    network = loads(GROUPED, "grouped.toml")
    return network, network_functions(network)


def _counted(network, alpha: Fraction, rho: Fraction) -> dict[str, int]:
    values = {"alpha": sympy.Rational(alpha.numerator, alpha.denominator),
              "rho": sympy.Rational(rho.numerator, rho.denominator)}
    analysis = count(network, values)
    return {name: int(analysis.value(name)) for name in TOTALS}


@pytest.mark.parametrize("alpha", [Fraction(1, 4), Fraction(1, 2), Fraction(5, 8), Fraction(3, 4), Fraction(1)])
@pytest.mark.parametrize("rho", [Fraction(4, 7), Fraction(1)])
def test_every_total_is_the_network_count(grouped, alpha, rho):
    network, functions = grouped
    assert functions(alpha=alpha, rho=rho) == _counted(network, alpha, rho)


def test_arrays_and_a_grid_are_the_counts_too(grouped):
    network, functions = grouped
    alphas, rhos = [Fraction(1, 4), Fraction(1, 2), Fraction(1)], [Fraction(4, 7), Fraction(6, 7), Fraction(1)]
    grid = functions(alpha=np.array([float(a) for a in alphas]).reshape(-1, 1),
                     rho=np.array([float(r) for r in rhos]).reshape(1, -1))
    for i, a in enumerate(alphas):
        for j, r in enumerate(rhos):
            assert {t: int(grid[t][i, j]) for t in TOTALS} == _counted(network, a, r)


def test_channels_that_do_not_divide_are_refused_as_the_network_refuses_them(grouped):
    network, functions = grouped
    with pytest.raises(SymconvError, match="not divisible by groups = 4"):
        count(network, {"alpha": sympy.Rational(9, 32), "rho": 1})
    with pytest.raises(SymconvError, match=r"layer 2 \(conv2, type conv\): input channels per group is 9/4, not a "
                                           r"whole number, at alpha = 9/32, rho = 1"):
        functions(alpha=Fraction(9, 32), rho=1)
    with pytest.raises(SymconvError, match="at alpha = 9/32"):
        functions(alpha=np.array([0.5, 9 / 32]), rho=1)


def test_the_module_reads_per_group_values():
    source = network_source(loads(GROUPED, "grouped.toml"))
    assert source.count("per group', _given)") == 4  # conv2's input and output, conv5's input and output
