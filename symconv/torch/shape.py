"""The input shape of a traced model, as text: dimensions joined by ``x`` (or commas), each an integer or a
name that becomes a positive integer symbol. The first dimension is the batch.

>>> spec = parse_input("Nx3xHxW")
>>> spec.batch, spec.sample, list(spec.symbols)
(N, Shape(channels=3, size=(H, W)), ['N', 'H', 'W'])
>>> parse_input("1x3xHxH").sample  # one name twice: a square input
Shape(channels=3, size=(H, H))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.errors import SymconvError
from symconv.network.fileformat import symbol
from symconv.network.layers import Shape

__all__ = ["InputSpec", "parse_input"]


@dataclass(frozen=True)
class InputSpec:
    """A model's input: the batch size, one sample's shape, and the symbols the sizes use, by name."""

    text: str
    batch: sympy.Expr
    sample: Shape
    symbols: dict[str, sympy.Symbol]

    @property
    def dims(self) -> tuple[sympy.Expr, ...]:
        return (self.batch, *self.sample.dims)


def parse_input(text: str) -> InputSpec:
    """Read an input shape such as ``1x3x224x224``, ``Nx3xHxW`` or ``1x3xTxHxW``."""
    parts = [p.strip() for p in (text.split(",") if "," in text else text.replace("×", "x").split("x"))]
    if len(parts) < 2:
        raise SymconvError(f"input shape {text!r}: give the batch and at least one more dimension, joined by x "
                           "(1x3x224x224, Nx3xHxW)")
    symbols: dict[str, sympy.Symbol] = {}
    dims: list[sympy.Expr] = []
    for part in parts:
        if part.isdigit() and int(part) >= 1:
            dims.append(sympy.Integer(int(part)))
        elif part.isidentifier() and not part.startswith("_"):
            dims.append(symbols.setdefault(part, symbol(part, integer=True)))
        else:
            raise SymconvError(f"input shape {text!r}: {part!r} is neither a positive integer nor a name")
    return InputSpec(text, dims[0], Shape.of(dims[1:]), symbols)
