"""A network's memory: each layer's compulsory traffic from its tensors, the ShuffleNetV2 memory access cost of
a 1×1 convolution as a special case, and the training memory's kept tensors against the tensors PyTorch's
autograd saves (torch.autograd.graph.saved_tensors_hooks) on the test models."""

from __future__ import annotations

import pytest
import sympy

from symconv.memory import Device
from symconv.network import Network, Node, Shape, analyse
from symconv.network.layers import Activation, BatchNorm, Convolution, Linear, MaxPool
from symconv.network.memory import network_traffic, training_memory
from symconv.network.passes import analyse_pass

H, W, C1, C2 = sympy.symbols("H W c_1 c_2", positive=True, integer=True)


def test_a_pointwise_convolution_moves_shufflenets_memory_access_cost():
    net = Network("pw", Shape(C1, (H, W)), (Node("conv", Convolution(out=C2, kernel=1), ("input",)),),
                  symbols={"H": H, "W": W, "c_1": C1, "c_2": C2})
    t = network_traffic(analyse(net), 1)
    assert sympy.expand(t.rows[0].elements - (H * W * (C1 + C2) + C1 * C2)) == 0


def test_a_backward_pass_moves_dy_what_it_kept_its_weights_and_its_gradients():
    net = Network.sequence("two", Shape(3, (8, 8)), [Convolution(out=4, kernel=3, padding=1, bias=False),
                                                     Activation("relu")])
    rows = network_traffic(analyse_pass(net, None, pass_="backward"), 1).rows
    # conv: dy (256) and x (192) read, dw (108) written; relu: its output and dy read, dx written
    assert [r.elements for r in rows] == [256 + 192 + 108, 3 * 256]


def test_the_network_roofline_is_the_sum_of_its_layers():
    net = Network.sequence("three", Shape(3, (8, 8)), [Convolution(out=4, kernel=3), BatchNorm(), Linear(out=2)])
    t = network_traffic(analyse(net), 4, Device(sympy.Integer(10**9), sympy.Integer(10**8)))
    assert t.total.roofline == sum(r.roofline for r in t.rows)
    assert all(r.roofline == max(r.flops / 10**9, r.bytes / 10**8) for r in t.rows)


def test_frozen_layers_and_the_layers_before_the_first_trainable_one_keep_nothing():
    net = Network("frozen", Shape(3, (4, 4)), (
        Node("stem", Convolution(out=4, kernel=3, padding=1), ("input",), frozen=("weight", "bias")),
        Node("relu", Activation("relu"), ("stem",)),
        Node("conv", Convolution(out=2, kernel=1), ("relu",)),
        Node("pool", MaxPool(kernel=2), ("conv",))))
    memory = training_memory(net)
    n = memory.batch
    kept = dict(memory.layers)
    assert kept["stem"] == ()  # frozen, and the input needs no gradient: nothing kept
    assert kept["relu"] == ()  # no trainable parameter upstream of it: no gradient
    assert kept["conv"] == (("relu", "input", 64 * n),)
    assert kept["pool"] == (("pool:indices", "indices", 8 * n),)
    assert memory.kept_elements == 64 * n + 8 * n
    # the parameters, the gradients of the second convolution's alone, the kept tensors (8 bytes an index)
    assert memory.bytes == sympy.expand(memory.per * (4 * 27 + 4 * 2 + 4 * 2 + 64 * n) + 8 * 8 * n)


torch = pytest.importorskip("torch")
from torch_models import MODELS  # noqa: E402

from symconv.torch import convert  # noqa: E402


def _saved(model: torch.nn.Module, shape: list[int]) -> int:
    """The elements of the tensors autograd saves in a training step's forward pass, each once, neither a
    parameter nor a buffer (the model holds those anyway)."""
    model.train()
    held = {t.untyped_storage().data_ptr() for t in (*model.parameters(), *model.buffers())}
    seen: dict[tuple[int, tuple[int, ...]], int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        if t.untyped_storage().data_ptr() not in held:
            seen.setdefault((t.data_ptr(), tuple(t.shape)), t.numel())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(torch.randn(*shape))
    return sum(seen.values())


#: The models whose every saved tensor symconv keeps too; the others differ by what symconv counts as it does
#: at inference (dropout's mask, stochastic depth's) and by the input PyTorch's max pooling keeps for its shape.
SAME = ("resnet", "unet", "conv3d")


@pytest.mark.parametrize("name", SAME)
def test_the_kept_tensors_are_the_ones_autograd_saves(name):
    build, spec, settings = MODELS[name]
    torch.manual_seed(0)
    model = build()
    net = convert(model, spec).network
    memory = training_memory(net)  # closed forms in the batch and the input's sizes
    for values in settings:
        shape = [int(values.get(d, 0)) or int(d) for d in spec.split("x")]
        sizes = {net.symbols[k]: v for k, v in values.items() if k in net.symbols}
        assert memory.kept_elements.xreplace({memory.batch: values.get("N", 1), **sizes}) == _saved(model, shape)
