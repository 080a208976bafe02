"""symconv.codegen.module: the generated numeric functions (generate_module, compile_functions): exact on
ints, equal on arrays, never wrapped, checked, deterministic, fast.

Every claim is checked against an obviously correct reference: SymPy's exact value of the closed form, or
the generated function itself called on one element at a time with Python ints.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import argument_values, closed_form_polynomials

from symconv.codegen import Definition, NumericFunction, compile_functions, generate_module
from symconv.symbols import new_symbol, sym

N, C_in, C_out, g, b, C_in_g = map(sym, ["N", "C_in", "C_out", "g", "b", "C_in_g"])
H_in, H_out, W_out, k_h, k_w, s_h, p_h, d_h = map(
    sym, ["H_in", "H_out", "W_out", "k_h", "k_w", "s_h", "p_h", "d_h"]
)
k = new_symbol("k")
INT64_MAX = 2**63 - 1
TITLE = "Counts of a 2-D convolution"

FLOPS = NumericFunction(
    "flops",
    N * C_out * H_out * W_out * (2 * C_in * k_h * k_w + b - 1),
    "exact FLOPs (mults + adds) of a standard 2-D convolution",
)
GROUPED = NumericFunction(
    "grouped_flops",
    N * C_out * H_out * W_out * (2 * C_in_g * k_h * k_w + b - 1),
    "exact FLOPs of a grouped 2-D convolution",
    (Definition(C_in_g, C_in, g),),
)
OUTPUT_HEIGHT = NumericFunction(
    "output_height",
    sympy.floor((H_in + 2 * p_h - d_h * (k_h - 1) - 1) / s_h) + 1,
    "output height of a 2-D convolution",
)
SQUARE = NumericFunction("square_params", C_out * (C_in * k**2 + b), "parameters of a k x k convolution")
ALL = [FLOPS, GROUPED, OUTPUT_HEIGHT, SQUARE]


@pytest.fixture(scope="module")
def compiled():
    return compile_functions(ALL)


def exact(function: NumericFunction, values: dict[str, int]) -> int:
    """SymPy's exact value of the closed form, with the definitions substituted as exact quotients."""
    expr = function.expr.subs({d.symbol: d.numerator / d.denominator for d in function.definitions})
    value = expr.xreplace({s: sympy.Integer(values[s.name]) for s in expr.free_symbols})
    assert value.is_Integer, value
    return int(value)


def per_element(function, arrays: dict[str, np.ndarray]) -> list[int]:
    """The generated function on one element at a time, as Python ints: the obviously correct reference."""
    names = list(arrays)
    columns = np.broadcast_arrays(*arrays.values())
    return [
        function(**{n: int(c.flat[i]) for n, c in zip(names, columns, strict=True)})
        for i in range(columns[0].size)
    ]


def realistic(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Realistic layer sizes for the standard FLOPs example."""
    rng = np.random.default_rng(seed)
    return {
        "N": rng.integers(1, 65, n),
        "C_in": rng.integers(1, 2049, n),
        "C_out": rng.integers(1, 2049, n),
        "H_out": rng.integers(1, 513, n),
        "W_out": rng.integers(1, 513, n),
        "k_h": rng.integers(1, 12, n),
        "k_w": rng.integers(1, 12, n),
        "b": rng.integers(0, 2, n),
    }


# --- ints: exact Python ints --------------------------------------------------------------------------------

STANDARD = {"N": 8, "C_in": 64, "C_out": 128, "H_out": 56, "W_out": 56, "k_h": 3, "k_w": 3, "b": 1}


@pytest.mark.parametrize(
    "values",
    [
        STANDARD,
        {**STANDARD, "b": 0},
        {**STANDARD, "C_in": 10**12},
        {**STANDARD, "C_in": 10**12, "C_out": 10**12, "N": 10**6},  # far beyond int64
        {name: 1 for name in STANDARD} | {"b": 0},
    ],
)
def test_ints_are_exact_python_ints(compiled, values):
    result = compiled["flops"](**values)
    assert type(result) is int
    assert result == exact(FLOPS, values)


def test_numpy_integer_scalars_give_python_ints(compiled):
    values = {name: np.int32(v) for name, v in STANDARD.items()}
    result = compiled["flops"](**values)
    assert type(result) is int and result == exact(FLOPS, STANDARD)


def test_a_definition_is_an_exact_quotient(compiled):
    values = {**STANDARD, "C_in": 64, "g": 4}
    assert compiled["grouped_flops"](**values) == exact(GROUPED, values)
    assert compiled["grouped_flops"](**{**values, "g": 64}) == exact(GROUPED, {**values, "g": 64})


@pytest.mark.parametrize(
    "values",
    [
        {"H_in": 224, "k_h": 7, "s_h": 2, "p_h": 3, "d_h": 1},
        {"H_in": 5, "k_h": 3, "s_h": 3, "p_h": 0, "d_h": 2},
        {"H_in": 10**15 + 3, "k_h": 3, "s_h": 7, "p_h": 1, "d_h": 2},
        {"H_in": 1, "k_h": 1, "s_h": 1, "p_h": 0, "d_h": 1},
    ],
)
def test_floor_division_is_pythons(compiled, values):
    assert compiled["output_height"](**values) == exact(OUTPUT_HEIGHT, values)


def test_a_user_introduced_name_is_an_argument(compiled):
    assert SQUARE.parameters == ("C_in", "C_out", "b", "k")
    assert compiled["square_params"](C_in=3, C_out=64, b=1, k=7) == 64 * (3 * 49 + 1)


# --- arrays: int64, equal to the per-element values ---------------------------------------------------------


def test_arrays_equal_the_per_element_values(compiled):
    arrays = realistic(200)
    result = compiled["flops"](**arrays)
    assert result.dtype == np.int64 and result.shape == (200,)
    assert result.tolist() == per_element(compiled["flops"], arrays)
    first = {name: int(a[0]) for name, a in arrays.items()}
    assert result[0] == exact(FLOPS, first)


def test_arrays_broadcast_with_ints_and_each_other(compiled):
    arrays = {
        "N": np.array([[1], [8], [64]]),
        "C_in": np.array([3, 64, 512, 2048]),
        "C_out": 256,
        "H_out": np.int64(14),
        "W_out": 14,
        "k_h": np.array(3, dtype=np.int16),
        "k_w": 3,
        "b": np.array([0, 1, 1, 0], dtype=np.uint8),
    }
    result = compiled["flops"](**arrays)
    assert result.shape == (3, 4) and result.dtype == np.int64
    assert result.ravel().tolist() == per_element(compiled["flops"], arrays)


def test_arrays_with_definitions_and_floors(compiled):
    rng = np.random.default_rng(1)
    groups = rng.choice([1, 2, 4, 8], 100)
    arrays = {**realistic(100, seed=2), "g": groups, "C_in": groups * rng.integers(1, 256, 100)}
    assert compiled["grouped_flops"](**arrays).tolist() == per_element(compiled["grouped_flops"], arrays)
    sizes = {
        "H_in": rng.integers(1, 512, 100),
        "k_h": rng.integers(1, 4, 100),
        "s_h": rng.integers(1, 4, 100),
        "p_h": rng.integers(0, 3, 100),
        "d_h": rng.integers(1, 3, 100),
    }
    result = compiled["output_height"](**sizes)
    assert result.dtype == np.int64
    assert result.tolist() == per_element(compiled["output_height"], sizes)


def test_empty_and_zero_dimensional_arrays(compiled):
    empty = {name: np.array([], dtype=np.int64) for name in STANDARD}
    assert compiled["flops"](**empty).shape == (0,)
    scalar = {name: np.array(v) for name, v in STANDARD.items()}
    result = compiled["flops"](**scalar)
    assert result.shape == () and result.dtype == np.int64 and int(result) == exact(FLOPS, STANDARD)


def test_object_arrays_of_ints_are_exact(compiled):
    values = {**STANDARD, "C_in": np.array([3, 10**30], dtype=object)}
    result = compiled["flops"](**values)
    assert result.dtype == object
    assert result.tolist() == [
        exact(FLOPS, {**STANDARD, "C_in": 3}),
        exact(FLOPS, {**STANDARD, "C_in": 10**30}),
    ]


# --- arrays never wrap around -------------------------------------------------------------------------------

PRODUCT = NumericFunction("product", C_in * C_out)
GATED = NumericFunction("gated", b * C_in * C_out)
RATIO = NumericFunction("ratio", sympy.floor(C_in * C_out / g))
BOUNDARY = [PRODUCT, GATED, RATIO, FLOPS]


@pytest.fixture(scope="module")
def boundary():
    return compile_functions(BOUNDARY)


@pytest.mark.parametrize(
    ("c_in", "c_out", "dtype"),
    [
        ([2**62 - 1, 5], [2, 1], np.int64),  # the bound (2**62 - 1)*2 = 2**63 - 2 fits
        ([2**63 - 1, 5], [1, 1], np.int64),  # exactly int64's maximum
        ([2**62, 5], [2, 1], object),  # 2**63: one past it
        ([2**63 - 1, 5], [2, 1], object),
        ([2**32, 1], [1, 2**32], object),  # each product fits, the bound 2**64 does not: still exact
    ],
)
def test_the_boundary_of_int64_on_both_sides(boundary, c_in, c_out, dtype):
    result = boundary["product"](C_in=np.array(c_in), C_out=np.array(c_out))
    assert result.dtype == dtype
    assert result.tolist() == [x * y for x, y in zip(c_in, c_out, strict=True)]


BIG = 200_003  # more than one block of rows: arrays are scanned and computed block by block


def test_large_arrays_equal_numpy_written_by_hand(compiled):
    arrays = realistic(BIG, seed=3)
    N_, C_in_, C_out_, H_out_, W_out_, k_h_, k_w_, b_ = arrays.values()
    by_hand = N_ * C_out_ * H_out_ * W_out_ * (2 * C_in_ * k_h_ * k_w_ + b_ - 1)
    result = compiled["flops"](**arrays)
    assert result.dtype == np.int64 and np.array_equal(result, by_hand)


def test_large_two_dimensional_arrays_are_blocked_by_rows(compiled):
    rng = np.random.default_rng(4)
    rows = {"N": rng.integers(1, 65, (301, 1)), "C_in": rng.integers(1, 2049, (301, 1000))}
    columns = {"C_out": rng.integers(1, 2049, 1000), "H_out": rng.integers(1, 513, (1, 1000))}
    values = {**rows, **columns, "W_out": 7, "k_h": 3, "k_w": np.int64(3), "b": np.array(1)}
    result = compiled["flops"](**values)
    assert result.shape == (301, 1000) and result.dtype == np.int64
    expected = values["N"] * values["C_out"] * values["H_out"] * 7 * (2 * values["C_in"] * 9 + 1 - 1)
    assert np.array_equal(result, expected)


@pytest.mark.parametrize("position", [0, BIG // 2, BIG - 1])
def test_a_bad_value_in_any_block_is_reported_with_its_index(compiled, position):
    arrays = realistic(BIG, seed=5)
    arrays["C_in"][position] = -3
    with pytest.raises(ValueError, match=f"C_in must not be negative, got -3 at index {position}$"):
        compiled["flops"](**arrays)
    arrays = realistic(BIG, seed=5)
    arrays["b"][position] = 5
    with pytest.raises(ValueError, match=f"b must be 0 or 1, got 5 at index {position}$"):
        compiled["flops"](**arrays)
    groups = np.full(BIG, 2)
    c_in = np.full(BIG, 64)
    c_in[position] = 63
    with pytest.raises(ValueError, match=f"C_in = 63 is not divisible by g = 2 at index {position}$"):
        compiled["grouped_flops"](**{**STANDARD, "C_in": c_in, "g": groups})


def test_a_value_too_large_in_the_last_block_gives_an_exact_object_array(boundary):
    c_in = np.full(BIG, 3)
    c_in[-1] = 2**62
    result = boundary["product"](C_in=c_in, C_out=np.full(BIG, 2))
    assert result.dtype == object
    assert result[0] == 6 and result[-1] == 2**63


def test_uint64_values_beyond_int64_are_exact(boundary):
    result = boundary["product"](C_in=np.array([2**64 - 1], dtype=np.uint64), C_out=np.array([3]))
    assert result.dtype == object and result.tolist() == [3 * (2**64 - 1)]


def test_flops_near_the_boundary_are_never_wrapped(boundary):
    base = {"C_in": 2048, "C_out": 2048, "H_out": 512, "W_out": 512, "k_h": 11, "k_w": 11, "b": 1}
    per_batch = exact(FLOPS, {**base, "N": 1})
    middle = INT64_MAX // per_batch
    batches = np.arange(middle - 3, middle + 4)
    result = boundary["flops"](**base, N=batches)
    assert result.tolist() == [exact(FLOPS, {**base, "N": int(n)}) for n in batches]
    assert max(result.tolist()) > INT64_MAX and result.dtype == object
    assert boundary["flops"](**base, N=batches[:3]).dtype == np.int64


def test_a_wrapped_partial_product_cannot_change_an_int64_result(boundary):
    # b*C_in*C_out with b all 0: C_in*C_out wraps in int64, but the result is exact modulo 2**64 and fits.
    huge = np.array([2**40, 3**25])
    result = boundary["gated"](b=np.array([0, 0]), C_in=huge, C_out=huge)
    assert result.dtype == np.int64 and result.tolist() == [0, 0]
    result = boundary["gated"](b=np.array([0, 1]), C_in=huge, C_out=huge)
    assert result.tolist() == [0, 3**50]


def test_a_dividend_beyond_int64_is_divided_exactly(boundary):
    # floor(C_in*C_out/g) = 2**50 fits, but the dividend 2**80 does not: int64 would give a wrapped quotient.
    result = boundary["ratio"](C_in=np.array([2**40]), C_out=np.array([2**40]), g=np.array([2**30]))
    assert result.tolist() == [2**50]


# --- checked arguments --------------------------------------------------------------------------------------

NOT_INTEGERS = [
    1.0,
    2.5,
    True,
    np.float64(3),
    np.bool_(True),
    2 + 0j,
    "3",
    None,
    [1, 2],
    np.array([1.0, 2.0]),
    np.array([True, False]),
    np.array(["3"]),
    np.array([1 + 0j]),
    np.array([1.5], dtype=object),
    np.array([True], dtype=object),
]


@pytest.mark.parametrize("value", NOT_INTEGERS, ids=repr)
def test_non_integers_raise_type_error(compiled, value):
    with pytest.raises(TypeError, match="C_in must be an int"):
        compiled["flops"](**{**STANDARD, "C_in": value})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("C_in", -1, "C_in must be >= 1, got -1"),
        ("C_in", 0, "C_in must be >= 1, got 0"),
        ("C_in", np.int64(-5), "C_in must be >= 1"),
        ("C_in", np.array([3, -1]), "C_in must not be negative, got -1 at index 1"),
        (
            "C_in",
            np.array([[3], [-2]], dtype=np.int8),
            r"C_in must not be negative, got -2 at index \(1, 0\)",
        ),
        ("C_in", np.array([3, -1], dtype=object), "C_in must be >= 1, got -1 at index 1"),
        ("N", np.array([-(2**63)]), "N must not be negative"),
        ("b", 2, "b must be 0 or 1, got 2"),
        ("b", -1, "b must be 0 or 1"),
        ("b", np.array([0, 1, 2]), "b must be 0 or 1, got 2 at index 2"),
        ("b", np.array([0, -1]), "b must not be negative"),
    ],
)
def test_values_out_of_range_raise_value_error(compiled, name, value, message):
    with pytest.raises(ValueError, match=message):
        compiled["flops"](**{**STANDARD, name: value})


def test_a_negative_padding_is_refused_and_a_zero_padding_is_fine(compiled):
    values = {"H_in": 8, "k_h": 3, "s_h": 1, "p_h": 0, "d_h": 1}
    assert compiled["output_height"](**values) == 6
    with pytest.raises(ValueError, match="p_h must be >= 0"):
        compiled["output_height"](**{**values, "p_h": -1})


def test_zeros_in_int64_arrays_are_refused_where_an_argument_is_positive(compiled):
    with pytest.raises(ValueError, match=r"flops\(\): N must be >= 1, got 0 at index 0$"):
        compiled["flops"](**{**STANDARD, "N": np.array([0, 1])})
    assert compiled["flops"](**{**STANDARD, "b": np.array([0, 1])}).tolist() == [
        exact(FLOPS, {**STANDARD, "b": b}) for b in (0, 1)
    ]


def test_a_zero_divisor_raises_value_error(compiled):
    sizes = {"H_in": np.array([8, 8]), "k_h": 3, "s_h": np.array([1, 0]), "p_h": 0, "d_h": 1}
    with pytest.raises(ValueError, match=r"output_height\(\): s_h must be >= 1, got 0 at index 1$"):
        compiled["output_height"](**sizes)
    shifted = compile_functions([NumericFunction("shifted", sympy.floor(C_in / (k - 1)))])["shifted"]
    with pytest.raises(ValueError, match="shifted\\(\\): a divisor in the closed form is 0"):
        shifted(C_in=4, k=1)
    with pytest.raises(ValueError, match="shifted\\(\\): a divisor in the closed form is 0"):
        shifted(C_in=np.array([4, 4]), k=np.array([3, 1]))


@pytest.mark.parametrize(
    ("c_in", "groups", "message"),
    [
        (10, 3, "C_in_g = C_in/g must be a whole number, but C_in = 10 is not divisible by g = 3$"),
        (np.array([4, 10]), np.array([2, 3]), "but C_in = 10 is not divisible by g = 3 at index 1"),
        (np.array([4, 10]), 4, "but C_in = 10 is not divisible by g = 4 at index 1"),
        (np.array([10**30], dtype=object), 7, "but C_in = 10{30} is not divisible by g = 7"),
    ],
)
def test_a_definition_that_does_not_divide_raises_value_error(compiled, c_in, groups, message):
    with pytest.raises(ValueError, match=message.replace("10{30}", "1" + "0" * 30)):
        compiled["grouped_flops"](**{**STANDARD, "C_in": c_in, "g": groups})


def test_arguments_are_keyword_only(compiled):
    with pytest.raises(TypeError):
        compiled["square_params"](3, 64, 1, 7)
    with pytest.raises(TypeError):
        compiled["square_params"](C_in=3, C_out=64, b=1)


# --- the generated text -------------------------------------------------------------------------------------


def test_the_source_is_deterministic_across_runs_and_hash_seeds():
    source = generate_module(ALL, title=TITLE)
    assert generate_module(ALL, title=TITLE) == source
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_codegen_module as t; "
        "from symconv.codegen import generate_module; "
        "sys.stdout.write(generate_module(t.ALL, title=t.TITLE))"
    )
    for seed in ("0", "12345"):
        run = subprocess.run(
            [sys.executable, "-c", script, str(Path(__file__).parent)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert run.stdout == source


def test_numpy_is_the_only_import_outside_the_standard_library():
    tree = ast.parse(generate_module(ALL, title=TITLE))
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert all(isinstance(node, ast.Import) for node in imports)
    names = [alias.name for node in imports for alias in node.names]
    assert names[-1] == "numpy" and all(name in sys.stdlib_module_names for name in names[:-1])


def test_the_module_lists_its_functions_once_with_helpers_once():
    source = generate_module(ALL, title=TITLE)
    tree = ast.parse(source)
    assert ast.get_docstring(tree).startswith(TITLE)
    names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert len(names) == len(set(names))
    assert [n for n in names if not n.startswith("_")] == [f.name for f in ALL]
    assert '__all__ = ["flops", "grouped_flops", "output_height", "square_params"]' in source
    for function in tree.body:
        if isinstance(function, ast.FunctionDef) and not function.name.startswith("_"):
            assert function.args.kwonlyargs and not function.args.args
            assert ast.get_docstring(function)


def test_the_module_runs_as_a_file_with_passing_doctests(tmp_path):
    path = tmp_path / "conv_counts.py"
    path.write_text(generate_module(ALL, title=TITLE))
    spec = importlib.util.spec_from_file_location("conv_counts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.__all__ == sorted(f.name for f in ALL)
    assert module.flops(**STANDARD) == exact(FLOPS, STANDARD)
    assert module.grouped_flops(**STANDARD, g=2) == exact(GROUPED, {**STANDARD, "g": 2})
    assert module.output_height(H_in=224, k_h=7, s_h=2, p_h=3, d_h=1) == 112
    arrays = realistic(50)
    assert module.flops(**arrays).tolist() == per_element(module.flops, arrays)
    failures, tried = doctest.testmod(module)
    assert failures == 0 and tried == len(ALL)


def test_odd_titles_and_docs_stay_inside_their_docstrings():
    function = NumericFunction("f", C_in, 'a "quoted" doc with \\ and """ in it')
    module = compile_functions([function])
    assert module["f"](C_in=3) == 3
    assert '"""' in module["f"].__doc__
    source = generate_module([function], title='A """title"""\nover two lines')
    assert ast.get_docstring(ast.parse(source)).startswith('A """title""" over two lines')


# --- property: random integer polynomials -------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=closed_form_polynomials(), data=st.data())
def test_random_polynomials_equal_sympy_for_ints_and_arrays(expr, data):
    function = NumericFunction("poly", expr)
    poly = compile_functions([function])["poly"]
    names = function.parameters
    symbols = {s.name: s for s in expr.free_symbols}
    values = {name: data.draw(argument_values(name), label=name) for name in names}
    assert poly(**values) == int(expr.subs({symbols[n]: v for n, v in values.items()}))
    if not names:
        return
    size = data.draw(st.integers(1, 4), label="size")
    arrays = {
        name: np.array(data.draw(st.lists(argument_values(name), min_size=size, max_size=size), label=name))
        for name in names
    }
    result = poly(**arrays)
    expected = [int(expr.subs({symbols[n]: int(arrays[n][i]) for n in names})) for i in range(size)]
    assert result.tolist() == expected
    assert result.dtype in (np.int64, object)
    if max(abs(x) for x in expected) > INT64_MAX:
        assert result.dtype == object


# --- speed --------------------------------------------------------------------------------------------------


def median_seconds(function, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_a_million_configurations_are_fast(compiled):
    arrays = realistic(10**6)
    flops = compiled["flops"]
    N_, C_in_, C_out_, H_out_, W_out_, k_h_, k_w_, b_ = arrays.values()

    def by_hand():
        return N_ * C_out_ * H_out_ * W_out_ * (2 * C_in_ * k_h_ * k_w_ + b_ - 1)

    def generated():
        return flops(**arrays)

    assert np.array_equal(generated(), by_hand())
    start = time.perf_counter()
    generated()
    assert time.perf_counter() - start < 5
    hand, gen = [], []
    for _ in range(3):  # alternate, so that both see the same machine load
        hand.append(median_seconds(by_hand))
        gen.append(median_seconds(generated))
    ratio = statistics.median(hand) / statistics.median(gen)
    print(
        f"\n10**6 configurations: by hand {statistics.median(hand) * 1e3:.2f} ms, generated (checks "
        f"included) {statistics.median(gen) * 1e3:.2f} ms, ratio hand/generated {ratio:.2f}"
    )
