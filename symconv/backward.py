"""Count the backward pass of a convolution stage from the elements of its gradients.

Each gradient's element (:mod:`symconv.gradients`) is a sum over the forward products that involve its tensor
element, and :func:`symconv.counting.count_ops` counts it as it counts a forward element: ``n`` products
cost ``n`` multiplications and ``n - 1`` additions. Multiplied by the number of elements, these are the
counts of each part:

* ``grad_bias`` (``b = 1``): per output channel a sum of the ``N ∏ A_out`` values of ``dy``:
  ``N ∏ A_out - 1`` additions;
* ``grad_weight``: per weight entry ``N ∏ A_out`` products ``x·dy`` (the padding's zeros included, as the
  forward exact count includes them; ``performed`` skips them) and one addition fewer;
* ``grad_input``: per input element the ``r`` products ``w·dy`` of the triples that read it, ``r - 1``
  additions when ``r > 0`` and none when ``r = 0``: the sum of ``r`` over the elements is the real (position,
  tap) pairs ``V`` of each axis, the elements with ``r > 0`` the input positions hit ``H``
  (:mod:`symconv.geometry`).

A transposed convolution is the same index map read the other way: its forward products are those that land
in the output (``V(A_in, A_out, ...)``), and each gradient sums over those: its input gradient is a forward
convolution of ``dy`` that skips what the padding cropped, the elements with ``r > 0`` the inputs ``Z`` with a
tap that lands.

>>> from symconv import variants
>>> layer = variants.standard(1, {"N": 1, "p_l": 0, "s_l": 1, "d_l": 1}, bias=True)
>>> parts = stage_gradients("standard", layer.stages[0].conv, GRADS)
>>> [(p.part, p.totals.mults, p.totals.adds) for p in parts]  # doctest: +NORMALIZE_WHITESPACE
[('grad_input', C_in*C_out*L_out*k_l, C_in*C_out*L_out*k_l - C_in*L_out - C_in*k_l + C_in),
 ('grad_weight', C_in*C_out*L_out*k_l, C_in*C_out*k_l*(L_out - 1)), ('grad_bias', 0, C_out*(L_out - 1))]

The input gradient's ``C_in·(L_out + k_l - 1)`` is one addition fewer per input element: at stride 1 with no
padding each of the ``L_in = L_out + k_l - 1`` inputs is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy

from symconv.conventions import flop_counter_backward
from symconv.counting import Ops, count_ops, product, receipts, size
from symconv.elements import Tensors, tensors
from symconv.errors import SymconvError
from symconv.geometry import Covered, Hit, ValidPairs, input_size, valid_pairs_sum
from symconv.gradients import (
    Gradients,
    bias_gradient,
    gradient_tensors,
    input_gradient,
    partial_weight_gradient,
    weight_gradient,
)
from symconv.quantities import named
from symconv.spec import Conv
from symconv.steps import Step
from symconv.variants import Layer

__all__ = ["GRADS", "PART", "PartCounts", "layer_gradients", "needed", "parse_grads", "stage_gradients"]

#: The gradients a backward pass can compute, in the order the parts are printed.
GRADS = ("input", "weight", "bias")

#: The part of a pass that computes each gradient.
PART = {"input": "grad_input", "weight": "grad_weight", "bias": "grad_bias"}


@dataclass(frozen=True)
class PartCounts:
    """What counting one gradient of one stage found: its element, how many elements, the totals."""

    part: str  # grad_input, grad_weight or grad_bias
    stage: str
    conv: Conv
    element: tuple[sympy.Indexed, sympy.Expr]
    elements: sympy.Expr  # gradient elements computed
    totals: Ops
    performed: Ops  # skipping the padding's zeros
    flopcounter: sympy.Expr  # FlopCounterMode's count (symconv.conventions.FLOPCOUNTER)
    params: sympy.Expr  # the parameters whose gradient this is
    tensors: Tensors
    gradients: Gradients
    steps: tuple[Step, ...] = ()

    @property
    def all_counts(self) -> dict[str, sympy.Expr]:
        """The counts by name, as :meth:`symconv.conventions.Convention.of` reads them."""
        return {"mults": self.totals.mults, "adds": self.totals.adds, "macs": self.totals.mults,
                "performed_mults": self.performed.mults, "performed_adds": self.performed.adds,
                "flopcounter": self.flopcounter}


def parse_grads(grad: Sequence[str] | str) -> tuple[str, ...]:
    """The gradients asked for, in :data:`GRADS` order; a name outside it is refused.

    >>> parse_grads(["bias", "weight"]), parse_grads("input,bias")
    (('weight', 'bias'), ('input', 'bias'))
    """
    names = [g.strip() for g in grad.split(",") if g.strip()] if isinstance(grad, str) else list(grad)
    unknown = [g for g in names if g not in GRADS]
    if unknown:
        raise SymconvError(f"unknown gradient {unknown[0]!r} (known: {', '.join(GRADS)})")
    if not names:
        raise SymconvError(f"give at least one gradient ({', '.join(GRADS)})")
    return tuple(g for g in GRADS if g in names)


def needed(layer: Layer, grad: Sequence[str]) -> list[tuple[str, ...]]:
    """The gradients each stage computes: its weight's and its bias's as asked, and its input's when asked of
    the layer (the first stage) or when the stage before needs any gradient at all, which starts from the
    gradient of its output: the input gradient of this stage.

    >>> from symconv import variants
    >>> needed(variants.separable(2), ("weight",))
    [('weight',), ('input', 'weight')]
    """
    needs: list[tuple[str, ...]] = []
    for number, _ in enumerate(layer.stages):
        own = [g for g in ("weight", "bias") if g in grad]
        wants_input = "input" in grad if number == 0 else bool(needs[-1])
        needs.append(tuple(g for g in GRADS if g in own or (g == "input" and wants_input)))
    return needs


def layer_gradients(layer: Layer, grad: Sequence[str]) -> tuple[PartCounts, ...]:
    """Every gradient of every stage of ``layer`` that ``grad`` needs, stage by stage."""
    multi = len(layer.stages) > 1
    found: list[PartCounts] = []
    for number, (stage, wanted) in enumerate(zip(layer.stages, needed(layer, grad), strict=True), start=1):
        found += stage_gradients(stage.name, stage.conv, wanted, number if multi else 1)
    return tuple(found)


def stage_gradients(name: str, conv: Conv, grad: Sequence[str], number: int = 1) -> tuple[PartCounts, ...]:
    """The gradients ``grad`` of one stage, counted from their elements."""
    t = tensors(conv, number)
    d = gradient_tensors(t)
    rule = flop_counter_backward(t.y.shape, t.x.shape, t.w.shape, d.dx.shape, d.dw.shape, conv.transposed)
    builders: dict[str, Callable[[str, Conv, Tensors, Gradients], PartCounts]] = {
        "input": _input_part, "weight": _weight_part, "bias": _bias_part}
    parts = []
    for g in GRADS:
        if g in grad:
            counted = builders[g](name, conv, t, d)
            parts.append(_with_rule(counted, rule[counted.part]))
    return tuple(parts)


def _with_rule(part: PartCounts, flopcounter: sympy.Expr) -> PartCounts:
    return PartCounts(part.part, part.stage, part.conv, part.element, part.elements, part.totals, part.performed,
                      flopcounter, part.params, part.tensors, part.gradients, part.steps)


def _bias_part(name: str, conv: Conv, t: Tensors, d: Gradients) -> PartCounts:
    lhs, rhs = bias_gradient(conv, d)
    per = count_ops(rhs)
    elements = conv.bias * size(d.dbeta)
    totals = per.scale(elements)
    steps = [Step("gradient of the bias", lhs, (rhs,),
                  "The bias adds into every output element of its channel once: its gradient sums dy over the "
                  "batch and the output positions"),
             Step("gradient of the bias", named("adds"), (per.adds,), "Adding n terms takes n - 1 additions"),
             Step("gradient of the bias", named("outputs"), (elements,),
                  "One element per output channel, present when b = 1")]
    steps += _total_steps("gradient of the bias", totals, "Per element, times the elements")
    return PartCounts("grad_bias", name, conv, (lhs, rhs), elements, totals, totals, sympy.Integer(0), elements,
                      t, d, tuple(steps))


def _weight_part(name: str, conv: Conv, t: Tensors, d: Gradients) -> PartCounts:
    title = "gradient of the weight"
    elements = size(d.dw)
    per_channel = elements / product(conv.kernel)
    pairs, taps_used, geometry = _axis_counts(conv, title, "weight")
    products = sympy.expand(conv.batch * per_channel * product(pairs))
    partial = receipts(lambda r: partial_weight_gradient(conv, t, d, r)[1], products,
                       sympy.expand(per_channel * product(taps_used)))
    if conv.transposed:
        lhs, rhs = partial_weight_gradient(conv, t, d, sympy.Symbol("r"))
        steps = [Step(title, lhs, (rhs,), "The sum over the (batch item, input position) pairs whose product with "
                                          "this weight entry landed in the output: r of them, varying with the tap"),
                 Step(title, named("outputs"), (elements,), "One element per weight entry"), *geometry,
                 *_total_steps(title, partial, "The products that land, summed over the taps; one addition fewer "
                                               "per element with a product, none for an element without")]
        return PartCounts("grad_weight", name, conv, (lhs, rhs), elements, partial, partial, sympy.Integer(0),
                          elements, t, d, tuple(steps))
    lhs, rhs = weight_gradient(conv, t, d)
    per = count_ops(rhs)
    totals = per.scale(elements)
    steps = [Step(title, lhs, (rhs,), "The weight entry multiplies one x in every output element of its channel: its "
                                      "gradient sums x·dy over the batch and the output positions, x zero on the "
                                      "padding"),
             Step(title, named("mults"), (per.mults,), "Each term of the sum is one product x·dy"),
             Step(title, named("adds"), (per.adds,), "Adding n terms takes n - 1 additions"),
             Step(title, named("outputs"), (elements,), "One element per weight entry"),
             *_total_steps(title, totals, "Per element, times the elements")]
    if not geometry:
        return PartCounts("grad_weight", name, conv, (lhs, rhs), elements, totals, totals, sympy.Integer(0),
                          elements, t, d, tuple(steps))
    steps += [step.under("padding-aware ") for step in geometry]
    steps += [Step(f"padding-aware {title}", named("performed_mults"), (partial.mults,),
                   "The products of the pairs that read a real input"),
              Step(f"padding-aware {title}", named("performed_adds"), (partial.adds,),
                   "One addition fewer than products per element with a product; an element with none computes "
                   "nothing")]
    return PartCounts("grad_weight", name, conv, (lhs, rhs), elements, totals, partial, sympy.Integer(0), elements,
                      t, d, tuple(steps))


def _input_part(name: str, conv: Conv, t: Tensors, d: Gradients) -> PartCounts:
    title = "gradient of the input"
    lhs, rhs = input_gradient(conv, t, d, sympy.Symbol("r"))
    per_position = size(d.dx) / product(conv.in_size)
    pairs, hit, steps = _axis_counts(conv, title, "input")
    products = sympy.expand(per_position * conv.out_per_group * product(pairs))
    totals = receipts(lambda r: input_gradient(conv, t, d, r)[1], products, sympy.expand(per_position * product(hit)))
    read = "landed in the output at s t + d i - p" if conv.transposed else "read it (s u + d i - p = t)"
    head = [Step(title, lhs, (rhs,), f"The sum over the (output channel, position, tap) triples whose product {read}: "
                                     "r of them, varying with the element"),
            Step(title, named("mults"), (sympy.Symbol("r"),), "Each term is one product w·dy"),
            Step(title, named("adds"), (sympy.Symbol("r") - 1,), "r - 1 additions when r > 0; an element no triple "
                                                                 "reads (r = 0) is 0, with no operation")]
    steps += [Step(title, named("mults"), (totals.mults,), "The C_out/g output channels of the group times the "
                                                          "(position, tap) pairs of every axis"),
              Step(title, named("adds"), (totals.adds,), "One addition fewer than products per element with r > 0")]
    return PartCounts("grad_input", name, conv, (lhs, rhs), size(d.dx), totals, totals, sympy.Integer(0),
                      sympy.Integer(0), t, d, tuple(head + steps))


def _total_steps(title: str, totals: Ops, rule: str) -> list[Step]:
    return [Step(title, named("mults"), (totals.mults,), rule), Step(title, named("adds"), (totals.adds,), rule)]


def _axis_counts(conv: Conv, title: str, which: str) -> tuple[list[sympy.Expr], list[sympy.Expr], list[Step]]:
    """Per axis, the (position, tap) pairs of the index map that reach the other side (``V``), and the elements
    with at least one (``which`` = ``input``: the input positions read, ``H``, or, transposed, the inputs with
    a tap that lands, ``Z``; ``weight``: the taps with a real read, ``T``); with the steps that show them.

    With no padding at either end, every read of a convolution is real and every product of a transposed one
    lands (the output-size relations): ``V = k A``, every tap has its ``A`` positions, every transposed input
    lands. A stride-1, dilation-1 convolution then reads every input position, ``A_out + k - 1`` of them, and a
    1-tap one reads ``A_out`` distinct positions.
    """
    pairs, used, steps = [], [], []
    for axis, a in enumerate(conv.axes):
        k, s, p, d = conv.kernel[axis], conv.stride[axis], conv.padding[axis], conv.dilation[axis]
        own, other = ((conv.in_size[axis], conv.out_size[axis]) if conv.transposed
                      else (conv.out_size[axis], conv.in_size[axis]))
        args = (own, other, k, s, p, d)
        clean = p == 0 and conv.pad_end[axis] == 0
        if clean:
            pairs.append(k * own)
        else:
            v = ValidPairs(*args)
            exact_sum = valid_pairs_sum(*args) if not v.is_number else v
            steps.append(Step(title, sympy.Symbol(f"V_{a}"), (exact_sum, v) if exact_sum != v else (v,),
                              "The (position, tap) pairs whose forward product reads a real input (lands in the "
                              "output): one range of positions per tap"))
            pairs.append(v)
        count, letter = _elements_with_terms(conv, which, clean, args)
        if not clean or letter == "H":
            steps.append(Step(title, sympy.Symbol(f"{letter}_{a}"), (count,), _RULES[letter]))
        used.append(count)
    return pairs, used, steps


_RULES = {
    "H": "The input positions some (position, tap) pair reads",
    "Z": "The input positions with at least one tap that lands in the output",
    "T": "The taps with at least one position that reads a real input (lands in the output)",
}


def _elements_with_terms(conv: Conv, which: str, clean: bool, args: tuple[sympy.Expr, ...]) -> tuple[sympy.Expr, str]:
    """Along one axis, the elements of a gradient with at least one term, and the letter that names them."""
    own, other, k, s, p, d = args
    if which == "weight":
        return (k if clean else Covered(k, other, own, d, p, s)), "T"
    if conv.transposed:
        return (own if clean else Covered(*args)), "Z"
    if clean and s == 1 and d == 1:
        return input_size(own, k, s, p, d), "H"
    if clean and k == 1:
        return own, "H"
    return Hit(*args), "H"
