"""The ``torch.nn`` layers symconv maps, one registry entry each: a module call becomes the layer of the same
meaning, its fields read from the module (a convolution's kernel, a batch norm's ``affine``).
"""

from __future__ import annotations

from typing import Any

from torch import nn

from symconv.network.layers import (
    Activation,
    AdaptivePool,
    AvgPool,
    BatchNorm,
    Convolution,
    Flatten,
    GroupNorm,
    LayerNorm,
    Linear,
    MaxPool,
    Shuffle,
    Softmax,
    Upsample,
)
from symconv.torch.registry import Apply, Call, Unsupported, register

__all__: list[str] = []

_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_TRANSPOSED = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


@register(*_CONVS, *_TRANSPOSED, becomes=("conv", "dwconv", "convtranspose"))
def _conv(call: Call) -> Apply:
    m = call.module
    x = call.tensor()
    transposed = isinstance(m, _TRANSPOSED)
    if transposed and call.arg(1, "output_size", None) is not None:
        raise Unsupported(f"{call.op} with output_size given in the call")
    options: dict[str, Any] = {
        "kernel": tuple(m.kernel_size), "stride": tuple(m.stride), "dilation": tuple(m.dilation),
        "padding": m.padding if isinstance(m.padding, str) else tuple(m.padding), "bias": m.bias is not None,
        "dims": len(m.kernel_size)}
    if transposed:
        options |= {"transposed": True, "output_padding": tuple(m.output_padding)}
    else:
        options["padding_mode"] = m.padding_mode
    depthwise = m.groups > 1 and m.groups == m.in_channels and m.out_channels % m.in_channels == 0
    if depthwise and not transposed:
        return Apply(Convolution(groups="depthwise", multiplier=m.out_channels // m.in_channels, **options), (x,))
    return Apply(Convolution(out=m.out_channels, groups=m.groups, **options), (x,))


@register(nn.Linear, becomes="linear")
def _linear(call: Call) -> Apply:
    return Apply(Linear(out=call.module.out_features, bias=call.module.bias is not None, flatten=False),
                 (call.tensor(),))


@register(nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, becomes="batchnorm")
def _batchnorm(call: Call) -> Apply:
    if not call.module.track_running_stats:
        raise Unsupported(f"{call.op} without running statistics (it normalises by the batch's at inference)")
    return Apply(BatchNorm(affine=call.module.affine), (call.tensor(),))


@register(nn.LayerNorm, becomes="layernorm")
def _layernorm(call: Call) -> Apply:
    m = call.module
    return Apply(LayerNorm(normalized=len(m.normalized_shape), affine=m.elementwise_affine,
                           bias=getattr(m, "bias", None) is not None), (call.tensor(),))


@register(nn.GroupNorm, becomes="groupnorm")
def _groupnorm(call: Call) -> Apply:
    return Apply(GroupNorm(groups=call.module.num_groups, affine=call.module.affine), (call.tensor(),))


#: Activation modules and the activation each computes.
ACTIVATION_MODULES: dict[type, str] = {
    nn.ReLU: "relu", nn.ReLU6: "relu6", nn.LeakyReLU: "leaky_relu", nn.SiLU: "silu", nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh", nn.Hardswish: "hardswish", nn.Hardsigmoid: "hardsigmoid", nn.Identity: "identity",
    nn.Dropout: "identity", nn.Dropout1d: "identity", nn.Dropout2d: "identity", nn.Dropout3d: "identity",
    nn.AlphaDropout: "identity",
}


@register(*ACTIVATION_MODULES, nn.GELU, becomes=("relu", "relu6", "leaky_relu", "silu", "sigmoid", "tanh", "gelu",
                                                  "gelu_tanh", "hardswish", "hardsigmoid", "identity"))
def _activation(call: Call) -> Apply:
    if isinstance(call.module, nn.GELU):
        function = "gelu_tanh" if call.module.approximate == "tanh" else "gelu"
    else:
        function = next(f for cls, f in ACTIVATION_MODULES.items() if type(call.module) is cls
                        or isinstance(call.module, cls))
    return Apply(Activation(function), (call.tensor(),))


@register(nn.Softmax, becomes="softmax")
def _softmax(call: Call) -> Apply:
    x = call.tensor()
    if call.module.dim is None:
        raise Unsupported(f"{call.op} without dim (PyTorch's implicit choice)")
    return Apply(Softmax(dim=call.dim(call.module.dim, x)), (x,))


def _pool_options(call: Call, m: Any, dims: int) -> dict[str, Any]:
    if getattr(m, "return_indices", False):
        raise Unsupported(f"{call.op} with return_indices")
    if getattr(m, "dilation", 1) not in (1, (1,) * dims):
        raise Unsupported(f"{call.op} with dilation {m.dilation}")
    if getattr(m, "count_include_pad", True) is False or getattr(m, "divisor_override", None) is not None:
        raise Unsupported(f"{call.op} that leaves the padding out of its divisor")
    stride = m.stride if m.stride is not None else m.kernel_size
    return {"kernel": m.kernel_size, "stride": stride, "padding": m.padding, "ceil_mode": m.ceil_mode, "dims": dims}


_POOLS = {nn.MaxPool1d: (MaxPool, 1), nn.MaxPool2d: (MaxPool, 2), nn.MaxPool3d: (MaxPool, 3),
          nn.AvgPool1d: (AvgPool, 1), nn.AvgPool2d: (AvgPool, 2), nn.AvgPool3d: (AvgPool, 3)}


@register(*_POOLS, becomes=("maxpool", "avgpool"))
def _pool(call: Call) -> Apply:
    kind, dims = next(v for cls, v in _POOLS.items() if isinstance(call.module, cls))
    return Apply(kind(**_pool_options(call, call.module, dims)), (call.tensor(),))


_ADAPTIVE = {nn.AdaptiveAvgPool1d: ("avg", 1), nn.AdaptiveAvgPool2d: ("avg", 2), nn.AdaptiveAvgPool3d: ("avg", 3),
             nn.AdaptiveMaxPool1d: ("max", 1), nn.AdaptiveMaxPool2d: ("max", 2), nn.AdaptiveMaxPool3d: ("max", 3)}


def adaptive(call: Call, x: Any, size: Any, op: str, dims: int) -> Apply:
    """Adaptive pooling of ``x`` to ``size`` (``None`` entries keep the input's size)."""
    sizes = tuple(size) if isinstance(size, tuple | list) else (size,) * dims
    if any(s is None for s in sizes):
        spatial = x.shape.size[-dims:]
        if not all(spatial[i].is_Integer for i, s in enumerate(sizes) if s is None):
            raise Unsupported(f"{call.op} keeping a symbolic size (None in output_size)")
        sizes = tuple(int(spatial[i]) if s is None else s for i, s in enumerate(sizes))
    return Apply(AdaptivePool(output_size=sizes, op=op, dims=dims), (x,))


@register(*_ADAPTIVE, becomes=("adaptive_avgpool", "adaptive_maxpool"))
def _adaptive(call: Call) -> Apply:
    if getattr(call.module, "return_indices", False):
        raise Unsupported(f"{call.op} with return_indices")
    op, dims = next(v for cls, v in _ADAPTIVE.items() if isinstance(call.module, cls))
    return adaptive(call, call.tensor(), call.module.output_size, op, dims)


def upsample(call: Call, x: Any, size: Any, scale: Any, mode: str) -> Apply:
    """Upsampling of ``x`` to ``size`` or by ``scale`` in ``mode``."""
    if mode not in ("nearest", "linear", "bilinear", "trilinear"):
        raise Unsupported(f"{call.op} in mode {mode!r}")
    if size is not None:
        return Apply(Upsample(size=tuple(size) if isinstance(size, tuple | list) else (size,), mode=mode), (x,))
    return Apply(Upsample(scale=tuple(scale) if isinstance(scale, tuple | list) else scale, mode=mode), (x,))


@register(nn.Upsample, becomes="upsample")
def _upsample(call: Call) -> Apply:
    m = call.module
    return upsample(call, call.tensor(), m.size, m.scale_factor, m.mode)


@register(nn.Flatten, becomes="flatten")
def _flatten(call: Call) -> Apply:
    x = call.tensor()
    return Apply(Flatten(start=call.dim(call.module.start_dim, x), end=call.dim(call.module.end_dim, x)), (x,))


@register(nn.ChannelShuffle, becomes="shuffle")
def _shuffle(call: Call) -> Apply:
    return Apply(Shuffle(groups=call.module.groups), (call.tensor(),))
