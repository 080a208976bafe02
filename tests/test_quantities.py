"""symconv.quantities: the one table of counts. Every count has a title, a meaning and a LaTeX name, and every
printer, the JSON and the comparisons name the counts exactly as the table does."""

from __future__ import annotations

import json

import pytest

from symconv import variants
from symconv.compare import compare
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.errors import SymconvError
from symconv.network.layers import COUNTS
from symconv.printing import render
from symconv.printing.exprs import latex_expr, text_expr
from symconv.printing.unicode import unicode_expr
from symconv.quantities import FURTHER, LAYER, NETWORK, NETWORK_TOTALS, TABLE, latex_name, named, quantity, title


@pytest.fixture(scope="module")
def derivation():
    return derive(variants.separable(2, {"m": 1}))


def test_every_quantity_has_a_title_a_meaning_and_an_upright_latex_name():
    for name, row in TABLE.items():
        assert row.name == name and quantity(name) is row
        assert row.title and row.meaning and row.title != row.meaning
        assert row.latex.startswith(r"\mathrm{") and latex_name(name) == row.latex and title(name) == row.title
    assert len({row.title for row in TABLE.values()}) == len(TABLE)
    assert len({row.latex for row in TABLE.values()}) == len(TABLE)


def test_every_list_of_counts_is_drawn_from_the_table():
    for names in (LAYER, FURTHER, NETWORK, NETWORK_TOTALS):
        assert set(names) <= set(TABLE) and len(set(names)) == len(names)
    assert not set(LAYER) & set(FURTHER)
    assert COUNTS == NETWORK  # a network layer's counts are the table's


@pytest.mark.parametrize("name", LAYER)
def test_the_derivation_has_every_closed_form_and_names_it_by_the_table(derivation, name):
    assert list(derivation.quantities) == list(LAYER) and set(FURTHER) <= set(derivation.counts)
    (total,) = [step for step in derivation.steps if step.title == "totals" and step.lhs == named(name)]
    assert total.rhs == (derivation.quantities[name],)
    assert latex_expr(named(name)) == quantity(name).latex and text_expr(named(name)) == name


@pytest.mark.parametrize("name", LAYER)
def test_every_printer_prints_each_closed_form_under_the_tables_name(derivation, name):
    expr = derivation.quantities[name]
    latex, text = quantity(name).latex, text_expr(expr)
    assert f"\n  {name} = {unicode_expr(expr)}\n" in render(derivation, "text")
    assert f"\n{latex} &= {latex_expr(expr)}" in render(derivation, "latex")
    assert f"\n$$\n{latex} = {latex_expr(expr)}\n$$\n" in render(derivation, "markdown")
    data = json.loads(render(derivation, "json"))
    assert data["quantities"][name] == {"expr": text, "latex": latex_expr(expr), "value": None}
    (step,) = [s for s in data["steps"] if s["title"] == "totals" and s["lhs"] == name]
    assert step["latex"] == f"{latex} = {latex_expr(expr)}"


def test_the_json_has_exactly_the_tables_closed_forms_and_further_counts(derivation):
    data = json.loads(render(derivation, "json"))
    assert list(data["quantities"]) == list(LAYER)
    assert set(data["counts"]) == set(FURTHER) | {f"flops_{c.value}" for c in Convention}


@pytest.mark.parametrize("convention", list(Convention))
def test_the_flops_of_each_convention_are_named_after_it(derivation, convention):
    name = f"flops_{convention.value}"
    assert title(name) == f"FLOPs in the {convention.value} convention"
    assert latex_name(name) == rf"\mathrm{{flops}}_{{\mathrm{{{convention.value}}}}}"
    assert latex_expr(named(name)) == latex_name(name)
    if convention is not Convention.EXACT:  # each convention's gap to the exact count is one step
        rows = [line for line in render(derivation, "latex").splitlines() if line.startswith(latex_name(name))]
        assert len(rows) == 1 and rows[0].startswith(f"{latex_name(name)} - {latex_name('flops_exact')} &= ")


def test_a_comparison_titles_each_count_as_the_table_does():
    comparison = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)))
    text, markdown = render(comparison, "text").splitlines(), render(comparison, "markdown").splitlines()
    for name in LAYER:
        heading = quantity(name).title[:1].upper() + quantity(name).title[1:]
        assert f"{heading}:" in text and f"### {heading}" in markdown
        assert {s.title for s in comparison.steps if s.lhs.name == name} == {quantity(name).title}


@pytest.mark.parametrize(("call", "message"), [
    (lambda: quantity("energy"), "unknown quantity 'energy' (known: params, mults, adds, flops, macs, input_grid"),
    (lambda: quantity("buffers", LAYER), "unknown quantity 'buffers' (known: params, mults, adds, flops, macs)"),
    (lambda: named("energy"), "unknown quantity 'energy'"),
    (lambda: title("flops_fast"), "unknown quantity 'flops_fast'"),
    (lambda: latex_name("flops_"), "unknown quantity 'flops_'"),
])
def test_an_unknown_quantity_is_refused(call, message):
    with pytest.raises(SymconvError) as refused:
        call()
    assert str(refused.value).startswith(message)
