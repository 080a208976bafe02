"""Network files: a network described in TOML (docs/networks.md documents the format in full).

>>> net = loads('''
... [network]
... name = "tiny"
... input = { channels = 3, size = [32, 32] }
... [symbols]
... alpha = "width multiplier"
... [[layer]]
... type = "conv"
... out = "16*alpha"
... kernel = 3
... padding = 1
... [[layer]]
... type = "relu"
... ''')
>>> [node.name for node in net.nodes], net.nodes[0].layer.out
(['conv1', 'relu2'], 16*alpha)
>>> loads('[network]\\nname = "x"\\ninput = { channels = 3, size = [8, 8] }\\n[[layer]]\\ntype = "conv"\\n'
...       'kernel = 3', "x.toml")
Traceback (most recent call last):
    ...
symconv.errors.NetworkError: x.toml: layer 1 (conv1, type conv): missing field 'out'

Every expression (a channel count, an input size, a block argument) is read by :mod:`symconv.parsing`,
never evaluated as Python; it may use the symbols the file declares and, inside a block, the block's
parameters.
"""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import sympy

from symconv.errors import SymconvError
from symconv.network.graph import Network, Node, Rounding
from symconv.network.layers import (
    ACTIVATIONS,
    IN_CHANNELS,
    Activation,
    AdaptivePool,
    Add,
    AvgPool,
    BatchNorm,
    Binary,
    Concat,
    Conv2d,
    Convolution,
    Flatten,
    GlobalAvgPool,
    GroupNorm,
    LayerNorm,
    LayerSpec,
    Linear,
    Matmul,
    MaxPool,
    Mean,
    NetworkError,
    Permute,
    Reshape,
    Reused,
    Scalar,
    Scale,
    Shape,
    Shuffle,
    Slice,
    Softmax,
    Unknown,
    Unused,
    Upsample,
    as_expr,
)
from symconv.network.origin import Origin
from symconv.parsing import parse_text

__all__ = ["LAYER_TYPES", "MAX_FILE_BYTES", "MAX_LAYERS", "LayerType", "builtin", "builtin_names", "load", "loads",
           "symbol"]

@dataclass(frozen=True)
class LayerType:
    """A layer type a network file may name: how to make it from the file's fields, and its fields beside
    ``type``, ``name``, ``input``/``inputs`` and ``repeat`` (the required ones marked with ``!``)."""

    make: Callable[..., LayerSpec]
    fields: tuple[str, ...] = ()


def _activation(function: str) -> LayerType:
    return LayerType(lambda: Activation(function))


def _adaptive(op: str) -> LayerType:
    return LayerType(lambda output_size=1, dims=None: AdaptivePool(output_size, op, dims), ("output_size", "dims"))


_CONV = ("kernel", "stride", "padding", "dilation", "bias", "dims", "padding_mode")
_POOL = ("kernel!", "stride", "padding", "ceil_mode", "dims")

#: Every layer type a file may name.
LAYER_TYPES: dict[str, LayerType] = {
    "conv": LayerType(Conv2d, ("out!", *_CONV[:4], "groups", *_CONV[4:])),
    "dwconv": LayerType(lambda **options: Conv2d(groups="depthwise", **options), (*_CONV, "multiplier")),
    "convtranspose": LayerType(lambda **options: Convolution(transposed=True, **options),
                               ("out!", "kernel", "stride", "padding", "output_padding", "dilation", "groups",
                                "bias", "dims")),
    "linear": LayerType(Linear, ("out!", "bias", "flatten")),
    "matmul": LayerType(Matmul),
    "batchnorm": LayerType(BatchNorm, ("affine",)),
    "layernorm": LayerType(LayerNorm, ("normalized", "affine", "bias")),
    "groupnorm": LayerType(GroupNorm, ("groups!", "affine")),
    **{function: _activation(function) for function in ACTIVATIONS},
    "softmax": LayerType(Softmax, ("dim",)),
    "maxpool": LayerType(MaxPool, _POOL),
    "avgpool": LayerType(AvgPool, _POOL),
    "adaptive_avgpool": _adaptive("avg"),
    "adaptive_maxpool": _adaptive("max"),
    "global_avgpool": LayerType(GlobalAvgPool),
    "upsample": LayerType(Upsample, ("scale", "size", "mode")),
    "add": LayerType(Add),
    "binary": LayerType(Binary, ("op!",)),
    "mul": LayerType(lambda: Binary("mul")),
    "scalar": LayerType(Scalar, ("op!",)),
    "scale": LayerType(Scale, ("shape!", "op")),
    "concat": LayerType(Concat, ("dim",)),
    "slice": LayerType(Slice, ("dim", "start", "stop", "step")),
    "shuffle": LayerType(Shuffle, ("groups!",)),
    "flatten": LayerType(Flatten, ("start", "end")),
    "reshape": LayerType(Reshape, ("shape!",)),
    "permute": LayerType(Permute, ("order!",)),
    "mean": LayerType(Mean, ("over!", "keepdim")),
    "unknown": LayerType(Unknown, ("op!",)),
    "unused": LayerType(Unused, ("params", "buffers")),
}
_ALIASES = {"fc": "linear", "bn": "batchnorm"}
_COMMON = ("type", "name", "input", "inputs", "repeat", "shared")
#: The fields that name the operation a model calls for the layer (symconv.network.origin), beside _COMMON.
_ORIGIN = ("calls", "within")
#: How each field is read: an integer or one per axis, an integer, an expression, a list of them, a flag or
#: a word (fields not listed are expressions).
_KINDS = {
    **dict.fromkeys(("kernel", "stride", "padding", "dilation", "output_padding", "output_size", "size"), "ints"),
    **dict.fromkeys(("groups", "multiplier", "repeat", "dims", "dim", "end", "step", "normalized",
                     "params", "buffers"),
                    "int"),
    **dict.fromkeys(("bias", "affine", "flatten", "ceil_mode", "keepdim"), "flag"),
    **dict.fromkeys(("mode", "op", "padding_mode"), "word"),
    **dict.fromkeys(("shape", "order", "over"), "list"),
    "scale": "numbers",
}
#: The words a field may take in place of its integer.
_WORDS = {"padding": ("same", "valid"), "groups": ("depthwise",)}


#: The largest network file symconv reads: a network of thousands of layers is far smaller.
MAX_FILE_BYTES = 1_000_000

#: The most layers a network file may expand to, its repeats and blocks included.
MAX_LAYERS = 100_000


def symbol(name: str, integer: bool = False) -> sympy.Symbol:
    """A network's own symbol (``alpha``, ``rho``): a positive rational, so ``α = 3/4`` is allowed; with
    ``integer``, a positive integer (an input size ``H``, a batch size ``N``)."""
    if integer:
        return sympy.Symbol(name, positive=True, integer=True)
    return sympy.Symbol(name, positive=True, rational=True)


@dataclass(frozen=True)
class _Context:
    source: str
    names: Mapping[str, sympy.Expr]  # symbols and block parameters, for expressions
    types: Mapping[str, str] = field(default_factory=dict)  # block parameters that name a layer type

    def fail(self, where: str, problem: str) -> NetworkError:
        prefix = f"{self.source}: " if self.source else ""
        return NetworkError(f"{prefix}{where}: {problem}" if where else f"{prefix}{problem}")

    def expr(self, where: str, field: str, value: Any) -> sympy.Expr:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail(where, f"{field} must be an integer or an expression in quotes, not {value!r}")
        if isinstance(value, int):
            return sympy.Integer(value)
        try:
            expr = parse_text(value, aliases=self.names, allow_new=False)
        except SymconvError as error:
            raise self.fail(where, f"{field} = {value!r}: {error}") from None
        if not expr.is_rational_function(*expr.free_symbols):
            raise self.fail(where, f"{field} = {value!r}: only + - * / ^ of numbers and names here")
        known = {s for v in self.names.values() for s in as_expr(v).free_symbols}
        unknown = sorted(str(s) for s in expr.free_symbols - known)
        if unknown:
            raise self.fail(where, f"{field} = {value!r}: unknown name {unknown[0]!r} (declare it in [symbols])")
        return expr

    def integer(self, where: str, field: str, value: Any) -> int:
        if isinstance(value, list):
            raise self.fail(where, f"{field} must be one integer here, not {value!r}")
        expr = self.expr(where, field, value)
        if not (expr.is_number and expr.is_integer):
            raise self.fail(where, f"{field} = {value!r} must be an integer")
        return int(expr)


def load(path: str | Path) -> Network:
    """Read a network file."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise NetworkError(f"{path}: not a regular file (a network file is TOML text)")
        if info.st_size > MAX_FILE_BYTES:
            raise NetworkError(f"{path}: larger than a network file may be ({MAX_FILE_BYTES:,} bytes)")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise NetworkError(f"{path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise NetworkError(f"{path}: not a text file (network files are TOML in UTF-8)") from None
    return loads(text, str(path))


def builtin_names() -> list[str]:
    """The networks that ship with symconv (``symconv net NAME``)."""
    folder = resources.files("symconv.network") / "builtin"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin(name: str) -> Network:
    """A network that ships with symconv, by name."""
    if name not in builtin_names():
        raise NetworkError(f"no network file or built-in network {name!r} (built in: {', '.join(builtin_names())})")
    return _builtin(name)


@lru_cache(maxsize=64)
def _builtin(name: str) -> Network:
    # read once per process: a network is a frozen value
    text = (resources.files("symconv.network") / "builtin" / f"{name}.toml").read_text(encoding="utf-8")
    return loads(text, f"{name}.toml")


def loads(text: str, source: str = "") -> Network:
    """Read a network from the text of a network file; ``source`` names it in error messages."""
    top = _Context(source, {})
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise top.fail("", f"not valid TOML: {error}") from None
    except RecursionError:
        raise top.fail("", "not valid TOML here: its arrays or tables nest too deeply") from None
    _only(top, "", data, ("network", "symbols", "blocks", "layer"), "top-level table")
    head = _table(top, "[network]", data.get("network"), required=True)
    _only(top, "[network]", head, ("name", "title", "input", "batch", "rounding"), "field")
    symbols_table = _table(top, "[symbols]", data.get("symbols", {}))
    symbols, meanings = {}, {}
    for key, meaning in symbols_table.items():
        if not key.isidentifier() or key.startswith("_"):
            raise top.fail("[symbols]", f"{key!r} is not a usable symbol name")
        integer = False
        if isinstance(meaning, dict):
            _only(top, f"[symbols] {key}", meaning, ("meaning", "integer"), "field")
            integer = meaning.get("integer", False)
            if not isinstance(integer, bool):
                raise top.fail("[symbols]", f"{key}: integer must be true or false, not {integer!r}")
            meaning = meaning.get("meaning")
        if not isinstance(meaning, str):
            raise top.fail("[symbols]", f"{key} must be given its meaning as a string (or as meaning = "
                                        f"\"...\" beside integer = true), not {meaning!r}")
        symbols[key] = symbol(key, integer)
        meanings[key] = meaning
    ctx = _Context(source, {**symbols, "in_channels": IN_CHANNELS})
    given = head.get("name")
    if not isinstance(given, str) or not given:
        raise ctx.fail("[network]", "missing field 'name'" if given is None else "name must be a string")
    name: str = given
    shape = _input(ctx, head)
    rounding = _rounding(ctx, head.get("rounding"))
    batch = ctx.expr("[network]", "batch", head.get("batch", 1))
    if batch.is_number and not (batch.is_integer and batch >= 1):
        raise ctx.fail("[network]", f"batch must be a positive integer, not {batch}")
    blocks = _table(ctx, "[blocks]", data.get("blocks", {}))
    for block_name, block in blocks.items():
        if block_name in LAYER_TYPES or block_name in _ALIASES:
            raise ctx.fail(f"[blocks.{block_name}]", "a block cannot take the name of a layer type")
        _table(ctx, f"[blocks.{block_name}]", block)
    layers = data.get("layer")
    if not isinstance(layers, list) or not layers:
        raise ctx.fail("", "no layers: give each as a [[layer]] table")
    builder = _Builder(ctx, blocks)
    builder.sequence(layers, "input", prefix="", where=lambda i, t: f"layer {i}{t}")
    return Network(name, shape, tuple(builder.nodes), symbols, meanings, rounding, batch,
                   str(head.get("title", "")), source)


def _table(ctx: _Context, where: str, value: Any, required: bool = False) -> dict[str, Any]:
    if value is None and required:
        raise ctx.fail("", f"missing table {where}")
    if not isinstance(value, dict):
        raise ctx.fail(where, "must be a table")
    return value


def _only(ctx: _Context, where: str, table: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    for key in table:
        if key not in allowed:
            raise ctx.fail(where, f"unknown {what} {key!r} (allowed: {', '.join(allowed)})")


def _input(ctx: _Context, head: Mapping[str, Any]) -> Shape:
    value = head.get("input")
    if value is None:
        raise ctx.fail("[network]", "missing field 'input' (channels and size)")
    spec = _table(ctx, "[network] input", value)
    _only(ctx, "[network] input", spec, ("channels", "size"), "field")
    if "channels" not in spec or "size" not in spec:
        raise ctx.fail("[network] input", "needs channels and size (a list: [height, width])")
    size = spec["size"]
    if not isinstance(size, list) or len(size) > 3:
        raise ctx.fail("[network] input", f"size must be a list of up to 3 sizes ([height, width]), not {size!r}")
    return Shape(ctx.expr("[network] input", "channels", spec["channels"]),
                 tuple(ctx.expr("[network] input", "size", s) for s in size))


def _rounding(ctx: _Context, value: Any) -> Rounding:
    if value is None:
        return Rounding()
    spec = _table(ctx, "[network] rounding", value)
    _only(ctx, "[network] rounding", spec, ("rule", "divisor", "minimum"), "field")
    try:
        return Rounding(**spec)
    except (NetworkError, TypeError) as error:
        raise ctx.fail("[network] rounding", str(error)) from None


class _Builder:
    """Expands layers, repeats and blocks into nodes, resolving each ``input`` to a node's full name."""

    def __init__(self, ctx: _Context, blocks: Mapping[str, Any]) -> None:
        self.ctx = ctx
        self.blocks = blocks
        self.nodes: list[Node] = []
        self.taken: set[str] = {"input"}

    def sequence(self, layers: list[Any], first: str, prefix: str, where: Callable[[int, str], str],
                 names: dict[str, str] | None = None, ctx: _Context | None = None, depth: int = 0) -> str:
        ctx = ctx or self.ctx
        names = {"input": first} if names is None else names
        previous = first
        for number, entry in enumerate(layers, start=1):
            here = where(number, "")
            if not isinstance(entry, dict):
                raise ctx.fail(here, "must be a table (type = ..., ...)")
            kind = entry.get("type")
            if not isinstance(kind, str):
                raise ctx.fail(here, "missing field 'type'" if kind is None else "type must be a string")
            kind = _ALIASES.get(ctx.types.get(kind, kind), ctx.types.get(kind, kind))
            repeat = ctx.integer(here, "repeat", entry.get("repeat", 1))
            if not 1 <= repeat <= MAX_LAYERS:
                raise ctx.fail(here, f"repeat must be from 1 to {MAX_LAYERS:,}, not {repeat}")
            base = entry.get("name")
            # a block's layers are named block/layer: inside a block a name has no '/' of its own (a written
            # file's top-level names keep them)
            if base is not None and (not isinstance(base, str) or not base or ("/" in base and prefix)):
                raise ctx.fail(here, f"name must be a non-empty string{' without /' if prefix else ''}, "
                                     f"not {base!r}")
            sources = entry.get("inputs", entry.get("input"))
            if "input" in entry and "inputs" in entry:
                raise ctx.fail(here, "give input or inputs, not both")
            for copy in range(1, repeat + 1):
                local = base or f"{kind}{number}"
                if repeat > 1:
                    local = f"{local}_{copy}"
                full = prefix + local
                label = f" ({full}, type {kind})"
                here = where(number, label)
                if full in self.taken:
                    raise ctx.fail(here, f"the name {full!r} is used twice")
                reads: tuple[str, ...]
                if sources is None or copy > 1:
                    reads = (previous,)
                else:
                    listed = [sources] if isinstance(sources, str) else sources
                    if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
                        raise ctx.fail(here, "input must be a layer name, inputs a list of layer names")
                    unknown = [s for s in listed if s not in names]
                    if unknown:
                        raise ctx.fail(here, f"reads {unknown[0]!r}, which is not the input or an earlier layer")
                    reads = tuple(names[s] for s in listed)
                if kind in self.blocks:
                    previous = self.block(kind, entry, reads, full, here, ctx, depth)
                else:
                    if len(self.nodes) >= MAX_LAYERS:
                        raise ctx.fail(here, f"the network has more than {MAX_LAYERS:,} layers, more than symconv "
                                             "counts in one file")
                    layer = self.layer(kind, entry, here, ctx)
                    self.nodes.append(Node(full, layer, reads, here, _origin(ctx, here, entry)))
                    previous = full
                self.taken.add(full)
                names[local] = previous
                if base is not None:
                    names[base] = previous
        return previous

    def block(self, kind: str, entry: Mapping[str, Any], reads: tuple[str, ...], full: str, here: str,
              ctx: _Context, depth: int) -> str:
        if depth > 8:
            raise ctx.fail(here, "blocks nest more than 8 deep (a block that uses itself?)")
        block = self.blocks[kind]
        _only(ctx, f"[blocks.{kind}]", block, ("params", "layers", "layer"), "field")
        params = block.get("params", [])
        if not isinstance(params, list) or not all(isinstance(p, str) and p.isidentifier() for p in params):
            raise ctx.fail(f"[blocks.{kind}]", "params must be a list of names")
        _only(ctx, here, entry, (*_COMMON, *params), "field")
        missing = [p for p in params if p not in entry]
        if missing:
            raise ctx.fail(here, f"missing field {missing[0]!r} (block {kind} takes {', '.join(params)})")
        if len(reads) != 1:
            raise ctx.fail(here, "a block reads one input")
        # An argument that names a layer type (an activation, say) is used as a type: {type = "act"}.
        types = {p: _ALIASES.get(entry[p], entry[p]) for p in params if isinstance(entry[p], str)
                 and _ALIASES.get(entry[p], entry[p]) in {*LAYER_TYPES, *self.blocks}}
        arguments = {p: ctx.expr(here, p, entry[p]) for p in params if p not in types}
        inner = _Context(ctx.source, {**ctx.names, **arguments}, {**ctx.types, **types})
        layers = block.get("layers", block.get("layer"))
        if not isinstance(layers, list) or not layers:
            raise ctx.fail(f"[blocks.{kind}]", "has no layers")

        def where(number: int, label: str) -> str:
            return f"{here}, its layer {number}{label}"

        return self.sequence(layers, reads[0], prefix=f"{full}/", where=where, names={"input": reads[0]},
                             ctx=inner, depth=depth + 1)

    def layer(self, kind: str, entry: Mapping[str, Any], here: str, ctx: _Context) -> LayerSpec:
        if kind not in LAYER_TYPES:
            known = ", ".join([*LAYER_TYPES, *self.blocks])
            raise ctx.fail(here, f"unknown layer type {kind!r} (known: {known})")
        allowed = tuple(f.rstrip("!") for f in LAYER_TYPES[kind].fields)
        _only(ctx, here, entry, (*_COMMON, *_ORIGIN, *allowed), "field")
        for required in (f[:-1] for f in LAYER_TYPES[kind].fields if f.endswith("!")):
            if required not in entry:
                raise ctx.fail(here, f"missing field {required!r}")
        options = {key: _value(ctx, here, key, entry[key]) for key in allowed if key in entry}
        shared = entry.get("shared", False)
        if not isinstance(shared, bool):
            raise ctx.fail(here, f"shared must be true or false, not {shared!r}")
        try:
            made = LAYER_TYPES[kind].make(**options)
            return Reused(made) if shared else made
        except NetworkError as error:
            raise ctx.fail(here, str(error)) from None


def _origin(ctx: _Context, here: str, entry: Mapping[str, Any]) -> Origin | None:
    """The operation the layer's ``calls`` (and ``within``) fields name, if it has them."""
    if "calls" not in entry:
        if "within" in entry:
            raise ctx.fail(here, "within names the module the operation of calls runs in: give calls too")
        return None
    values = [entry[key] for key in _ORIGIN if key in entry]
    if not all(isinstance(v, str) and v and v.replace(".", "").replace("_", "").isalnum() for v in values):
        raise ctx.fail(here, "calls and within must be dotted names (torch.nn.Conv2d, torch.nn.functional.relu)")
    return Origin(entry["calls"], entry.get("within", ""))


def _value(ctx: _Context, here: str, key: str, value: Any) -> Any:
    """A layer field's value, read as :data:`_KINDS` says."""
    kind = _KINDS.get(key, "expr")
    if isinstance(value, str) and value in _WORDS.get(key, ()):
        return value
    if kind == "flag":
        if not isinstance(value, bool):
            raise ctx.fail(here, f"{key} must be true or false, not {value!r}")
        return value
    if kind == "word":
        if not isinstance(value, str):
            raise ctx.fail(here, f"{key} must be a word in quotes, not {value!r}")
        return value
    if kind == "numbers":
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, int | float | str) and not isinstance(v, bool) for v in values):
            raise ctx.fail(here, f"{key} must be a number or a list of numbers, not {value!r}")
        read = tuple(sympy.Rational(repr(v)) if isinstance(v, float) else ctx.expr(here, key, v) for v in values)
        return read if isinstance(value, list) else read[0]
    if kind in ("ints", "list") and isinstance(value, list):
        if not value or (len(value) > 3 and kind == "ints"):
            raise ctx.fail(here, f"{key} must be an integer or a list of 1 to 3 integers, not {value!r}")
        read_one = ctx.integer if kind == "ints" or key in ("order", "over") else ctx.expr
        return tuple(read_one(here, key, v) for v in value)
    if kind == "list":
        raise ctx.fail(here, f"{key} must be a list, not {value!r}")
    if kind in ("ints", "int"):
        return ctx.integer(here, key, value)
    return ctx.expr(here, key, value)
