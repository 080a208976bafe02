"""symconv.steps: the steps of a derivation, frozen records in the order a derivation shows its work."""

from __future__ import annotations

import dataclasses

import pytest
import sympy

from symconv import variants
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.quantities import LAYER, named
from symconv.steps import Step
from symconv.symbols import sym

N, C_out, H_out, W_out, b = (sym(name) for name in ("N", "C_out", "H_out", "W_out", "b"))

#: The steps of a one-stage forward convolution, in order, by title (its padding-aware counts only when padded).
FORWARD = ["one output element", "multiplications per element", "additions per element", "FLOPs per element"]
TAIL = ["output elements", "parameters"]


def test_a_step_is_a_frozen_record_and_under_puts_it_in_a_stage():
    step = Step("parameters", named("params"), (sym("C_in"),), "the weight's entries")
    staged = step.under("depthwise stage: ")
    assert staged == Step("depthwise stage: parameters", named("params"), (sym("C_in"),), "the weight's entries")
    assert step.title == "parameters" and Step("t", sym("N"), (1,)).rule == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.title = "other"  # type: ignore[misc]


def test_a_forward_stage_shows_its_work_in_order():
    d = derive(variants.pointwise(1, bias=False))
    titles = [step.title for step in d.steps]
    assert titles == ["output size", *FORWARD, *TAIL, *["totals"] * len(LAYER), *["conventions"] * 5]
    assert [step.lhs for step in d.steps if step.title == "totals"] == [named(name) for name in LAYER]


def test_a_symbolic_bias_shows_the_flops_per_element_with_and_without_it():
    symbolic = [step.title for step in derive(variants.standard(1)).steps]
    assert symbolic[1:9] == [*FORWARD, "FLOPs per element with a bias", "FLOPs per element without a bias", *TAIL]
    fixed = [step.title for step in derive(variants.standard(1, bias=True)).steps]
    assert "FLOPs per element with a bias" not in fixed and "FLOPs per element" in fixed


def test_a_layer_of_several_stages_titles_each_stages_steps():
    d = derive(variants.separable(1, {"p_l": 0}, bias=True))
    stages = [step.title.split(": ")[0] for step in d.steps if ": " in step.title]
    assert stages == ["depthwise stage"] * 6 + ["pointwise stage"] * 6
    totals = [step for step in d.steps if step.title == "totals"]
    assert totals[0].rule == "The parameter tensors' sizes, summed over the stages"


def test_grouped_steps_define_the_channels_per_group():
    (definition, *_) = [step for step in derive(variants.grouped(1)).steps if step.title == "channels per group"]
    assert definition.lhs == sym("C_in_g") and definition.rhs[0] == sym("C_in") / sym("g")


def output_size(values):
    (step,) = [s for s in derive(variants.standard(1, values)).steps if s.title == "output size"]
    assert step.lhs == sym("L_out")
    return step


def test_an_output_size_shows_its_relation_and_a_given_value():
    relation = sympy.floor((sym("L_in") - sym("d_l") * (sym("k_l") - 1) + 2 * sym("p_l") - 1) / sym("s_l")) + 1
    assert output_size({}).rhs == (relation,)
    assert output_size({"L_out": 4}).rhs == (relation, 4)  # a given size beside the relation it must satisfy
    assert output_size({"L_in": 7, "k_l": 3, "s_l": 2, "p_l": 1, "d_l": 1}).rhs == (4,)
    assert output_size({}).rule.startswith("A kernel dilated by d spans d(k - 1) + 1 inputs")


def test_the_scatter_steps_of_a_transposed_convolution():
    d = derive(variants.transposed(1))
    scatter = [step for step in d.steps if step.title == "scatter"]
    assert [step.lhs for step in scatter][-2:] == [named("adds"), named("output_grid")]
    assert named("input_grid") in [step.lhs for step in scatter]
    assert [step.title for step in d.steps].index("parameters") > [step.title for step in d.steps].index("scatter")


def test_each_convention_is_one_step_of_its_gap_to_the_exact_count():
    d = derive(variants.standard(2))
    steps = {step.rule.split(" minus")[0]: step for step in d.steps if step.title == "conventions"}
    assert list(steps) == [f"Convention {c.value}" for c in Convention if c is not Convention.EXACT]
    # 2 MACs count one addition too many per output element without a bias: the gap vanishes at b = 1.
    two_macs = steps["Convention 2macs"]
    assert sympy.expand(two_macs.rhs[0] - N * C_out * H_out * W_out * (1 - b)) == 0
    assert two_macs.rule.endswith("zero exactly when b = 1, every output element then adding a bias")
    assert not derive(variants.standard(2, bias=True)).steps[-4].rule.endswith("adding a bias")
