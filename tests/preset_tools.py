"""The counting tools themselves, each run on a model and an input as its documentation shows, returning the
number a preset reproduces (the tests skip a tool that is not installed).

calflops' package imports transformers for its language-model helpers: its counting modules are loaded
without the package's ``__init__``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import sys
import types
import warnings
from collections.abc import Callable

import pytest
import torch
from torch import nn


def _quiet() -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


def flopcounter(model: nn.Module, x: torch.Tensor) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    return counter.get_total_flops()


def fvcore(model: nn.Module, x: torch.Tensor) -> int:
    analysis = pytest.importorskip("fvcore.nn").FlopCountAnalysis(model, x)
    analysis.unsupported_ops_warnings(False)
    analysis.uncalled_modules_warnings(False)
    analysis.tracer_warnings("none")
    logging.getLogger("fvcore").setLevel(logging.ERROR)
    with _quiet():
        return int(analysis.total())


def _ptflops(backend: str) -> Callable[[nn.Module, torch.Tensor], int]:
    def run(model: nn.Module, x: torch.Tensor) -> int:
        ptflops = pytest.importorskip("ptflops")
        with _quiet():
            macs, _ = ptflops.get_model_complexity_info(model, tuple(x.shape[1:]), as_strings=False,
                                                        print_per_layer_stat=False, input_constructor=lambda _: x,
                                                        backend=backend)
        assert macs is not None, f"ptflops ({backend}) failed"
        return int(macs)

    return run


def thop(model: nn.Module, x: torch.Tensor) -> int:
    profile = pytest.importorskip("thop").profile
    with _quiet():
        ops, _ = profile(model, inputs=(x,), verbose=False)
    assert float(ops) == int(ops)
    return int(ops)


def torchinfo(model: nn.Module, x: torch.Tensor) -> int:
    summary = pytest.importorskip("torchinfo").summary
    return int(summary(model, input_data=x, verbose=0).total_mult_adds)


def _calflops() -> types.ModuleType:
    if "calflops.flops_counter" not in sys.modules:
        spec = importlib.util.find_spec("calflops")
        if spec is None or spec.submodule_search_locations is None:
            pytest.skip("calflops is not installed")
        package = types.ModuleType("calflops")
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules.setdefault("calflops", package)
    import calflops.flops_counter

    return calflops.flops_counter


class _Holder(nn.Module):
    """A model with a parameter around one without (calflops reads the first parameter's dtype)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.unread = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x)


def calflops(model: nn.Module, x: torch.Tensor) -> int:
    counter = _calflops()
    if next(model.parameters(), None) is None:
        model = _Holder(model)
    pipeline = sys.modules["calflops.calculate_pipline"]
    try:
        with _quiet():
            flops, _, _ = counter.calculate_flops(model, input_shape=tuple(x.shape), output_as_string=False,
                                                  print_results=False)
    finally:  # a failed run leaves torch's functions patched
        if getattr(torch.nn.functional.linear, "__name__", "") == "newFunc":
            pipeline._reload_functionals(pipeline.old_functions)
            pipeline._reload_tensor_methods(pipeline.old_functions)
        pipeline.module_flop_count.clear()
        pipeline.module_mac_count.clear()
    return int(flops)


#: Each preset's tool, as a function of a model and its input to the number the preset reproduces.
TOOLS: dict[str, Callable[[nn.Module, torch.Tensor], int]] = {
    "flopcounter": flopcounter,
    "fvcore": fvcore,
    "ptflops-pytorch": _ptflops("pytorch"),
    "ptflops-aten": _ptflops("aten"),
    "thop": thop,
    "torchinfo": torchinfo,
    "calflops": calflops,
}
