"""A sweep's chunk evaluated on blocks of the grid (each axis along an axis of its own) and random points
looked up in the table of a small grid: the same rows as the points evaluated one by one, refusals named at
the same point."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import derive, variants
from symconv.errors import SymconvError
from symconv.network import builtin
from symconv.sweep import LayerEvaluator, Space, Sweep, read_axis, run
from symconv.sweep.space import Axis
from symconv.symbols import new_symbol


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 6), max_size=4), st.integers(1, 40), st.data())
def test_the_blocks_of_a_chunk_are_its_points_in_order(shape, chunk, data):
    axes = tuple(Axis(f"x{i}", tuple(range(1, n + 1))) for i, n in enumerate(shape))
    space = Space(axes, chunk=chunk)
    number = data.draw(st.integers(0, space.chunks - 1))
    blocks = space.blocks(number)
    assert len(blocks) <= max(1, 2 * len(shape) - 1)
    points = [int(np.ravel_multi_index(index, shape)) if shape else 0
              for block in blocks for index in itertools.product(*(range(low, high) for low, high in block))]
    start, stop = space.bounds(number)
    assert points == list(range(start, stop))


def test_random_points_have_no_blocks():
    with pytest.raises(SymconvError, match="no blocks"):
        Space((read_axis("a=1,2"),), samples=3).blocks(0)


@pytest.fixture(scope="module")
def standard() -> LayerEvaluator:
    k = new_symbol("k")
    return LayerEvaluator.of(derive(variants.standard(2, {"N": 1, "k_h": k, "k_w": k, "H_out": 7, "W_out": 7},
                                                       bias=True)))


class Counted:
    """An evaluator that records the shapes it is called on."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []
        self.symbols, self.totals = inner.symbols, inner.totals

    def __call__(self, **settings):
        self.calls.append({name: np.shape(value) for name, value in settings.items()})
        return self.inner(**settings)


def _rows(sweep: Sweep) -> list[tuple]:
    return [(int(p), *(int(i[j]) for i in rows.indices), *(int(rows.totals[t][j]) for t in sweep.evaluator.totals))
            for rows in run(sweep, engine="local") for j, p in enumerate(rows.positions)]


def _one_by_one(sweep: Sweep) -> list[tuple]:
    """The rows of ``sweep`` from the evaluator called at each point alone, by brute force."""
    axes, found = sweep.space.axes, []
    points = (range(sweep.space.size) if sweep.space.samples is None else
              [int(np.ravel_multi_index(idx, [len(a.values) for a in axes]))
               for n in range(sweep.space.chunks) for idx in zip(*sweep.space.indices(n), strict=True)])
    for position, flat in enumerate(points):
        index = np.unravel_index(flat, [len(a.values) for a in axes])
        counts = sweep.evaluator(**{a.name: a.arguments[int(i)] for a, i in zip(axes, index, strict=True)})
        if all(c.holds({**{t: np.array([counts[t]]) for t in counts}}).all() for c in sweep.where):
            found.append((position if sweep.space.samples is not None else flat, *(int(i) for i in index),
                          *(int(counts[t]) for t in sweep.evaluator.totals)))
    return found


@pytest.mark.parametrize("chunk", [1, 5, 16, 1000])
def test_blocks_give_the_rows_of_the_points_one_by_one(standard, chunk):
    counted = Counted(standard)
    space = Space((read_axis("C_in=1:5:1"), read_axis("C_out=2,4,8"), read_axis("k=1:5:2")), chunk=chunk)
    sweep = Sweep.build(counted, space, where=["macs >= 500"])
    assert _rows(sweep) == _one_by_one(Sweep.build(standard, space, where=["macs >= 500"]))
    # each axis along its own axis: the evaluator sees blocks, never a column per point
    assert all(sum(n > 1 for n in shape) <= 1 for call in counted.calls for shape in call.values())
    assert len(counted.calls) <= space.chunks * 5


def test_random_points_of_a_small_grid_are_looked_up(standard):
    counted = Counted(standard)
    space = Space((read_axis("C_in=1:4:1"), read_axis("C_out=2,4"), read_axis("k=1,3")), samples=500, seed=3,
                  chunk=64)
    sweep = Sweep.build(counted, space, where=["params <= 100"])
    assert _rows(sweep) == _one_by_one(Sweep.build(standard, space, where=["params <= 100"]))
    assert len(counted.calls) == 1  # the 16 settings once, for all 500 points


def test_a_grid_larger_than_its_samples_evaluates_the_points(standard):
    counted = Counted(standard)
    space = Space((read_axis("C_in=1:40:1"), read_axis("C_out=1:40:1"), read_axis("k=1,3")), samples=100, seed=1)
    sweep = Sweep.build(counted, space)
    assert _rows(sweep) == _one_by_one(Sweep.build(standard, space))
    assert [call["C_in"] for call in counted.calls] == [(100,)]


def test_a_refused_point_is_named_on_blocks_and_in_a_table(standard):
    grid = Space((read_axis("C_in=1,2"), read_axis("C_out=1,2"), read_axis("k=1,0")))
    with pytest.raises(SymconvError, match=r"^at C_in=1, C_out=1, k=0: params\(\): k must be >= 1, got 0$"):
        list(run(Sweep.build(standard, grid)))
    sampled = Space(grid.axes, samples=50, seed=0)
    with pytest.raises(SymconvError, match=r"^at C_in=\d, C_out=\d, k=0: params\(\): k must be >= 1, got 0$"):
        list(run(Sweep.build(standard, sampled)))


def test_a_table_with_a_refused_setting_that_is_never_drawn(standard):
    # k = 0 is no layer: the table of the grid's 8 settings is refused, and the points drawn, none at k = 0,
    # are evaluated themselves
    axes = (read_axis("C_in=1,2"), read_axis("C_out=1,2"), read_axis("k=1,0"))
    seed = next(seed for seed in range(5000) if not Space(axes, samples=8, seed=seed).indices(0)[2].any())
    counted = Counted(standard)
    sweep = Sweep.build(counted, Space(axes, samples=8, seed=seed))
    assert len(_rows(sweep)) == 8
    assert [call["k"] for call in counted.calls] == [(1, 1, 2), (8,)]


def test_a_network_on_blocks_is_its_count_at_each_setting():
    from symconv.sweep.evaluators import NetworkEvaluator

    network = NetworkEvaluator(builtin("mobilenet_v1"))
    space = Space((read_axis("alpha=1/4:1:1/8"), read_axis("rho=4/7:1:1/7")), chunk=6)
    got = _rows(Sweep.build(network, space, where=["macs <= 400e6"]))
    assert got == _one_by_one(Sweep.build(network, space, where=["macs <= 400e6"]))
    assert len(got) == sum(1 for row in got if row[-2] <= 400 * 10**6) and math.prod((7, 4)) > len(got) > 5


@pytest.mark.parametrize("where", [[], ["params <= 200"], ["C_in <= C_out", "macs >= 100"]])
def test_a_front_from_the_table_is_the_front_of_the_points(standard, monkeypatch, where):
    space = Space((read_axis("C_in=1:6:1"), read_axis("C_out=1:6:1"), read_axis("k=1,3")), samples=3000, seed=5,
                  chunk=1000)
    sweep = Sweep.build(standard, space, where=where, pareto=("macs", "params"))
    counted = Counted(standard)
    looked_up = _rows(Sweep.build(counted, space, where=where, pareto=("macs", "params")))
    assert len(counted.calls) == 1
    monkeypatch.setattr(Sweep, "_table", lambda self: None)
    assert looked_up == _rows(sweep) and looked_up
