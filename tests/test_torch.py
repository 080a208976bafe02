"""symconv torch against the real thing: for each test model, its parameters and buffers are PyTorch's, its MACs
are FlopCounterMode's total / 2 at three input sizes, each read off one symbolic form, and the traced network
written as a network file reads back to the same counts."""

from __future__ import annotations

import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402
from torch_models import MODELS  # noqa: E402

from symconv.network import analyse, loads  # noqa: E402
from symconv.network.direct import run  # noqa: E402
from symconv.network.fileformat import LAYER_TYPES  # noqa: E402
from symconv.network.writer import dumps  # noqa: E402
from symconv.torch import OPERATIONS, TraceError, UnsupportedOperation, convert  # noqa: E402


def _dims(shape: str, values: dict[str, int]) -> list[int]:
    return [values[d] if d in values else int(d) for d in shape.split("x")]


def _flop_counter_macs(model: nn.Module, dims: list[int]) -> tuple[int, tuple[int, ...]]:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = model(torch.randn(*dims))
    return counter.get_total_flops() // 2, tuple(out.shape)


@pytest.fixture(scope="module", params=list(MODELS))
def traced(request):
    build, shape, _sizes = MODELS[request.param]
    torch.manual_seed(0)
    model = build().train(False)
    converted = convert(model, shape)
    return request.param, model, converted, analyse(converted.network, None, "macs")


def test_parameters_and_buffers_are_pytorchs(traced):
    _, model, _, closed = traced
    assert closed.value("params") == sum(p.numel() for p in model.parameters())
    assert closed.value("buffers") == sum(b.numel() for b in model.buffers())


def test_macs_are_flop_counter_mode_over_two_at_three_sizes_from_one_symbolic_form(traced):
    name, model, converted, closed = traced
    _, shape, sizes = MODELS[name]
    assert closed.free_symbols, "the counts are symbolic in the input's sizes"
    for values in sizes:
        at = closed.evaluate(values)
        assert at.closed is not None, f"{name}: the symbolic form holds at {values}"
        macs, out_shape = _flop_counter_macs(model, _dims(shape, values))
        assert at.value("macs") == macs, (name, values)
        assert at.value("flops") == macs  # the macs convention
        assert tuple(int(v) for v in at.rows[-1].output.dims) == out_shape[1:], (name, values)
        assert at.quantities == analyse(converted.network, values, "macs").quantities  # layer by layer, too


def test_the_traced_network_written_as_a_file_reads_back_to_the_same_counts(traced):
    _, _, converted, closed = traced
    again = analyse(loads(dumps(converted.network), "traced.toml"), None, "macs")
    assert again.quantities == closed.quantities
    assert [(r.name, r.label, r.output) for r in again.rows] == [(r.name, r.label, r.output) for r in closed.rows]


@pytest.mark.parametrize("name", ["resnet", "convnext", "unet", "inception"])
def test_the_traced_layers_count_what_a_real_computation_performs(name):
    build, shape, _sizes = MODELS[name]
    converted = convert(build(), shape)
    small = {symbol: (8 if symbol in ("H", "W") else 1) for symbol in converted.network.symbols}
    if name == "inception":
        small |= {"H": 16, "W": 16}
    rows = analyse(converted.network, small).rows
    for row, computed in zip(rows, run(converted.network, small), strict=True):
        assert computed.values_agree, row.name
        for quantity in ("params", "buffers", "mults", "adds", "others", "macs"):
            assert getattr(row.counts, quantity) == getattr(computed.counts, quantity), (row.name, quantity)


class Padded(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3))

    def forward(self, x):
        return self.body(F.pad(x, (1, 1, 1, 1)))


def test_an_operation_without_a_layer_is_one_line_naming_it_and_its_module_path():
    with pytest.raises(UnsupportedOperation, match=r"^pad: torch\.nn\.functional\.pad has no symconv layer"):
        convert(Padded(), "1x3xHxW")
    inner = nn.Sequential(nn.Sequential(nn.Conv2d(3, 3, 1), nn.PixelShuffle(1)))
    with pytest.raises(UnsupportedOperation, match=r"0\.1: torch\.nn\.PixelShuffle has no symconv layer .* at 0\.1"):
        convert(inner, "1x3x8x8")


def test_counted_as_unknown_an_operation_is_a_row_and_listed():
    converted = convert(Padded(), "1x3xHxW", unknown="count")
    assert [(u.row, u.op) for u in converted.unknown] == [("pad", "torch.nn.functional.pad")]
    rows = analyse(converted.network).rows
    assert [(r.name, r.label) for r in rows] == [("pad", "unknown torch.nn.functional.pad"), ("body.0", "conv 3×3")]


class Branching(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.inner = nn.Sequential(Decides())

    def forward(self, x):
        return self.inner(x)


class Decides(nn.Module):
    def forward(self, x):
        return x if x.sum() > 0 else -x


def test_a_model_fx_cannot_trace_is_one_line_naming_the_module():
    with pytest.raises(TraceError, match=r"cannot trace Branching with torch\.fx, in module 'inner\.0'"):
        convert(Branching(), "1x3x8x8")


class Shared(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        return self.conv(self.conv(x))


def test_a_module_called_twice_computes_twice_and_counts_its_parameters_once():
    model = Shared()
    closed = analyse(convert(model, "1x4xHxW").network, None, "macs")
    assert [row.name for row in closed.rows] == ["conv", "conv_1"]
    assert closed.value("params") == sum(p.numel() for p in model.parameters())
    assert closed.evaluate({"H": 8, "W": 8}).value("macs") == _flop_counter_macs(model, [1, 4, 8, 8])[0]


def test_every_registry_entry_names_the_layer_types_it_becomes():
    for operation in OPERATIONS.values():
        assert set(operation.becomes) <= set(LAYER_TYPES), operation.name


def test_importing_symconv_never_imports_torch():
    code = "import sys, symconv, symconv.network, symconv.cli; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


class Spare(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.used = nn.Conv2d(3, 4, 1)
        self.spare = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))

    def forward(self, x):
        return self.used(x)


def test_parameters_no_operation_reads_are_a_row_of_their_own():
    model = Spare()
    rows = analyse(convert(model, "1x3x4x4").network).rows
    assert [(row.name, row.label, row.counts.params, row.counts.buffers) for row in rows] == [
        ("unused", "unused parameters", 28, 9), ("used", "conv 1×1", 16, 0)]
    assert sum(row.counts.params for row in rows) == sum(p.numel() for p in model.parameters())
