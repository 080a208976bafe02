"""The single layers the presets are checked on against the tools: every torch.nn layer symconv maps, the
functions, methods and operators models call between them, in 1-, 2- and 3-D, with and without a bias, at a
batch of 2 (ptflops divides by it). ``LAYERS`` maps a name to (builder, input shape).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F


class Call(nn.Module):
    """A model whose forward is one function of its input."""

    def __init__(self, function: Callable[[torch.Tensor], torch.Tensor]) -> None:
        super().__init__()
        self.function = function

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.function(x)


class Shared(nn.Module):
    """A convolution called twice."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.conv(x))


class Accumulate(nn.Module):
    """A residual sum in place, as torchvision's blocks write it (out += identity)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x.clone()
        out += x
        return out


class LayerScale(nn.Module):
    """A learned per-channel factor (ConvNeXt's layer scale)."""

    def __init__(self) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(4, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gamma * x


class LayerNorm2d(nn.LayerNorm):
    """ConvNeXt's channels-first LayerNorm: a leaf module with its own forward, calling F.layer_norm."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class PermutedLinear(nn.Module):
    """nn.Linear on a channels-last view (not contiguous), after an activation or not."""

    def __init__(self, act: nn.Module | None = None, bias: bool = True) -> None:
        super().__init__()
        self.act = act
        self.fc = nn.Linear(4, 6, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        return self.fc(self.act(x) if self.act is not None else x)


def dcgan_generator() -> nn.Module:
    """DCGAN's generator as the PyTorch example builds it (pytorch/examples, dcgan/main.py): the built-in
    network dcgan_generator."""
    layers: list[nn.Module] = []
    for i, (cin, cout) in enumerate(((100, 512), (512, 256), (256, 128), (128, 64), (64, 3))):
        layers.append(nn.ConvTranspose2d(cin, cout, 4, 1 if i == 0 else 2, 0 if i == 0 else 1, bias=False))
        layers += [nn.BatchNorm2d(cout), nn.ReLU(True)] if cout != 3 else [nn.Tanh()]
    return nn.Sequential(*layers)


def one(layer: Callable[[], nn.Module]) -> Callable[[], nn.Module]:
    """A torch.nn layer as a model's only child (symconv traces the modules a model calls)."""
    return lambda: nn.Sequential(layer())


def call(function: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[], nn.Module]:
    return lambda: Call(function)


X, L, V = (2, 4, 8, 8), (2, 4, 10), (1, 4, 2, 4, 4)

LAYERS: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    "conv 3x3 bias (the issue's)": (one(lambda: nn.Conv2d(3, 16, 3, padding=1)), (1, 3, 4, 8)),
    "conv no bias": (one(lambda: nn.Conv2d(4, 8, 3, padding=1, bias=False)), X),
    "conv stride 2": (one(lambda: nn.Conv2d(4, 8, 3, stride=2, padding=1)), X),
    "conv grouped": (one(lambda: nn.Conv2d(4, 8, 3, groups=2, padding=1)), X),
    "conv depthwise": (one(lambda: nn.Conv2d(4, 8, 3, groups=4, padding=1)), X),
    "conv dilated": (one(lambda: nn.Conv2d(4, 8, 3, dilation=2, padding=2)), X),
    "conv padding same": (one(lambda: nn.Conv2d(4, 8, 3, padding="same")), X),
    "conv padding same, even kernel": (one(lambda: nn.Conv2d(4, 8, 4, padding="same")), X),
    "conv padding valid": (one(lambda: nn.Conv2d(4, 8, 3, padding="valid")), X),
    "conv reflect padding": (one(lambda: nn.Conv2d(4, 8, 3, padding=1, padding_mode="reflect")), X),
    "conv 1-D": (one(lambda: nn.Conv1d(4, 8, 3, padding=1)), L),
    "conv 3-D": (one(lambda: nn.Conv3d(4, 8, 3, padding=1)), V),
    "transposed stride 2": (one(lambda: nn.ConvTranspose2d(4, 8, 3, 2, 1, output_padding=1)), X),
    "transposed no bias": (one(lambda: nn.ConvTranspose2d(4, 8, 3, 2, 1, output_padding=1, bias=False)), X),
    "transposed 2x2 stride 2": (one(lambda: nn.ConvTranspose2d(4, 8, 2, stride=2)), X),
    "transposed grouped": (one(lambda: nn.ConvTranspose2d(4, 8, 3, stride=2, groups=2)), X),
    "transposed 1-D": (one(lambda: nn.ConvTranspose1d(4, 8, 4, stride=2, padding=1)), L),
    "transposed 3-D": (one(lambda: nn.ConvTranspose3d(4, 2, 2, stride=2)), (1, 4, 2, 3, 3)),
    "linear": (one(lambda: nn.Linear(16, 10)), (3, 16)),
    "linear no bias": (one(lambda: nn.Linear(16, 10, bias=False)), (3, 16)),
    "linear on a sequence": (one(lambda: nn.Linear(16, 10)), (2, 5, 16)),
    "linear on a map": (one(lambda: nn.Linear(8, 6)), (2, 3, 4, 8)),
    "linear on a permuted map": (PermutedLinear, X),
    "linear on an activated permuted map": (lambda: PermutedLinear(nn.GELU()), X),
    "linear no bias on a permuted map": (lambda: PermutedLinear(bias=False), X),
    "batchnorm": (one(lambda: nn.BatchNorm2d(4)), X),
    "batchnorm no affine": (one(lambda: nn.BatchNorm2d(4, affine=False)), X),
    "batchnorm 1-D": (one(lambda: nn.BatchNorm1d(4)), L),
    "batchnorm 3-D": (one(lambda: nn.BatchNorm3d(4)), (2, 4, 2, 3, 3)),
    "layernorm": (one(lambda: nn.LayerNorm(8)), (2, 5, 8)),
    "layernorm of 2 dimensions": (one(lambda: nn.LayerNorm((4, 8))), (2, 4, 8)),
    "layernorm no affine": (one(lambda: nn.LayerNorm(8, elementwise_affine=False)), (2, 5, 8)),
    "layernorm channels-first (a leaf)": (lambda: nn.Sequential(LayerNorm2d(4)), X),
    "groupnorm": (one(lambda: nn.GroupNorm(2, 4)), X),
    **{f"nn.{cls.__name__}": (one(cls), X) for cls in (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.SiLU, nn.Sigmoid, nn.Tanh,
                                                         nn.GELU, nn.Hardswish, nn.Hardsigmoid, nn.Identity,
                                                         nn.Dropout)},
    "nn.GELU tanh": (one(lambda: nn.GELU(approximate="tanh")), X),
    "softmax": (one(lambda: nn.Softmax(dim=1)), X),
    "maxpool": (one(lambda: nn.MaxPool2d(2)), X),
    "maxpool 3x3 stride 2 padding 1": (one(lambda: nn.MaxPool2d(3, 2, 1)), X),
    "maxpool ceil mode": (one(lambda: nn.MaxPool2d(3, 2, ceil_mode=True)), X),
    "avgpool": (one(lambda: nn.AvgPool2d(2)), X),
    "avgpool 3x3 padding 1": (one(lambda: nn.AvgPool2d(3, 1, 1)), X),
    "maxpool 1-D": (one(lambda: nn.MaxPool1d(2)), L),
    "avgpool 3-D": (one(lambda: nn.AvgPool3d(2)), V),
    "adaptive avgpool to 1": (one(lambda: nn.AdaptiveAvgPool2d(1)), X),
    "adaptive avgpool to 2": (one(lambda: nn.AdaptiveAvgPool2d(2)), X),
    "adaptive maxpool to 1": (one(lambda: nn.AdaptiveMaxPool2d(1)), X),
    "adaptive avgpool 1-D": (one(lambda: nn.AdaptiveAvgPool1d(1)), L),
    "adaptive avgpool 3-D": (one(lambda: nn.AdaptiveAvgPool3d(1)), V),
    "upsample nearest": (one(lambda: nn.Upsample(scale_factor=2)), X),
    "upsample bilinear": (one(lambda: nn.Upsample(scale_factor=2, mode="bilinear")), X),
    "upsample to a size": (one(lambda: nn.Upsample(size=(12, 10), mode="bilinear")), X),
    "upsample linear": (one(lambda: nn.Upsample(scale_factor=2, mode="linear")), L),
    "upsample trilinear": (one(lambda: nn.Upsample(scale_factor=2, mode="trilinear")), (1, 4, 2, 3, 3)),
    "F.interpolate bilinear": (call(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear")), X),
    "F.interpolate to a size": (call(lambda x: F.interpolate(x, size=(12, 10))), X),
    "F.relu": (call(lambda x: F.relu(x)), X),
    "torch.relu": (call(lambda x: torch.relu(x)), X),
    "x.relu()": (call(lambda x: x.relu()), X),
    "F.relu6": (call(lambda x: F.relu6(x)), X),
    "F.silu": (call(lambda x: F.silu(x)), X),
    "F.gelu": (call(lambda x: F.gelu(x)), X),
    "torch.sigmoid": (call(lambda x: torch.sigmoid(x)), X),
    "F.hardswish": (call(lambda x: F.hardswish(x)), X),
    "F.max_pool2d": (call(lambda x: F.max_pool2d(x, 2)), X),
    "F.avg_pool2d": (call(lambda x: F.avg_pool2d(x, 2)), X),
    "F.adaptive_avg_pool2d": (call(lambda x: F.adaptive_avg_pool2d(x, 1)), X),
    "F.softmax": (call(lambda x: F.softmax(x, dim=1)), X),
    "F.layer_norm": (call(lambda x: F.layer_norm(x, (8,))), (2, 5, 8)),
    "F.dropout": (call(lambda x: F.dropout(x, training=False)), X),
    "x.mean": (call(lambda x: x.mean((2, 3))), X),
    "x + y": (call(lambda x: x + x), X),
    "x += y": (Accumulate, X),
    "torch.add": (call(lambda x: torch.add(x, x)), X),
    "x.add(y)": (call(lambda x: x.add(x)), X),
    "x * s broadcast": (call(lambda x: x * x.mean((2, 3), keepdim=True)), X),
    "torch.mul broadcast": (call(lambda x: torch.mul(x, x.mean((2, 3), keepdim=True))), X),
    "x * 2": (call(lambda x: x * 2), X),
    "x + 3": (call(lambda x: x + 3), X),
    "x / 6": (call(lambda x: x / 6), X),
    "x - y": (call(lambda x: x - x), X),
    "layer scale": (LayerScale, X),
    "torch.cat": (call(lambda x: torch.cat([x, x], 1)), X),
    "x.chunk": (call(lambda x: x.chunk(2, 1)[0]), X),
    "torch.flatten": (call(lambda x: torch.flatten(x, 1)), X),
    "nn.Flatten": (one(nn.Flatten), X),
    "x.view": (call(lambda x: x.view(x.size(0), -1)), X),
    "x.permute": (call(lambda x: x.permute(0, 2, 3, 1)), X),
    "x @ y": (call(lambda x: x @ x), X),
    "torch.matmul": (call(lambda x: torch.matmul(x, x)), X),
    "x.matmul(y)": (call(lambda x: x.matmul(x)), X),
    "torch.bmm": (call(lambda x: torch.bmm(x, x)), (2, 8, 8)),
    "x[:, :1] @ y broadcast": (call(lambda x: x[:, :1] @ x), X),
    "nn.ChannelShuffle": (one(lambda: nn.ChannelShuffle(2)), X),
    "a module called twice": (Shared, X),
    "DCGAN's generator": (dcgan_generator, (2, 100, 1, 1)),
}
