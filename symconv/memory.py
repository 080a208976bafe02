"""Memory traffic, arithmetic intensity and the roofline bound of a pass, under the compulsory-traffic model.

**The model.** A pass reads every element of the tensors its elements read, and writes every element of the
tensors it computes, each exactly once, ``B`` bytes each (the symbol ``B``): no cache misses, no re-reads, no
spills, the least traffic any implementation has. The tensors a pass reads are those its element expressions
read (:func:`symconv.counting.tensors_read`): the forward element reads ``x``, ``w`` and, when ``b = 1``,
``β``, and writes ``y``; the backward pass reads ``dy`` and, for the weight gradient, ``x``, for the input
gradient, ``w``, and writes the gradients it computes. In a layer of several stages every stage moves its
own tensors (the intermediate result is written by one stage and read by the next); a training step moves
the forward pass's and the backward pass's.

**Intensity and the roofline.** The arithmetic intensity is ``flops / bytes``. On a device of peak
``P`` FLOP/s and bandwidth ``W`` bytes/s a pass takes at least ``max(flops / P, bytes / W)`` seconds: it is
compute-bound when its intensity is at least the ridge ``P / W``, memory-bound below it.

>>> from symconv import variants
>>> from symconv.derive import derive
>>> t = traffic(derive(variants.pointwise(2, {"N": 1, "s_h": 1, "s_w": 1}, bias=False)), 1)
>>> t.quantities["bytes"]  # ShuffleNetV2's MAC of a 1×1 convolution, h w (c1 + c2) + c1 c2, when H_in = H_out
C_in*C_out + C_in*H_in*W_in + C_out*H_out*W_out
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from symconv.counting import size, tensors_read
from symconv.elements import element, partial_element, tensors
from symconv.errors import SymconvError
from symconv.parsing import parse_text
from symconv.quantities import named
from symconv.steps import Step
from symconv.symbols import sym

__all__ = ["Device", "Traffic", "bound_on", "exact_number", "ratio", "roofline", "traffic"]


@dataclass(frozen=True)
class Device:
    """A device as the roofline sees it: ``peak`` FLOP/s and ``bandwidth`` bytes/s, exact numbers."""

    peak: sympy.Expr
    bandwidth: sympy.Expr

    def __post_init__(self) -> None:
        for name in ("peak", "bandwidth"):
            value = getattr(self, name)
            if not (isinstance(value, sympy.Expr) and value.is_number and value.is_positive):
                raise SymconvError(f"the device's {name} must be a positive number, not {value}")

    @classmethod
    def parse(cls, text: str) -> Device:
        """``peak=FLOP/s,bandwidth=B/s``, each an integer, a decimal, ``1e12`` or an expression (``312*10^12``).

        >>> Device.parse("peak=1.5e12,bandwidth=200*10^9")
        Device(peak=1500000000000, bandwidth=200000000000)
        """
        fields: dict[str, sympy.Expr] = {}
        for item in text.split(","):
            name, _, value = item.partition("=")
            name = name.strip()
            if name not in ("peak", "bandwidth") or not value.strip():
                raise SymconvError(f"a device is peak=FLOP/s,bandwidth=B/s, not {text!r}")
            if name in fields:
                raise SymconvError(f"the device gives {name} twice")
            fields[name] = exact_number(value.strip())
        missing = [name for name in ("peak", "bandwidth") if name not in fields]
        if missing:
            raise SymconvError(f"the device needs {' and '.join(missing)} (peak=FLOP/s,bandwidth=B/s)")
        return cls(fields["peak"], fields["bandwidth"])

    @property
    def ridge(self) -> sympy.Expr:
        """The intensity where the roof bends, ``peak / bandwidth`` FLOPs per byte."""
        return self.peak / self.bandwidth


def exact_number(text: str) -> sympy.Expr:
    """An exact number: a decimal or ``1e12`` as its exact fraction, else a formula (never evaluated)."""
    try:
        return sympy.Rational(Fraction(text))
    except ValueError:
        value = parse_text(text)
        if not value.is_number:
            raise SymconvError(f"{text!r} is not a number") from None
        return value


@dataclass(frozen=True)
class Traffic:
    """The compulsory traffic of a pass: the elements of each tensor read and written, the ``elements``,
    ``bytes`` and ``intensity`` (and, on a ``device``, the ``roofline`` time) in ``quantities``, and the
    steps that derive them. ``bound`` is ``"compute"`` or ``"memory"`` once the numbers decide it."""

    title: str
    subtitle: str
    reads: tuple[tuple[str, sympy.Expr], ...]
    writes: tuple[tuple[str, sympy.Expr], ...]
    quantities: Mapping[str, sympy.Expr]
    steps: tuple[Step, ...]
    device: Device | None = None
    bound: str | None = None
    conditions: tuple[sympy.Rel, ...] = field(default=())


def _forward_tensors(derivation: Any) -> list[tuple[str, list[tuple[str, sympy.Expr]], list[tuple[str, sympy.Expr]]]]:
    """Per stage of the forward pass, the tensors its element reads and the one it writes."""
    out = []
    multi = len(derivation.layer.stages) > 1
    for number, stage in enumerate(derivation.layer.stages, start=1):
        conv = stage.conv
        t = tensors(conv, number if multi else 1)
        expr = partial_element(conv, t, sympy.Symbol("r")) if conv.transposed else element(conv, t)[1]
        reads = [(str(base.label), tensors_read(expr, [base])) for base in (t.x, t.w, t.beta)]
        out.append((stage.name, [r for r in reads if r[1] != 0], [(str(t.y.label), size(t.y))]))
    return out


def _backward_tensors(gradients: Sequence[Any]) -> list[tuple[str, list[tuple[str, sympy.Expr]],
                                                              list[tuple[str, sympy.Expr]]]]:
    """Per stage of the backward pass, the tensors its gradients' elements read (``dy`` once for all of them)
    and the gradients it writes."""
    stages: dict[str, list[Any]] = {}
    for part in gradients:
        stages.setdefault(part.stage, []).append(part)
    out = []
    for name, parts in stages.items():
        first = parts[0]
        t, d = first.tensors, first.gradients
        expr = sympy.Add(*(first.conv.bias * p.element[1] if p.part == "grad_bias" else p.element[1] for p in parts))
        reads = [(str(base.label), tensors_read(expr, [base])) for base in (d.dy, t.x, t.w)]
        written = {"grad_input": d.dx, "grad_weight": d.dw, "grad_bias": d.dbeta}
        writes = [(str(written[p.part].label), p.elements) for p in parts]
        out.append((name, [r for r in reads if r[1] != 0], writes))
    return out


def traffic(derivation: Any, bytes_per_element: sympy.Expr | int | None = None,
            device: Device | None = None) -> Traffic:
    """The compulsory traffic of a derivation's pass (:func:`symconv.derive.derive`, or a backward pass or
    training step of :func:`symconv.passes.derive_pass`), ``bytes_per_element`` bytes per element (the symbol
    ``B`` unless given), its intensity in the derivation's convention and, on a ``device``, its roofline time.
    """
    per = sym("B") if bytes_per_element is None else bytes_per_element
    if isinstance(per, int):
        per = sympy.Integer(per)
    counted = getattr(derivation, "pass_", None)
    sections = []
    if counted is None or getattr(derivation, "forward", None) is not None:
        sections += [("forward pass: " if counted is not None else "", s) for s in _forward_tensors(derivation)]
    if counted is not None:
        prefix = "backward pass: " if getattr(derivation, "forward", None) is not None else ""
        sections += [(prefix, s) for s in _backward_tensors(derivation.gradients)]
    multi = len(derivation.layer.stages) > 1
    steps, reads, writes = [], [], []
    for prefix, (stage, read, written) in sections:
        where = prefix + (f"{stage} stage: " if multi else "")
        steps += [Step(f"{where}tensors read", sympy.Symbol(n), (e,), "Every element of the tensor, read once")
                  for n, e in read]
        steps += [Step(f"{where}tensors written", sympy.Symbol(n), (e,), "Every element of the tensor, written once")
                  for n, e in written]
        reads += read
        writes += written
    elements = sympy.factor_terms(sympy.expand(sum((e for _, e in (*reads, *writes)), sympy.Integer(0))))
    flops = derivation.quantities["flops"]
    total = sympy.factor_terms(sympy.expand(per * elements))
    intensity = ratio(flops, total)
    quantities = {"elements": elements, "bytes": total, "intensity": intensity}
    steps += [Step("memory traffic", named("elements"), (elements,), "Every element read or written once"),
              Step("memory traffic", named("bytes"), (total,), f"{per} byte{'' if per == 1 else 's'} per element"),
              Step("memory traffic", named("intensity"), (intensity,),
                   f"FLOPs per byte, the FLOPs in the {derivation.convention.value} convention")]
    subtitle = (f"{derivation.subtitle[:derivation.subtitle.index(', FLOPs')]}: compulsory traffic, every tensor "
                f"element read or written once, {per} byte{'' if per == 1 else 's'} each")
    result = Traffic(f"Memory traffic of the {derivation.title[:1].lower()}{derivation.title[1:]}", subtitle,
                     tuple(reads), tuple(writes), quantities, tuple(steps), conditions=derivation.conditions)
    return roofline(result, flops, device) if device is not None else result


def ratio(numerator: sympy.Expr, denominator: sympy.Expr) -> sympy.Expr:
    """A ratio of closed forms, each side factored (a number once both are numbers)."""
    value = numerator / denominator
    if value.is_number:
        return sympy.nsimplify(value)
    return sympy.factor_terms(numerator) / sympy.factor_terms(denominator)


def _seconds(time: sympy.Expr) -> str:
    """An exact time, for reading: ``about 68.8 µs``."""
    value = float(time)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if value >= scale:
            return f"about {value / scale:.3g} {unit}"
    return f"about {value:.3g} s"


def bound_on(flops: sympy.Expr, moved: sympy.Expr, device: Device) -> tuple[sympy.Expr, str | None]:
    """The roofline time of ``flops`` FLOPs moving ``moved`` bytes on ``device``, ``max(flops / peak,
    bytes / bandwidth)``, and which bound it is (``"compute"``, ``"memory"``) once the numbers decide.

    >>> bound_on(sympy.Integer(10**6), sympy.Integer(10**4), Device(sympy.Integer(10**9), sympy.Integer(10**8)))
    (1/1000, 'compute')
    """
    compute, memory = flops / device.peak, moved / device.bandwidth
    bound = None
    if (compute - memory).is_number:
        bound = "compute" if compute >= memory else "memory"
    return sympy.Max(compute, memory), bound


def roofline(t: Traffic, flops: sympy.Expr, device: Device) -> Traffic:
    """``t`` with its roofline time on ``device``: ``max(flops / peak, bytes / bandwidth)`` seconds, and which
    bound it is once the numbers decide."""
    compute, memory = flops / device.peak, t.quantities["bytes"] / device.bandwidth
    time, bound = bound_on(flops, t.quantities["bytes"], device)
    rule = (f"On a device of {device.peak} FLOP/s and {device.bandwidth} bytes/s: the FLOPs at the peak or the "
            f"bytes at the bandwidth, whichever takes longer (the ridge is {device.ridge} FLOPs per byte)")
    if time.is_number:
        rule += f", {_seconds(time)}"
    shown = (time,) if bound is None else (sympy.Max(compute, memory, evaluate=False), time)
    step = Step("roofline", named("roofline"), shown, rule if bound is None else f"{rule}: {bound}-bound")
    return Traffic(t.title, t.subtitle, t.reads, t.writes, {**t.quantities, "roofline": time}, (*t.steps, step),
                   device, bound, t.conditions)
