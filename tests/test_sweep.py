"""symconv.sweep: the design space, the exact constraints and Pareto front against brute-force references, the
chunked engine on a variant's generated code and on a hand-built evaluator of rational symbols, the writers."""

from __future__ import annotations

import io
import json
import pickle
import sys
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import derive, variants
from symconv.errors import FormulaError, SymconvError
from symconv.limits import MAX_AXIS_VALUES, MAX_SWEEP_POINTS
from symconv.sweep.constraints import OPERATORS, read_constraints
from symconv.sweep.engine import Rows, Sweep, choose_engine, run
from symconv.sweep.evaluators import Evaluator, LayerEvaluator
from symconv.sweep.pareto import front
from symconv.sweep.progress import Progress
from symconv.sweep.space import Axis, Space, read_axis
from symconv.sweep.writers import CsvWriter, JsonLinesWriter, format_of, writer_for
from symconv.symbols import new_symbol


class Toy:
    """A hand-built evaluator of two rational symbols, as a network's generated code is: alpha in eighths,
    rho in sevenths, each given as floats and read as the nearest such rational."""

    symbols = ("alpha", "rho", "N")
    totals = ("params", "macs")

    def __call__(self, **settings: object) -> dict[str, np.ndarray]:
        alpha8 = self._read(settings["alpha"], 8)
        rho7 = self._read(settings["rho"], 7)
        n = np.asarray(settings["N"], dtype=np.int64)
        channels = 8 * alpha8  # 64 alpha
        params = channels * channels + channels
        macs = n * params * (32 * rho7) ** 2  # (224 rho)^2 positions
        return {"params": params, "macs": macs}

    @staticmethod
    def _read(value: object, denominator: int) -> np.ndarray:
        scaled = np.asarray(value, dtype=np.float64) * denominator
        nearest = np.rint(scaled)
        if (np.abs(scaled - nearest) > 1e-9 * denominator).any() or (nearest < 1).any():
            raise SymconvError(f"not a multiple of 1/{denominator}")
        return nearest.astype(np.int64)


def toy_reference(alpha: Fraction, rho: Fraction, n: int) -> dict[str, int]:
    channels = int(64 * alpha)
    params = channels * channels + channels
    return {"params": params, "macs": n * params * int(224 * rho) ** 2}


# --- the space ---------------------------------------------------------------------------------------------

def test_axes_are_exact_ranges_and_lists():
    assert read_axis("alpha=1/4:1:1/8").values == tuple(Fraction(k, 8) for k in range(2, 9))
    assert read_axis("rho=4/7:1:1/7").values == tuple(Fraction(k, 7) for k in range(4, 8))
    assert read_axis("k=1,3,5").values == (1, 3, 5)
    assert read_axis("x=0.5:1:0.25").values == (Fraction(1, 2), Fraction(3, 4), 1)
    assert read_axis("k=1:10:4").values == (1, 5, 9)  # the stop is included only when a step reaches it
    assert read_axis("alpha=1/4:1:1/8").denominator == 8


@pytest.mark.parametrize(("text", "message"), [
    ("alpha", "expected NAME="),
    ("alpha=", "expected NAME="),
    ("alpha=1:2", "three numbers"),
    ("alpha=1:2:0", "step must be positive"),
    ("alpha=2:1:1", "before its start"),
    ("alpha=1,,2", "an empty value"),
    ("alpha=k_h", "is not a number"),
    ("alpha=k", "unknown symbol"),
    ("alpha=__import__('os')", "not allowed"),
    ("1x=1", "a symbol's name"),
    (f"k=1:{MAX_AXIS_VALUES + 1}:1", "over the limit"),
])
def test_bad_axes_are_one_line(text, message):
    with pytest.raises(SymconvError, match=message):
        read_axis(text)


def test_grid_order_chunks_and_unravel():
    space = Space((read_axis("a=1:7:1"), read_axis("b=1:5:1"), read_axis("c=1:3:1")), chunk=11)
    assert space.points == 105 and space.chunks == 10
    whole = np.array(list(np.ndindex(7, 5, 3)))
    got = np.concatenate([np.stack(space.indices(c), axis=1) for c in range(space.chunks)])
    assert (got == whole).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=4), st.integers(1, 50))
def test_the_grid_gathered_by_runs_is_the_grid_read_in_order(shape, chunk):
    axes = tuple(Axis(f"a{i}", tuple(range(10, 10 + n))) for i, n in enumerate(shape))
    space = Space(axes, chunk=chunk)
    whole = np.array(list(np.ndindex(*shape)))
    for number in range(space.chunks):
        start, stop = space.bounds(number)
        indices = np.stack(space.indices(number), axis=1)
        assert (indices == whole[start:stop]).all()
        assert (np.stack(space.indices_at(np.arange(start, stop)), axis=1) == indices).all()
        gathered = space.gather(number, [a.numerators * 3 for a in axes])
        assert all((g == (indices[:, i] + 10) * 3).all() for i, g in enumerate(gathered))


def test_samples_are_reproducible_per_chunk_and_in_the_grid():
    axes = (read_axis("a=1:1000:1"), read_axis("b=1,2,3"))
    space = Space(axes, samples=1000, seed=5, chunk=300)
    assert space.chunks == 4 and space.bounds(3) == (900, 1000)
    again = Space(axes, samples=1000, seed=5, chunk=300)
    for c in range(space.chunks):
        for x, y in zip(space.indices(c), again.indices(c), strict=True):
            assert (x == y).all()
    a, b = space.indices(2)
    assert len(a) == 300 and a.min() >= 0 and a.max() < 1000 and set(b.tolist()) <= {0, 1, 2}
    other = Space(axes, samples=1000, seed=6, chunk=300)
    assert not (other.indices(0)[0] == a).all()


def test_the_limit_bounds_the_space():
    axes = (read_axis("a=1:100000:1"), read_axis("b=1:100000:1"))
    with pytest.raises(SymconvError, match=f"over the limit of {MAX_SWEEP_POINTS:,}"):
        Space(axes)
    assert Space(axes, limit=10**10).points == 10**10
    with pytest.raises(SymconvError, match="over the limit"):
        Space(axes[:1], samples=MAX_SWEEP_POINTS + 1)
    with pytest.raises(SymconvError, match="two axes"):
        Space((axes[0], axes[0]))


# --- constraints, against a brute-force reference --------------------------------------------------------

def _brute(constraint, values: dict[str, Fraction]) -> bool:
    subs = {new_symbol(k): sympy.Rational(v.numerator, v.denominator) for k, v in values.items()}
    left = sympy.Rational(constraint.left.xreplace(subs))
    right = sympy.Rational(constraint.right.xreplace(subs))
    return bool(OPERATORS[constraint.op](left, right))


terms = st.builds(lambda c, x, k: f"{c}*{x}^{k}", st.integers(-2**40, 2**40), st.sampled_from(["x", "y", "macs"]),
                  st.integers(0, 3))
sides = st.one_of(
    st.lists(terms, min_size=1, max_size=4).map(" + ".join),
    st.builds(lambda a, b: f"({a})/({b})", st.lists(terms, min_size=1, max_size=3).map(" + ".join),
              st.sampled_from(["x", "y", "2*macs + x", "3", "-5*y"])),
    st.integers(-10**20, 10**20).map(str),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(1, 999), st.integers(-6, 12)),
)


@settings(max_examples=150, deadline=None)
@given(left=sides, op=st.sampled_from(list(OPERATORS)), right=sides,
       data=st.lists(st.tuples(st.integers(1, 2**40), st.integers(1, 60), st.integers(1, 2**62)), min_size=1,
                     max_size=8))
def test_constraints_are_exact(left, op, right, data):
    # x an integer symbol, y a symbol in sixths, macs a count: int64 where the bound fits, Python ints beyond
    (constraint,) = read_constraints(f"{left} {op} {right}", {"x": 1, "y": 6, "macs": 1})
    x, y6, macs = (np.array(column, dtype=np.int64) for column in zip(*data, strict=True))
    columns = {"x": x, "y": y6, "macs": macs}
    got = constraint.holds({name: columns[name] for name in constraint.names}) if constraint.names else \
        np.broadcast_to(constraint.holds({}), len(x))
    expected = [_brute(constraint, {"x": Fraction(int(a)), "y": Fraction(int(b), 6), "macs": Fraction(int(c))})
                for a, b, c in data]
    assert np.broadcast_to(got, len(x)).tolist() == expected


def test_constraints_read_chains_fixed_values_and_scientific_numbers():
    low, high = read_constraints("1e8 <= macs <= 3.5e8", {"macs": 1})
    assert (low.op, high.op) == ("<=", "<=")
    macs = np.array([99_999_999, 10**8, 350_000_000, 350_000_001])
    assert (low.holds({"macs": macs}) & high.holds({"macs": macs})).tolist() == [False, True, True, False]
    (c,) = read_constraints("macs <= N * 100", {"macs": 1}, {"N": Fraction(3)})
    assert c.holds({"macs": np.array([300, 301])}).tolist() == [True, False]
    (c,) = read_constraints("2.5e-3 * macs < 1", {"macs": 1})
    assert c.holds({"macs": np.array([399, 400])}).tolist() == [True, False]


@pytest.mark.parametrize(("text", "message"), [
    ("macs", "compares two sides"),
    ("macs = 3", "equality is =="),
    ("macs <= ", "a formula on each side"),
    ("macs <= max(params, 3)", "max is not allowed"),
    ("macs <= params^(1/2)", "integer powers only"),
    ("mac <= 3", "mac is neither a count nor a symbol of the sweep \\(did you mean macs\\?\\)"),
    ("macs <= __import__('os')", "not allowed"),
    ("macs <= 1e99", "exponent"),
])
def test_bad_constraints_are_one_line(text, message):
    with pytest.raises((SymconvError, FormulaError), match=message):
        read_constraints(text, {"macs": 1, "params": 1})


def test_a_denominator_of_zero_is_refused():
    (c,) = read_constraints("macs / x <= 1", {"macs": 1, "x": 1})
    with pytest.raises(SymconvError, match="divides by zero"):
        c.holds({"macs": np.array([1]), "x": np.array([0])})


# --- the Pareto front, against a brute-force reference ---------------------------------------------------

def _brute_front(a: list[int], b: list[int]) -> list[int]:
    def beaten(i: int) -> bool:
        return any(a[j] <= a[i] and b[j] <= b[i] and (a[j] < a[i] or b[j] < b[i]) for j in range(len(a)))

    return sorted((i for i in range(len(a)) if not beaten(i)), key=lambda i: (a[i], b[i], i))


values = st.one_of(st.integers(0, 6), st.integers(-2**62, 2**62))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(values, values), max_size=40), st.booleans())
def test_pareto_front_is_the_brute_force_front(points, huge):
    a = [p[0] for p in points]
    b = [p[1] for p in points]
    if huge:  # counts beyond int64, as object arrays of exact ints
        a = [v * 2**70 for v in a]
    arrays = [np.array(column, dtype=object if huge else np.int64) for column in (a, b)]
    assert front(*arrays).tolist() == _brute_front(a, b)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=60), st.integers(1, 7))
def test_front_of_fronts_is_the_front(points, parts):
    a = np.array([p[0] for p in points])
    b = np.array([p[1] for p in points])
    kept = np.concatenate([chunk[front(a[chunk], b[chunk])] for chunk in np.array_split(np.arange(len(a)), parts)])
    merged = kept[front(a[kept], b[kept], kept)]
    assert merged.tolist() == front(a, b).tolist()


# --- the engine ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def standard() -> LayerEvaluator:
    k = new_symbol("k")
    layer = variants.standard(2, {"N": 1, "k_h": k, "k_w": k, "H_out": 14, "W_out": 14}, bias=True)
    return LayerEvaluator.of(derive(layer))


def _reference_standard(c_in: int, c_out: int, k: int) -> dict[str, int]:
    macs = c_in * c_out * k * k * 14 * 14
    adds = 14 * 14 * c_out * c_in * k * k
    return {"params": c_out * (c_in * k * k + 1), "mults": macs, "adds": adds, "flops": macs + adds, "macs": macs}


def _table(rows_list: list[Rows], sweep: Sweep) -> list[tuple]:
    table = []
    for rows in rows_list:
        for i in range(len(rows)):
            point = tuple(a.values[int(index[i])] for a, index in zip(sweep.space.axes, rows.indices, strict=True))
            table.append((int(rows.positions[i]), point, tuple(int(rows.totals[t][i]) for t in sweep.columns
                                                                 if t in rows.totals)))
    return table


def test_a_variant_is_swept_exactly_with_constraints(standard):
    assert isinstance(standard, Evaluator) and standard.symbols == ("C_in", "C_out", "k")
    space = Space((read_axis("C_in=1:40:3"), read_axis("C_out=8,16,32"), read_axis("k=1:7:2")), chunk=17)
    sweep = Sweep.build(standard, space, where=["macs <= 2e6", "k >= 3", "C_out/C_in < 3"])
    got = _table(list(run(sweep, engine="local")), sweep)
    expected = []
    for position, (c_in, c_out, k) in enumerate((x, y, z) for x in range(1, 41, 3) for y in (8, 16, 32)
                                                for z in range(1, 8, 2)):
        counts = _reference_standard(c_in, c_out, k)
        if counts["macs"] <= 2 * 10**6 and k >= 3 and Fraction(c_out, c_in) < 3:
            expected.append((position, (c_in, c_out, k), tuple(counts[t] for t in standard.totals)))
    assert got == expected and len(got) > 10


def test_the_pareto_front_of_a_sweep_is_the_brute_force_front(standard):
    space = Space((read_axis("C_in=1:30:1"), read_axis("C_out=1:30:1"), read_axis("k=1,3")), chunk=97)
    sweep = Sweep.build(standard, space, where=["flops >= 50000"], pareto=("flops", "params"))
    [rows] = list(run(sweep))
    everything = Sweep.build(standard, Space(space.axes), where=["flops >= 50000"])
    [all_rows] = list(run(everything))
    expected = all_rows.positions[_brute_front(all_rows.totals["flops"].tolist(), all_rows.totals["params"].tolist())]
    assert rows.positions.tolist() == expected.tolist()


def test_chunking_does_not_change_the_rows(standard):
    axes = (read_axis("C_in=1:20:1"), read_axis("C_out=1:20:1"), read_axis("k=1,3,5"))
    tables = [_table(list(run(Sweep.build(standard, Space(axes, chunk=chunk), where=["params < 2000"]))),
                     Sweep.build(standard, Space(axes), where=[]))
              for chunk in (1, 7, 256, 10**6)]
    assert tables[0] == tables[1] == tables[2] == tables[3]


def test_a_hand_built_evaluator_of_rational_symbols():
    space = Space((read_axis("alpha=1/4:1:1/8"), read_axis("rho=4/7:1:1/7")), chunk=5)
    sweep = Sweep.build(Toy(), space, fixed={"N": 2}, where=["macs <= 300e6", "alpha >= 3/8"],
                        pareto=("macs", "params"))
    got = [(sweep.space.axes[0].values[int(i)], sweep.space.axes[1].values[int(j)])
           for rows in run(sweep) for i, j in zip(*rows.indices, strict=True)]
    points = [(a, r) for a in space.axes[0].values for r in space.axes[1].values]
    counts = [toy_reference(a, r, 2) for a, r in points]
    ok = [i for i, (a, _) in enumerate(points) if counts[i]["macs"] <= 300 * 10**6 and a >= Fraction(3, 8)]
    best = _brute_front([counts[i]["macs"] for i in ok], [counts[i]["params"] for i in ok])
    assert got == [points[ok[i]] for i in best]


def test_sweep_plans_are_checked(standard):
    space = Space((read_axis("C_in=1,2"), read_axis("C_out=1,2")))
    with pytest.raises(SymconvError, match="needs a value of k"):
        Sweep.build(standard, space)
    with pytest.raises(SymconvError, match="alpha is not a symbol of the target"):
        Sweep.build(standard, Space((*space.axes, read_axis("k=1"), read_axis("alpha=1"))))
    full = Space((*space.axes, read_axis("k=1")))
    with pytest.raises(SymconvError, match="macss is not a count \\(did you mean macs\\?\\)"):
        Sweep.build(standard, full, pareto=("macss", "params"))
    with pytest.raises(SymconvError, match="two different counts"):
        Sweep.build(standard, full, pareto=("macs", "macs"))
    with pytest.raises(SymconvError, match="both an axis and a fixed value"):
        Sweep.build(standard, full, fixed={"k": 3})


def test_a_point_that_is_not_a_layer_is_named(standard):
    space = Space((read_axis("C_in=1,2"), read_axis("C_out=1,2"), read_axis("k=1,0")))
    with pytest.raises(SymconvError, match=r"^at C_in=1, C_out=1, k=0: params\(\): k must be >= 1, got 0$"):
        list(run(Sweep.build(standard, space)))
    # the constraints on the symbols alone come first: they keep such points out
    assert sum(len(r) for r in run(Sweep.build(standard, space, where=["k >= 1"]))) == 4
    fractions = Space((read_axis("C_in=1/2,1"), read_axis("C_out=1"), read_axis("k=1")))
    with pytest.raises(SymconvError, match="C_in is an integer"):
        list(run(Sweep.build(standard, fractions)))


def test_an_evaluator_pickles_as_its_functions(standard):
    again = pickle.loads(pickle.dumps(standard))
    args = {"C_in": np.array([3, 4]), "C_out": 5, "k": 3}
    assert {k: v.tolist() for k, v in again(**args).items()} == {k: v.tolist() for k, v in standard(**args).items()}


def test_counts_beyond_int64_stay_exact(standard):
    space = Space((read_axis("C_in=1,10000000000"), read_axis("C_out=10000000000"), read_axis("k=1")))
    [rows] = list(run(Sweep.build(standard, space, where=["macs > 1e20"])))
    assert rows.totals["macs"].tolist() == [10**20 * 196]


def test_the_engine_is_local_unless_the_space_outgrows_memory(standard):
    small = Sweep.build(standard, Space((read_axis("C_in=1,2"), read_axis("C_out=1"), read_axis("k=1"))))
    assert choose_engine(small) == "local"
    assert choose_engine(small, scheduler="tcp://127.0.0.1:1") == "dask"
    assert choose_engine(small, "dask") == "dask"
    with pytest.raises(SymconvError, match="engine must be one of"):
        choose_engine(small, "spark")


# --- the writers and the progress bar ------------------------------------------------------------------------

def _rows_of_toy() -> tuple[Space, list[Rows]]:
    space = Space((read_axis("alpha=1/2,1"), read_axis("rho=1")))
    return space, list(run(Sweep.build(Toy(), space, fixed={"N": 1})))


def test_csv_and_json_lines_are_exact():
    space, chunks = _rows_of_toy()
    out = io.StringIO()
    with CsvWriter(out, space, Toy.totals) as table:
        for rows in chunks:
            table.write(rows.indices, rows.totals)
    expected = [toy_reference(Fraction(1, 2), Fraction(1), 1), toy_reference(Fraction(1), Fraction(1), 1)]
    assert out.getvalue().splitlines() == ["alpha,rho,params,macs",
                                           f"1/2,1,{expected[0]['params']},{expected[0]['macs']}",
                                           f"1,1,{expected[1]['params']},{expected[1]['macs']}"]
    out = io.StringIO()
    with JsonLinesWriter(out, space, Toy.totals) as table:
        table.write((np.array([1]), np.array([0])), {"params": np.array([2**70], dtype=object), "macs": np.array([1])})
    assert json.loads(out.getvalue()) == {"alpha": "1", "rho": 1, "params": 2**70, "macs": 1}


def test_parquet(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet is written through pyarrow")
    space, chunks = _rows_of_toy()
    path = tmp_path / "out.parquet"
    with writer_for(path, io.StringIO(), space, Toy.totals) as table:
        for rows in chunks:
            table.write(rows.indices, rows.totals)
    read = pq.read_table(path).to_pydict()
    assert read["alpha"] == ["1/2", "1"] and read["rho"] == [1, 1]
    assert read["macs"] == [toy_reference(Fraction(1, 2), Fraction(1), 1)["macs"],
                            toy_reference(Fraction(1), Fraction(1), 1)["macs"]]
    with writer_for(tmp_path / "big.parquet", io.StringIO(), space, Toy.totals) as table, \
            pytest.raises(SymconvError, match="exceeds 64-bit integers"):
        table.write((np.array([0]), np.array([0])), {"params": np.array([2**64], dtype=object), "macs": np.array([1])})


def test_parquet_without_pyarrow_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    space, _ = _rows_of_toy()
    with pytest.raises(SymconvError, match="needs pyarrow: pip install pyarrow"):
        writer_for(tmp_path / "out.parquet", io.StringIO(), space, Toy.totals)


def test_formats_by_suffix():
    assert [format_of(p) for p in ("a.csv", "b.JSONL", "c.parquet")] == ["csv", "jsonl", "parquet"]
    with pytest.raises(SymconvError, match="write to a file ending in"):
        format_of("out.xlsx")


def test_progress_draws_only_on_a_terminal():
    quiet = Progress(10, io.StringIO())
    quiet.update(10)
    quiet.close()
    assert quiet.stream.getvalue() == ""
    clock = iter([0.0, 0.01, 0.05, 1.0]).__next__
    bar = Progress(100, io.StringIO(), enabled=True, clock=clock)
    bar.update(10)  # drawn: the first
    bar.update(10)  # not: 50 ms after it
    bar.update(80)  # drawn: done
    bar.close()
    drawn = bar.stream.getvalue().split("\r")[1:]
    assert len(drawn) == 2 and "100%" in drawn[-1] and "100/100 points" in drawn[-1]


def test_axis_values_must_be_exact():
    with pytest.raises(SymconvError, match="not an exact number"):
        Axis("alpha", (0.5,))
    with pytest.raises(SymconvError, match="at least one value"):
        Axis("alpha", ())


def test_a_family_sweeps_targets_that_differ_in_a_value_they_do_not_name():
    from symconv.sweep.evaluators import Family

    members = {k: LayerEvaluator.of(derive(variants.standard(2, {"N": 1, "k_h": k, "k_w": k, "H_out": 14,
                                                                  "W_out": 14}, bias=True))) for k in (1, 3, 5)}
    family = pickle.loads(pickle.dumps(Family("k", members)))
    space = Space((read_axis("C_in=1:40:3"), read_axis("C_out=8,16,32"), read_axis("k=1:5:2")), chunk=13)
    got = _table(list(run(Sweep.build(family, space, where=["macs <= 2e6"]))), Sweep.build(family, space))
    expected = []
    for position, (c_in, c_out, k) in enumerate((x, y, z) for x in range(1, 41, 3) for y in (8, 16, 32)
                                                for z in (1, 3, 5)):
        counts = _reference_standard(c_in, c_out, k)
        if counts["macs"] <= 2 * 10**6:
            expected.append((position, (c_in, c_out, k), tuple(counts[t] for t in family.totals)))
    assert got == expected
    with pytest.raises(SymconvError, match="k = 7 is not a member of the family"):
        family(k=np.array([7]), C_in=1, C_out=1)


def test_a_front_of_random_points_holds_each_setting_once(standard):
    axes = (read_axis("C_in=1:4:1"), read_axis("C_out=1:4:1"), read_axis("k=1,3"))
    [rows] = list(run(Sweep.build(standard, Space(axes, samples=500, seed=2, chunk=64), pareto=("macs", "params"))))
    settings = list(zip(*(i.tolist() for i in rows.indices), strict=True))
    assert settings == [(0, 0, 0)] and rows.positions[0] == min(
        p for c in range(8) for p, a, b, k in zip(range(64 * c, 64 * c + 64),
                                                  *Space(axes, samples=500, seed=2, chunk=64).indices(c), strict=False)
        if (a, b, k) == (0, 0, 0))
