"""The one table from traced operations to symconv layers: one entry per operation — a ``torch.nn`` module
class, a function (``torch.cat``, ``torch.nn.functional.relu``, ``operator.add``) or a tensor method
(``"view"``) — with the function that turns one call of it into a layer (as ``torch.utils.flop_counter``
registers one formula per ATen operation). Adding an operation touches one place: its entry.

A converter receives the :class:`Call` (its arguments already symconv values: :class:`Tensor` activations,
:class:`Constant` parameters, numbers and symbolic sizes) and returns an :class:`Apply` (a layer on some
tensors), several (a ``split``), or a plain value (a size, a tensor passed through unchanged).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy

from symconv.errors import SymconvError
from symconv.network.layers import LayerSpec, Shape

__all__ = ["OPERATIONS", "Apply", "Call", "Constant", "Named", "Operation", "Tensor", "Unsupported", "lookup",
           "register"]


class Named(str):
    """A function known by its qualified name, for a package symconv does not import (torchvision's
    ``stochastic_depth``, which ``torch.fx.wrap`` keeps whole in a trace)."""

    __slots__ = ()


class Unsupported(SymconvError):
    """An operation, or a use of it, that has no symconv layer."""


@dataclass(frozen=True)
class Tensor:
    """An activation: the network node that makes it and one sample's shape (the batch is the network's)."""

    node: str
    shape: Shape


@dataclass(frozen=True)
class Constant:
    """A parameter or buffer the model reads directly (``self.gamma * x``): its name and whole shape."""

    name: str
    shape: tuple[int, ...]
    parameter: bool


@dataclass(frozen=True)
class Apply:
    """A layer applied to tensors; ``part`` names one of several results of one call (a split's pieces)."""

    layer: LayerSpec
    inputs: tuple[Tensor, ...]
    part: str = ""


_REQUIRED = object()


@dataclass
class Call:
    """One call of an operation: its name, the module path it runs in, the module (for a module call), the
    arguments as symconv values and the batch size."""

    op: str
    path: str
    module: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    batch: sympy.Expr
    extra: dict[str, Any] = field(default_factory=dict)

    def arg(self, position: int, name: str, default: Any = _REQUIRED) -> Any:
        if position < len(self.args):
            return self.args[position]
        if name in self.kwargs:
            return self.kwargs[name]
        if default is _REQUIRED:
            raise Unsupported(f"{self.op} needs its argument {name!r}")
        return default

    def tensor(self, position: int = 0, name: str = "input") -> Tensor:
        value = self.arg(position, name)
        if not isinstance(value, Tensor):
            raise Unsupported(f"{self.op} on {type(value).__name__} {value!r}, not on an activation")
        return value

    def dim(self, dim: Any, tensor: Tensor) -> int:
        """A dimension of the whole tensor (batch first) as one of one sample's (negative ones kept)."""
        if not isinstance(dim, int):
            raise Unsupported(f"{self.op} along dimension {dim!r}: give one integer")
        rank = tensor.shape.rank + 1
        if not -rank <= dim < rank:
            raise Unsupported(f"{self.op} along dimension {dim} of a {rank}-dimensional tensor")
        if dim % rank == 0:
            raise Unsupported(f"{self.op} along the batch dimension")
        return dim if dim < 0 else dim - 1


Converter = Callable[[Call], Any]


@dataclass(frozen=True)
class Operation:
    """A traced operation: what it is (a module class, a function or a method name), how it is named, the
    layer types it becomes (as network files name them) and its converter."""

    target: Any
    name: str
    becomes: tuple[str, ...]
    convert: Converter


#: Every operation symconv maps, by its target.
OPERATIONS: dict[Any, Operation] = {}


def name_of(target: Any) -> str:
    """How messages name an operation: ``torch.nn.Conv2d``, ``torch.nn.functional.relu``, ``Tensor.view``."""
    if isinstance(target, Named):
        return str(target)
    if isinstance(target, str):
        return f"Tensor.{target}"
    if isinstance(target, type):
        module = "torch.nn" if target.__module__.startswith("torch.nn.modules") else target.__module__
        return f"{module}.{target.__qualname__}"
    name = getattr(target, "__name__", repr(target))
    functional = sys.modules.get("torch.nn.functional")
    if functional is not None and getattr(functional, name, None) is target:
        return f"torch.nn.functional.{name}"
    module = getattr(target, "__module__", None) or "torch"
    module = {"_operator": "operator", "torch.functional": "torch"}.get(module, module)
    return f"{'torch' if module.startswith('torch._C') else module}.{name}"


def register(*targets: Any, becomes: tuple[str, ...] | str = ()) -> Callable[[Converter], Converter]:
    """Register ``convert`` for each of ``targets``; ``becomes`` names the layer types it makes."""
    kinds = (becomes,) if isinstance(becomes, str) else tuple(becomes)

    def add(convert: Converter) -> Converter:
        for target in targets:
            if target is not None:
                OPERATIONS[target] = Operation(target, name_of(target), kinds, convert)
        return convert

    return add


def lookup(target: Any) -> Operation | None:
    """The entry of ``target``: a module class's own, or its nearest registered base class's when it keeps
    that class's ``forward`` (a subclass of ``nn.Conv2d`` that only adds an ``__init__`` is a convolution;
    one with a ``forward`` of its own is traced through)."""
    if isinstance(target, type):
        for base in target.__mro__:
            if base in OPERATIONS:
                same = getattr(target, "forward", None) is getattr(base, "forward", None)
                return OPERATIONS[base] if same else None
        return None
    try:
        found = OPERATIONS.get(target)
    except TypeError:  # an unhashable target
        return None
    return found if found is not None or isinstance(target, str) else OPERATIONS.get(Named(name_of(target)))
