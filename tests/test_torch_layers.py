"""Every operation symconv maps from PyTorch, one small model each: traced, its output shape PyTorch's, its
parameters, buffers and MACs PyTorch's and FlopCounterMode's (total / 2), from the symbolic form, and its
counts those of a direct computation of the traced layers."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from symconv.network import analyse  # noqa: E402
from symconv.network.direct import run  # noqa: E402
from symconv.torch import convert  # noqa: E402


class Lambda(nn.Module):
    """A model whose forward is ``f(self, x)``, its modules given by name."""

    def __init__(self, f, **modules: nn.Module | torch.Tensor) -> None:
        super().__init__()
        self.f = f
        for name, module in modules.items():
            if isinstance(module, torch.Tensor):
                self.register_parameter(name, nn.Parameter(module))
            else:
                self.add_module(name, module)

    def forward(self, x):
        return self.f(self, x)


def _pieces(self, x):
    a, b = torch.split(x, [1, 3], dim=1)
    c, d = x.chunk(2, 1)
    e, f = torch.split(x, 2, dim=1)
    return torch.cat([b, a, d, c, f, e, x[:, 1:3], x[:, -1:], x[:, ::2]], dim=1)


def _seq(*layers: nn.Module) -> nn.Module:
    return nn.Sequential(*layers)


#: name → (model, input shape with symbols, the values symbconv and PyTorch are compared at)
CASES = {
    "conv1d same reflect": (_seq(nn.Conv1d(3, 4, 4, padding="same", padding_mode="reflect")), "1x3xL", {"L": 9}),
    "conv1d valid strided": (_seq(nn.Conv1d(3, 4, 3, stride=2, padding="valid", bias=False)), "2x3xL", {"L": 10}),
    "conv2d circular": (_seq(nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular")), "1x2xHxW", {"H": 5, "W": 6}),
    "conv2d replicate dilated": (_seq(nn.Conv2d(2, 4, 3, padding=2, dilation=2, groups=2,
                                                padding_mode="replicate")), "1x2xHxW", {"H": 6, "W": 6}),
    "conv3d": (_seq(nn.Conv3d(2, 3, 3, stride=(1, 2, 2), padding=1)), "1x2xTxHxW", {"T": 3, "H": 6, "W": 4}),
    "depthwise": (_seq(nn.Conv2d(4, 8, 3, padding=1, groups=4)), "1x4xHxW", {"H": 5, "W": 5}),
    "conv transpose 1d": (_seq(nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1)), "1x3xL",
                          {"L": 5}),
    "conv transpose 2d": (_seq(nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1, bias=False)), "1x4xHxW",
                          {"H": 3, "W": 4}),
    "conv transpose 3d": (_seq(nn.ConvTranspose3d(4, 2, 2, stride=2, groups=2)), "1x4xTxHxW",
                          {"T": 2, "H": 2, "W": 3}),
    "linear 3-d": (_seq(nn.Linear(8, 5)), "2xTx8", {"T": 3}),
    "batchnorm1d": (_seq(nn.BatchNorm1d(3)), "2x3xL", {"L": 4}),
    "batchnorm3d": (_seq(nn.BatchNorm3d(3, affine=False)), "1x3xTxHxW", {"T": 2, "H": 2, "W": 2}),
    "layernorm": (_seq(nn.LayerNorm((4, 5))), "1x3x4x5", {}),
    "layernorm no bias": (_seq(nn.LayerNorm(5, bias=False)), "1xTx5", {"T": 3}),
    "groupnorm": (_seq(nn.GroupNorm(2, 4)), "1x4xHxW", {"H": 3, "W": 3}),
    "activations": (_seq(nn.ReLU(), nn.ReLU6(), nn.LeakyReLU(), nn.SiLU(), nn.GELU(), nn.GELU("tanh"),
                         nn.Hardswish(), nn.Hardsigmoid(), nn.Sigmoid(), nn.Tanh(), nn.Dropout(),
                         nn.Identity()), "1x3xHxW", {"H": 2, "W": 2}),
    "functional activations": (Lambda(lambda s, x: F.hardswish(F.silu(F.gelu(torch.relu(F.relu6(x)))))
                                      .sigmoid().tanh()), "1x3xH", {"H": 4}),
    "softmax": (_seq(nn.Softmax(dim=1)), "1x4xH", {"H": 3}),
    "functional softmax": (Lambda(lambda s, x: F.softmax(x, dim=-1)), "1x4xH", {"H": 3}),
    "pools ceil_mode": (_seq(nn.MaxPool2d(3, 2, ceil_mode=True), nn.AvgPool2d(2, ceil_mode=True)), "1x2xHxW",
                        {"H": 16, "W": 8}),
    "pool 1d": (_seq(nn.MaxPool1d(3, 2, padding=1, ceil_mode=True), nn.AvgPool1d(2)), "1x2xL", {"L": 9}),
    "functional pools": (Lambda(lambda s, x: F.avg_pool2d(F.max_pool2d(x, 3, 2, 1, ceil_mode=True), 2)),
                         "1x2xHxW", {"H": 16, "W": 8}),
    "functional pools 1d 3d": (Lambda(lambda s, x: F.max_pool1d(F.avg_pool1d(x, 2), 2)), "1x2xL", {"L": 8}),
    "pool 3d": (_seq(nn.AvgPool3d(2, padding=1), nn.MaxPool3d(2)), "1x2xTxHxW", {"T": 4, "H": 4, "W": 8}),
    "adaptive pools": (_seq(nn.AdaptiveMaxPool2d((2, 3)), nn.AdaptiveAvgPool2d(1)), "1x2xHxW", {"H": 4, "W": 6}),
    "adaptive 1d 3d": (Lambda(lambda s, x: F.adaptive_avg_pool3d(x, 1) + F.adaptive_max_pool3d(x, (1, 1, 1))),
                       "1x2xTxHxW", {"T": 2, "H": 2, "W": 2}),
    "upsample": (_seq(nn.Upsample(scale_factor=2), nn.Upsample(scale_factor=2, mode="bilinear")), "1x2xHxW",
                 {"H": 3, "W": 2}),
    "interpolate": (Lambda(lambda s, x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=False)),
                    "1x2x3x4", {}),
    "se and layer scale": (Lambda(lambda s, x: s.gamma * (x * torch.sigmoid(s.fc(s.pool(x)))) + s.beta,
                                  pool=nn.AdaptiveAvgPool2d(1), fc=nn.Conv2d(4, 4, 1), gamma=torch.ones(4, 1, 1),
                                  beta=torch.zeros(1, 4, 1, 1)), "1x4xHxW", {"H": 3, "W": 3}),
    "scalar arithmetic": (Lambda(lambda s, x: (x + 3) * 0.5 / 6 - 1), "1x2xH", {"H": 3}),
    "cat split chunk slice": (Lambda(_pieces), "1x4xHxW", {"H": 2, "W": 2}),
    "layout": (Lambda(lambda s, x: torch.flatten(x.permute(0, 2, 3, 1).transpose(1, 2).reshape(x.size(0), -1, 2)
                                                 .contiguous(), 1)), "Nx4xHxW", {"N": 2, "H": 2, "W": 2}),
    "matmul bmm": (Lambda(lambda s, x: torch.bmm(x, x.transpose(1, 2)) @ x), "2x3x4", {}),
    "mean": (Lambda(lambda s, x: x.mean([-2, -1]) + torch.mean(x, dim=(2, 3), keepdim=True).flatten(1)), "1x3xHxW",
             {"H": 2, "W": 4}),
    "shuffle and flatten": (_seq(nn.ChannelShuffle(2), nn.Flatten()), "1x4xHxW", {"H": 2, "W": 2}),
}


def _dims(shape: str, values: dict[str, int]) -> list[int]:
    return [values[d] if d in values else int(d) for d in shape.split("x")]


@pytest.mark.parametrize("name", list(CASES))
def test_each_operation_matches_pytorch_and_a_direct_count(name):
    model, shape, values = CASES[name]
    model.train(False)
    converted = convert(model, shape)
    closed = analyse(converted.network, None, "macs")
    at = closed.evaluate(values) if values else closed
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = model(torch.randn(*_dims(shape, values)))
    assert tuple(int(v) for v in at.rows[-1].output.dims) == tuple(out.shape[1:])
    assert at.value("params") == sum(p.numel() for p in model.parameters())
    assert at.value("buffers") == sum(b.numel() for b in model.buffers())
    assert at.value("macs") == counter.get_total_flops() // 2
    rows = analyse(converted.network, values).rows
    for row, computed in zip(rows, run(converted.network, values), strict=True):
        assert computed.values_agree, row.name
        for quantity in ("params", "buffers", "mults", "adds", "others", "macs"):
            assert getattr(row.counts, quantity) == getattr(computed.counts, quantity), (row.name, quantity)


def test_torchvisions_stochastic_depth_kept_whole_in_a_trace_is_the_identity_at_inference():
    from symconv.network import Shape
    from symconv.torch.registry import Call, Tensor, lookup

    def stochastic_depth(input, p, mode, training=True):
        return input

    stochastic_depth.__module__ = "torchvision.ops.stochastic_depth"
    x = Tensor("input", Shape(3, (4, 4)))
    entry = lookup(stochastic_depth)
    assert entry is not None and entry.name == "torchvision.ops.stochastic_depth.stochastic_depth"
    assert entry.convert(Call(entry.name, "", None, (x, 0.2, "row", False), {}, 1)) is x
