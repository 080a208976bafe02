"""Tracing a module with ``torch.fx``: one graph node per call of a ``torch.nn`` layer, kept whole and named
by its module path (``layer3.1.conv2``), and one per function or tensor method called in between.

A module-level trace records the model's own structure without running any kernel: it takes a few
milliseconds for a ResNet-50. What ``torch.fx`` cannot trace (control flow on a tensor's values, say) is one
error naming the module where it happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.fx

from symconv.errors import SymconvError

__all__ = ["TraceError", "trace"]


class TraceError(SymconvError):
    """A model ``torch.fx`` cannot trace; the message names the module path."""


class _Tracer(torch.fx.Tracer):
    """FX's tracer, keeping ``torch.nn`` layers whole and remembering the innermost module that failed."""

    def __init__(self, leaf: Callable[[torch.nn.Module], bool]) -> None:
        super().__init__()
        self.leaf = leaf
        self.failed: str | None = None

    def is_leaf_module(self, m: torch.nn.Module, module_qualified_name: str) -> bool:
        return self.leaf(m) or super().is_leaf_module(m, module_qualified_name)

    def call_module(self, m: torch.nn.Module, forward: Any, args: Any, kwargs: Any) -> Any:
        try:
            return super().call_module(m, forward, args, kwargs)
        except Exception:
            if self.failed is None:
                self.failed = self.path_of_module(m) or "the model itself"
            raise


def trace(module: torch.nn.Module, leaf: Callable[[torch.nn.Module], bool] = lambda m: False
          ) -> torch.fx.GraphModule:
    """The FX graph of ``module`` (in inference mode), the modules ``leaf`` accepts kept whole beside
    ``torch.nn``'s layers."""
    module.train(False)
    tracer = _Tracer(leaf)
    try:
        graph = tracer.trace(module)
    except Exception as error:  # FX raises TraceError, TypeError, NotImplementedError, ... for untraceable code
        where = tracer.failed or "the model itself"
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TraceError(f"cannot trace {type(module).__name__} with torch.fx, in module {where!r}: {first}") from None
    return torch.fx.GraphModule(tracer.root, graph, type(module).__name__)
