"""A model's counts in one call: converted to a network, then counted as ``symconv net`` counts one."""

from __future__ import annotations

from collections.abc import Mapping

import sympy
import torch

from symconv.conventions import Convention
from symconv.network.graph import Analysis
from symconv.network.graph import count as count_network
from symconv.torch.convert import convert

__all__ = ["count"]


def count(module: torch.nn.Module, input: str, values: Mapping[str, sympy.Expr | int] | None = None,
          convention: Convention | str = Convention.EXACT, unknown: str = "error") -> Analysis:
    """The analysis of ``module`` on an input of shape ``input`` (``"Nx3xHxW"``), its symbols evaluated at
    ``values`` (the closed forms where they hold, layer by layer where not)."""
    return count_network(convert(module, input, unknown).network, values, convention)
