"""Each preset reproduces its tool's number exactly, on every layer of ``preset_layers.LAYERS`` and on every
test model (``torch_models.MODELS``, from one symbolic form at each of its sizes): the tools themselves run
where they are installed (``.ci/run`` installs the pinned versions), and a tool that is not is skipped."""

from __future__ import annotations

from functools import cache

import pytest

torch = pytest.importorskip("torch")

from preset_layers import LAYERS  # noqa: E402
from preset_tools import TOOLS  # noqa: E402
from torch_models import MODELS  # noqa: E402

from symconv.network import Network  # noqa: E402
from symconv.presets import count  # noqa: E402
from symconv.presets.count import count_facts  # noqa: E402
from symconv.presets.facts import Facts, network_facts  # noqa: E402
from symconv.torch import convert  # noqa: E402


@cache
def _layer(case: str) -> Network:
    build, shape = LAYERS[case]
    return convert(build(), "x".join(map(str, shape))).network


def _run(preset: str, build, shape: tuple[int, ...]) -> int:  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    model = build().eval()
    return TOOLS[preset](model, torch.randn(*shape))


@pytest.mark.parametrize("preset", TOOLS)
@pytest.mark.parametrize("case", LAYERS)
def test_preset_reproduces_the_tool_on_a_layer(case, preset):
    build, shape = LAYERS[case]
    assert count(_layer(case), preset).total == _run(preset, build, shape)


@cache
def _model(name: str) -> Network:
    build, shape, _ = MODELS[name]
    return convert(build(), shape).network


@cache
def _facts(name: str, size: int | None) -> list[tuple[str, Facts]]:
    """A model's layers at one of its sizes, or symbolic (None): computed once for every preset."""
    values = MODELS[name][2][size] if size is not None else None
    return [(node.name, facts) for node, facts in network_facts(_model(name), values)]


#: Each model at its first size, and the ResNet also at a batch of 2 (ptflops divides by it).
SETTINGS = [(name, 0) for name in MODELS] + [("resnet", 1)]


@pytest.mark.parametrize("preset", TOOLS)
@pytest.mark.parametrize(("name", "size"), SETTINGS, ids=[f"{n}-{s}" for n, s in SETTINGS])
def test_preset_reproduces_the_tool_on_a_model(name, size, preset):
    build, shape, sizes = MODELS[name]
    values = sizes[size]
    dims = tuple(int(values.get(d, d)) for d in shape.split("x"))
    got = _run(preset, build, dims)
    assert count_facts(preset, name, _facts(name, size)).total == got
    closed = count_facts(preset, name, _facts(name, None)).total
    assert closed.xreplace({_model(name).symbols[k]: v for k, v in values.items()}) == got


#: Each tool's known errors, and a layer of preset_layers.LAYERS that shows it (the tool's number on that layer
#: is checked above, the error included).
KNOWN_ERRORS = [
    ("flopcounter", "one-addition-per-product", "conv no bias"), ("flopcounter", "padding-products", "conv no bias"),
    ("fvcore", "matmul-broadcast", "x[:, :1] @ y broadcast"),
    ("fvcore", "string-padding", "conv padding same"), ("fvcore", "string-padding", "conv padding valid"),
    ("fvcore", "2d-only", "upsample trilinear"), ("fvcore", "2d-only", "adaptive avgpool 3-D"),
    ("ptflops-pytorch", "double-count", "nn.ReLU"), ("ptflops-pytorch", "upsample-one-sample", "upsample nearest"),
    ("ptflops-pytorch", "layernorm-affine", "layernorm"), ("ptflops-pytorch", "per-sample", "conv no bias"),
    ("ptflops-aten", "linear-strided", "linear on a permuted map"),
    ("thop", "transposed-output-grid", "transposed stride 2"), ("thop", "modules-only", "F.interpolate bilinear"),
    ("thop", "trilinear-zero", "upsample trilinear"), ("torchinfo", "linear-leading-dims", "linear on a sequence"),
    ("torchinfo", "transposed-output-grid", "transposed 2x2 stride 2"),
    ("calflops", "grouped-transposed", "transposed grouped"),
    ("calflops", "transposed-bias-size", "transposed stride 2"),
    ("calflops", "same-even-kernel", "conv padding same, even kernel"),
    ("calflops", "interpolate-size", "upsample to a size"),
]


@pytest.mark.parametrize(("preset", "error", "case"), KNOWN_ERRORS, ids=[f"{p}-{e}" for p, e, _ in KNOWN_ERRORS])
def test_a_known_error_is_named_where_it_occurs(preset, error, case):
    assert {preset for preset, _, _ in KNOWN_ERRORS} == set(TOOLS)
    assert error in [e.name for e in count(_layer(case), preset).errors]


def test_no_known_error_is_named_where_none_occurs():
    assert count(_layer("conv no bias"), "fvcore").errors == ()
    assert count(_layer("transposed stride 2"), "fvcore").errors == ()
    assert [e.name for e in count(_layer("nn.ReLU6"), "ptflops-pytorch").errors] == ["per-sample"]
    assert count(_layer("conv 3x3 bias (the issue's)"), "ptflops-pytorch").errors == ()
