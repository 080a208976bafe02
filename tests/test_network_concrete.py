"""Counting a network once every symbol has a number: layer by layer at the numbers, the symbolic pass only
for the closed forms of the totals; the result is the one the closed forms evaluated give."""

from __future__ import annotations

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.network import Activation, Conv2d, Network, Rounding, Shape, analyse, builtin, count
from symconv.network.graph import _strongest
from symconv.network.tables import to_dict

ALPHA = sympy.Symbol("alpha", positive=True)
RHO = sympy.Symbol("rho", positive=True)


def _evaluated(network: Network, values: dict[str, object], convention: str = "exact") -> dict[str, object]:
    """The reference: the closed forms derived symbolically, then evaluated (or counted layer by layer where
    they do not hold)."""
    return to_dict(analyse(network, None, convention).evaluate(values))


def test_builtins_at_every_kind_of_setting() -> None:
    # alpha = 3/10 rounds the channels and rho = 5/14 leaves sizes that do not halve: the closed forms do not
    # hold there; at 1/2 and 5/7 they do
    for name in ("resnet50", "mobilenet_v1", "mobilenet_v2", "mobilenet_v1_tfslim"):
        network = builtin(name)
        for values in ({"alpha": 1, "rho": 1}, {"alpha": "1/2", "rho": "5/7"}, {"alpha": "3/10", "rho": "5/14"}):
            for convention in ("exact", "macs"):
                assert to_dict(count(network, values, convention)) == _evaluated(network, values, convention)


def test_closed_forms_kept_only_where_they_hold() -> None:
    network = builtin("resnet50")
    held = count(network, {"alpha": 1, "rho": 1})
    assert held.closed is not None and held.closed["macs"].free_symbols == {network.symbols["alpha"],
                                                                          network.symbols["rho"]}
    assert held.closed_conditions == ((8 * network.symbols["alpha"], 1), (7 * network.symbols["rho"], 1))
    assert count(network, {"alpha": 1, "rho": "5/14"}).closed is None


def test_partial_settings_keep_the_symbolic_path() -> None:
    network = builtin("resnet50")
    partial = count(network, {"alpha": 1})
    assert partial.quantities["macs"].free_symbols == {network.symbols["rho"]}
    assert to_dict(partial) == _evaluated(network, {"alpha": 1})


def _distinct(layers: int) -> Network:
    """A chain of convolutions, each of its own width."""
    body = []
    for i in range(layers):
        body += [Conv2d(out=8 * (i + 1) * ALPHA, kernel=3, padding=1, stride=2 if i % 4 == 3 else 1),
                 Activation("relu")]
    return Network.sequence(f"distinct{layers}", Shape(3, (64 * RHO, 64 * RHO)), body,
                            {"alpha": ALPHA, "rho": RHO}, rounding=Rounding("divisible", 8, 8))


def test_distinct_widths() -> None:
    network = _distinct(12)
    for values in ({"alpha": 1, "rho": 1}, {"alpha": "3/8", "rho": "1/2"}, {"alpha": "1/5", "rho": "3/4"}):
        assert to_dict(count(network, values)) == _evaluated(network, values)


def _pairwise(conditions: list[tuple[sympy.Expr, int]]) -> tuple[tuple[sympy.Expr, int], ...]:
    """The obviously correct reference: every condition against every other."""
    unique: list[tuple[sympy.Expr, int]] = []
    for expr, least in conditions:
        expr = sympy.expand(expr)
        if (expr, least) not in unique and not expr.is_number:
            unique.append((expr, least))
    kept = []
    for expr, least in unique:
        implied = False
        for other, other_least in unique:
            if (other, other_least) == (expr, least):
                continue
            ratio = sympy.cancel(expr / other)
            if ratio.is_Integer and ratio >= 1 and other_least >= least / ratio:
                implied = ratio > 1 or other_least > least
            if implied:
                break
        if not implied:
            kept.append((expr, least))
    return tuple(kept)


_PARTS = (ALPHA, RHO, ALPHA * RHO, 224 * RHO - 1, 3 * ALPHA + 2 * RHO)
_CONDITION = st.tuples(st.sampled_from(_PARTS), st.fractions(min_value=1, max_value=40, max_denominator=8),
                       st.integers(1, 4)).map(lambda t: (sympy.Rational(t[1].numerator, t[1].denominator) * t[0],
                                                         t[2]))


@settings(max_examples=60, deadline=None)
@given(st.lists(_CONDITION, max_size=12), st.integers(33, 60))
def test_strongest_conditions_equal_the_pairwise_reference(conditions: list[tuple[sympy.Expr, int]],
                                                          many: int) -> None:
    assert _strongest(conditions) == _pairwise(conditions)
    # past 32 coefficients of one part, the divisors of each are looked up instead
    widths = [(k * ALPHA / 8, 1 + k % 2) for k in range(1, many)] + conditions
    assert _strongest(widths) == _pairwise(widths)
