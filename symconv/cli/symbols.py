"""``symconv symbols``: the documented symbol names of a dimensionality."""

from __future__ import annotations

import argparse
from typing import Any

from symconv.symbols import TABLE, names_for_dims

__all__ = ["add_parser", "run"]

_DOMAINS = {"flag": "0 or 1", "nonnegative": "integer >= 0", "positive": "integer >= 1"}


def add_parser(sub: Any) -> None:
    p = sub.add_parser("symbols", help="list the documented symbol names")
    p.add_argument("--dims", type=int, choices=(1, 2, 3), default=2, help="spatial dimensions (default 2)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    for name in names_for_dims(args.dims):
        row = TABLE[name]
        print(f"{name:8} {row.meaning} ({_DOMAINS[row.domain]})")
    return 0
