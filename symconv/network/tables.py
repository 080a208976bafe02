"""A network's analysis as tables: plain text, Markdown, booktabs LaTeX and JSON.

The printers live in :mod:`symconv.printing.network`; this module keeps their documented names here.

>>> from symconv.network import builtin, count
>>> to_dict(count(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1}))["totals"]["macs"]["value"]
568740352
"""

from symconv.printing.network import (
    FORMATS,
    TOTALS,
    conditions_text,
    convention_text,
    decimal,
    percent,
    render,
    scaled,
    to_dict,
)

__all__ = ["FORMATS", "TOTALS", "conditions_text", "convention_text", "decimal", "percent", "render", "scaled",
           "to_dict"]
