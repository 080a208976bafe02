"""The functions and tensor methods symconv maps, one registry entry each: activations and pooling called as
functions, elementwise arithmetic, joins and splits, layout changes, and the size arithmetic between them
(``x.size()``, ``c // groups``), computed on symconv's symbolic sizes.
"""

from __future__ import annotations

import builtins
import operator
from typing import Any

import sympy
import torch
import torch.nn.functional as F

from symconv.network.layers import (
    Activation,
    Add,
    AvgPool,
    Binary,
    Concat,
    Flatten,
    LayerNorm,
    Matmul,
    MaxPool,
    Mean,
    Permute,
    Reshape,
    Scalar,
    Scale,
    Slice,
    Softmax,
    as_expr,
)
from symconv.torch.modules import adaptive, upsample
from symconv.torch.registry import Apply, Call, Constant, Named, Tensor, Unsupported, register

__all__: list[str] = []


def _activation(function: str, *targets: Any) -> None:
    @register(*targets, becomes=function)
    def convert(call: Call) -> Apply:
        return Apply(Activation(function), (call.tensor(),))


_activation("relu", F.relu, torch.relu, torch.relu_, "relu", "relu_")
_activation("relu6", F.relu6)
_activation("leaky_relu", F.leaky_relu)
_activation("silu", F.silu)
_activation("sigmoid", torch.sigmoid, F.sigmoid, "sigmoid", "sigmoid_")
_activation("tanh", torch.tanh, F.tanh, "tanh")
_activation("hardswish", F.hardswish)
_activation("hardsigmoid", F.hardsigmoid)
_activation("identity", F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout)


@register(F.gelu, becomes=("gelu", "gelu_tanh"))
def _gelu(call: Call) -> Apply:
    return Apply(Activation("gelu_tanh" if call.arg(1, "approximate", "none") == "tanh" else "gelu"),
                 (call.tensor(),))


@register(F.softmax, torch.softmax, "softmax", becomes="softmax")
def _softmax(call: Call) -> Apply:
    x = call.tensor()
    dim = call.arg(1, "dim", None)
    if dim is None:
        raise Unsupported(f"{call.op} without dim (PyTorch's implicit choice)")
    return Apply(Softmax(dim=call.dim(dim, x)), (x,))


def _is_size(value: Any) -> bool:
    return isinstance(value, int | float | sympy.Expr) and not isinstance(value, bool)


#: Python's arithmetic on sizes, for the size computations between layers (``channels // groups``).
_SIZE_ARITHMETIC = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "floordiv": lambda a, b: a // b if isinstance(a, int) and isinstance(b, int) else sympy.floor(a / b),
}


def _arithmetic(op: str, *targets: Any) -> None:
    @register(*targets, becomes=("add", "binary", "mul", "scalar", "scale"))
    def convert(call: Call) -> Any:
        a, b = call.arg(0, "input"), call.arg(1, "other")
        if call.arg(2, "alpha", 1) != 1:
            raise Unsupported(f"{call.op} with alpha")
        if _is_size(a) and _is_size(b):
            return _SIZE_ARITHMETIC[op](a, b)
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            if op == "add" and a.shape == b.shape:
                return Apply(Add(), (a, b))
            return Apply(Binary(op), (a, b))
        tensor, other = (a, b) if isinstance(a, Tensor) else (b, a)
        if not isinstance(tensor, Tensor):
            raise Unsupported(f"{call.op} of {a!r} and {b!r}")
        if isinstance(other, Constant):
            shape = list(other.shape)
            while len(shape) > tensor.shape.rank and shape[0] == 1:
                shape.pop(0)  # a leading 1 broadcasts over the batch
            return Apply(Scale(shape=tuple(shape), op=op), (tensor,))
        if _is_size(other):
            return Apply(Scalar(op), (tensor,))
        raise Unsupported(f"{call.op} of an activation and {type(other).__name__}")


_arithmetic("add", operator.add, operator.iadd, torch.add, "add", "add_")
_arithmetic("sub", operator.sub, operator.isub, torch.sub, "sub", "sub_")
_arithmetic("mul", operator.mul, operator.imul, torch.mul, "mul", "mul_")
_arithmetic("div", operator.truediv, operator.itruediv, torch.div, "div", "div_")


@register(operator.floordiv, becomes=())
def _floordiv(call: Call) -> Any:
    a, b = call.args
    if not (_is_size(a) and _is_size(b)):
        raise Unsupported(f"{call.op} of {a!r} and {b!r}")
    return _SIZE_ARITHMETIC["floordiv"](a, b)


@register(operator.matmul, torch.matmul, torch.bmm, "matmul", "bmm", becomes="matmul")
def _matmul(call: Call) -> Apply:
    return Apply(Matmul(), (call.tensor(0), call.tensor(1, "other")))


@register(torch.cat, torch.concat, becomes="concat")
def _cat(call: Call) -> Apply:
    tensors = call.arg(0, "tensors")
    if not isinstance(tensors, tuple | list) or not all(isinstance(t, Tensor) for t in tensors):
        raise Unsupported(f"{call.op} of {tensors!r}")
    return Apply(Concat(dim=call.dim(call.arg(1, "dim", 0), tensors[0])), tuple(tensors))


def _pieces(call: Call, x: Tensor, dim: int, sizes: list[Any]) -> list[Apply]:
    pieces, start = [], sympy.Integer(0)
    for i, size in enumerate(sizes):
        pieces.append(Apply(Slice(dim=dim, start=start, stop=start + size), (x,), part=str(i)))
        start = start + size
    return pieces


@register(torch.chunk, "chunk", becomes="slice")
def _chunk(call: Call) -> list[Apply]:
    x = call.tensor()
    chunks, dim = call.arg(1, "chunks"), call.dim(call.arg(2, "dim", 0), call.tensor())
    total = x.shape.dims[dim]
    size = sympy.ceiling(total / chunks)
    count = int(sympy.ceiling(total / size)) if (total / size).is_number else chunks
    return _pieces(call, x, dim, [size] * (count - 1) + [total - size * (count - 1)])


@register(torch.split, "split", becomes="slice")
def _split(call: Call) -> list[Apply]:
    x = call.tensor()
    given, dim = call.arg(1, "split_size_or_sections"), call.dim(call.arg(2, "dim", 0), x)
    total = x.shape.dims[dim]
    if isinstance(given, tuple | list):
        return _pieces(call, x, dim, list(given))
    count = sympy.ceiling(total / given)
    if not count.is_number:
        raise Unsupported(f"{call.op} of a symbolic size into pieces of {given}")
    return _pieces(call, x, dim, [given] * (int(count) - 1) + [total - given * (int(count) - 1)])


@register(torch.flatten, "flatten", becomes="flatten")
def _flatten(call: Call) -> Apply:
    x = call.tensor()
    return Apply(Flatten(start=call.dim(call.arg(1, "start_dim", 0), x), end=call.dim(call.arg(2, "end_dim", -1), x)),
                 (x,))


def _sizes(call: Call) -> list[Any]:
    given = list(call.args[1:])
    if len(given) == 1 and isinstance(given[0], tuple | list):
        given = list(given[0])
    return given


@register(torch.reshape, "view", "reshape", becomes="reshape")
def _reshape(call: Call) -> Apply:
    x = call.tensor()
    sizes = _sizes(call)
    batch = sizes[0] if sizes else None
    rest = sympy.Mul(*(s for s in sizes[1:] if s != -1))
    leads = batch == -1 and -1 not in sizes[1:] and sympy.expand(rest - x.shape.elements) == 0
    if not (_is_size(batch) and sympy.expand(as_expr(batch) - call.batch) == 0) and not leads:
        raise Unsupported(f"{call.op} to {sizes}, which does not keep the batch dimension first")
    return Apply(Reshape(shape=tuple(sizes[1:])), (x,))


@register(torch.permute, "permute", becomes="permute")
def _permute(call: Call) -> Apply:
    x = call.tensor()
    order = _sizes(call)
    if not order or order[0] != 0:
        raise Unsupported(f"{call.op} to {order}, which moves the batch dimension")
    return Apply(Permute(order=tuple(call.dim(d, x) % x.shape.rank for d in order[1:])), (x,))


@register(torch.transpose, "transpose", becomes="permute")
def _transpose(call: Call) -> Apply:
    x = call.tensor()
    a, b = call.dim(call.arg(1, "dim0"), x) % x.shape.rank, call.dim(call.arg(2, "dim1"), x) % x.shape.rank
    order = list(range(x.shape.rank))
    order[a], order[b] = order[b], order[a]
    return Apply(Permute(order=tuple(order)), (x,))


@register(torch.mean, "mean", becomes=("mean", "global_avgpool"))
def _mean(call: Call) -> Apply:
    x = call.tensor()
    over = call.arg(1, "dim", None)
    if over is None:
        raise Unsupported(f"{call.op} over every dimension, the batch's too")
    over = over if isinstance(over, tuple | list) else (over,)
    return Apply(Mean(over=tuple(call.dim(d, x) for d in over), keepdim=bool(call.arg(2, "keepdim", False))), (x,))


def _functional(op: str, dims: int) -> tuple[Any, ...]:
    return tuple(getattr(F, name) for name in (f"{op}{dims}d", f"_{op}{dims}d") if hasattr(F, name))


@register(*(f for d in (1, 2, 3) for f in _functional("adaptive_avg_pool", d) + _functional("adaptive_max_pool", d)),
          becomes=("adaptive_avgpool", "adaptive_maxpool"))
def _adaptive_function(call: Call) -> Apply:
    name = call.op.rsplit(".", 1)[-1].lstrip("_")
    if call.arg(2, "return_indices", False):
        raise Unsupported(f"{call.op} with return_indices")
    return adaptive(call, call.tensor(), call.arg(1, "output_size"), "max" if "max" in name else "avg",
                    int(name[-2]))


def _window(op: str, dims: int, kind: type[MaxPool | AvgPool]) -> None:
    @register(*_functional(op, dims), becomes=kind.kind)
    def convert(call: Call) -> Apply:
        kernel = call.arg(1, "kernel_size")
        stride = call.arg(2, "stride", None) or kernel
        padding = call.arg(3, "padding", 0)
        if kind is MaxPool:
            if call.arg(4, "dilation", 1) not in (1, (1,) * dims) or call.arg(6, "return_indices", False):
                raise Unsupported(f"{call.op} with dilation or return_indices")
            ceil_mode = call.arg(5, "ceil_mode", False)
        else:
            ceil_mode = call.arg(4, "ceil_mode", False)
            if not call.arg(5, "count_include_pad", True) or call.arg(6, "divisor_override", None) is not None:
                raise Unsupported(f"{call.op} that leaves the padding out of its divisor")
        return Apply(kind(kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode, dims=dims),
                     (call.tensor(),))


for _dims in (1, 2, 3):
    _window("max_pool", _dims, MaxPool)
    _window("avg_pool", _dims, AvgPool)


@register(F.interpolate, F.upsample, becomes="upsample")
def _interpolate(call: Call) -> Apply:
    return upsample(call, call.tensor(), call.arg(1, "size", None), call.arg(2, "scale_factor", None),
                    call.arg(3, "mode", "nearest"))


@register(F.layer_norm, becomes="layernorm")
def _layer_norm(call: Call) -> Apply:
    shape, weight, bias = call.arg(1, "normalized_shape"), call.arg(2, "weight", None), call.arg(3, "bias", None)
    return Apply(LayerNorm(normalized=len(shape), affine=weight is not None, bias=bias is not None),
                 (call.tensor(),))


@register(Named("torchvision.ops.stochastic_depth.stochastic_depth"), becomes=())
def _stochastic_depth(call: Call) -> Tensor:
    if call.arg(3, "training", True):
        raise Unsupported(f"{call.op} while training (it drops samples at random)")
    return call.tensor()  # the identity at inference


@register("contiguous", "clone", "detach", becomes=())
def _same(call: Call) -> Tensor:
    return call.tensor()


@register("size", becomes=())
def _size(call: Call) -> Any:
    x = call.tensor()
    dims = (call.batch, *x.shape.dims)
    dim = call.arg(1, "dim", None)
    return tuple(_plain(d) for d in dims) if dim is None else _plain(dims[dim])


def _plain(size: sympy.Expr) -> Any:
    return int(size) if size.is_Integer else size


@register("dim", becomes=())
def _rank(call: Call) -> int:
    return call.tensor().shape.rank + 1


@register(builtins.getattr, becomes=())
def _attribute(call: Call) -> Any:
    value, name = call.args[0], call.args[1]
    if isinstance(value, Tensor) and name == "shape":
        return tuple(_plain(d) for d in (call.batch, *value.shape.dims))
    if isinstance(value, Tensor) and name == "ndim":
        return value.shape.rank + 1
    raise Unsupported(f"{call.op}(…, {name!r})")


@register(operator.getitem, becomes="slice")
def _getitem(call: Call) -> Any:
    value, index = call.args
    if not isinstance(value, Tensor):
        try:
            return value[index]
        except (TypeError, IndexError, KeyError):
            raise Unsupported(f"{call.op} of {value!r} at {index!r}") from None
    return _slice(call, value, index if isinstance(index, tuple) else (index,))


def _slice(call: Call, x: Tensor, index: tuple[Any, ...]) -> Apply:
    if any(i is Ellipsis for i in index):
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (x.shape.rank + 1 - len(index) + 1) + index[at + 1:]
    cut = [(d, i) for d, i in enumerate(index) if i != slice(None)]
    if len(cut) != 1 or not isinstance(cut[0][1], slice) or cut[0][0] == 0:
        raise Unsupported(f"{call.op} of an activation at {index!r} (one slice along one dimension is mapped)")
    dim, piece = cut[0]
    size = x.shape.dims[dim - 1]
    start, stop, step = piece.start or 0, piece.stop, piece.step or 1
    if (isinstance(start, int) and start < 0) or (isinstance(stop, int) and stop < 0):
        start, stop = (start + size if isinstance(start, int) and start < 0 else start,
                       stop + size if isinstance(stop, int) and stop < 0 else stop)
    return Apply(Slice(dim=dim - 1, start=start, stop=stop, step=step), (x,))
