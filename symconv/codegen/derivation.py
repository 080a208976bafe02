"""The numeric functions of a derivation: one per count, and one per output size that follows from an input
size, each checking that its arguments are a layer; and their module, as ``symconv codegen`` prints it.

What a layer must meet is read from its specs, never written here: each stage's output size along each axis
(:meth:`symconv.spec.Conv.relation`, the relations of :mod:`symconv.geometry`) is at least 1, and each channel
count per group (the stages' :class:`~symconv.spec.Definition` s) is whole. A function checks the conditions
in its own arguments: ``H_out`` the output size, a count in the input sizes (``sizes="input"``) the output
size too, and a grouped layer's ``params`` that ``g`` divides ``C_out`` as well as ``C_in``.

>>> from symconv import derive, variants
>>> functions = functions_for(derive(variants.pointwise(1)))
>>> [f.name for f in functions]
['L_out', 'params', 'mults', 'adds', 'flops', 'macs']
>>> [(str(r.expr), r.meaning) for r in functions[0].requires]
[('floor((L_in - 1)/s_l)', 'the output length is at least 1')]
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symconv import quantities
from symconv.codegen.module import generate_module
from symconv.codegen.plan import Definition, NumericFunction, Requirement
from symconv.derive import Derivation, tidy
from symconv.errors import SymconvError
from symconv.geometry import geometric_atoms
from symconv.symbols import TABLE

__all__ = ["functions_for", "module_for", "requirements"]


def functions_for(derivation: Derivation) -> list[NumericFunction]:
    """One numeric function per count of a :class:`~symconv.derive.Derivation`, and one per output size that
    follows from an input size.

    The counts are evaluated in the channels per group (``derivation.polynomials``, with its definitions), so
    that every operation is on integers. TypeError for anything but a derivation.
    """
    if not isinstance(derivation, Derivation):
        raise TypeError(f"functions_for() takes a Derivation (symconv.derive), not {type(derivation).__name__}")
    what = _what(derivation)
    docs = {name: f"{quantities.TABLE[name].title} of a {what}" for name in quantities.LAYER}
    docs["params"] = f"learnable parameters of a {what}"
    docs["flops"] += f", {derivation.convention.value} convention: {derivation.convention.description}"
    functions = []
    first = derivation.layer.stages[0].conv
    for axis, a in enumerate(first.axes):
        relation = first.relation(axis)
        if isinstance(first.out_size[axis], sympy.Symbol) and relation.free_symbols:
            functions.append(NumericFunction(f"{a.upper()}_out", relation, f"output {a.upper()} size of a {what}"))
    for name in quantities.LAYER:
        expr = tidy(derivation.polynomials[name])
        _refuse_piecewise(name, expr, what)
        used = tuple(d for d in derivation.definitions if d.symbol in expr.free_symbols)
        functions.append(NumericFunction(name, expr, docs[name], used))
    return [_checked(function, requirements(derivation)) for function in functions]


def requirements(derivation: Derivation) -> tuple[Requirement | Definition, ...]:
    """What every configuration of the derivation's layer meets: each stage's output sizes at least 1, and
    each quotient of its definitions whole."""
    stages = derivation.layer.stages
    found: list[Requirement | Definition] = []
    for stage in stages:
        conv = stage.conv
        for axis, a in enumerate(conv.axes):
            size = conv.relation(axis)
            if size.free_symbols:
                whose = f"the {stage.name} stage's" if len(stages) > 1 else "the"
                found.append(Requirement(size - 1, f"{whose} {TABLE[f'{a.upper()}_out'].meaning} is at least 1"))
    return (*derivation.definitions, *found)


def _checked(function: NumericFunction, required: tuple[Requirement | Definition, ...]) -> NumericFunction:
    """``function`` with the requirements written in its own arguments: checking one adds no argument."""
    arguments = set(function.parameters)

    def symbols(item: Requirement | Definition) -> set[str]:
        exprs = (item.expr,) if isinstance(item, Requirement) else (item.numerator, item.denominator)
        return {symbol.name for expr in exprs for symbol in expr.free_symbols}

    kept = tuple(item for item in required if symbols(item) <= arguments)
    return replace(function, requires=kept) if kept else function


def _refuse_piecewise(name: str, expr: sympy.Expr, what: str) -> None:
    """Generated code is integer arithmetic (+, -, *, powers, floor(a/b)); a count that is piecewise in the
    geometry (the padding-aware counts V, Z, H, F of :mod:`symconv.geometry`) is refused in one line."""
    found = geometric_atoms(expr)
    if found:
        raise SymconvError(
            f"codegen: {name} of a {what} is piecewise in the geometry ({found[0]}); generated code is integer "
            "arithmetic only: give the sizes, kernel, stride, padding, dilation and output padding of every "
            "axis numeric values"
        )


def module_for(derivation: Derivation) -> str:
    """The standalone module of :func:`functions_for`, as ``symconv codegen`` prints it."""
    functions = functions_for(derivation)
    title = f"Counts of a {_what(derivation)}, FLOPs in the {derivation.convention.value} convention."
    return generate_module(functions, title=title)


def _what(derivation: Derivation) -> str:
    """``standard convolution (2-D)``: the layer a generated function counts, as its docstring names it, with
    the pass when it is not the forward one (``..., backward pass, gradients of the weight, bias``)."""
    what = f"{derivation.title[:1].lower()}{derivation.title[1:]} ({derivation.dims}-D)"
    counted = getattr(derivation, "pass_", None)
    if counted is None:
        return what
    step = "training step" if counted.value == "training" else "backward pass"
    return f"{what}, {step}, gradients of the {', '.join(getattr(derivation, 'grads', ()))}"
