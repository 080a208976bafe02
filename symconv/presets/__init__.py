"""Tool presets: what each popular FLOP counter reports for a layer, and why, reproduced from symconv's own
counts (docs/presets.md).

One :class:`Preset` per tool in :data:`PRESETS`, each with its rule for every layer type and its source file
beside the rule: ``flopcounter`` (PyTorch's FlopCounterMode), ``fvcore``, ``ptflops-pytorch`` and
``ptflops-aten`` (ptflops' two backends), ``thop``, ``torchinfo``, ``calflops`` and ``torchvision`` (the
``_ops`` of its weights metadata). :func:`count` counts a network the way a tool does.

>>> from symconv.network import builtin
>>> count(builtin("resnet50"), "torchvision", {"alpha": 1, "rho": 1}).total
4089184256
"""

from symconv.presets import calflops, flopcounter, fvcore, ptflops, thop, torchinfo  # noqa: F401  (the registry)
from symconv.presets.base import PRESETS, KnownError, Preset, Tally, find
from symconv.presets.count import Comparison, Group, ToolCount, ToolRow, compare, count, count_derivation
from symconv.presets.facts import Facts

#: The presets in the order tables list them.
ORDER = ("flopcounter", "fvcore", "ptflops-pytorch", "ptflops-aten", "thop", "torchinfo", "calflops", "torchvision")
for _name in ORDER:
    PRESETS[_name] = PRESETS.pop(_name)

__all__ = ["ORDER", "PRESETS", "Comparison", "Facts", "Group", "KnownError", "Preset", "Tally", "ToolCount", "ToolRow",
           "compare", "count", "count_derivation", "find"]
