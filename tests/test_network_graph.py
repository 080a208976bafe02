"""symconv.network.graph: networks analysed on their graph; shapes propagate exactly, and the closed forms in
symbols equal the layer-by-layer evaluation wherever their conditions hold."""

from __future__ import annotations

import pytest
import sympy
from sympy import Rational as R

from symconv.network import (
    Add,
    Concat,
    Conv2d,
    Linear,
    MaxPool,
    Network,
    NetworkError,
    Node,
    Rounding,
    Shape,
    Shuffle,
    analyse,
    builtin,
)
from symconv.network.direct import run
from symconv.network.fileformat import symbol


def test_residual_add_and_concat_count_on_a_graph():
    nodes = (
        Node("a", Conv2d(out=4, kernel=3, padding=1), ("input",)),
        Node("b", Conv2d(out=4, kernel=1), ("input",)),
        Node("sum", Add(), ("a", "b")),
        Node("cat", Concat(), ("sum", "a", "input")),
    )
    net = Network("graph", Shape(3, (5, 5)), nodes)
    analysis = analyse(net)
    assert analysis.rows[-1].output == Shape(11, (5, 5))
    assert analysis.rows[2].counts.adds == 4 * 5 * 5
    for row, computed in zip(analysis.rows, run(net), strict=True):
        assert computed.values_agree and row.counts == computed.counts


def test_symbolic_shapes_propagate_and_record_their_conditions():
    alpha, rho = symbol("alpha"), symbol("rho")
    net = Network.sequence("s", Shape(3, (32 * rho, 32 * rho)), [
        Conv2d(out=16 * alpha, kernel=3, stride=2, padding=1), MaxPool(kernel=2), Conv2d(out=8, kernel=1)],
        symbols={"alpha": alpha, "rho": rho})
    analysis = analyse(net)
    assert analysis.rows[1].output == Shape(16 * alpha, (8 * rho, 8 * rho))
    assert set(analysis.conditions) == {(16 * alpha, 1), (8 * rho, 1)}
    assert analysis.holds_at({"alpha": R(1, 2), "rho": R(1, 2)})
    assert not analysis.holds_at({"alpha": R(1, 2), "rho": R(3, 32)})  # 3 → 2 → 1: no halving


@pytest.mark.parametrize(("alpha", "rho"), [(1, 1), (R(3, 4), R(6, 7)), (R(1, 3), R(1, 2)), (R(7, 10), R(3, 7))])
def test_the_closed_form_at_a_setting_equals_the_network_built_at_that_setting(alpha, rho):
    net = builtin("mobilenet_v1")
    closed = analyse(net).evaluate({"alpha": alpha, "rho": rho})
    built = analyse(net, {"alpha": alpha, "rho": rho})
    assert closed.totals == built.totals
    assert [r.counts for r in closed.rows] == [r.counts for r in built.rows]


def test_rounding_rules():
    assert Rounding("floor", minimum=8).apply(R(1, 8) * 32) == 8
    assert Rounding("floor", minimum=8).apply(R(7, 10) * 1024) == 716  # int(716.8)
    assert Rounding("divisible", divisor=8, minimum=8).apply(R(7, 10) * 1024) == 720
    assert Rounding("divisible", divisor=8, minimum=8).apply(R(1, 2) * 24) == 16  # 12 → 16 (halves up)
    with pytest.raises(NetworkError, match="not an integer"):
        Rounding().apply(R(1, 3) * 32)
    with pytest.raises(NetworkError, match="unknown rounding rule"):
        Rounding("round")


@pytest.mark.parametrize(("layers", "message"), [
    ([Conv2d(out=4, kernel=9)], "kernel spans 9 inputs"),
    ([Linear(out=3), Conv2d(out=4, kernel=1)], "needs a 2-D input"),
    ([Conv2d(out=5, kernel=1, groups=2)], "not divisible by groups"),
    ([Shuffle(groups=3)], "not divisible by groups"),
])
def test_shape_errors_name_the_layer(layers, message):
    net = Network.sequence("bad", Shape(4, (5, 5)), layers)
    with pytest.raises(NetworkError, match=message) as info:
        analyse(net)
    assert "layer '" in str(info.value)


def test_unknown_symbols_and_bad_values_are_refused():
    net = builtin("mobilenet_v1")
    with pytest.raises(NetworkError, match="'beta' is not a symbol"):
        analyse(net, {"beta": 1})
    with pytest.raises(NetworkError, match="must be a positive rational"):
        analyse(net, {"alpha": -1})
    with pytest.raises(NetworkError, match="input size 100/3 is not a positive integer"):
        analyse(net, {"alpha": 1, "rho": R(25, 168)})


def test_counts_are_exact_integers_and_rationals():
    analysis = analyse(builtin("mobilenet_v1"))
    for expr in analysis.quantities.values():
        assert not expr.atoms(sympy.Float)


def test_networks_count_in_the_three_flop_conventions_only():
    from symconv.errors import SymconvError

    net = builtin("mobilenet_v1")
    values = {"alpha": 1, "rho": 1}
    flops = {c: analyse(net, values, c).value("flops") for c in ("exact", "macs", "2macs")}
    assert flops["2macs"] == 2 * flops["macs"] == 2 * 568_740_352
    with pytest.raises(SymconvError):
        analyse(net, values, "performed")


def test_strings_are_read_as_formulas_never_evaluated():
    from symconv.errors import FormulaError

    assert Shape("3", ("32", "32")) == Shape(3, (32, 32))
    assert analyse(builtin("mobilenet_v1"), {"alpha": "0.75", "rho": "1"}, "macs").value("macs") == 325_400_448
    with pytest.raises(FormulaError):
        Shape("__import__('os').getcwd()", (1, 1))
