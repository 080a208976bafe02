"""The generated module of a network: one function per total (``params``, ``buffers``, ``mults``, ``adds``,
``macs``, ``flops``), its keyword arguments the network's symbols, exact at every setting, arrays of them too.

A network's closed forms hold where its conditions do (a width whose channels need no rounding, a size that
halves); the module does not assume them. It computes each layer's values as the network does at numbers,
vectorized: the channels by the network's rounding rule (:mod:`symconv.network.rounding`), each output size
by its relation, floors and all (:func:`symconv.network.layers.conv.exact_sizes`), each checked (a kernel that
does not fit leaves a size below 1); then each total, the sum of every layer's counts in those values, by the
generated code of :mod:`symconv.codegen` (int64 where it provably fits, exact Python ints where not).

A rational symbol is read as ``n/D``, ``D`` the network's own denominator for it: the least common multiple
of the denominators its conditions ask for alone (``8α`` and ``7ρ`` integers for the built-in resnet50).

>>> from symconv.network import builtin
>>> functions = network_functions(builtin("resnet50"))
>>> functions.symbols, functions.totals
(('alpha', 'rho'), ('params', 'buffers', 'mults', 'adds', 'macs', 'flops'))
>>> functions(alpha=1, rho=1)["params"], functions(alpha=[0.5, 1.0], rho=1)["macs"].tolist()
(25557032, [1052311552, 4089184256])
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from symconv import quantities
from symconv.codegen.convert import Converter
from symconv.codegen.embed import network_runtime_source, runtime_imports, runtime_source
from symconv.codegen.functions import function_blocks
from symconv.codegen.layout import WIDTH, docstring_text, wrap_call
from symconv.codegen.module import compiled
from symconv.codegen.plan import NumericFunction, plan_for
from symconv.codegen.separated import Separated, separated
from symconv.codegen.tree import code
from symconv.errors import SymconvError
from symconv.network.graph import Network, Node, analyse, summed, walk
from symconv.network.layers import COUNTS, Shape, as_expr
from symconv.network.layers.conv import exact_sizes

__all__ = ["TOTALS", "NetworkFunctions", "denominators", "network_functions", "network_source"]

#: The totals a network's module computes, in order.
TOTALS = ("params", "buffers", "mults", "adds", "macs", "flops")

_AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}  # a shape's spatial sizes


@dataclass(frozen=True)
class NetworkFunctions:
    """A network's generated module, compiled: called with every symbol (ints, Fractions, floats on the
    network's grid, or arrays of them, broadcast like NumPy's), it gives every total at every setting, exact
    (int64 where it fits, else object arrays of Python ints). A setting that is not a valid network (a
    kernel that does not fit, a value off the grid) raises :class:`~symconv.errors.SymconvError` naming it."""

    symbols: tuple[str, ...]
    totals: tuple[str, ...]
    evaluate: Callable[..., dict[str, Any]] = field(repr=False, compare=False)

    def __call__(self, **settings: Any) -> dict[str, Any]:
        for name in settings:
            if name not in self.symbols:
                raise SymconvError(f"{name!r} is not a symbol of the network (its symbols: "
                                   f"{', '.join(self.symbols) or 'none'})")
        missing = [name for name in self.symbols if name not in settings]
        if missing:
            raise SymconvError(f"the network's totals need {', '.join(missing)} too")
        try:
            return self.evaluate(*(settings[name] for name in self.symbols))
        except ValueError as error:
            raise SymconvError(str(error)) from None


def network_functions(network: Network) -> NetworkFunctions:
    """:func:`network_source` compiled (as :func:`symconv.codegen.compile_functions` compiles)."""
    namespace = compiled(network_source(network))
    return NetworkFunctions(tuple(network.symbols), TOTALS, namespace["_totals"])


def denominators(network: Network) -> dict[str, int]:
    """Each symbol's denominator ``D``: the network is read at multiples of ``1/D``. A condition ``c·s``
    integer (``c = p/q``) asks for ``D = p`` alone; ``D`` is the least common multiple of those, 1 for an
    integer symbol or one no condition of that form names.

    >>> from symconv.network import builtin
    >>> denominators(builtin("resnet50")), denominators(builtin("mobilenet_v2"))
    ({'alpha': 8, 'rho': 7}, {'alpha': 6, 'rho': 7})
    """
    conditions = analyse(network, None).conditions
    found = {}
    for name, symbol in network.symbols.items():
        asked = [1]
        for expr, _ in conditions:
            coefficient = sympy.cancel(expr / symbol)
            if not symbol.is_integer and coefficient.is_Rational:
                asked.append(int(coefficient.p))
        found[name] = math.lcm(*asked)
    return found


def network_source(network: Network, *, name: str | None = None) -> str:
    """The standalone module of ``network`` (NumPy its only dependency), as ``symconv codegen --net`` prints
    it; ``name`` names the network in its docstrings (its own name by default).

    Raises :class:`~symconv.errors.SymconvError` for a layer whose values the module cannot compute.
    """
    shown = name or network.title or network.name
    built = _Built.of(network)
    plans = [plan_for(function) for function in built.functions]
    parameters = [*built.settings]
    blocks = [
        wrap_call("__all__ = [", [f'"{total}"' for total in sorted(TOTALS)], "]", collection=True),
        runtime_source(quotient=False).strip("\n"),
        network_runtime_source().strip("\n"),
        wrap_call("_SETTINGS = (", [f'("{s}", {d})' for s, d in built.settings.items()],
                  ",)" if len(built.settings) == 1 else ")", collection=True),
        built.layers_source(),
        *(block for plan in plans for block in function_blocks(plan)[1:]),
        wrap_call("_SPECS = (", [f"_{total}_spec" for total in TOTALS], ")", collection=True),
        *(_separated_source(form) for form in built.forms),
        wrap_call("_SEPARATED = {", [f'"{f.name}": (_{f.name}_separated, _{f.name}_bound)' for f in built.forms], "}",
                  collection=True),
        *(_public(total, shown, built, parameters) for total in TOTALS),
        _function("_totals", parameters, "Every total at the settings.", f'_network("totals", _SPECS, _layers, '
                  f"_SETTINGS, {_tuple(parameters)}, _SEPARATED)", keyword=False),
    ]
    imports = [line for line in runtime_imports(network=True) if not line.startswith("import numpy")]
    head = "\n".join(imports) + "\n\nimport numpy as _np"
    return f"{_docstring(shown, built)}\n\n{head}\n\n" + "\n\n\n".join(blocks) + "\n"


@dataclass
class _Built:
    """A network's values as the module computes them: its settings with their denominators, the steps of
    ``_layers`` (a symbol, the code of its value, what it is) and one numeric function per total."""

    network: Network
    settings: dict[str, int]
    numerators: dict[str, sympy.Symbol]
    steps: list[tuple[sympy.Symbol, str]] = field(default_factory=list)  # a symbol and its line
    known: dict[Any, sympy.Symbol] = field(default_factory=dict)
    functions: list[NumericFunction] = field(default_factory=list)
    deps: dict[sympy.Symbol, frozenset[str]] = field(default_factory=dict)  # the settings each value reads
    forms: list[Separated] = field(default_factory=list)

    @classmethod
    def of(cls, network: Network) -> _Built:
        settings = denominators(network)
        numerators = {name: sympy.Symbol(name, integer=True, positive=True) for name in settings}
        built = cls(network, settings, numerators)
        built.deps.update({symbol: frozenset({name}) for name, symbol in numerators.items()})
        subs = {network.symbols[name]: numerators[name] / d for name, d in settings.items()}
        batch = built.value(as_expr(network.batch, "batch").xreplace(subs), "the batch")
        counts = []
        with exact_sizes():
            for node, layer, inputs, output in walk(network, subs, rounded=built.rounded, named=built.named,
                                                    joined=built.joined):
                inputs, output = built.grouped(layer, inputs, output, node)
                counts.append(built.integral(layer.counts(inputs, output, batch), node))
        total = summed(counts)
        exprs = {name: sympy.expand(getattr(total, name)) for name in COUNTS}
        exprs["flops"] = exprs["mults"] + exprs["adds"] + exprs["others"]
        title = network.title or network.name
        built.functions = [NumericFunction(n, exprs[n], f"{quantities.TABLE[n].title} of {title}") for n in TOTALS]
        built.forms = [separated(f.name, f.expr, built.deps, tuple(settings), f.parameters) for f in built.functions]
        return built

    def grouped(self, layer: Any, inputs: tuple[Shape, ...], output: Shape, node: Node) -> tuple[tuple[Shape, ...],
                                                                                                Shape]:
        """A layer of ``g > 1`` groups (a grouped convolution, not a depthwise one; a group norm; a channel
        shuffle) counted on channels written ``g·c``, ``c`` the channels per group, each a value checked whole
        (as the network refuses channels its groups do not divide): its counts, in ``C_in/g``, are then
        polynomials."""
        groups = getattr(layer, "groups", 1)
        if not isinstance(groups, int) or groups == 1 or getattr(layer, "depthwise", False):
            return inputs, output
        where = f"{node.location}: "

        def per_group(shape: Shape, what: str) -> Shape:
            channels = sympy.expand(as_expr(shape.channels))
            if channels.is_number:
                return shape
            numerator, denominator = self._fraction(channels, where + what)
            text = wrap_call("_whole(", [self._code(numerator, where + what), str(denominator * groups),
                                         repr(where + what + " per group"), "_given"], ")", offset=4)
            symbol = self._step(("per group", numerator, denominator * groups), ("_least(", [text, repr(
                where + what + " per group"), "_given"]), numerator)
            return Shape(groups * symbol, shape.size)

        return (per_group(inputs[0], "input channels"), *inputs[1:]), per_group(output, "output channels")

    def joined(self, layer: Any, inputs: tuple[Shape, ...], node: Node) -> tuple[Shape, ...]:
        """The inputs of a sum, a concatenation or an elementwise operation, each size that must agree and is
        computed by different expressions named once: checked equal (``_same``) at every setting, or, for an
        elementwise operation, equal or 1 and broadcast (``_broadcast``: the larger)."""
        if layer.kind not in ("add", "concat", "binary") or len({shape.rank for shape in inputs}) != 1:
            return inputs
        helper = "_broadcast(" if layer.kind == "binary" else "_same("
        free = inputs[0].axis(layer.dim) if layer.kind == "concat" else None  # the axis concatenated along
        names = ("channels", *_AXES.get(inputs[0].rank - 1, tuple(f"size {i}" for i in range(1, inputs[0].rank))))
        dims = [list(shape.dims) for shape in inputs]
        for axis in range(inputs[0].rank):
            first = dims[0][axis]
            if axis == free or as_expr(first).is_number:
                continue
            for other in dims[1:]:
                if not as_expr(other[axis]).is_number and sympy.expand(other[axis] - first) != 0:
                    what = f"{node.location}: its inputs' {names[axis]}"
                    first = self._step((helper, first, other[axis]), (helper, [
                        self._code(first, what), self._code(other[axis], what), repr(what), "_given"]),
                        first + other[axis])
            for shape in dims:
                if not as_expr(shape[axis]).is_number:
                    shape[axis] = first
        return tuple(Shape(d[0], tuple(d[1:])) for d in dims)

    def integral(self, counts: Any, node: Node) -> Any:
        """``counts`` as polynomials with integer coefficients in the values: each floor or ceiling of a
        quotient (an adaptive pooling's windows) a value of its own, computed once; refused where a count
        still is not one."""
        found = {}
        for name in COUNTS:
            where = f"{node.location}: its {name}"
            expr = self._floors(sympy.expand(as_expr(getattr(counts, name))), where)
            symbols = sorted(expr.free_symbols, key=str)
            if not expr.is_polynomial(*symbols):
                functions = " and ".join(sorted({type(f).__name__ for f in expr.atoms(sympy.Function)})) or "quotient"
                raise SymconvError(f"codegen: {self.network.name}: {where} takes the {functions} of the layer's "
                                   "sizes: not a polynomial in them, so its code cannot be generated")
            coefficients = sympy.Poly(expr, *symbols).coeffs() if symbols else [expr]
            wrong = [c for c in coefficients if not c.is_Integer]
            if wrong:
                raise SymconvError(f"codegen: {self.network.name}: {where} has the coefficient {wrong[0]}: not a "
                                   "polynomial with integer coefficients in the layer's values, so its code cannot "
                                   "be generated")
            found[name] = expr
        return replace(counts, **found)

    def _floors(self, expr: sympy.Expr, where: str) -> sympy.Expr:
        """``expr`` with each floor or ceiling of a quotient of values replaced by a value (at least 0 where
        the values are), the innermost first."""
        while True:
            atoms = [a for a in expr.atoms(sympy.floor, sympy.ceiling) if not a.args[0].atoms(sympy.floor,
                                                                                           sympy.ceiling)]
            if not atoms:
                return expr
            subs = {}
            for atom in sorted(atoms, key=str):
                numerator, denominator = self._fraction(sympy.expand(atom.args[0]), where)
                helper = "_floor(" if isinstance(atom, sympy.floor) else "_ceiling("
                subs[atom] = self._step((helper, numerator, denominator), (helper, [
                    self._code(numerator, where), str(denominator)]), numerator, positive=False)
            expr = sympy.expand(expr.xreplace(subs))

    def named(self, shape: Shape, where: str) -> Shape:
        names = ("channels", *_AXES.get(len(shape.size), tuple(f"size {i}" for i in range(1, shape.rank))))
        dims = [self.value(dim, f"{where}: {name}") for dim, name in zip(shape.dims, names, strict=True)]
        return Shape(dims[0], tuple(dims[1:]))

    def value(self, expr: sympy.Expr, what: str) -> sympy.Expr:
        """A symbol for ``expr`` (a number stays one), checked to be a whole number of at least 1."""
        expr = sympy.expand(as_expr(expr))
        if expr.is_number or expr in self.known.values():
            return expr
        numerator, denominator = self._fraction(expr, what)
        text = self._code(numerator, what)
        if denominator != 1:
            text = wrap_call("_whole(", [text, str(denominator), repr(what), "_given"], ")", offset=4)
        return self._step(("value", expr), ("_least(", [text, repr(what), "_given"]), expr)

    def rounded(self, channels: sympy.Expr, node: Node) -> sympy.Expr:
        """A symbol for the channels ``channels`` once the network's rule rounds them."""
        rounding = self.network.rounding
        what = f"{node.location}: output channels"
        if rounding.rule == "exact":
            return self.value(channels, what)
        numerator, denominator = self._fraction(sympy.expand(channels), what)
        extra = (rounding.minimum,) if rounding.rule == "floor" else (rounding.divisor, rounding.minimum)
        arguments = [self._code(numerator, what), *(str(v) for v in (denominator, *extra))]
        return self._step(("round", numerator, denominator), (f"_round_{rounding.rule}(", arguments), numerator)

    def _fraction(self, expr: sympy.Expr, what: str) -> tuple[sympy.Expr, int]:
        numerator, denominator = sympy.fraction(sympy.together(expr))
        if not denominator.is_Integer:
            raise SymconvError(f"codegen: {self.network.name}: {what} is {expr}, not a polynomial")
        return sympy.expand(numerator), int(denominator)

    def _code(self, expr: sympy.Expr, what: str) -> str:
        try:
            return code(Converter(f"{self.network.name}: {what}")(expr))
        except SymconvError as error:
            raise SymconvError(f"codegen: {error}") from None

    def _step(self, key: Any, call: tuple[str, list[str]], reads: sympy.Expr, *, positive: bool = True
              ) -> sympy.Symbol:
        """The symbol of a value, ``call`` its code (a helper and its arguments), ``reads`` what it is
        computed from: one per value, at least 1 (``positive``) or at least 0."""
        if key not in self.known:
            name = f"v{len(self.steps) + 1}"
            symbol = sympy.Symbol(name, integer=True, positive=True) if positive else sympy.Symbol(
                name, integer=True, nonnegative=True)
            self.deps[symbol] = frozenset().union(*(self.deps[s] for s in reads.free_symbols))
            opening, arguments = call
            self.steps.append((symbol, wrap_call(f"{symbol.name} = {opening}", arguments, ")", offset=4)))
            self.known[key] = symbol
        return self.known[key]

    def layers_source(self) -> str:
        """``_layers``: every value of a layer that depends on the settings, from their numerators."""
        names = list(self.settings)
        given = [f'("{n}", {n}, {d})' for n, d in self.settings.items()]
        lines = [wrap_call("_given = (", given, ")", offset=4, collection=True)]
        lines += [text for _, text in self.steps]
        lines.append(wrap_call("return {", [f'"{s.name}": {s.name}' for s, _ in self.steps], "}", offset=4,
                               collection=True))
        doc = ("The values of the layers that depend on the settings, each a whole number of at least 1; the "
               "settings come as " + (", ".join(f"{n}·{d}" for n, d in self.settings.items()) or "nothing") + ".")
        return _function("_layers", names, doc, "\n".join(lines), keyword=False, returns=False)


def _public(total: str, shown: str, built: _Built, parameters: list[str]) -> str:
    title = quantities.TABLE[total].title
    if total == "flops":
        title = "exact FLOPs (every multiplication, addition and other operation)"
    lines = [f"The {title} of {shown}, summed over its layers, exact at every setting."]
    for name, denominator in built.settings.items():
        meaning = built.network.meanings.get(name, "")
        grid = f"a multiple of 1/{denominator}" if denominator > 1 else "a positive integer"
        lines.append(f"{name}: {meaning + '; ' if meaning else ''}{grid}.")
    return _function(total, parameters, "\n\n".join(lines),
                     f'_network("{total}", (_{total}_spec,), _layers, _SETTINGS, {_tuple(parameters)}, '
                     f'_SEPARATED)["{total}"]')


def _separated_source(form: Separated) -> str:
    """A total's separated form and its bound, as two functions of the values it reads."""
    names = list(form.parameters)
    compute = _function(f"_{form.name}_separated", names, f"The {form.name} on a grid of settings, in int64.",
                        "\n".join(form.lines), keyword=False, returns=False)
    bound = _function(f"_{form.name}_bound", names, f"A bound on the {form.name} at the values' largest values.",
                      "\n".join(form.bound), keyword=False, returns=False)
    return f"{compute}\n\n\n{bound}"


def _function(name: str, parameters: list[str], doc: str, body: str, *, keyword: bool = True,
              returns: bool = True) -> str:
    signature = wrap_call(f"def {name}(", (["*"] if keyword and parameters else []) + parameters, "):")
    paragraphs = [textwrap.fill(p, WIDTH - 7, break_long_words=False) for p in docstring_text(doc).split("\n\n")]
    closing = '"""' if len(paragraphs) == 1 and "\n" not in paragraphs[0] else '\n"""'
    text = textwrap.indent('"""' + "\n\n".join(paragraphs) + closing, "    ")
    return f"{signature}\n{text}\n" + textwrap.indent(("return " if returns else "") + body, "    ")


def _tuple(names: list[str]) -> str:
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _docstring(shown: str, built: _Built) -> str:
    settings = ", ".join(f"{n} a multiple of 1/{d}" if d > 1 else f"{n} a positive integer"
                         for n, d in built.settings.items())
    text = f"The totals of {shown}: {', '.join(TOTALS)}.\n\n" + _CONTRACT.format(settings=settings or "none")
    paragraphs = [textwrap.fill(" ".join(p.split()), WIDTH - 3, break_long_words=False) for p in text.split("\n\n")]
    return '"""' + docstring_text("\n\n".join(paragraphs)) + '\n"""'


_CONTRACT = """\
Generated by symconv.codegen.network; do not edit, regenerate it from the network.

Every function takes the network's symbols as keyword arguments ({settings}): Python ints,
Fractions or floats (within 1e-9 of the grid), or NumPy arrays of them, broadcast together. Each computes
the network as it is built at those settings, not its closed forms: the channels rounded by the network's
rule, every output size by its relation, floors included, and each layer's counts summed. Every value of
a layer is checked: a setting where a kernel does not fit, or a size or channel count is not a whole
number of at least 1, raises ValueError naming it. A total is an exact Python int for numbers and an
int64 array for arrays, or an object array of exact Python ints where int64 cannot be proven to hold it.
"""

