"""The models symconv counts in the tests, built with torch.nn alone (torchvision's wheel does not import beside
the CPU torch): each in the style of a published architecture, small enough to count in a moment.

``MODELS`` maps a name to ``(build, input, sizes)``: the builder, the input shape symconv traces (symbols for
the sizes) and three settings of those symbols where the symbolic form holds (every stride divides).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def _conv_bn(cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1,
             act: type[nn.Module] | None = nn.ReLU) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
                               nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


# --- ResNet (He et al. 2016): basic and bottleneck blocks, torchvision's layout ---------------------------------

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin: int, width: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != width:
            self.downsample = nn.Sequential(nn.Conv2d(cin, width, 1, stride, bias=False), nn.BatchNorm2d(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin: int, width: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, width * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(width * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != width * 4:
            self.downsample = nn.Sequential(nn.Conv2d(cin, width * 4, 1, stride, bias=False),
                                            nn.BatchNorm2d(width * 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, block: type[BasicBlock | Bottleneck], layers: tuple[int, ...], widths: tuple[int, ...],
                 classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin, stages = widths[0], []
        for i, (count, width) in enumerate(zip(layers, widths, strict=True)):
            blocks = []
            for j in range(count):
                blocks.append(block(cin, width, 2 if i > 0 and j == 0 else 1))
                cin = width * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.stages = len(stages)
        for i, stage in enumerate(stages, start=1):
            self.add_module(f"layer{i}", stage)  # torchvision's names: layer1, layer2, ...
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, self.stages + 1):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet() -> nn.Module:
    return ResNet(BasicBlock, (2, 2), (16, 32), classes=10)


def resnet50() -> nn.Module:
    """torchvision's ResNet-50: 25,557,032 parameters, 4,089,184,256 MACs at 224×224."""
    return ResNet(Bottleneck, (3, 4, 6, 3), (64, 128, 256, 512))


# --- MobileNetV3 (Howard et al. 2019): inverted residuals, squeeze-excitation, hardswish ----------------------

class SqueezeExcitation(nn.Module):
    def __init__(self, channels: int, squeezed: int, act: type[nn.Module] = nn.ReLU,
                 gate: type[nn.Module] = nn.Hardsigmoid) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)
        self.activation = act()
        self.scale_activation = gate()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return scale * x


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, expanded: int, cout: int, kernel: int, stride: int, se: bool,
                 act: type[nn.Module]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        if expanded != cin:
            layers.append(_conv_bn(cin, expanded, 1, act=act))
        layers.append(_conv_bn(expanded, expanded, kernel, stride, groups=expanded, act=act))
        if se:
            layers.append(SqueezeExcitation(expanded, max(8, expanded // 4)))
        layers.append(_conv_bn(expanded, cout, 1, act=None))
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return out + x if self.residual else out


class MobileNetV3(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _conv_bn(3, 16, 3, 2, act=nn.Hardswish),
            InvertedResidual(16, 16, 16, 3, 2, True, nn.ReLU),
            InvertedResidual(16, 72, 24, 3, 2, False, nn.ReLU),
            InvertedResidual(24, 88, 24, 3, 1, False, nn.ReLU),
            InvertedResidual(24, 96, 40, 5, 2, True, nn.Hardswish),
            InvertedResidual(40, 240, 40, 5, 1, True, nn.Hardswish),
            _conv_bn(40, 240, 1, act=nn.Hardswish))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(240, 128), nn.Hardswish(inplace=True), nn.Dropout(0.2),
                                        nn.Linear(128, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


# --- ShuffleNetV2 (Ma et al. 2018): channel split, two branches, channel shuffle ------------------------------

def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    batchsize, num_channels, height, width = x.size()
    channels_per_group = num_channels // groups
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(batchsize, -1, height, width)


class ShuffleUnit(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.stride = stride
        half = cout // 2
        if stride > 1:
            self.branch1 = nn.Sequential(
                nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                nn.Conv2d(cin, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True))
        source = cin if stride > 1 else half
        self.branch2 = nn.Sequential(
            nn.Conv2d(source, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True),
            nn.Conv2d(half, half, 3, stride, 1, groups=half, bias=False), nn.BatchNorm2d(half),
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


def shufflenet() -> nn.Module:
    return nn.Sequential(_conv_bn(3, 24, 3, 2), ShuffleUnit(24, 48, 2), ShuffleUnit(48, 48, 1),
                         ShuffleUnit(48, 48, 1))


# --- EfficientNet (Tan and Le 2019): MBConv with SiLU, squeeze-excitation and stochastic depth ----------------

class StochasticDepth(nn.Module):
    """torchvision.ops.StochasticDepth: drops the residual branch of a sample while training, identity after."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = torch.empty([x.shape[0]] + [1] * (x.ndim - 1), dtype=x.dtype).bernoulli_(1 - self.p)
        return x * keep / (1 - self.p)


class MBConv(nn.Module):
    def __init__(self, cin: int, cout: int, expand: int, kernel: int, stride: int, p: float) -> None:
        super().__init__()
        hidden = cin * expand
        self.block = nn.Sequential(
            _conv_bn(cin, hidden, 1, act=nn.SiLU),
            _conv_bn(hidden, hidden, kernel, stride, groups=hidden, act=nn.SiLU),
            SqueezeExcitation(hidden, max(1, cin // 4), act=nn.SiLU, gate=nn.Sigmoid),
            _conv_bn(hidden, cout, 1, act=None))
        self.stochastic_depth = StochasticDepth(p)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        if self.residual:
            out = self.stochastic_depth(out) + x
        return out


def efficientnet() -> nn.Module:
    return nn.Sequential(_conv_bn(3, 16, 3, 2, act=nn.SiLU), MBConv(16, 24, 6, 3, 2, 0.0), MBConv(24, 24, 6, 5, 1, 0.1))


# --- ConvNeXt (Liu et al. 2022): depthwise 7×7, channels-last LayerNorm, GELU, Linear, layer scale ------------

class LayerNorm2d(nn.LayerNorm):
    """ConvNeXt's LayerNorm over the channels of a channels-first map."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(1e-6 * torch.ones(dim))
        self.stochastic_depth = StochasticDepth(0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.dwconv(x).permute(0, 2, 3, 1)
        out = self.pwconv2(self.act(self.pwconv1(self.norm(out))))
        out = (self.gamma * out).permute(0, 3, 1, 2)
        return x + self.stochastic_depth(out)


class ConvNeXt(nn.Module):
    def __init__(self, dim: int = 32) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, dim, 4, 4), LayerNorm2d(dim, eps=1e-6))
        self.stage = nn.Sequential(ConvNeXtBlock(dim), ConvNeXtBlock(dim))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stage(self.stem(x))
        return self.head(self.norm(x.mean([-2, -1])))


# --- U-Net (Ronneberger et al. 2015): encoder, transposed convolutions, skip concatenations, interpolation ----

def _double(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.down1, self.down2, self.bottom = _double(3, 8), _double(8, 16), _double(16, 32)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec2 = _double(32, 16)
        self.reduce = nn.Conv2d(16, 8, 1)
        self.dec1 = _double(16, 8)
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d1 = self.down1(x)
        d2 = self.down2(self.pool(d1))
        b = self.bottom(self.pool(d2))
        u2 = self.dec2(torch.cat([self.up2(b), d2], dim=1))
        u1 = F.interpolate(self.reduce(u2), scale_factor=2, mode="bilinear", align_corners=False)
        return self.head(self.dec1(torch.cat([u1, d1], dim=1)))


# --- A 3-D convolutional network (C3D-style, for clips T × H × W) ---------------------------------------------

def conv3d() -> nn.Module:
    return nn.Sequential(
        nn.Conv3d(3, 8, 3, padding=1), nn.BatchNorm3d(8), nn.ReLU(inplace=True), nn.MaxPool3d((1, 2, 2)),
        nn.Conv3d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm3d(16), nn.ReLU(inplace=True),
        nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(16, 5))


# --- Inception (Szegedy et al. 2015): four branches, ceil_mode pooling ----------------------------------------

class Inception(nn.Module):
    def __init__(self, cin: int, b1: int, b2: tuple[int, int], b3: tuple[int, int], b4: int) -> None:
        super().__init__()
        self.branch1 = _conv_bn(cin, b1, 1)
        self.branch2 = nn.Sequential(_conv_bn(cin, b2[0], 1), _conv_bn(b2[0], b2[1], 3))
        self.branch3 = nn.Sequential(_conv_bn(cin, b3[0], 1), _conv_bn(b3[0], b3[1], 5))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True), _conv_bn(cin, b4, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


def inception() -> nn.Module:
    return nn.Sequential(
        _conv_bn(3, 16, 7, 2), nn.MaxPool2d(3, stride=2, ceil_mode=True),
        Inception(16, 8, (8, 16), (4, 8), 8), nn.MaxPool2d(3, stride=2, ceil_mode=True),
        Inception(40, 16, (16, 24), (4, 8), 8), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Dropout(0.2),
        nn.Linear(56, 10))


#: name → (builder, input shape, three settings of its symbols where the symbolic form holds)
MODELS = {
    "resnet": (resnet, "Nx3xHxW", [{"N": 1, "H": 32, "W": 32}, {"N": 2, "H": 64, "W": 96}, {"N": 1, "H": 96, "W": 64}]),
    "mobilenet_v3": (MobileNetV3, "1x3xHxW", [{"H": 32, "W": 32}, {"H": 64, "W": 48}, {"H": 96, "W": 128}]),
    "shufflenet_v2": (shufflenet, "Nx3xHxH", [{"N": 1, "H": 16}, {"N": 3, "H": 32}, {"N": 1, "H": 48}]),
    "efficientnet": (efficientnet, "1x3xHxW", [{"H": 16, "W": 16}, {"H": 32, "W": 20}, {"H": 48, "W": 64}]),
    "convnext": (ConvNeXt, "Nx3xHxW", [{"N": 1, "H": 16, "W": 16}, {"N": 2, "H": 32, "W": 24},
                                       {"N": 1, "H": 64, "W": 64}]),
    "unet": (UNet, "1x3xHxW", [{"H": 16, "W": 16}, {"H": 32, "W": 24}, {"H": 48, "W": 64}]),
    "conv3d": (conv3d, "1x3xTxHxW", [{"T": 4, "H": 16, "W": 16}, {"T": 8, "H": 12, "W": 20},
                                     {"T": 6, "H": 32, "W": 24}]),
    "inception": (inception, "1x3xHxW", [{"H": 32, "W": 32}, {"H": 64, "W": 48}, {"H": 96, "W": 96}]),
}
