"""A traced module as a symconv network: every graph node looked up in the registry
(:mod:`symconv.torch.registry`) and turned into a layer, shapes propagated by the layers' own relations.

Rows are named by module path: a ``torch.nn`` layer by its qualified name (``layer3.1.conv2``), a function or
method by the module it runs in and its name (``layer3.1.add``); a module called again gets ``_1``, ``_2``
and does not count its parameters twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
import torch.fx

from symconv.errors import SymconvError
from symconv.network.graph import Network, Node
from symconv.network.layers import NetworkError, Reused, Unknown, Unused
from symconv.network.origin import Origin
from symconv.torch import functions, modules  # noqa: F401  (their entries fill the registry)
from symconv.torch.registry import Apply, Call, Constant, Tensor, Unsupported, lookup, name_of
from symconv.torch.shape import InputSpec, parse_input
from symconv.torch.trace import trace

__all__ = ["UNKNOWN", "Converted", "UnknownOperation", "UnsupportedOperation", "convert"]

#: What to do with an operation that has no layer: stop with an error, or count it as an unknown row.
UNKNOWN = ("error", "count")


class UnsupportedOperation(SymconvError):
    """An operation of the model that has no symconv layer: the message names it and its module path."""


@dataclass(frozen=True)
class UnknownOperation:
    """An operation counted as unknown: its row, the operation and why it has no layer."""

    row: str
    op: str
    reason: str


@dataclass(frozen=True)
class Converted:
    """A model as a network, and the operations counted as unknown (none unless asked)."""

    network: Network
    unknown: tuple[UnknownOperation, ...]


class _Builder:
    def __init__(self, graph: torch.fx.GraphModule, spec: InputSpec, unknown: str, root: torch.nn.Module) -> None:
        self.graph = graph
        self.root = root
        self.spec = spec
        self.unknown_mode = unknown
        self.nodes: list[Node] = []
        self.taken: set[str] = {"input"}
        self.unknown: list[UnknownOperation] = []
        self.called: set[str] = set()
        self.env: dict[torch.fx.Node, Any] = {}
        self.inputs = 0
        self.read: set[int] = set()  # the parameters and buffers some operation reads, by id

    def visit(self, node: torch.fx.Node) -> None:
        if node.op == "placeholder":
            self.env[node] = self._placeholder(node)
        elif node.op == "get_attr":
            value = _attribute(self.graph, str(node.target))
            self.read.add(id(value))
            self.env[node] = Constant(str(node.target), tuple(value.shape), isinstance(value, torch.nn.Parameter)) \
                if isinstance(value, torch.Tensor) else value
        elif node.op in ("call_module", "call_function", "call_method"):
            self.env[node] = self._call(node)

    def _placeholder(self, node: torch.fx.Node) -> Any:
        self.inputs += 1
        if self.inputs == 1:
            return Tensor("input", self.spec.sample)
        if node.args:
            return node.args[0]  # an argument left at its default
        raise UnsupportedOperation(f"the model takes more than one input ({node.target!r}); symconv traces one")

    def _call(self, node: torch.fx.Node) -> Any:
        args = torch.fx.node.map_arg(node.args, self.env.__getitem__)
        kwargs = torch.fx.node.map_arg(node.kwargs, self.env.__getitem__)
        module = self.graph.get_submodule(str(node.target)) if node.op == "call_module" else None
        if module is not None:
            self.read.update(id(t) for t in (*module.parameters(), *module.buffers()))
        target = type(module) if module is not None else node.target
        path = str(node.target) if module is not None else _path(node)
        op = name_of(target)
        name = self._name(path if module is not None else _joined(path, _short(node.target)))
        call = Call(op, path, module, tuple(args), dict(kwargs), self.spec.batch)
        origin = Origin(op, "" if module is not None else self._within(path))
        entry = lookup(target)
        try:
            if entry is None:
                raise Unsupported(f"{op} has no symconv layer")
            result = entry.convert(call)
            return self._apply(result, name, module, origin)
        except (Unsupported, NetworkError) as error:
            return self._unknown(call, name, str(error), origin)

    def _within(self, path: str) -> str:
        """The class of the module a function runs in, when that module is a leaf (it has no submodules)."""
        try:
            enclosing = self.root.get_submodule(path)
        except AttributeError:
            return ""
        return "" if any(True for _ in enclosing.children()) else name_of(type(enclosing))

    def _apply(self, result: Any, name: str, module: Any, origin: Origin) -> Any:
        if isinstance(result, Apply):
            return self._add(name, result, module, origin)
        if isinstance(result, list) and result and all(isinstance(r, Apply) for r in result):
            return tuple(self._add(self._name(f"{name}.{r.part}"), r, None, origin) for r in result)
        return result

    def _add(self, name: str, applied: Apply, module: Any, origin: Origin | None = None) -> Tensor:
        shape = applied.layer.output(tuple(t.shape for t in applied.inputs))
        layer = applied.layer
        if module is not None:
            key = self.graph_path(module)
            if key in self.called:
                layer = Reused(layer)
            self.called.add(key)
        self.nodes.append(Node(name, layer, tuple(t.node for t in applied.inputs), origin=origin,
                               frozen=_frozen(module)))
        return Tensor(name, shape)

    def graph_path(self, module: Any) -> str:
        return str(id(module))

    def _unknown(self, call: Call, name: str, reason: str, origin: Origin) -> Any:
        where = f"{call.op} at {call.path or 'the model itself'}"
        if self.unknown_mode != "count":
            raise UnsupportedOperation(f"{name}: {reason} ({where})")
        tensors = [v for v in _flat((call.args, tuple(call.kwargs.values()))) if isinstance(v, Tensor)]
        if not tensors:
            raise UnsupportedOperation(f"{name}: {reason} ({where}), and it reads no activation to count it on")
        self.unknown.append(UnknownOperation(name, call.op, reason))
        return self._add(name, Apply(Unknown(call.op), tuple(tensors)), None, origin)

    def _name(self, base: str) -> str:
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name


def _frozen(module: Any) -> tuple[str, ...]:
    """A module's parameters that take no gradient (``requires_grad`` false): its ``weight``, its ``bias``."""
    if module is None:
        return ()
    return tuple(kind for kind in ("weight", "bias") if isinstance(getattr(module, kind, None), torch.nn.Parameter)
                 and not getattr(module, kind).requires_grad)


def _attribute(graph: torch.fx.GraphModule, target: str) -> Any:
    value: Any = graph
    for part in target.split("."):
        value = getattr(value, part)
    return value


def _flat(value: Any) -> list[Any]:
    if isinstance(value, tuple | list):
        return [v for item in value for v in _flat(item)]
    return [value]


def _path(node: torch.fx.Node) -> str:
    """The module a function or method call runs in (``""`` at the top)."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return ""
    last = list(stack.values())[-1]
    return str(last[0] if isinstance(last, tuple) else last)


def _short(target: Any) -> str:
    return target if isinstance(target, str) else getattr(target, "__name__", "op").lstrip("_")


def _joined(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def convert(module: torch.nn.Module, input: str | InputSpec, unknown: str = "error") -> Converted:
    """The network of ``module`` (put in inference mode) on an input of shape ``input`` (``"Nx3xHxW"``:
    :func:`symconv.torch.shape.parse_input`). An operation with no layer raises
    :class:`UnsupportedOperation`, or with ``unknown="count"`` becomes an :class:`~symconv.network.layers.Unknown`
    row, listed in :attr:`Converted.unknown`."""
    if unknown not in UNKNOWN:
        raise SymconvError(f"unknown must be one of {', '.join(UNKNOWN)}, not {unknown!r}")
    spec = parse_input(input) if isinstance(input, str) else input
    graph = trace(module, leaf=lambda m: lookup(type(m)) is not None)
    builder = _Builder(graph, spec, unknown, module)
    for node in graph.graph.nodes:
        builder.visit(node)
    if not builder.nodes:
        raise UnsupportedOperation(f"{type(module).__name__} computes nothing symconv can count")
    params = sum(p.numel() for p in module.parameters() if id(p) not in builder.read)
    buffers = sum(b.numel() for b in module.buffers() if id(b) not in builder.read)
    if params or buffers:  # held by the model, read by no operation: counted as sum(p.numel()) counts them
        builder.nodes.insert(0, Node(builder._name("unused"), Unused(params, buffers), ("input",)))
    name = type(module).__name__
    meanings: Mapping[str, str] = {s: f"input dimension {i} of {spec.text}"
                                   for i, d in enumerate(spec.dims) for s in map(str, d.free_symbols)}
    network = Network(name, spec.sample, tuple(builder.nodes), dict(spec.symbols), dict(meanings),
                      batch=spec.batch, title=f"{name} (PyTorch), input {spec.text}")
    return Converted(network, tuple(builder.unknown))
