"""symconv.symbols: the one symbol table, its assumptions, its LaTeX names, and the names users introduce."""

from __future__ import annotations

import pytest
import sympy

from symconv.errors import SpecError, UnknownSymbolError
from symconv.printing.exprs import latex_expr
from symconv.symbols import (
    AXES,
    TABLE,
    axes,
    canonical_order,
    index,
    info,
    is_flag,
    latex_names,
    names_for_dims,
    new_symbol,
    position_index,
    sym,
    tap_index,
)

# --- the table and its assumptions ----------------------------------------------------------------------------

#: The names that may be 0: the paddings and the output padding; the bias flag is 0 or 1; every other name is a
#: count of something and at least 1.
MAY_BE_ZERO = {f"{prefix}_{a}" for prefix in ("p", "pe", "op") for a in "ldhw"}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_symbol_has_the_assumptions_of_its_domain(name):
    symbol = sym(name)
    assert symbol.is_integer and symbol.name == name
    if name == "b":
        assert info(name).domain == "flag" and symbol.is_nonnegative and symbol.is_positive is None
    elif name in MAY_BE_ZERO:
        assert info(name).domain == "nonnegative" and symbol.is_nonnegative and symbol.is_positive is None
    else:
        assert info(name).domain == "positive" and symbol.is_positive
    assert sym(name) is symbol  # created once: every module gets the same object
    assert TABLE[name].symbol is symbol and info(name).meaning


def test_names_follow_the_axis_rule():
    assert AXES == {1: ("l",), 2: ("h", "w"), 3: ("d", "h", "w")}
    assert names_for_dims(2) == ("N", "C_in", "C_out", "H_in", "W_in", "H_out", "W_out", "k_h", "k_w", "s_h", "s_w",
                                 "p_h", "p_w", "d_h", "d_w", "g", "m", "b", "pe_h", "pe_w", "op_h", "op_w")
    for dims in (1, 2, 3):
        assert set(names_for_dims(dims)) <= set(TABLE)
        assert {f"{a.upper()}_{end}" for a in axes(dims) for end in ("in", "out")} <= set(names_for_dims(dims))
    # Every name of a layer can be given but the per-group counts (which follow from C_in, C_out and g) and the
    # bytes per element (which only the memory traffic reads).
    assert set(TABLE) - set().union(*(names_for_dims(d) for d in (1, 2, 3))) == {"C_in_g", "C_out_g", "B"}


def test_the_canonical_order_lists_every_name_once():
    order = canonical_order()
    assert len(order) == len(set(order)) and set(order) == set(TABLE)
    assert order[:3] == ("N", "C_in", "C_out") and order.index("b") < order.index("C_in_g")


@pytest.mark.parametrize("name", ["K_h", "c_in", "k_x", "H", "", "C_in "])
def test_a_name_not_in_the_table_is_refused(name):
    with pytest.raises(UnknownSymbolError, match="unknown symbol"):
        sym(name)
    with pytest.raises(UnknownSymbolError):
        info(name)


@pytest.mark.parametrize("dims", [0, 4, "2"])
def test_only_one_to_three_spatial_axes(dims):
    with pytest.raises(SpecError, match="dims must be 1, 2 or 3"):
        axes(dims)  # type: ignore[arg-type]


def test_the_bias_flag_is_the_only_flag():
    assert is_flag(sym("b"))
    assert not is_flag(sympy.Symbol("b"))  # another symbol of that name, without the table's assumptions
    assert not any(is_flag(sym(name)) for name in TABLE if name != "b")
    assert not is_flag(sym("b") + 1)


# --- LaTeX names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_symbol_prints_as_its_latex_name(name):
    assert latex_names()[sym(name)] == TABLE[name].latex
    assert latex_expr(sym(name)) == TABLE[name].latex


def test_latex_names_of_papers():
    assert TABLE["C_in"].latex == r"C_{\mathrm{in}}" and TABLE["C_in_g"].latex == r"C_{\mathrm{in}/g}"
    assert TABLE["H_out"].latex == r"H_{\mathrm{out}}" and TABLE["k_w"].latex == "k_{w}"
    assert TABLE["pe_h"].latex == r"\mathit{pe}_{h}" and TABLE["op_l"].latex == r"\mathit{op}_{l}"


# --- names users introduce, and indices -----------------------------------------------------------------------


def test_a_new_name_is_a_positive_integer_and_a_table_name_stays_the_tables():
    k = new_symbol("k")
    assert k.is_integer and k.is_positive and new_symbol("k") is k
    assert new_symbol("C_in") is sym("C_in") and new_symbol("b") is sym("b")
    assert new_symbol("alpha_2") != sympy.Symbol("alpha_2")  # the assumptions are part of the symbol


@pytest.mark.parametrize(("name", "message"), [
    ("lambda", "not a usable name"),
    ("_k", "not a usable name"),
    ("2x", "not a usable name"),
    ("k" * 33, "not a usable name"),
    ("k-1", "not a usable name"),
    ("", "not a usable name"),
    ("pi", "SymPy constant"),
    ("E", "SymPy constant"),
    ("I", "SymPy constant"),
])
def test_unusable_new_names_are_refused(name, message):
    with pytest.raises(UnknownSymbolError, match=message):
        new_symbol(name)


def test_indices_are_nonnegative_integers_apart_from_the_table():
    assert (position_index("h"), position_index("w"), position_index("l")) == (index("u"), index("v"), index("t"))
    assert (tap_index("d"), tap_index("h"), tap_index("w")) == (index("r"), index("i"), index("j"))
    assert index("c").is_integer and index("c").is_nonnegative and index("c").is_positive is None
    assert index("n") is index("n") and index("n") not in {sym(name) for name in TABLE}
