"""The numeric functions of a derivation: one per count, and one per output size that follows from an input
size; and their module, as ``symconv codegen`` prints it.

>>> from symconv import derive, variants
>>> [f.name for f in functions_for(derive(variants.pointwise(1)))]
['L_out', 'params', 'mults', 'adds', 'flops', 'macs']
"""

from __future__ import annotations

import sympy

from symconv import quantities
from symconv.codegen.module import generate_module
from symconv.codegen.plan import NumericFunction
from symconv.derive import Derivation, tidy
from symconv.errors import SymconvError
from symconv.geometry import geometric_atoms

__all__ = ["functions_for", "module_for"]


def functions_for(derivation: Derivation) -> list[NumericFunction]:
    """One numeric function per count of a :class:`~symconv.derive.Derivation`, and one per output size that
    follows from an input size.

    The counts are evaluated in the channels per group (``derivation.polynomials``, with its definitions), so
    that every operation is on integers.
    """
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
    return functions


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
    title = f"Counts of a {_what(derivation)}, FLOPs in the {derivation.convention.value} convention."
    return generate_module(functions_for(derivation), title=title)


def _what(derivation: Derivation) -> str:
    """``standard convolution (2-D)``: the layer a generated function counts, as its docstring names it, with
    the pass when it is not the forward one (``..., backward pass, gradients of the weight, bias``)."""
    what = f"{derivation.title[:1].lower()}{derivation.title[1:]} ({derivation.dims}-D)"
    counted = getattr(derivation, "pass_", None)
    if counted is None:
        return what
    step = "training step" if counted.value == "training" else "backward pass"
    return f"{what}, {step}, gradients of the {', '.join(getattr(derivation, 'grads', ()))}"
