"""Count a PyTorch model symbolically: trace it, map every operation to a symconv layer, count the network.

``import symconv`` never imports this package (nor torch); it needs the extra ``torch``
(``pip install 'symconv[torch]'``). docs/torch.md describes what each traced operation becomes.

>>> import torch
>>> from symconv.torch import count
>>> model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU())
>>> a = count(model, "1x3xHxW", convention="macs")
>>> a.quantities["macs"], [row.name for row in a.rows]
(216*H*W, ['0', '1'])
"""

from symconv.torch.convert import UNKNOWN, Converted, UnknownOperation, UnsupportedOperation, convert
from symconv.torch.count import count
from symconv.torch.registry import OPERATIONS, Operation, register
from symconv.torch.shape import InputSpec, parse_input
from symconv.torch.target import load_model
from symconv.torch.trace import TraceError, trace

__all__ = [
    "OPERATIONS",
    "UNKNOWN",
    "Converted",
    "InputSpec",
    "Operation",
    "TraceError",
    "UnknownOperation",
    "UnsupportedOperation",
    "convert",
    "count",
    "load_model",
    "parse_input",
    "register",
    "trace",
]
