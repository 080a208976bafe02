"""A network's module where a join's inputs have sizes computed by different expressions (a strided
convolution beside a pooling): checked equal at every setting and named once, so the module is generated;
equal to ``symconv.network.count`` where they are equal, refused where they are not, naming the setting."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symconv.codegen.network import TOTALS, network_functions
from symconv.errors import SymconvError
from symconv.network import count, loads

JOIN = """
[network]
name = "join"
input = {{ channels = 8, size = [{size}, {size}] }}

[symbols]
{symbol}
alpha = "width multiplier"

[[layer]]
name = "a"
type = "conv"
out = "16*alpha"
kernel = 3
stride = 2
padding = 1

[[layer]]
name = "b"
input = "input"
type = "maxpool"
kernel = 2
stride = 2

[[layer]]
name = "c"
input = "b"
type = "conv"
out = "16*alpha"
kernel = 1

[[layer]]
name = "sum"
type = "add"
input = ["a", "c"]

[[layer]]
name = "both"
type = "concat"
input = ["sum", "b"]
"""

RHO = JOIN.format(size='"224*rho"', symbol='rho = "resolution multiplier"')
H = JOIN.format(size='"H"', symbol='H = { meaning = "input height", integer = true }')


def _counted(text: str, values: dict[str, sympy.Expr]) -> dict[str, int]:
    analysis = count(loads(text, "join.toml"), values)
    return {name: int(analysis.value(name)) for name in TOTALS}


@pytest.mark.parametrize(("alpha", "rho"), [(1, 1), (sympy.Rational(1, 2), sympy.Rational(1, 7)),
                                            (sympy.Rational(3, 4), sympy.Rational(3, 14))])
def test_a_join_of_sizes_by_different_expressions_is_the_count(alpha, rho):
    functions = network_functions(loads(RHO, "join.toml"))
    assert functions(alpha=alpha, rho=rho) == _counted(RHO, {"alpha": alpha, "rho": rho})


def test_sizes_that_differ_are_refused_naming_the_setting():
    functions = network_functions(loads(H, "join.toml"))
    for h in (16, 30, 224):
        assert functions(alpha=1, H=h) == _counted(H, {"alpha": 1, "H": h})
    with pytest.raises(SymconvError, match="add needs inputs of the same shape"):
        count(loads(H, "join.toml"), {"alpha": 1, "H": 15})
    with pytest.raises(SymconvError, match=r"layer 4 \(sum, type add\): its inputs' height are 8 and 7, not "
                                           r"equal, at H = 15, alpha = 1"):
        functions(alpha=1, H=15)
    with pytest.raises(SymconvError, match=r"at H = 17, alpha = 1 at index \(0, 1\)"):
        functions(alpha=np.array([[1.0], [0.5]]), H=np.array([[16, 17]]))


def test_a_grid_through_a_join_is_the_count_at_each_setting():
    functions = network_functions(loads(H, "join.toml"))
    alphas, heights = [sympy.Rational(1, 2), sympy.Integer(1)], [16, 32, 64]
    grid = functions(alpha=np.array([0.5, 1.0]).reshape(-1, 1), H=np.array(heights).reshape(1, -1))
    for i, a in enumerate(alphas):
        for j, h in enumerate(heights):
            assert {t: int(grid[t][i, j]) for t in TOTALS} == _counted(H, {"alpha": a, "H": h})


BROADCAST = """
[network]
name = "gate"
input = { channels = "C", size = ["H", "W"] }

[symbols]
H = { meaning = "input height", integer = true }
W = { meaning = "input width", integer = true }
C = { meaning = "channels", integer = true }

[[layer]]
name = "a"
type = "maxpool"
kernel = 2
input = "input"

[[layer]]
name = "b"
type = "conv"
out = "C"
kernel = 3
stride = 2
padding = 1
input = "input"

[[layer]]
type = "mul"
inputs = ["a", "b"]

[[layer]]
type = "conv"
out = 8
kernel = 1
"""


def test_an_elementwise_join_broadcasts_a_size_of_one():
    # the branches' widths are floor(W/2) and floor((W - 1)/2) + 1: 1 and 2 at W = 3, which broadcast
    functions = network_functions(loads(BROADCAST, "gate.toml"))
    for h, w in ((2, 3), (3, 2), (8, 8), (2, 2), (16, 10)):
        assert functions(C=2, H=h, W=w) == _counted(BROADCAST, {"C": 2, "H": h, "W": w}), (h, w)
    with pytest.raises(SymconvError, match="cannot broadcast"):
        count(loads(BROADCAST, "gate.toml"), {"C": 1, "H": 8, "W": 5})
    with pytest.raises(SymconvError, match=r"its inputs' width are 2 and 3, which do not broadcast, at H = 8, W = 5"):
        functions(C=1, H=8, W=5)
