"""Networks: layers beside the convolutions, composition with symbolic shapes, network files and tables.

>>> from symconv.network import builtin, analyse
>>> net = builtin("mobilenet_v1")
>>> analyse(net, {"alpha": 1, "rho": 1}, "macs").value("flops")  # the paper's 569M mult-adds (Table 4)
568740352
"""

from symconv.network.fileformat import builtin, builtin_names, load, loads
from symconv.network.graph import Analysis, Network, Node, Rounding, Row, analyse, count
from symconv.network.layers import (
    Activation,
    Add,
    AvgPool,
    BatchNorm,
    Concat,
    Conv2d,
    Counts,
    GlobalAvgPool,
    Linear,
    MaxPool,
    NetworkError,
    Shape,
    Shuffle,
    Softmax,
)

__all__ = [
    "Activation",
    "Add",
    "Analysis",
    "AvgPool",
    "BatchNorm",
    "Concat",
    "Conv2d",
    "Counts",
    "GlobalAvgPool",
    "Linear",
    "MaxPool",
    "Network",
    "NetworkError",
    "Node",
    "Rounding",
    "Row",
    "Shape",
    "Shuffle",
    "Softmax",
    "analyse",
    "builtin",
    "builtin_names",
    "count",
    "load",
    "loads",
]
