"""The steps of a derivation: frozen records ``lhs = rhs[0] = rhs[1] = ...`` with the rule that justifies them.

:mod:`symconv.derive` finds the counts; the functions here write down how, one :class:`Step` per line, for
the printers (:mod:`symconv.printing`) to render in any format. A step never formats itself.

>>> from symconv import variants
>>> from symconv.derive import derive
>>> [s.title for s in derive(variants.pointwise(1, bias=False)).steps][:3]
['output size', 'one output element', 'multiplications per element']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import sympy

from symconv.conventions import Convention, Rule
from symconv.counting import Ops
from symconv.geometry import geometric_atoms
from symconv.quantities import LAYER, named, title
from symconv.spec import Conv
from symconv.symbols import sym

__all__ = ["Step", "convention_steps", "output_size_steps", "part_steps", "pass_totals_steps", "stage_steps",
           "totals_steps", "transposed_steps"]


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs = rhs[0] = rhs[1] = ...``, justified by ``rule``."""

    title: str
    lhs: sympy.Basic
    rhs: tuple[sympy.Basic, ...]
    rule: str = ""

    def under(self, prefix: str) -> Step:
        """The same step in a section of a multi-stage layer (``depthwise stage: ...``)."""
        return Step(prefix + self.title, self.lhs, self.rhs, self.rule)


class StageCounts(Protocol):
    """What the steps of a stage read of its derivation (:class:`symconv.derive.StageCounts`)."""

    @property
    def conv(self) -> Conv: ...
    @property
    def element(self) -> tuple[sympy.Indexed, sympy.Expr]: ...
    @property
    def products(self) -> sympy.Expr: ...
    @property
    def per_element(self) -> Ops: ...
    @property
    def outputs(self) -> sympy.Expr: ...
    @property
    def params(self) -> sympy.Expr: ...
    @property
    def steps(self) -> tuple[Step, ...]: ...


def _both(expr: sympy.Expr, tidied: sympy.Expr) -> tuple[sympy.Expr, ...]:
    return (expr, tidied) if tidied != expr else (expr,)


def output_size_steps(conv: Conv, title: str) -> list[Step]:
    """The output size of each axis, from its relation (:mod:`symconv.geometry`)."""
    steps = []
    for axis, a in enumerate(conv.axes):
        relation = conv.relation(axis)
        rhs: tuple[sympy.Basic, ...] = (relation,)
        if conv.out_size[axis] != sym(f"{a.upper()}_out") and conv.out_size[axis] != relation:
            rhs = (relation, conv.out_size[axis])
        rule = ("A kernel dilated by d spans d(k - 1) + 1 inputs; every s-th position where it fits in the "
                "padded input gives one output")
        if conv.transposed:
            rule = ("The scatter of the last input through the last tap lands at s(A_in - 1) + d(k - 1); the "
                    "output padding extends the result, the padding crops both ends")
        steps.append(Step(title, sym(f"{a.upper()}_out"), rhs, rule))
    return steps


def _kernel_text(conv: Conv) -> str:
    """The kernel's extent as the rules write it: ``k_h × k_w`` in 2-D."""
    return " × ".join(f"k_{a}" for a in conv.axes)


def _definition_steps(conv: Conv, prefix: str) -> list[Step]:
    return [Step(f"{prefix}channels per group", d.symbol,
                 (sympy.Mul(d.numerator, 1 / d.denominator, evaluate=False),),
                 "Each of the g groups maps its own share of the channels") for d in conv.definitions]


def _flops_steps(stage: StageCounts, prefix: str) -> list[Step]:
    per, b = stage.per_element, stage.conv.bias
    flops = sympy.expand(per.mults + per.adds)
    steps = [Step(f"{prefix}FLOPs per element", named("flops"), (sympy.Add(per.mults, per.adds, evaluate=False), flops),
                  "With a bias (b = 1) its addition cancels the -1 of the sum" if b != 0
                  else "Without a bias the -1 of the sum stays")]
    if not b.is_number:
        steps.append(Step(f"{prefix}FLOPs per element with a bias", named("flops"),
                          (sympy.Subs(flops, b, 1), flops.subs(b, 1)), "With b = 1 the -1 and the +1 cancel"))
        steps.append(Step(f"{prefix}FLOPs per element without a bias", named("flops"),
                          (sympy.Subs(flops, b, 0), flops.subs(b, 0)), "With b = 0 there is one addition fewer"))
    return steps


def stage_steps(stage: StageCounts, prefix: str) -> list[Step]:
    """A forward convolution stage: its element, what one element costs, how many there are, its parameters,
    then its padding-aware counts."""
    conv, per, b = stage.conv, stage.per_element, stage.conv.bias
    lhs, rhs = stage.element
    steps = _definition_steps(conv, prefix)
    steps.append(Step(f"{prefix}one output element", lhs, (rhs,),
                      "Cross-correlation over the input channels of the output channel's group and the kernel "
                      "taps, plus the bias when b = 1; x is zero outside the input (the padding)"))
    steps.append(Step(f"{prefix}multiplications per element", named("mults"), (per.mults,),
                      "Each term of the sum is one product w·x; the flag b selects the bias, it multiplies "
                      "nothing"))
    adds_form = sympy.Add(sympy.Add(stage.products, -1, evaluate=False), b, evaluate=False) if b != 0 else per.adds
    steps.append(Step(f"{prefix}additions per element", named("adds"),
                      (adds_form,) if adds_form == per.adds and b == 0 else (adds_form, per.adds),
                      "Adding n terms takes n - 1 additions; the bias adds one more when b = 1"))
    steps += _flops_steps(stage, prefix)
    steps.append(Step(f"{prefix}output elements", named("outputs"), (stage.outputs,),
                      "One element per batch item, output channel and output position"))
    steps.append(Step(f"{prefix}parameters", named("params"), _both(stage.params, _tidy(stage.params)),
                      f"The weight w has C_out × C_in/g × {_kernel_text(conv)} entries; the bias β has C_out, "
                      "present when b = 1"))
    return steps + [step.under(prefix) for step in stage.steps]


def transposed_steps(stage: StageCounts, prefix: str) -> list[Step]:
    """A transposed convolution stage: its scatter steps, then its parameters."""
    steps = [step.under(prefix) for step in stage.steps]
    steps.append(Step(f"{prefix}parameters", named("params"), _both(stage.params, _tidy(stage.params)),
                      f"The weight w has C_in × C_out/g × {_kernel_text(stage.conv)} entries; the bias β has C_out, "
                      "present when b = 1"))
    return steps


def totals_steps(quantities: Mapping[str, sympy.Expr], convention: Convention, multi: bool,
                 transposed: bool) -> list[Step]:
    """One step per closed form of :data:`symconv.quantities.LAYER`."""
    over_stages = ", summed over the stages" if multi else ""
    rules = {
        "params": "The parameter tensors' sizes" + over_stages,
        "mults": "Per element, times the output elements" + over_stages,
        "adds": "Per element, times the output elements" + over_stages,
        "flops": f"Convention {convention.value}: {convention.description}",
        "macs": "One multiply-accumulate per product: the multiplications; the bias is not counted",
    }
    if transposed:
        rules["mults"] = rules["adds"] = "The products that land in the output, and their sums"
    return [Step("totals", named(name), (quantities[name],), rules[name]) for name in LAYER]


def part_steps(parts: Mapping[str, Mapping[str, sympy.Expr]], convention: Rule) -> list[Step]:
    """The FLOPs of each part of a pass (a gradient, or the forward pass of a training step)."""
    return [Step("parts", named(name), (counts["flops"],),
                 f"{title(name)[:1].upper()}{title(name)[1:]}: its FLOPs in the {convention.value} convention")
            for name, counts in parts.items()]


def pass_totals_steps(quantities: Mapping[str, sympy.Expr], convention: Rule) -> list[Step]:
    """One step per closed form of :data:`symconv.quantities.LAYER`, for a backward pass or a training step."""
    rules = {
        "params": "The parameter tensors' sizes: the layer's, whichever gradients are computed",
        "mults": "The parts' multiplications, summed",
        "adds": "The parts' additions, summed",
        "flops": f"Convention {convention.value}: {convention.description}",
        "macs": "One multiply-accumulate per product: the multiplications; the sums of dy are not counted",
    }
    return [Step("totals", named(name), (quantities[name],), rules[name]) for name in LAYER]


@lru_cache(maxsize=4096)
def _tidy(expr: sympy.Expr) -> sympy.Expr:
    return sympy.factor_terms(sympy.expand(expr))


@lru_cache(maxsize=1024)
def _signed_factor(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` factored, with ``-(b - 1)`` written ``(1 - b)``: the gap that vanishes when ``b = 1``."""
    factored = sympy.factor(expr)
    coeff, rest = factored.as_coeff_Mul()
    b_minus_one = sym("b") - 1
    if coeff == -1 and b_minus_one in sympy.Mul.make_args(rest):
        return sympy.Mul(*(1 - sym("b") if f == b_minus_one else f for f in sympy.Mul.make_args(rest)))
    return factored


def convention_steps(exact: sympy.Expr, flops_in: Callable[[Rule], sympy.Expr],
                     present: Callable[[sympy.Expr], sympy.Expr], biases: set[sympy.Expr],
                     rules: Sequence[Rule] = tuple(Convention)) -> list[Step]:
    """Each convention's (each of ``rules``') FLOPs minus the exact count, factored."""
    steps = []
    for other in rules:
        if other is Convention.EXACT:
            continue
        difference = sympy.expand(flops_in(other) - exact)
        # Factoring through the padding-aware functions (V, Z, H) costs much and shows nothing more.
        geometric = bool(geometric_atoms(difference))
        gap = present(sympy.factor_terms(difference) if geometric else _signed_factor(difference))
        rule = f"Convention {other.value} minus exact"
        if other is Convention.TWO_MACS and gap != 0 and any(not b.is_number for b in biases):
            rule += ": zero exactly when b = 1, every output element then adding a bias"
        lhs = sympy.Add(named(f"flops_{other.value}"), -named("flops_exact"), evaluate=False)
        steps.append(Step("conventions", lhs, (gap,), rule))
    return steps
