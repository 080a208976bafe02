"""The network file's new layer types: read, counted as a direct computation counts them, written back by
symconv.network.writer to the same network; an activation as a block parameter; integer symbols; shared
layers; and their errors, one line each."""

from __future__ import annotations

import pytest

from symconv.network import NetworkError, analyse, builtin, builtin_names, loads
from symconv.network.direct import run
from symconv.network.writer import dumps

EVERY_TYPE = """
[network]
name = "every"
input = { channels = 4, size = ["H", "H"] }
batch = 2

[symbols]
H = { meaning = "input size", integer = true }

[blocks.unit]
params = ["out", "act"]
layers = [
    { type = "conv", out = "out", kernel = 3, padding = "same", padding_mode = "reflect" },
    { type = "groupnorm", groups = 2 },
    { type = "act" },
]

[[layer]]
name = "stem"
type = "unit"
out = 8
act = "hardswish"

[[layer]]
name = "again"
type = "conv"
out = 8
kernel = 1
shared = true

[[layer]]
name = "down"
type = "maxpool"
kernel = 3
stride = 2
ceil_mode = true

[[layer]]
name = "gate"
type = "adaptive_avgpool"

[[layer]]
name = "se"
type = "mul"
inputs = ["down", "gate"]

[[layer]]
name = "up"
type = "convtranspose"
out = 4
kernel = 2
stride = 2

[[layer]]
name = "big"
type = "upsample"
scale = 0.5
mode = "bilinear"

[[layer]]
name = "cl"
type = "permute"
input = "up"
order = [1, 2, 0]

[[layer]]
name = "ln"
type = "layernorm"

[[layer]]
name = "fc"
type = "linear"
out = 6
flatten = false

[[layer]]
name = "gelu"
type = "gelu"

[[layer]]
name = "ls"
type = "scale"
shape = [6]

[[layer]]
name = "half"
type = "slice"
dim = -1
stop = 3

[[layer]]
name = "avg"
type = "mean"
over = [0, 1]

[[layer]]
name = "sm"
type = "softmax"
dim = 0

[[layer]]
name = "odd"
type = "unknown"
op = "torch.special.i0"
"""


def test_every_new_type_reads_counts_as_its_real_computation_and_writes_back():
    net = loads(EVERY_TYPE, "every.toml")
    closed = analyse(net)
    assert closed.conditions == ((net.symbols["H"] / 2, 1),)
    rows = analyse(net, {"H": 8}).rows
    for row, computed in zip(rows, run(net, {"H": 8}), strict=True):
        assert computed.values_agree, row.name
        for quantity in ("params", "buffers", "mults", "adds", "others", "macs"):
            assert getattr(row.counts, quantity) == getattr(computed.counts, quantity), (row.name, quantity)
    again = loads(dumps(net), "again.toml")
    assert [n.layer for n in again.nodes] == [n.layer for n in net.nodes]
    assert analyse(again).quantities == closed.quantities
    assert [row.label for row in rows][:4] == ["conv 3×3", "groupnorm", "hardswish", "conv 1×1"]
    assert rows[3].counts.params == 0  # shared: its parameters are the first use's


@pytest.mark.parametrize(("text", "problem"), [
    ('type = "conv"\nout = 4\npadding = "half"', "padding = 'half': unknown symbol 'half'"),
    ('type = "conv"\nout = 4\nkernel = [3, 3, 3, 3]', "a list of 1 to 3 integers"),
    ('type = "conv"\nout = 4\nshared = "yes"', "shared must be true or false"),
    ('type = "binary"\nop = 3', "op must be a word in quotes"),
    ('type = "reshape"\nshape = 4', "shape must be a list"),
    ('type = "upsample"\nscale = [true]', "scale must be a number or a list of numbers"),
    ('type = "conv"\nout = 4\ndims = 4', "1, 2 or 3 spatial axes"),
])
def test_bad_fields_are_one_line(text, problem):
    source = f'[network]\nname = "x"\ninput = {{ channels = 3, size = [8, 8] }}\n[[layer]]\n{text}\n'
    with pytest.raises(NetworkError, match=problem):
        analyse(loads(source, "x.toml"))


def test_an_integer_symbol_refuses_a_fraction():
    net = loads(EVERY_TYPE, "every.toml")
    with pytest.raises(NetworkError, match="H = 15/2 must be a positive integer"):
        analyse(net, {"H": "15/2"})


@pytest.mark.parametrize("name", builtin_names())
def test_every_built_in_network_written_out_reads_back_to_the_same_counts(name):
    net = builtin(name)
    again = loads(dumps(net), f"{name}-again.toml")
    assert analyse(again, None, "macs").quantities == analyse(net, None, "macs").quantities
