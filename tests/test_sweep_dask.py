"""A sweep on dask gives the rows of a sweep in this process: on dask's threads and on a local
dask.distributed cluster, for every point, for the points the constraints keep and for a Pareto front."""

from __future__ import annotations

import numpy as np
import pytest

from symconv import derive, variants
from symconv.sweep.engine import Rows, Sweep, run
from symconv.sweep.evaluators import LayerEvaluator
from symconv.sweep.space import Space, read_axis
from symconv.symbols import new_symbol

dask = pytest.importorskip("dask", reason="the dask engine needs dask (the extra 'sweep')")


@pytest.fixture(scope="module")
def sweeps() -> list[Sweep]:
    k = new_symbol("k")
    layer = LayerEvaluator.of(derive(variants.grouped(2, {"N": 1, "k_h": k, "k_w": k, "H_out": 7, "W_out": 7,
                                                           "g": 2}, bias=True)))
    axes = (read_axis("C_in=2:64:2"), read_axis("C_out=2:64:2"), read_axis("k=1:7:2"))
    grid = Space(axes, chunk=500)
    sample = Space(axes, samples=3000, seed=11, chunk=700)
    return [Sweep.build(layer, grid, where=["macs <= 4e5", "C_in <= C_out"]),
            Sweep.build(layer, grid, pareto=("flops", "params"), where=["flops >= 1e5"]),
            Sweep.build(layer, sample)]


def as_lists(chunks: list[Rows]) -> list[tuple[list[int], list[list[int]], dict[str, list[int]]]]:
    return [(r.positions.tolist(), [i.tolist() for i in r.indices], {k: np.asarray(v).tolist()
                                                                     for k, v in r.totals.items()}) for r in chunks]


def test_dask_threads_give_the_local_rows(sweeps):
    for sweep in sweeps:
        assert as_lists(list(run(sweep, engine="dask"))) == as_lists(list(run(sweep, engine="local")))


def test_a_local_cluster_gives_the_local_rows(sweeps):
    distributed = pytest.importorskip("distributed", reason="--scheduler needs dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) \
            as cluster:
        for sweep in sweeps:
            local = as_lists(list(run(sweep, engine="local")))
            assert as_lists(list(run(sweep, scheduler=cluster.scheduler_address))) == local
            assert any(positions for positions, _, _ in local)


def test_a_sweep_pickles_for_the_workers_of_a_cluster(sweeps):
    import pickle

    for sweep in sweeps:
        again = pickle.loads(pickle.dumps(sweep))
        assert as_lists([again.chunk(1)]) == as_lists([sweep.chunk(1)])


def test_workers_in_other_processes_compile_their_own_code(sweeps):
    distributed = pytest.importorskip("distributed", reason="--scheduler needs dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster:
        sweep = sweeps[1]
        assert as_lists(list(run(sweep, scheduler=cluster.scheduler_address))) == \
            as_lists(list(run(sweep, engine="local")))


def test_the_command_on_a_cluster_prints_the_local_rows(capsys):
    distributed = pytest.importorskip("distributed", reason="--scheduler needs dask.distributed")
    from symconv.cli import main

    args = ["sweep", "depthwise", "--no-bias", "--set", "N=1", "--set", "m=1", "--set", "k_h=3", "--set", "k_w=3",
            "--grid", "C_in=8:256:8", "--grid", "H_out=7,14,28", "--grid", "W_out=7,14,28", "--where",
            "macs <= 1e5", "--quiet"]
    assert main(args) == 0
    local = capsys.readouterr().out
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) \
            as cluster:
        assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    assert capsys.readouterr().out == local and local.count("\n") > 5
