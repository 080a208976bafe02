"""Derive counts from the expression of one output element.

For each stage of a layer, SymPy builds one output element as the reduction it is (:mod:`symconv.elements`):
a sum, over the input channels of its group and the kernel taps, of weight × input, plus the bias. The counts
come from the structure of that expression (:func:`symconv.counting.count_ops`): a sum of ``n`` products costs
``n`` multiplications and ``n - 1`` additions, and the bias one addition more. Multiplied by the number of
output elements and simplified, they are the closed forms. Every stage of the reasoning is kept as a
:class:`~symconv.steps.Step` for the printers.

>>> from symconv import variants
>>> d = derive(variants.standard(2, values={"N": 1}, bias=True))
>>> d.quantities["flops"]
2*C_in*C_out*H_out*W_out*k_h*k_w
>>> d.quantities["params"]
C_out*(C_in*k_h*k_w + 1)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import sympy

from symconv.conventions import Convention, Rule
from symconv.counting import Ops, count_ops, product, receipts, size, tensors_read
from symconv.displayed import Displayed
from symconv.elements import Tensors, dense, element, partial_element, scatter, tensors
from symconv.errors import SymconvError, must_be
from symconv.fixed_geometry import fixed_count
from symconv.geometry import Covered, Hit, ValidPairs, valid_pairs_sum
from symconv.quantities import FURTHER, LAYER, named
from symconv.spec import Conv, Definition
from symconv.steps import (
    Step,
    convention_steps,
    output_size_steps,
    stage_steps,
    totals_steps,
    transposed_steps,
)
from symconv.variants import Layer

__all__ = ["Derivation", "StageCounts", "derive", "in_input_sizes", "presenter", "tidy"]


@dataclass(frozen=True)
class StageCounts:
    """What one stage's derivation found."""

    name: str
    conv: Conv
    element: tuple[sympy.Indexed, sympy.Expr]
    products: sympy.Expr  # terms in the element's sum
    per_element: Ops
    outputs: sympy.Expr  # output elements
    params: sympy.Expr
    totals: Ops
    macs: sympy.Expr | None = None  # one per product; outputs × products unless transposed
    input_grid: sympy.Expr | None = None
    output_grid: sympy.Expr | None = None
    performed: Ops | None = None
    steps: tuple[Step, ...] = ()  # the stage's geometry steps (valid pairs, scatter), printed with its own

    @property
    def all_counts(self) -> dict[str, sympy.Expr]:
        macs = self.outputs * self.products if self.macs is None else self.macs
        performed = self.performed or self.totals
        return {"mults": self.totals.mults, "adds": self.totals.adds, "macs": macs,
                "input_grid": macs if self.input_grid is None else self.input_grid,
                "output_grid": macs if self.output_grid is None else self.output_grid,
                "performed_mults": performed.mults, "performed_adds": performed.adds}


def _receipts(conv: Conv, t: Tensors, products: sympy.Expr, elements: sympy.Expr) -> sympy.Expr:
    """The additions of ``elements`` output elements that sum ``products`` products between them, each as
    :func:`symconv.elements.partial_element` counts it: linear in its own products, so the total is that
    line's slope times ``products`` plus its intercept times ``elements``."""
    return receipts(lambda terms: partial_element(conv, t, terms), products, elements).adds


def _forward_counts(name: str, conv: Conv, t: Tensors) -> StageCounts:
    lhs, rhs = element(conv, t)
    per = count_ops(rhs)
    products = per.mults  # every multiplication in the element is one weight × input product
    outputs = size(t.y)
    params = tensors_read(rhs, t.parameters)
    performed, steps = _performed(conv, t, rhs, outputs, products)
    return StageCounts(name, conv, (lhs, rhs), products, per, outputs, params, per.scale(outputs),
                       performed=performed, steps=steps)


def _prose(index: sympy.Expr) -> str:
    """An index as a rule's prose writes it: ``s_h·u + d_h·i − p_h`` rather than SymPy's ``d_h*i - p_h + s_h*u``."""
    terms = sorted(sympy.Add.make_args(index), key=lambda t: (t.could_extract_minus_sign(), -len(t.free_symbols)))
    out = ""
    for term in terms:
        negative = term.could_extract_minus_sign()
        text = str(-term if negative else term).replace("*", "·")
        out += (" − " if negative else " + ") + text if out else ("−" if negative else "") + text
    return out


def _reads(rhs: sympy.Expr) -> sympy.Indexed:
    """The input entry ``x[n, c, positions]`` that the element's products read."""
    return next(e for e in rhs.atoms(sympy.Indexed) if e.base.name.startswith("x"))


def _performed(conv: Conv, t: Tensors, rhs: sympy.Expr, outputs: sympy.Expr,
               products: sympy.Expr) -> tuple[Ops, tuple[Step, ...]]:
    """Multiplications and additions when the taps on the padding are skipped, from the element's index map.

    Tap ``i`` of position ``u`` reads ``x`` at ``s u + d i - p`` (the element's subscript); it is a real input
    when that lies in ``[0, A_in)``. Per axis the real (position, tap) pairs are ``V`` and the positions with at
    least one real tap ``Z`` (:mod:`symconv.geometry`); with no padding at either end every read is real
    (``s u + d i <= (A_out - 1) s + d (k - 1) <= A_in - 1`` by the output-size relation): ``V = k A_out``.
    An element's products are those of its channels times the real taps of each axis; it adds them with one
    addition fewer, plus the bias, but an element with no real tap computes nothing.
    """
    reads = _reads(rhs).indices[2:]
    pairs, covered, steps = [], [], []
    for axis, a in enumerate(conv.axes):
        k, out, size_in = conv.kernel[axis], conv.out_size[axis], conv.in_size[axis]
        if conv.padding[axis] == 0 and conv.pad_end[axis] == 0:
            pairs.append(k * out)
            covered.append(out)
            continue
        args = (out, size_in, k, conv.stride[axis], conv.padding[axis], conv.dilation[axis])
        v = fixed_count(ValidPairs, args, _tied(conv, axis))
        exact_sum = valid_pairs_sum(*args) if not v.is_number else v
        steps.append(Step("padding-aware counts", sympy.Symbol(f"V_{a}"), (exact_sum, v) if exact_sum != v else (v,),
                          f"Tap i of position u reads x at {_prose(reads[axis])}: a real input when it lies in "
                          f"[0, {size_in}); the real pairs of each tap form one range of positions"))
        pairs.append(v)
        covered.append(fixed_count(Covered, args, _tied(conv, axis)))
    channels = products / product(conv.kernel)
    per_position = outputs / product(conv.out_size)
    mults = sympy.expand(per_position * channels * product(pairs))
    adds = _receipts(conv, t, mults, per_position * product(covered))
    if steps:
        steps.append(Step("padding-aware counts", named("performed_mults"), (mults,),
                          "The products of the channels times the real pairs of every axis"))
        steps.append(Step("padding-aware counts", named("performed_adds"), (adds,),
                          "One addition fewer than products per element, plus the bias, in the Z elements with a "
                          "real tap; an element with none is its bias (or 0), no addition"))
    return Ops(mults, adds), tuple(steps)


def _tied(conv: Conv, axis: int) -> dict[sympy.Symbol, sympy.Expr]:
    """One size of ``axis`` by the other, where the relation gives it: a transposed convolution's output size
    by its input size; at stride 1, a convolution's input size by its output size (for the closed forms of a
    fixed geometry, :func:`symconv.fixed_geometry.fixed_count`)."""
    out, size_in, relation = conv.out_size[axis], conv.in_size[axis], conv.relation(axis)
    if conv.transposed:
        return {out: relation} if isinstance(out, sympy.Symbol) else {}
    offset = relation - size_in
    return {size_in: out - offset} if isinstance(size_in, sympy.Symbol) and offset.is_number else {}


def _landed(conv: Conv, lands: list[sympy.Expr]) -> tuple[list[sympy.Expr], list[sympy.Expr], list[Step]]:
    """Per axis of a transposed convolution: the (input, tap) pairs that land inside the output, ``V``, and
    the output positions hit, ``H``; ``k A_in`` pairs when nothing is cropped."""
    pairs, hit, steps = [], [], []
    for axis, a in enumerate(conv.axes):
        k, size_in, out = conv.kernel[axis], conv.in_size[axis], conv.out_size[axis]
        args = (size_in, out, k, conv.stride[axis], conv.padding[axis], conv.dilation[axis])
        if conv.padding[axis] == 0 and conv.pad_end[axis] == 0:
            pairs.append(k * size_in)
        else:
            v = fixed_count(ValidPairs, args, _tied(conv, axis))
            exact_sum = valid_pairs_sum(*args) if not v.is_number else v
            steps.append(Step("scatter", sympy.Symbol(f"V_{a}"), (exact_sum, v) if exact_sum != v else (v,),
                              f"Input t and tap i land at {_prose(lands[axis])}, kept when in [0, {out})"))
            pairs.append(v)
        hit.append(fixed_count(Hit, args, _tied(conv, axis)))
    return pairs, hit, steps


def _transposed_counts(name: str, conv: Conv, t: Tensors) -> StageCounts:
    """A transposed convolution, from the scatter of one input element.

    Input element ``x[n, c, t]`` multiplies every weight ``w[c, o, i]`` of its group (``C_out/g × ∏ k``
    products) and adds each product into ``y[n, g_c C_out/g + o, s t + d i - p]``. The scatter of all input
    elements is the input-grid count. A product lands in the output when ``0 <= s t + d i - p < A_out``: the
    landed pairs per axis are ``V(A_in, A_out, k, s, p, d)``, ``k A_in`` when nothing is cropped. An output
    element adds its contributions with one addition fewer, plus the bias, unless it received none: the
    positions hit per axis are ``H(A_in, A_out, k, s, p, d)``.
    """
    lhs, products = scatter(conv, t)
    per = count_ops(products)
    inputs, outputs = size(t.x), size(t.y)
    input_grid = sympy.expand(inputs * per.mults)
    steps = [Step("scatter", lhs, (products,),
                  "One input element times every weight of its group, each product added where it lands"),
             Step("scatter", named("mults"), (per.mults,), "Products per input element"),
             Step("scatter", named("input_grid"), (input_grid,),
                  "Every input element scatters: the count on the input grid")]
    pairs, hit, landed_steps = _landed(conv, list(lhs.indices[2:]))
    steps += landed_steps
    mults = sympy.expand(inputs / product(conv.in_size) * conv.out_per_group * product(pairs))
    adds = _receipts(conv, t, mults, outputs / product(conv.out_size) * product(hit))
    steps.append(Step("scatter", named("mults"), (mults,), "The products that land in the output"))
    steps.append(Step("scatter", sympy.Symbol("mults_adjoint"), (mults,),
                      "The forward convolution this one is the adjoint of (input A_out, output A_in, channels "
                      "swapped) multiplies alike: the same index map, its real (position, tap) pairs V; its "
                      "nominal products are the scatter's"))
    steps.append(Step("scatter", named("adds"), (adds,),
                      "Per output element, one addition fewer than the products it receives, plus the bias; an "
                      "element that receives none is its bias (or 0)"))
    output_grid = sympy.expand(outputs * count_ops(dense(conv, t)).mults)
    steps.append(Step("scatter", named("output_grid"), (output_grid,),
                      "As a dense convolution of the zero-spread input on the output grid"))
    params = tensors_read(partial_element(conv, t, per.mults), t.parameters)
    return StageCounts(name, conv, (lhs, products), per.mults, per, outputs, params, Ops(mults, adds),
                       macs=mults, input_grid=input_grid, output_grid=output_grid, performed=Ops(mults, adds),
                       steps=tuple(steps))


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """A closed form as it reads best: common factors taken out, no division introduced.

    >>> from symconv.symbols import sym
    >>> tidy(sym("C_in") * sym("C_out") + sym("b") * sym("C_out"))
    C_out*(C_in + b)
    """
    return _tidy(expr)


@lru_cache(maxsize=4096)
def _tidy(expr: sympy.Expr) -> sympy.Expr:
    return sympy.factor_terms(sympy.expand(expr))


def presenter(definitions: Sequence[Definition]) -> Callable[[sympy.Expr], sympy.Expr]:
    """How a closed form is shown: in the documented symbols (``C_in_g`` back to ``C_in/g``), tidied."""
    back = {d.symbol: d.value for d in definitions}

    def present(expr: sympy.Expr) -> sympy.Expr:
        return tidy(expr.xreplace(back)) if expr.is_Add else expr.xreplace(back)

    return present


@dataclass(frozen=True, repr=False)
class Derivation(Displayed):
    """The derivation of a layer's counts: the steps, and the closed forms they end in.

    ``quantities`` holds the closed forms in the documented symbol names (``params``, ``mults``, ``adds``,
    ``flops`` in ``convention``, ``macs``); ``polynomials`` the same counts in the channels per group, where
    every count is an integer polynomial; ``sizes`` the output size of each axis of the last stage.
    """

    layer: Layer
    convention: Rule
    stages: tuple[StageCounts, ...]
    steps: tuple[Step, ...]
    polynomials: Mapping[str, sympy.Expr]
    quantities: Mapping[str, sympy.Expr]
    sizes: Mapping[str, sympy.Expr]
    definitions: tuple[Definition, ...] = field(default=())
    #: Every further count: ``input_grid``, ``output_grid``, ``performed_mults``, ``performed_adds`` (see
    #: :data:`symconv.quantities.FURTHER`) and ``flops_<convention>`` for every convention, in the documented names.
    counts: Mapping[str, sympy.Expr] = field(default_factory=dict)

    @property
    def variant(self) -> str:
        return self.layer.variant

    @property
    def title(self) -> str:
        return self.layer.title

    @property
    def dims(self) -> int:
        return self.layer.dims

    @property
    def subtitle(self) -> str:
        return f"{self.dims}-D, FLOPs in the {self.convention.value} convention ({self.convention.description})"

    @property
    def conditions(self) -> tuple[sympy.Rel, ...]:
        """Where the values given leave open whether the layer exists: the inequalities its symbols must
        satisfy (each stage's :attr:`symconv.spec.Conv.conditions`); the closed forms hold there."""
        found: list[sympy.Rel] = []
        for stage in self.layer.stages:
            found += [c for c in stage.conv.conditions if c not in found]
        return tuple(found)

    def value(self, name: str) -> int | None:
        """The exact integer of a quantity once every symbol is set, else ``None``."""
        if name in self.quantities:
            expr = self.quantities[name]
        elif name in self.sizes:
            expr = self.sizes[name]
        else:
            expr = self.counts[name]
        return int(expr) if expr.is_Integer else None


def in_input_sizes(layer: Layer) -> Layer:
    """The same layer with every output size that is a symbol replaced by its relation to the input size (floor
    forms), so that derived counts are in the input sizes."""
    subs: dict[sympy.Symbol, sympy.Expr] = {}
    for stage in layer.stages:
        conv = stage.conv.substitute(subs) if subs else stage.conv
        for axis, out in enumerate(conv.out_size):
            if isinstance(out, sympy.Symbol) and out not in subs:
                subs[out] = conv.relation(axis)
    return layer.substitute(subs) if subs else layer


def _stages(layer: Layer) -> tuple[list[StageCounts], list[Step], list[Definition]]:
    """Each stage derived from its element, with its steps, and the definitions the stages introduce."""
    multi = len(layer.stages) > 1
    stages: list[StageCounts] = []
    steps: list[Step] = []
    definitions: list[Definition] = []
    for number, stage in enumerate(layer.stages, start=1):
        prefix = f"{stage.name} stage: " if multi else ""
        t = tensors(stage.conv, number if multi else 1)
        transposed = stage.conv.transposed
        counts = (_transposed_counts if transposed else _forward_counts)(stage.name, stage.conv, t)
        stages.append(counts)
        if number == 1:
            steps += output_size_steps(stage.conv, "output size")
        steps += (transposed_steps if transposed else stage_steps)(counts, prefix)
        definitions += [d for d in stage.conv.definitions if d not in definitions]
    return stages, steps, definitions


def derive(layer: Layer, convention: Convention | str = Convention.EXACT, *, sizes: str = "output") -> Derivation:
    """Derive every count of ``layer``, step by step; ``flops`` follows ``convention``.

    ``sizes="input"`` writes the counts in the input sizes (the output sizes replaced by their floor forms);
    the default keeps the output sizes as symbols.
    """
    must_be(layer, Layer, "layer", "a Layer (symconv.variants)")
    convention = Convention.parse(convention)
    if not isinstance(sizes, str) or sizes not in ("output", "input"):
        raise SymconvError(f"sizes must be 'output' or 'input', not {sizes!r}")
    if sizes == "input":
        layer = in_input_sizes(layer)
    stages, steps, definitions = _stages(layer)
    per_stage = [s.all_counts for s in stages]
    every = {name: sympy.expand(sum((c[name] for c in per_stage), sympy.Integer(0)))
             for name in ("mults", "adds", "macs", *FURTHER)}
    poly = {"params": sympy.expand(sum((s.params for s in stages), sympy.Integer(0))), "mults": every["mults"],
            "adds": every["adds"], "flops": sympy.expand(convention.of(every)), "macs": every["macs"]}
    present = presenter(definitions)
    multi = len(stages) > 1
    if multi:
        def present_sum(exprs: list[sympy.Expr]) -> sympy.Expr:
            return sympy.factor_terms(sympy.Add(*(present(e) for e in exprs)))

        sums = {**{name: [c[name] for c in per_stage] for name in ("mults", "adds", "macs", *FURTHER)},
                "params": [s.params for s in stages], "flops": [convention.of(c) for c in per_stage]}
        quantities = {name: present_sum(sums[name]) for name in LAYER}
        extra = {name: present_sum(sums[name]) for name in FURTHER}
    else:
        quantities = {name: present(poly[name]) for name in LAYER}
        extra = {name: present(every[name]) for name in FURTHER}
    further = {**extra, **{f"flops_{c.value}": present(sympy.expand(c.of(every))) for c in Convention}}
    transposed = any(s.conv.transposed for s in layer.stages)
    steps += totals_steps(quantities, convention, multi, transposed)
    steps += convention_steps(sympy.expand(poly["mults"] + poly["adds"]), lambda c: c.of(every), present,
                              {s.conv.bias for s in layer.stages})
    last = layer.stages[-1].conv
    size_map = {f"{a.upper()}_out": last.out_size[i] for i, a in enumerate(last.axes)}
    return Derivation(layer, convention, tuple(stages), tuple(steps), {name: poly[name] for name in LAYER},
                      quantities, size_map, tuple(definitions), further)
