"""symconv.codegen.conditions: generated functions refuse configurations that are no layer: the conditions come from
the specs (output sizes of at least 1, whole channels per group), are checked on ints and arrays alike, name the
first offending configuration, and cost the int64 kernel one reduction each, no operation of its own.

The reference is the spec itself: :class:`symconv.spec.Conv` refuses exactly the configurations the generated
function refuses.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import positive_products

from symconv import variants
from symconv.codegen import (
    Definition,
    NumericFunction,
    Requirement,
    compile_functions,
    functions_for,
    generate_module,
    module_for,
)
from symconv.codegen.derivation import requirements
from symconv.codegen.runtime import _BLOCK
from symconv.derive import derive
from symconv.errors import SpecError, SymconvError
from symconv.spec import Conv
from symconv.symbols import new_symbol, sym

H_in, k_h, s_h, p_h, d_h, C_in, C_out, g = map(sym, ["H_in", "k_h", "s_h", "p_h", "d_h", "C_in", "C_out", "g"])
GEOMETRY = ("H_in", "k_h", "s_h", "p_h", "d_h")


@pytest.fixture(scope="module")
def grouped():
    return compile_functions(functions_for(derive(variants.grouped(2))))


@pytest.fixture(scope="module")
def grouped_inputs():
    return compile_functions(functions_for(derive(variants.grouped(2), sizes="input")))


# --- the examples of the issue -----------------------------------------------------------------------------


def test_a_kernel_wider_than_the_padded_input_is_refused(grouped):
    message = (
        "H_out(): H_in - d_h*(k_h - 1) + 2*p_h - 1 must be >= 0 (the output height is at least 1), but it is -3 "
        "for H_in = 2, k_h = 5, s_h = 1, p_h = 0, d_h = 1"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        grouped["H_out"](H_in=2, k_h=5, s_h=1, p_h=0, d_h=1)
    assert grouped["H_out"](H_in=2, k_h=5, s_h=1, p_h=2, d_h=1) == 2  # padded to 6: it fits


def test_output_channels_that_the_groups_do_not_divide_are_refused(grouped):
    message = "params(): C_out_g = C_out/g must be a whole number, but C_out = 3 is not divisible by g = 2"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        grouped["params"](C_in=4, C_out=3, k_h=3, k_w=3, g=2, b=1)
    assert grouped["params"](C_in=4, C_out=6, k_h=3, k_w=3, g=2, b=1) == 6 * (9 * 2 + 1)


def test_arrays_name_the_first_offending_configuration_by_its_index(grouped):
    sizes = {"H_in": np.array([8, 8, 2, 1]), "k_h": np.array([3, 9, 5, 1]), "s_h": 1, "p_h": 0, "d_h": 1}
    with pytest.raises(ValueError, match=r"but it is -1 for H_in = 8, k_h = 9, s_h = 1, p_h = 0, d_h = 1 at index 1$"):
        grouped["H_out"](**sizes)
    with pytest.raises(ValueError, match=r"C_out = 3 is not divisible by g = 2 at index \(1, 0\)$"):
        grouped["params"](C_in=np.array([[4], [4]]), C_out=np.array([[2], [3]]), k_h=3, k_w=3, g=2, b=np.array([0, 1]))


@pytest.mark.parametrize("position", [0, _BLOCK - 1, _BLOCK, 3 * _BLOCK + 11])
def test_a_configuration_in_any_block_is_named_by_its_index_in_the_whole(grouped, grouped_inputs, position):
    n = 3 * _BLOCK + 12
    h_in = np.full(n, 9)
    h_in[position] = 2
    with pytest.raises(ValueError, match=f"but it is -3 for H_in = 2, k_h = 5, s_h = 2, p_h = 0, d_h = 1 at index "
                                         f"{position}$"):
        grouped["H_out"](H_in=h_in, k_h=5, s_h=2, p_h=0, d_h=1)
    values = {"N": 1, "C_in": 8, "C_out": 8, "H_in": h_in, "W_in": 7, "k_h": 5, "k_w": 3, "s_h": 2, "s_w": 1,
              "p_h": 0, "p_w": 0, "d_h": 1, "d_w": 1, "g": 4}
    with pytest.raises(ValueError, match=f"the output height is at least 1.* at index {position}$"):
        grouped_inputs["mults"](**values)
    values["H_in"] = np.full(n, 9)
    c_out = np.full(n, 8)
    c_out[position] = 6
    with pytest.raises(ValueError, match=f"C_out = 6 is not divisible by g = 4 at index {position}$"):
        grouped_inputs["mults"](**{**values, "C_out": c_out})
    assert grouped_inputs["mults"](**values).tolist() == [8 * 3 * 5 * 5 * 3 * 2] * n  # H_out 3, W_out 5


def test_object_arrays_beyond_int64_are_checked_exactly(grouped):
    h_in = np.array([10**30, 2], dtype=object)
    with pytest.raises(ValueError, match=r"but it is -3 for H_in = 2, .* at index 1$"):
        grouped["H_out"](H_in=h_in, k_h=5, s_h=1, p_h=0, d_h=1)
    assert grouped["H_out"](H_in=h_in[:1], k_h=5, s_h=1, p_h=0, d_h=1).tolist() == [10**30 - 4]


def test_a_zero_where_an_argument_is_positive_is_refused_in_arrays_too(grouped):
    with pytest.raises(ValueError, match=r"mults\(\): H_out must be >= 1, got 0 at index 2$"):
        grouped["mults"](N=1, C_in=4, C_out=4, H_out=np.array([3, 1, 0]), W_out=2, k_h=1, k_w=1, g=2)


# --- the conditions are the specs' own ---------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 9), st.integers(1, 7), st.integers(1, 3), st.integers(0, 3), st.integers(1, 3))
def test_an_output_size_is_refused_exactly_where_the_spec_refuses_the_layer(grouped, h, k, s, p, d):
    values = dict(zip(GEOMETRY, (h, k, s, p, d), strict=True))
    try:
        conv = Conv.make(1, values={"L_in": h, "k_l": k, "s_l": s, "p_l": p, "d_l": d})
    except SpecError:
        with pytest.raises(ValueError, match=r"the output height is at least 1"):
            grouped["H_out"](**values)
        return
    assert grouped["H_out"](**values) == conv.out_size[0]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 6))
def test_channels_are_refused_exactly_where_the_spec_refuses_the_layer(grouped, c_in, c_out, groups):
    values = {"C_in": c_in, "C_out": c_out, "k_h": 3, "k_w": 3, "g": groups, "b": 1}
    try:
        Conv.make(2, values={"C_in": c_in, "C_out": c_out, "g": groups})
    except SpecError:
        with pytest.raises(ValueError, match=r"must be a whole number"):
            grouped["params"](**values)
        return
    assert grouped["params"](**values) == c_out * (9 * c_in // groups + 1)


@pytest.mark.parametrize("variant", sorted(set(variants.VARIANTS) - {"transposed"}))
def test_every_variant_in_the_input_sizes_refuses_a_kernel_that_does_not_fit(variant):
    functions = compile_functions(functions_for(derive(variants.make(variant, 1), sizes="input")))
    base = {"N": 1, "C_in": 4, "C_out": 4, "g": 2, "m": 2, "b": 1, "L_in": 3, "k_l": 3, "s_l": 1, "p_l": 0, "d_l": 1}
    mults = functions["mults"]
    arguments = mults.__code__.co_varnames[: mults.__code__.co_kwonlyargcount]
    assert mults(**{name: base[name] for name in arguments}) == derive(variants.make(variant, 1, base)).value("mults")
    if "k_l" not in arguments:
        return  # a pointwise layer's kernel is 1: it always fits
    with pytest.raises(ValueError, match=r"output length is at least 1"):
        mults(**{name: {**base, "d_l": 2}[name] for name in arguments})
    with pytest.raises(SpecError):
        variants.make(variant, 1, {**base, "d_l": 2})


def test_requirements_are_read_from_the_layers_specs():
    found = requirements(derive(variants.separable(1)))
    assert [str(item.expr) if isinstance(item, Requirement) else item for item in found] == [
        "floor((L_in - d_l*(k_l - 1) + 2*p_l - 1)/s_l)",
        "L_out - 1",
    ]
    assert [item.meaning for item in found] == [
        "the depthwise stage's output length is at least 1",
        "the pointwise stage's output length is at least 1",
    ]
    assert requirements(derive(variants.grouped(1)))[:2] == derive(variants.grouped(1)).definitions


def test_a_function_checks_only_requirements_in_its_own_arguments():
    functions = {f.name: f for f in functions_for(derive(variants.grouped(2)))}
    assert functions["mults"].parameters == ("N", "C_in", "C_out", "H_out", "W_out", "k_h", "k_w", "g")
    assert [type(item).__name__ for item in functions["mults"].requires] == ["Definition", "Definition"]
    assert [str(item.expr) for item in functions["H_out"].requires] == [
        "floor((H_in - d_h*(k_h - 1) + 2*p_h - 1)/s_h)"
    ]


# --- the cost: one reduction over a block in cache ----------------------------------------------------------


def kernel_lines(source: str, name: str) -> list[str]:
    start = source.index(f"def _{name}_int64(")
    return source[start : source.index(f"_{name}_spec = ", start)].strip().splitlines()[1:]


def test_an_output_size_is_checked_where_the_kernel_computes_its_dividend():
    source = module_for(derive(variants.grouped(2)))
    lines = kernel_lines(source, "H_out")
    assert lines.index("    _low1 = int(_out.min())") == lines.index("    _np.floor_divide(_out, s_h, out=_out)") - 1
    unchecked = generate_module([NumericFunction("H_out", Conv.make(2).relation(0))], title="t")
    assert [line for line in lines if "_low" not in line] == kernel_lines(unchecked, "H_out")


def test_the_counts_in_input_sizes_check_both_dividends_with_no_operation_of_their_own():
    source = module_for(derive(variants.separable(2), sizes="input"))
    lines = kernel_lines(source, "flops")
    lows = [line.strip().split(" = ")[0] for line in lines if "_low" in line]
    assert lows == ["_low1", "_low2", "return (_low1, _low2)"]
    assert sum("_np." in line for line in lines) == sum("_np." in line for line in kernel_lines(
        generate_module([NumericFunction("flops", derive(variants.separable(2), sizes="input").polynomials["flops"])],
                        title="t"), "flops"))


def test_a_condition_that_is_no_part_of_the_closed_form_is_computed_first():
    function = NumericFunction("area", C_in * C_out, requires=(Requirement(C_out - C_in, "no fewer outputs"),))
    lines = kernel_lines(generate_module([function], title="t"), "area")
    assert lines == [
        "    _t1 = _np.empty_like(_out)",
        "    _np.subtract(C_out, C_in, out=_t1)",
        "    _low1 = int(_t1.min())",
        "    _np.multiply(C_in, C_out, out=_out)",
        "    return (_low1,)",
    ]
    area = compile_functions([function])["area"]
    assert area(C_in=3, C_out=4) == 12
    with pytest.raises(ValueError, match=r"-C_in \+ C_out must be >= 0 \(no fewer outputs\), but it is -1"):
        area(C_in=np.array([3, 5]), C_out=4)


# --- requirements given by hand -----------------------------------------------------------------------------


def test_requirements_are_normalised_proven_ones_and_repeats_dropped():
    k = new_symbol("k")
    function = NumericFunction(
        "f",
        C_in * k,
        requires=(
            Requirement(sympy.floor((C_in - k) / 2) - 1, "a"),  # floor(x/2) - 1 >= 0 is x - 2 >= 0
            Requirement(C_in + 2 * p_h - 1, "proven"),  # C_in >= 1, p_h >= 0
            Requirement(C_in - k - 2, "repeated"),
        ),
    )
    source = generate_module([function], title="t")
    assert '(("at least 0", "C_in - k - 2", "a"),)' in source
    assert function.parameters == ("C_in", "k") and "proven" not in source and "repeated" not in source


def test_a_required_definition_is_checked_where_the_closed_form_does_not_use_it():
    C_out_g = sym("C_out_g")
    function = NumericFunction("f", C_in, requires=(Definition(C_out_g, C_out, g),))
    assert function.parameters == ("C_in", "C_out", "g")
    f = compile_functions([function])["f"]
    assert f(C_in=5, C_out=6, g=3) == 5
    with pytest.raises(ValueError, match=r"C_out = 7 is not divisible by g = 3 at index 1$"):
        f(C_in=5, C_out=np.array([6, 7]), g=3)


@pytest.mark.parametrize(
    ("requires", "error", "message"),
    [
        ((Requirement(sympy.Integer(-1)),), SymconvError, "holds for no arguments"),
        ((Requirement(sym("C_in_g") - 2),), SymconvError, "uses a defined symbol"),
        ((Requirement(C_in / 2 - 1),), SymconvError, "coefficient 1/2"),
        ("C_in - 1", TypeError, "requires must be a tuple"),
        ((C_in - 1,), TypeError, "requires holds"),
    ],
)
def test_bad_requirements_are_refused(requires, error, message):
    with pytest.raises(error, match=message):
        definitions = (Definition(sym("C_in_g"), C_in, g),)
        generate_module([NumericFunction("f", sym("C_in_g"), definitions=definitions, requires=requires)], title="t")


@pytest.mark.parametrize(("expr", "meaning"), [(3.5, ""), (C_in, 3)])
def test_a_requirement_holds_an_expression_and_a_meaning(expr, meaning):
    with pytest.raises((SymconvError, TypeError)):
        Requirement(expr, meaning)


def test_the_docstring_lists_the_requirements_and_its_example_meets_them(grouped):
    assert "Requires: H_in - d_h*(k_h - 1) + 2*p_h - 1 >= 0 (the output height is at least 1)." in " ".join(
        grouped["H_out"].__doc__.split()
    )
    assert "Requires: C_out_g = C_out/g, a whole number." in " ".join(grouped["params"].__doc__.split())


# --- zeros that show in the result ---------------------------------------------------------------------------


def test_a_zero_that_shows_in_the_result_is_found_by_one_reduction_of_the_result():
    flops = next(f for f in functions_for(derive(variants.standard(2))) if f.name == "flops")
    source = generate_module([flops], title="t")
    assert 'shown=("N", "C_in", "C_out", "H_out", "W_out", "k_h", "k_w"),' in source
    compiled = compile_functions([flops])["flops"]
    n = 3 * _BLOCK + 1
    values = {"N": 1, "C_in": 3, "C_out": 4, "H_out": 5, "W_out": 6, "k_h": 3, "k_w": 3, "b": 1}
    for name in ("N", "k_w", "H_out"):
        column = np.full(n, values[name])
        column[2 * _BLOCK + 9] = 0
        with pytest.raises(ValueError, match=rf"flops\(\): {name} must be >= 1, got 0 at index {2 * _BLOCK + 9}$"):
            compiled(**{**values, name: column})
    assert compiled(**{**values, "b": np.zeros(n, dtype=np.int64)}).tolist() == [4 * 5 * 6 * (2 * 27 - 1)] * n


def test_a_zero_that_would_not_show_keeps_a_reduction_of_its_own(grouped):
    source = module_for(derive(variants.grouped(2, bias=True)))
    assert 'shown=("C_out",),' in source  # params = C_out*(k_h*k_w*C_in_g + b): a zero k_h leaves C_out*b
    with pytest.raises(ValueError, match=r"params\(\): k_h must be >= 1, got 0 at index 1$"):
        grouped["params"](C_in=4, C_out=4, k_h=np.array([3, 0]), k_w=3, g=2, b=1)


def test_an_output_padding_is_checked_by_the_spec_before_any_code_exists():
    # A transposed layer's counts are piecewise in its geometry unless all of it is numeric, and then the spec
    # itself refuses an output padding that is neither below the stride nor below the dilation.
    geometry = {"L_in": 5, "k_l": 3, "s_l": 2, "p_l": 1, "d_l": 1}
    with pytest.raises(SpecError, match="op_l = 2 must be smaller than the stride s_l = 2 or the dilation"):
        variants.transposed(1, {**geometry, "op_l": 2})
    with pytest.raises(SymconvError, match="piecewise in the geometry"):
        functions_for(derive(variants.transposed(1, geometry)))
    functions = compile_functions(functions_for(derive(variants.transposed(1, {**geometry, "op_l": 1}))))
    assert functions["params"](C_in=4, C_out=6, g=2, b=0) == 4 * 3 * 3


@settings(max_examples=60, deadline=None)
@given(positive_products(), st.data())
def test_a_zero_in_any_argument_is_refused_whether_or_not_it_shows_in_the_result(expr, data):
    function = NumericFunction("f", expr)
    compiled = compile_functions([function])["f"]
    arrays = {
        name: np.array(data.draw(st.lists(st.integers(0, 1 if name == "b" else 3), min_size=3, max_size=3), label=name))
        for name in function.parameters
    }
    zero = any((arrays[name] == 0).any() for name in function.parameters if name != "b")
    try:
        result = compiled(**arrays)
    except ValueError as error:
        assert zero and "must be >= 1, got 0" in str(error), error
        return
    assert not zero
    symbols = {s.name: s for s in expr.free_symbols}
    expected = [int(expr.xreplace({symbols[n]: int(arrays[n][i]) for n in arrays})) for i in range(3)]
    assert np.asarray(result).tolist() == expected
