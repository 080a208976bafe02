"""Derive counts from the expression of one output element.

For each stage of a layer, SymPy builds one output element as the reduction it is: a sum, over the input
channels of its group and the kernel taps, of weight × input, plus the bias. The counts come from the structure
of that expression (:func:`count_ops`): a sum of ``n`` products costs ``n`` multiplications and ``n - 1``
additions, and the bias one addition more. Multiplied by the number of output elements and simplified, they are
the closed forms. Every stage of the reasoning is kept as a :class:`Step` for the printers.

>>> from symconv import variants
>>> d = derive(variants.standard(2, values={"N": 1}, bias=True))
>>> d.quantities["flops"]
2*C_in*C_out*H_out*W_out*k_h*k_w
>>> d.quantities["params"]
C_out*(C_in*k_h*k_w + 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from operator import mul

import sympy
from sympy.core.function import AppliedUndef

from symconv.conventions import Convention
from symconv.errors import SymconvError
from symconv.geometry import Covered, Hit, ValidPairs, valid_pairs_sum
from symconv.quantities import FURTHER, LAYER, named
from symconv.spec import Conv, Definition
from symconv.symbols import index, is_flag, position_index, sym, tap_index
from symconv.variants import Layer

__all__ = [
    "Derivation",
    "Ops",
    "StageCounts",
    "Step",
    "count_ops",
    "derive",
    "element",
    "tidy",
]

@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs = rhs[0] = rhs[1] = ...``, justified by ``rule``."""

    title: str
    lhs: sympy.Basic
    rhs: tuple[sympy.Basic, ...]
    rule: str = ""


@dataclass(frozen=True)
class Ops:
    """Multiplications and additions."""

    mults: sympy.Expr
    adds: sympy.Expr

    def __add__(self, other: Ops) -> Ops:
        return Ops(self.mults + other.mults, self.adds + other.adds)

    def scale(self, factor: sympy.Expr) -> Ops:
        return Ops(factor * self.mults, factor * self.adds)


_ZERO = Ops(sympy.Integer(0), sympy.Integer(0))


def _prod(items: Iterable[sympy.Expr]) -> sympy.Expr:
    return reduce(mul, items, sympy.Integer(1))


def presence(term: sympy.Expr) -> sympy.Expr:
    """1 for a term that is always computed; the product of its flags for one that exists only when they
    are 1 (``b * beta[o]`` is present exactly when ``b = 1``)."""
    return _prod(f for f in sympy.Mul.make_args(term) if is_flag(f))


def count_ops(expr: sympy.Expr) -> Ops:
    """Count the multiplications and additions that evaluating ``expr`` performs, from its structure.

    * a tensor entry, a symbol or a number costs nothing (it is read, not computed);
    * a product of ``n`` factors costs ``n - 1`` multiplications, a power ``x**n`` ``n - 1``; a flag factor
      (``b``) is not a factor that is
      multiplied but a condition, so the product's whole cost is weighted by it;
    * a sum of ``n`` present terms costs ``n - 1`` additions;
    * ``Sum(body, ranges)`` repeats the body once per index value and adds the ``n`` results with ``n - 1``
      additions, ``n`` the product of the range lengths.

    >>> from symconv.symbols import sym, index
    >>> x, w = sympy.IndexedBase("x"), sympy.IndexedBase("w")
    >>> c, K, b = index("c"), sym("C_in"), sym("b")
    >>> count_ops(sympy.Sum(w[c] * x[c], (c, 0, K - 1)) + b * sympy.IndexedBase("beta")[0])
    Ops(mults=C_in, adds=C_in + b - 1)
    """
    if isinstance(expr, sympy.Indexed | sympy.Symbol | sympy.Number):
        return _ZERO
    if isinstance(expr, sympy.Sum):
        n = _prod(upper - lower + 1 for _, lower, upper in expr.limits)
        body = count_ops(expr.function)
        return Ops(n * body.mults, n * body.adds + n - 1)
    if isinstance(expr, sympy.Mul):
        factors = [f for f in expr.args if not is_flag(f)]
        inner = sum((count_ops(f) for f in factors), _ZERO)
        return Ops(inner.mults + len(factors) - 1, inner.adds).scale(presence(expr))
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer and expr.exp > 0:
        base = count_ops(expr.base)  # x**n is x multiplied by itself: n - 1 multiplications
        return Ops(base.mults + expr.exp - 1, base.adds)
    if isinstance(expr, sympy.Add):
        terms = expr.args
        if all(presence(t) != 1 for t in terms):
            raise SymconvError(f"every term of {expr} depends on a flag; the sum's size is unknown")
        inner = sum((count_ops(t) for t in terms), _ZERO)
        return Ops(inner.mults, inner.adds + sum(presence(t) for t in terms) - 1)
    raise SymconvError(f"cannot count the operations of {type(expr).__name__}: {expr}")


@dataclass(frozen=True)
class Tensors:
    """The tensors one stage reads and writes, with their shapes."""

    x: sympy.IndexedBase
    w: sympy.IndexedBase
    beta: sympy.IndexedBase
    y: sympy.IndexedBase

    @property
    def parameters(self) -> tuple[sympy.IndexedBase, ...]:
        return (self.w, self.beta)


def tensors(conv: Conv, stage: int = 1) -> Tensors:
    """Input ``x``, weight ``w``, bias ``beta`` and output ``y`` of a convolution, shaped as PyTorch shapes them."""
    suffix = "" if stage == 1 else str(stage)

    def base(name: str, shape: tuple[sympy.Expr, ...]) -> sympy.IndexedBase:
        return sympy.IndexedBase(name + suffix, shape=shape)

    weight = (conv.in_channels, conv.out_per_group) if conv.transposed else (conv.out_channels, conv.in_per_group)
    return Tensors(
        x=base("x", (conv.batch, conv.in_channels, *conv.in_size)),
        w=base("w", (*weight, *conv.kernel)),
        beta=base("beta", (conv.out_channels,)),
        y=base("y", (conv.batch, conv.out_channels, *conv.out_size)),
    )


def element(conv: Conv, t: Tensors) -> tuple[sympy.Indexed, sympy.Expr]:
    """One output element ``y[n, o, positions]`` as the sum that computes it.

    Input channel ``c`` of output channel ``o``'s group is ``floor(o / (C_out/g)) * (C_in/g) + c``; tap ``i`` of
    output position ``u`` reads input position ``s u + d i - p`` (zero outside the input: the padding). Sums
    over a single value (a depthwise layer's one channel per group, a 1×1 kernel's one tap) are left out.
    """
    n, o, c = index("n"), index("o"), index("c")
    positions = [position_index(a) for a in conv.axes]
    taps = [tap_index(a) for a in conv.axes]
    limits = []
    channel_offset: sympy.Expr = sympy.Integer(0)
    if conv.groups != 1:
        channel_offset = sympy.floor(o / conv.out_per_group) * conv.in_per_group
    if conv.in_per_group == 1:
        channel = channel_offset
    else:
        channel = channel_offset + c
        limits.append((c, 0, conv.in_per_group - 1))
    where = []
    tap_values = []
    for axis, (u, i) in enumerate(zip(positions, taps, strict=True)):
        tap = i if conv.kernel[axis] != 1 else sympy.Integer(0)
        if conv.kernel[axis] != 1:
            limits.append((i, 0, conv.kernel[axis] - 1))
        tap_values.append(tap)
        where.append(conv.stride[axis] * u + conv.dilation[axis] * tap - conv.padding[axis])
    product = t.w[(o, c if conv.in_per_group != 1 else 0, *tap_values)] * t.x[(n, channel, *where)]
    body = sympy.Sum(product, *limits) if limits else product
    return t.y[(n, o, *positions)], body + conv.bias * t.beta[o]


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


def _size(base: sympy.IndexedBase) -> sympy.Expr:
    return _prod(base.shape)


def _stage_counts(name: str, conv: Conv, t: Tensors) -> StageCounts:
    if conv.transposed:
        return _transposed_counts(name, conv, t)
    lhs, rhs = element(conv, t)
    per = count_ops(rhs)
    products = per.mults  # every multiplication in the element is one weight × input product
    outputs = _size(t.y)
    # A parameter tensor counts when the element reads it, weighted by the flags of the term that reads it.
    params = sympy.Integer(0)
    for term in sympy.Add.make_args(rhs):
        for base in t.parameters:
            if term.has(base):
                params += presence(term) * _size(base)
    performed, steps = _performed(conv, rhs, outputs, products)
    return StageCounts(name, conv, (lhs, rhs), products, per, outputs, sympy.expand(params),
                       per.scale(outputs), performed=performed, steps=steps)


def _reads(rhs: sympy.Expr) -> sympy.Indexed:
    """The input entry ``x[n, c, positions]`` that the element's products read."""
    return next(e for e in rhs.atoms(sympy.Indexed) if e.base.name.startswith("x"))


def _performed(conv: Conv, rhs: sympy.Expr, outputs: sympy.Expr, products: sympy.Expr) -> tuple[Ops, tuple[Step, ...]]:
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
        k, out, size = conv.kernel[axis], conv.out_size[axis], conv.in_size[axis]
        if conv.padding[axis] == 0 and conv.pad_end[axis] == 0:
            v, z = k * out, out
        else:
            v = ValidPairs(out, size, k, conv.stride[axis], conv.padding[axis], conv.dilation[axis])
            z = Covered(out, size, k, conv.stride[axis], conv.padding[axis], conv.dilation[axis])
            args = (out, size, k, conv.stride[axis], conv.padding[axis], conv.dilation[axis])
            exact_sum = valid_pairs_sum(*args) if not v.is_number else v
            steps.append(Step("padding-aware counts", sympy.Symbol(f"V_{a}"),
                              (exact_sum, v) if exact_sum != v else (v,),
                              f"Tap i of position u reads x at {reads[axis]}: a real input when it lies in "
                              f"[0, {size}); the real pairs of each tap form one range of positions"))
        pairs.append(v)
        covered.append(z)
    channels = products / _prod(conv.kernel)
    per_position = outputs / _prod(conv.out_size)
    mults = sympy.expand(per_position * channels * _prod(pairs))
    adds = sympy.expand(mults - (1 - conv.bias) * per_position * _prod(covered))
    if steps:
        steps.append(Step("padding-aware counts", named("performed_mults"), (mults,),
                          "The products of the channels times the real pairs of every axis"))
        steps.append(Step("padding-aware counts", named("performed_adds"), (adds,),
                          "One addition fewer than products per element, plus the bias, in the Z elements with a "
                          "real tap; an element with none is its bias (or 0), no addition"))
    return Ops(mults, adds), tuple(steps)


def _transposed_counts(name: str, conv: Conv, t: Tensors) -> StageCounts:
    """A transposed convolution, from the scatter of one input element.

    Input element ``x[n, c, t]`` multiplies every weight ``w[c, o, i]`` of its group (``C_out/g × ∏ k``
    products) and adds each product into ``y[n, g_c C_out/g + o, s t + d i - p]``. The scatter of all input
    elements is the input-grid count. A product lands in the output when ``0 <= s t + d i - p < A_out``: the
    landed pairs per axis are ``V(A_in, A_out, k, s, p, d)``, ``k A_in`` when nothing is cropped. An output
    element adds its contributions with one addition fewer, plus the bias, unless it received none: the
    positions hit per axis are ``H(A_in, A_out, k, s, p, d)``.
    """
    n, o, c = index("n"), index("o"), index("c")
    positions = [position_index(a) for a in conv.axes]
    taps = [tap_index(a) for a in conv.axes]
    limits = [] if conv.out_per_group == 1 else [(o, 0, conv.out_per_group - 1)]
    tap_values = []
    for axis, i in enumerate(taps):
        if conv.kernel[axis] != 1:
            limits.append((i, 0, conv.kernel[axis] - 1))
            tap_values.append(i)
        else:
            tap_values.append(sympy.Integer(0))
    product = t.w[(c, o if conv.out_per_group != 1 else 0, *tap_values)] * t.x[(n, c, *positions)]
    scatter = sympy.Sum(product, *limits) if limits else product
    per_input = count_ops(scatter).mults
    inputs = _size(t.x)
    input_grid = sympy.expand(inputs * per_input)
    lands = [conv.stride[axis] * positions[axis] + conv.dilation[axis] * tap_values[axis] - conv.padding[axis]
             for axis in range(conv.dims)]
    lhs = t.y[(n, sympy.Symbol("o'"), *lands)]
    steps = [Step("scatter", lhs, (scatter,),
                  "One input element times every weight of its group, each product added where it lands"),
             Step("scatter", named("mults"), (per_input,), "Products per input element"),
             Step("scatter", named("input_grid"), (input_grid,),
                  "Every input element scatters: the count on the input grid")]
    pairs, hit = [], []
    for axis, a in enumerate(conv.axes):
        k, size, out = conv.kernel[axis], conv.in_size[axis], conv.out_size[axis]
        s, p, d = conv.stride[axis], conv.padding[axis], conv.dilation[axis]
        if p == 0 and conv.pad_end[axis] == 0:
            v = k * size
        else:
            v = ValidPairs(size, out, k, s, p, d)
            exact_sum = valid_pairs_sum(size, out, k, s, p, d) if not v.is_number else v
            steps.append(Step("scatter", sympy.Symbol(f"V_{a}"), (exact_sum, v) if exact_sum != v else (v,),
                              f"Input t and tap i land at {lands[axis]}, kept when in [0, {out})"))
        pairs.append(v)
        hit.append(Hit(size, out, k, s, p, d))
    groups_channels = inputs / _prod(conv.in_size) * conv.out_per_group
    mults = sympy.expand(groups_channels * _prod(pairs))
    per_position = _size(t.y) / _prod(conv.out_size)
    adds = sympy.expand(mults - (1 - conv.bias) * per_position * _prod(hit))
    steps.append(Step("scatter", named("mults"), (mults,), "The products that land in the output"))
    steps.append(Step("scatter", sympy.Symbol("mults_adjoint"), (mults,),
                      "The forward convolution this one is the adjoint of (input A_out, output A_in, channels "
                      "swapped) multiplies alike: the same index map, its real (position, tap) pairs V; its "
                      "nominal products are the scatter's"))
    steps.append(Step("scatter", named("adds"), (adds,),
                      "Per output element, one addition fewer than the products it receives, plus the bias; an "
                      "element that receives none is its bias (or 0)"))
    # The dense convolution on the output grid: every output element sums C_in/g × ∏ k products of the spread
    # input, zeros included.
    dense_limits = ([] if conv.in_per_group == 1 else [(c, 0, conv.in_per_group - 1)]) + \
        [(i, 0, conv.kernel[axis] - 1) for axis, i in enumerate(taps) if conv.kernel[axis] != 1]
    dense_product = t.w[(c, o, *tap_values)] * sympy.IndexedBase("x_spread")[(n, c, *positions)]
    dense = sympy.Sum(dense_product, *dense_limits) if dense_limits else dense_product
    outputs = _size(t.y)
    output_grid = sympy.expand(outputs * count_ops(dense).mults)
    steps.append(Step("scatter", named("output_grid"), (output_grid,),
                      "As a dense convolution of the zero-spread input on the output grid"))
    params = sympy.expand(_size(t.w) + conv.bias * _size(t.beta))
    per = Ops(per_input, per_input - 1 + conv.bias)
    return StageCounts(name, conv, (lhs, scatter), per_input, per, outputs, params, Ops(mults, adds),
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


@dataclass(frozen=True)
class Derivation:
    """The derivation of a layer's counts: the steps, and the closed forms they end in.

    ``quantities`` holds the closed forms in the documented symbol names (``params``, ``mults``, ``adds``,
    ``flops`` in ``convention``, ``macs``); ``polynomials`` the same counts in the channels per group, where
    every count is an integer polynomial; ``sizes`` the output size of each axis of the last stage.
    """

    layer: Layer
    convention: Convention
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

    def value(self, name: str) -> int | None:
        """The exact integer of a quantity once every symbol is set, else ``None``."""
        if name in self.quantities:
            expr = self.quantities[name]
        elif name in self.sizes:
            expr = self.sizes[name]
        else:
            expr = self.counts[name]
        return int(expr) if expr.is_Integer else None

    def _repr_latex_(self) -> str:
        from symconv.printing import latex

        return "$$" + latex.render(self) + "$$"


def _output_size_steps(conv: Conv, title: str) -> list[Step]:
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


def _stage_steps(stage: StageCounts, prefix: str) -> list[Step]:
    conv = stage.conv
    lhs, rhs = stage.element
    per = stage.per_element
    products = stage.products
    b = conv.bias
    steps: list[Step] = []
    if conv.definitions:
        for definition in conv.definitions:
            steps.append(Step(f"{prefix}channels per group", definition.symbol,
                              (sympy.Mul(definition.numerator, 1 / definition.denominator, evaluate=False),),
                              "Each of the g groups maps its own share of the channels"))
    steps.append(Step(f"{prefix}one output element", lhs, (rhs,),
                      "Cross-correlation over the input channels of the output channel's group and the kernel "
                      "taps, plus the bias when b = 1; x is zero outside the input (the padding)"))
    steps.append(Step(f"{prefix}multiplications per element", named("mults"), (per.mults,),
                      "Each term of the sum is one product w·x; the flag b selects the bias, it multiplies "
                      "nothing"))
    adds_form = sympy.Add(sympy.Add(products, -1, evaluate=False), b, evaluate=False) if b != 0 else per.adds
    steps.append(Step(f"{prefix}additions per element", named("adds"),
                      (adds_form,) if adds_form == per.adds and b == 0 else (adds_form, per.adds),
                      "Adding n terms takes n - 1 additions; the bias adds one more when b = 1"))
    flops = sympy.expand(per.mults + per.adds)
    steps.append(Step(f"{prefix}FLOPs per element", named("flops"),
                      (sympy.Add(per.mults, per.adds, evaluate=False), flops),
                      "With a bias (b = 1) its addition cancels the -1 of the sum"
                      if b != 0 else "Without a bias the -1 of the sum stays"))
    if not b.is_number:
        steps.append(Step(f"{prefix}FLOPs per element with a bias", named("flops") ,
                          (sympy.Subs(flops, b, 1), flops.subs(b, 1)), "With b = 1 the -1 and the +1 cancel"))
        steps.append(Step(f"{prefix}FLOPs per element without a bias", named("flops"),
                          (sympy.Subs(flops, b, 0), flops.subs(b, 0)), "With b = 0 there is one addition fewer"))
    steps.append(Step(f"{prefix}output elements", named("outputs"), (stage.outputs,),
                      "One element per batch item, output channel and output position"))
    steps.append(Step(f"{prefix}parameters", named("params"),
                      (stage.params, tidy(stage.params)) if tidy(stage.params) != stage.params
                      else (stage.params,),
                      f"The weight w has C_out × C_in/g × {_kernel_text(conv)} entries; the bias β has C_out, "
                      "present when b = 1"))
    return steps


def _kernel_text(conv: Conv) -> str:
    """The kernel's extent as the rules write it: ``k_h × k_w`` in 2-D."""
    return " × ".join(f"k_{a}" for a in conv.axes)


def _transposed_steps(stage: StageCounts, prefix: str) -> list[Step]:
    steps = [Step(prefix + step.title, step.lhs, step.rhs, step.rule) for step in stage.steps]
    steps.append(Step(f"{prefix}parameters", named("params"),
                      (stage.params, tidy(stage.params)) if tidy(stage.params) != stage.params else (stage.params,),
                      f"The weight w has C_in × C_out/g × {_kernel_text(stage.conv)} entries; the bias β has C_out, "
                      "present when b = 1"))
    return steps


def in_input_sizes(layer: Layer) -> Layer:
    """The same layer with every output size that is a symbol replaced by its relation to the input size (floor
    forms), so that derived counts are in the input sizes."""
    subs: dict[sympy.Symbol, sympy.Expr] = {}
    for stage in layer.stages:
        conv = stage.conv.substitute(subs) if subs else stage.conv
        for axis, size in enumerate(conv.out_size):
            if isinstance(size, sympy.Symbol) and size not in subs:
                subs[size] = conv.relation(axis)
    return layer.substitute(subs) if subs else layer


def derive(layer: Layer, convention: Convention | str = Convention.EXACT, *, sizes: str = "output") -> Derivation:
    """Derive every count of ``layer``, step by step; ``flops`` follows ``convention``.

    ``sizes="input"`` writes the counts in the input sizes (the output sizes replaced by their floor forms);
    the default keeps the output sizes as symbols.
    """
    convention = Convention.parse(convention)
    if sizes not in ("output", "input"):
        raise SymconvError(f"sizes must be 'output' or 'input', not {sizes!r}")
    if sizes == "input":
        layer = in_input_sizes(layer)
    multi = len(layer.stages) > 1
    stages = []
    steps: list[Step] = []
    definitions: list[Definition] = []
    for number, stage in enumerate(layer.stages, start=1):
        prefix = f"{stage.name} stage: " if multi else ""
        t = tensors(stage.conv, number if multi else 1)
        counts = _stage_counts(stage.name, stage.conv, t)
        stages.append(counts)
        if number == 1:
            steps += _output_size_steps(stage.conv, "output size")
        if stage.conv.transposed:
            steps += _transposed_steps(counts, prefix)
        else:
            steps += _stage_steps(counts, prefix)
            steps += [Step(prefix + step.title, step.lhs, step.rhs, step.rule) for step in counts.steps]
        definitions += [d for d in stage.conv.definitions if d not in definitions]

    per_stage = [s.all_counts for s in stages]
    total_params = sum((s.params for s in stages), sympy.Integer(0))

    def total(name: str) -> sympy.Expr:
        return sympy.expand(sum((c[name] for c in per_stage), sympy.Integer(0)))

    def flops_of(conv: Convention, c: Mapping[str, sympy.Expr]) -> sympy.Expr:
        return conv.flops(c["mults"], c["adds"], c["macs"], input_grid=c["input_grid"],
                          output_grid=c["output_grid"], performed=c["performed_mults"] + c["performed_adds"])

    every = {name: total(name) for name in ("mults", "adds", "macs", *FURTHER)}
    poly = {"params": sympy.expand(total_params), "mults": every["mults"], "adds": every["adds"],
            "macs": every["macs"]}
    poly["flops"] = sympy.expand(flops_of(convention, every))
    poly = {name: poly[name] for name in LAYER}
    back = {d.symbol: d.value for d in definitions}

    def present(expr: sympy.Expr) -> sympy.Expr:
        return tidy(expr.xreplace(back)) if expr.is_Add else expr.xreplace(back)

    if multi:
        def present_sum(exprs: list[sympy.Expr]) -> sympy.Expr:
            return sympy.factor_terms(sympy.Add(*(present(e) for e in exprs)))

        quantities = {
            "params": present_sum([s.params for s in stages]),
            "mults": present_sum([c["mults"] for c in per_stage]),
            "adds": present_sum([c["adds"] for c in per_stage]),
            "macs": present_sum([c["macs"] for c in per_stage]),
            "flops": present_sum([flops_of(convention, c) for c in per_stage]),
        }
        quantities = {name: quantities[name] for name in LAYER}
        extra = {name: present_sum([c[name] for c in per_stage]) for name in FURTHER}
    else:
        quantities = {name: present(expr) for name, expr in poly.items()}
        extra = {name: present(every[name]) for name in FURTHER}
    further = {**extra, **{f"flops_{c.value}": present(sympy.expand(flops_of(c, every))) for c in Convention}}

    over_stages = ", summed over the stages" if multi else ""
    transposed = any(s.conv.transposed for s in layer.stages)
    rules = {
        "params": "The parameter tensors' sizes" + over_stages,
        "mults": "Per element, times the output elements" + over_stages,
        "adds": "Per element, times the output elements" + over_stages,
        "flops": f"Convention {convention.value}: {convention.description}",
        "macs": "One multiply-accumulate per product: the multiplications; the bias is not counted",
    }
    if transposed:
        rules["mults"] = rules["adds"] = "The products that land in the output, and their sums"
    steps += [Step("totals", named(name), (quantities[name],), rules[name]) for name in LAYER]
    steps += _convention_steps(poly, convention, layer, present, every, flops_of)

    last = layer.stages[-1].conv
    size_map = {f"{a.upper()}_out": last.out_size[i] for i, a in enumerate(last.axes)}
    return Derivation(layer, convention, tuple(stages), tuple(steps), poly, quantities, size_map,
                      tuple(definitions), further)


@lru_cache(maxsize=1024)
def _signed_factor(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` factored, with ``-(b - 1)`` written ``(1 - b)``: the gap that vanishes when ``b = 1``."""
    factored = sympy.factor(expr)
    coeff, rest = factored.as_coeff_Mul()
    b_minus_one = sym("b") - 1
    if coeff == -1 and b_minus_one in sympy.Mul.make_args(rest):
        return sympy.Mul(*(1 - sym("b") if f == b_minus_one else f for f in sympy.Mul.make_args(rest)))
    return factored


def _convention_steps(poly: Mapping[str, sympy.Expr], convention: Convention, layer: Layer,
                      present: Callable[[sympy.Expr], sympy.Expr], every: Mapping[str, sympy.Expr],
                      flops_of: Callable[[Convention, Mapping[str, sympy.Expr]], sympy.Expr]) -> list[Step]:
    steps = []
    exact = sympy.expand(poly["mults"] + poly["adds"])
    for other in Convention:
        if other is Convention.EXACT:
            continue
        difference = sympy.expand(flops_of(other, every) - exact)
        # Factoring through the padding-aware functions (V, Z, H) costs much and shows nothing more.
        geometric = any(isinstance(f, AppliedUndef) or f.func in (ValidPairs, Covered, Hit)
                        for f in difference.atoms(sympy.Function))
        gap = present(sympy.factor_terms(difference) if geometric else _signed_factor(difference))
        biases = {s.conv.bias for s in layer.stages}
        rule = f"Convention {other.value} minus exact"
        if other is Convention.TWO_MACS and gap != 0 and any(not b.is_number for b in biases):
            rule += ": zero exactly when b = 1, every output element then adding a bias"
        lhs = sympy.Add(named(f"flops_{other.value}"), -named("flops_exact"), evaluate=False)
        steps.append(Step("conventions", lhs, (gap,), rule))
    return steps
