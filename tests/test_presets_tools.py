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
