"""The passes of a layer: forward, backward, and a training step (forward + backward), each derived.

The forward pass is :func:`symconv.derive.derive`. The backward pass computes the gradients asked for
(``grad``: of the input, the weight and the bias), each counted from the elements of its gradient
(:mod:`symconv.backward`); a training step is both. Their derivation is a :class:`PassDerivation`: the
closed forms of the pass in ``quantities`` and, in ``parts``, each gradient's (and in a training step the
forward pass's) own counts, shaped like ``quantities``.

>>> from symconv import variants
>>> d = derive_pass(variants.pointwise(1, {"N": 1}, bias=False), pass_="backward", grad=("weight",))
>>> d.quantities["mults"], d.parts["grad_weight"]["adds"]
(C_in*C_out*L_out, C_in*C_out*(L_out - 1))

``backward = 2 × forward`` is the rule people quote; here, in multiply-accumulates, it is exact:

>>> forward = derive_pass(variants.pointwise(1, {"N": 1}, bias=False))
>>> derive_pass(forward.layer, "macs", pass_="backward").quantities["flops"] / forward.quantities["macs"]
2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

import sympy

from symconv.backward import GRADS, PART, PartCounts, layer_gradients, parse_grads
from symconv.conventions import BACKWARD, FLOPCOUNTER, Convention, Rule, flop_counter_forward, parse_rule
from symconv.counting import tensors_read
from symconv.derive import Derivation, derive, in_input_sizes, presenter
from symconv.elements import element, tensors
from symconv.errors import SymconvError
from symconv.quantities import LAYER, PARTS
from symconv.spec import Definition
from symconv.steps import Step, convention_steps, output_size_steps, part_steps, pass_totals_steps
from symconv.variants import Layer

__all__ = ["COUNTED", "Pass", "PassDerivation", "derive_pass"]

#: The counts each part of a pass carries, by name (:meth:`symconv.conventions.Convention.of` reads them).
COUNTED = ("mults", "adds", "macs", "performed_mults", "performed_adds", FLOPCOUNTER.value)


class Pass(Enum):
    """A pass of a layer: ``Pass(name)`` takes the names ``--pass`` takes."""

    FORWARD = "forward"
    BACKWARD = "backward"
    TRAINING = "training"

    @classmethod
    def parse(cls, name: str | Pass) -> Pass:
        if isinstance(name, Pass):
            return name
        try:
            return cls(name)
        except ValueError:
            known = ", ".join(p.value for p in cls)
            raise SymconvError(f"unknown pass {name!r} (known: {known})") from None


@dataclass(frozen=True)
class PassDerivation(Derivation):
    """The derivation of a backward pass or a training step: a :class:`~symconv.derive.Derivation` whose
    closed forms count that pass, with the gradients it computes (``grads``), the counts of each part
    (``parts``, in the documented names; ``part_polynomials`` in the channels per group) and what counting
    each gradient of each stage found (``gradients``)."""

    pass_: Pass = Pass.BACKWARD
    grads: tuple[str, ...] = GRADS
    parts: Mapping[str, Mapping[str, sympy.Expr]] = field(default_factory=dict)
    part_polynomials: Mapping[str, Mapping[str, sympy.Expr]] = field(default_factory=dict)
    gradients: tuple[PartCounts, ...] = ()
    forward: Derivation | None = None  # the forward pass a training step includes

    @property
    def subtitle(self) -> str:
        what = "training step (forward + backward)" if self.pass_ is Pass.TRAINING else "backward pass"
        grads = ", ".join(self.grads)
        return (f"{self.dims}-D, {what}, gradients of the {grads}, FLOPs in the {self.convention.value} "
                f"convention ({self.convention.description})")


def _summed(parts: Sequence[PartCounts], name: str) -> dict[str, sympy.Expr]:
    """The counts of every stage's part ``name``, summed."""
    chosen = [p.all_counts for p in parts if p.part == name]
    return {count: sympy.expand(sum((c[count] for c in chosen), sympy.Integer(0))) for count in COUNTED}


def _forward_part(forward: Derivation) -> dict[str, sympy.Expr]:
    """The forward pass as a part of a training step, with FlopCounterMode's count of each stage."""
    counts = {name: sympy.Integer(0) for name in COUNTED}
    multi = len(forward.stages) > 1
    for number, stage in enumerate(forward.stages, start=1):
        t = tensors(stage.conv, number if multi else 1)
        every = stage.all_counts
        for name in COUNTED[:-1]:
            counts[name] += every[name]
        counts[FLOPCOUNTER.value] += flop_counter_forward(t.x.shape, t.w.shape, t.y.shape, stage.conv.transposed)
    return {name: sympy.expand(value) for name, value in counts.items()}


def _params(layer: Layer) -> sympy.Expr:
    """The layer's parameters: the parameter tensors each stage's forward element reads."""
    multi = len(layer.stages) > 1
    total = sympy.Integer(0)
    for number, stage in enumerate(layer.stages, start=1):
        t = tensors(stage.conv, number if multi else 1)
        total += tensors_read(element(stage.conv, t)[1], t.parameters)
    return sympy.expand(total)


def _part_params(parts: Sequence[PartCounts], name: str, layer_params: sympy.Expr) -> sympy.Expr:
    if name == "forward":
        return layer_params
    return sympy.expand(sum((p.params for p in parts if p.part == name), sympy.Integer(0)))


def _stage_steps(layer: Layer, gradients: Sequence[PartCounts]) -> list[Step]:
    """The output sizes, then each stage's gradients, under the stage's name when there are several."""
    steps = output_size_steps(layer.stages[0].conv, "output size")
    multi = len(layer.stages) > 1
    for stage in reversed(layer.stages):  # the gradient flows from the last stage to the first
        prefix = f"{stage.name} stage: " if multi else ""
        for part in gradients:
            if part.stage == stage.name:
                steps += [step.under(prefix) for step in part.steps]
    return steps


def _definitions(layer: Layer) -> tuple[Definition, ...]:
    found: list[Definition] = []
    for stage in layer.stages:
        found += [d for d in stage.conv.definitions if d not in found]
    return tuple(found)


def derive_pass(layer: Layer, convention: Rule | str = Convention.EXACT, *, pass_: Pass | str = Pass.FORWARD,
                grad: Sequence[str] | str = GRADS, sizes: str = "output") -> Derivation:
    """Derive the counts of one pass of ``layer``: ``forward`` (:func:`symconv.derive.derive`), ``backward``
    (the gradients ``grad``: ``input``, ``weight``, ``bias``) or ``training`` (both).

    ``convention`` says what ``flops`` counts; a backward pass or a training step takes ``exact``, ``macs``,
    ``2macs``, ``performed`` or the preset ``flopcounter`` (PyTorch's FlopCounterMode,
    :data:`symconv.conventions.FLOPCOUNTER`). The first layer of a network needs no input gradient: leave
    ``input`` out of ``grad``.
    """
    chosen = Pass.parse(pass_)
    grads = parse_grads(grad)
    if chosen is Pass.FORWARD:
        rule = parse_rule(convention)  # a preset counts a backward pass: refused, with the reason
        assert isinstance(rule, Convention)
        return derive(layer, rule, sizes=sizes)
    rule = parse_rule(convention, backward=True)
    if sizes not in ("output", "input"):
        raise SymconvError(f"sizes must be 'output' or 'input', not {sizes!r}")
    if sizes == "input":
        layer = in_input_sizes(layer)
    gradients = layer_gradients(layer, grads)
    forward = derive(layer) if chosen is Pass.TRAINING else None
    counts = {"forward": _forward_part(forward)} if forward is not None else {}
    for name in PARTS:
        if any(g.part == name for g in gradients) or name in (PART[g] for g in grads):
            counts[name] = _summed(gradients, name)
    layer_params = _params(layer)
    return _assemble(layer, rule, chosen, grads, gradients, forward, counts, layer_params)


def _assemble(layer: Layer, rule: Rule, chosen: Pass, grads: tuple[str, ...], gradients: tuple[PartCounts, ...],
              forward: Derivation | None, counts: Mapping[str, Mapping[str, sympy.Expr]],
              layer_params: sympy.Expr) -> PassDerivation:
    """The pass's closed forms and steps from the counts of its parts."""
    definitions = _definitions(layer)
    present = presenter(definitions)
    total = {name: sympy.expand(sum((c[name] for c in counts.values()), sympy.Integer(0))) for name in COUNTED}

    def shaped(c: Mapping[str, sympy.Expr], params: sympy.Expr) -> dict[str, sympy.Expr]:
        return {"params": params, "mults": c["mults"], "adds": c["adds"], "flops": sympy.expand(rule.of(c)),
                "macs": c["macs"]}

    poly = shaped(total, layer_params)
    part_poly = {name: shaped(c, _part_params(gradients, name, layer_params)) for name, c in counts.items()}
    quantities = {name: present(poly[name]) for name in LAYER}
    parts = {name: {q: present(e) for q, e in c.items()} for name, c in part_poly.items()}
    rules: tuple[Rule, ...] = (*BACKWARD, FLOPCOUNTER)
    further = {"performed_mults": present(total["performed_mults"]), "performed_adds": present(total["performed_adds"]),
               **{f"flops_{r.value}": present(sympy.expand(r.of(total))) for r in rules}}
    steps = _stage_steps(layer, gradients)
    if forward is not None:
        steps = [s.under("forward pass: ") for s in forward.steps if s.title not in ("totals", "conventions")] + \
            [s.under("backward pass: ") for s in steps]
    steps += part_steps(parts, rule)
    steps += pass_totals_steps(quantities, rule)
    steps += convention_steps(sympy.expand(total["mults"] + total["adds"]), lambda r: r.of(total), present,
                              set(), rules)
    last = layer.stages[-1].conv
    size_map = {f"{a.upper()}_out": last.out_size[i] for i, a in enumerate(last.axes)}
    return PassDerivation(layer, rule, (), tuple(steps), poly, quantities, size_map, definitions, further,
                          pass_=chosen, grads=grads, parts=parts, part_polynomials=part_poly, gradients=gradients,
                          forward=forward)
