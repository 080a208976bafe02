"""``symconv explain``'s answer printed: for each number the readings that reproduce it (or the nearest),
and the gap between two numbers layer type by layer type; as text or as JSON::

    {"target": ..., "input": ..., "numbers": [{"value": ..., "matches": [{"convention": ..., "kind": ...,
     "input": ..., "count": ..., "fit": ..., "unit": ..., "moved": ..., "without": ...}], "nearest": ...}],
     "gap": {"first": ..., "second": ..., "difference": ..., "by_type": [...], "rounding": ...} or null}
"""

from __future__ import annotations

import json
from typing import Any

import sympy

from symconv.presets.explain import Explained, Explanation, Gap, GapRow, Match, Nearest
from symconv.printing.exprs import text_expr
from symconv.printing.json import quantity
from symconv.printing.presets import aligned, number, signed

__all__ = ["explanation_dict", "render_explanation"]


def _fit(match: Match, printed: str) -> str:
    if match.fit == "exact":
        return "exactly" if not match.unit else f"exactly {printed}"
    return f"{match.fit} to {printed}{'' if match.unit in printed else ' ' + match.unit}"


def _match_text(match: Match, printed: str) -> str:
    where = f" at {match.moved}" if match.moved else ""
    without = f", without {match.without}" if match.without else ""
    return f"{match.reading.name}{where}{without}: {number(match.count)}, {_fit(match, printed)} — {match.reading.says}"


def _nearest_text(nearest: Nearest) -> str:
    return (f"none reproduces it; the nearest is {nearest.reading.name}: {number(nearest.count)}, "
            f"{signed(sympy.Integer(round(nearest.difference)))} from it — {nearest.reading.says}")


def _number_lines(item: Explained) -> list[str]:
    lines = [f"{item.number.text}:"]
    lines += [f"  {_match_text(m, item.number.text)}" for m in item.matches]
    if item.nearest is not None:
        lines.append(f"  {_nearest_text(item.nearest)}")
    return lines


def _why(row: GapRow) -> str:
    if row.first_why and row.second_why:
        return f"{row.first_why}, against {row.second_why}"
    return row.first_why or row.second_why


def _gap_lines(gap: Gap, first: str, second: str) -> list[str]:
    rows = [[row.label, number(row.first), number(row.second), signed(row.difference), _why(row)]
            for row in gap.by_type if row.difference != 0]
    head = [f"Gap {second} − {first} = {signed(gap.difference)} ({gap.second.name} − {gap.first.name}), "
            "by layer type:"]
    table = aligned(["type", gap.first.name, gap.second.name, "difference", "why"], rows, "lrrrl")
    rounding = signed(sympy.Integer(round(gap.rounding)))
    tail = [f"  the printed numbers' rounding adds {rounding}"] if gap.rounding else []
    return head + [f"  {line}" for line in table] + tail


def _text(explanation: Explanation) -> str:
    out = [f"{explanation.title}, {explanation.setting}:"]
    for item in explanation.numbers:
        out += _number_lines(item)
    if explanation.gap is not None:
        first, second = (n.number.text for n in explanation.numbers[:2])
        out += ["", *_gap_lines(explanation.gap, first, second)]
    return "\n".join(out) + "\n"


def _match_dict(match: Match) -> dict[str, Any]:
    return {"convention": match.reading.name, "kind": match.reading.kind, "says": match.reading.says,
            "input": match.setting, "count": quantity(match.count), "fit": match.fit, "unit": match.unit,
            "moved": match.moved or None, "without": match.without or None}


def _nearest_dict(nearest: Nearest | None) -> dict[str, Any] | None:
    if nearest is None:
        return None
    return {"convention": nearest.reading.name, "kind": nearest.reading.kind, "input": nearest.setting,
            "count": quantity(nearest.count), "difference": text_expr(nearest.difference)}


def explanation_dict(explanation: Explanation) -> dict[str, Any]:
    """The explanation as JSON data (the shape above)."""
    gap = explanation.gap
    return {
        "target": explanation.title, "input": explanation.setting,
        "numbers": [{"value": item.number.text, "matches": [_match_dict(m) for m in item.matches],
                     "nearest": _nearest_dict(item.nearest)} for item in explanation.numbers],
        "gap": None if gap is None else {
            "first": gap.first.name, "second": gap.second.name, "difference": quantity(gap.difference),
            "by_type": [{"type": row.label, "first": quantity(row.first), "second": quantity(row.second),
                         "difference": quantity(row.difference), "first_why": row.first_why or None,
                         "second_why": row.second_why or None} for row in gap.by_type],
            "rounding": text_expr(gap.rounding)},
    }


def render_explanation(explanation: Explanation, fmt: str = "text") -> str:
    """The explanation as ``text`` or ``json``."""
    if fmt == "json":
        return json.dumps(explanation_dict(explanation), indent=2, ensure_ascii=False) + "\n"
    return _text(explanation)
