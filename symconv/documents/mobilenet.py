"""The MobileNetV1 document: its closed forms in ``alpha`` and ``rho``, every printed figure of the paper
against the exact one, and Table 2 in full (:mod:`symconv.network.mobilenet` computes them)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from symconv.documents.notes import FROM_NETWORKS
from symconv.network.graph import Analysis
from symconv.network.mobilenet import Figure, figures, symbolic
from symconv.printing.document import Block, Cell, Code, Document, Heading, Number, Paragraph, Table, Text, prose
from symconv.printing.exprs import text_expr
from symconv.printing.network import conditions_text, percent, rounding_text

__all__ = ["QUANTITY_NAMES", "mobilenet", "quantity_table"]

_NETWORKS = {"mobilenet_v1": "depthwise separable (Table 1)", "mobilenet_v1_conv": "full convolutions"}

#: The papers' names of symconv's quantities.
QUANTITY_NAMES = {"macs": "mult-adds", "weights": "weights", "params": "parameters"}

_NOTES = (
    "The network is Table 1 of Howard et al. 2017 with batch norm and ReLU after every convolution, a global "
    "average pool and a fully connected classifier with a bias. Table 1 prints the last depthwise layer as "
    "stride 2; it must be stride 1 (its 7×7 input stays 7×7 for the 7×7 pool), as in TF-slim's "
    "mobilenet_v1.py, and only then do the totals follow.",
    "Mult-adds are symconv's `macs` convention: the products of convolutions and the fully connected layer, no "
    "bias, batch norm, activation or pooling. The paper's parameters are the weights of the convolutions and "
    "the fully connected layer: Table 2's shares add up only without the fully connected bias (24.33% for it; "
    "24.35% with the bias). Learnable parameters as PyTorch counts them add batch norm's γ and β and the bias.",
    "Every figure below is the closed form in alpha and rho evaluated at the figure's setting; alpha = 1, 3/4, "
    "1/2, 1/4 and rho = r/224 for r = 224, 192, 160, 128 all meet its conditions.",
)
_VERDICTS = ("A printed figure is *rounded* or *truncated* when it is the exact value rounded or cut to the "
             "printed digits, and *differs* otherwise.")


def quantity_table(analysis: Analysis) -> Table:
    """Mult-adds, weights, learnable parameters and exact FLOPs of an analysis, as closed forms."""
    totals = analysis.totals
    return Table(["quantity", "closed form"], [
        ["mult-adds (macs)", totals.macs], ["weights", totals.weights], ["learnable parameters", totals.params],
        ["exact FLOPs", totals.flops("exact")]])


def _closed_forms(network: str, what: str) -> list[Block]:
    analysis = symbolic(network)
    rounding = rounding_text(analysis.network.rounding)
    return [Heading(3, Code(network), f": {what}"), quantity_table(analysis),
            Paragraph(f"Exact where {conditions_text(analysis)}; with TF-slim's rounding ({rounding}) at other "
                      "widths, ", Code(f"symconv net {network}"), " evaluates layer by layer.")]


def _groups(figs: Sequence[Figure]) -> list[tuple[str, list[Figure]]]:
    groups: dict[str, list[Figure]] = {}
    for fig in figs:
        groups.setdefault(fig.source, []).append(fig)
    order = ["Table 4", "Table 6", "Table 7", "Table 2"]
    return sorted(groups.items(), key=lambda kv: next(i for i, t in enumerate(order) if kv[0].endswith(t)))


def _figure_row(fig: Figure) -> list[str | Cell]:
    without = f" (without {', '.join(fig.without)})" if fig.without else ""
    setting = ", ".join(f"{k} = {text_expr(v)}" for k, v in fig.setting.items())
    unit = "%" if fig.unit == "%" else " M"
    exact = f" ({fig.exact_text}%)" if fig.unit == "%" else f" ({fig.exact_text} M)"
    return [fig.what + without, setting, QUANTITY_NAMES[fig.quantity], f"{fig.printed}{unit}",
            (Number(fig.count), Text(exact)), fig.verdict]


def _figures() -> list[Block]:
    blocks: list[Block] = [Heading(2, "Printed figures against the exact ones"), Paragraph(*prose(_VERDICTS))]
    for source, group in _groups(figures()):
        blocks += [Heading(3, source), Table(["figure", "setting", "quantity", "printed", "exact", "verdict"],
                                             [_figure_row(f) for f in group], align="lllrrl")]
    return blocks


def _by_type() -> Table:
    analysis = symbolic("mobilenet_v1").evaluate({"alpha": 1, "rho": 1})
    totals = analysis.totals
    rows = []
    for label, _, counts in analysis.by_type():
        if counts.macs == 0 and counts.weights == 0:
            continue
        rows.append([label, Number(int(counts.macs)), percent(counts.macs, totals.macs) + "%",
                     Number(int(counts.weights)), percent(counts.weights, totals.weights) + "%"])
    return Table(["type", "mult-adds", "share", "weights", "share"], rows, align="lrrrr")


def mobilenet(claims: Path) -> Document:
    """MobileNetV1's published tables, exactly."""
    closed = [block for network, what in _NETWORKS.items() for block in _closed_forms(network, what)]
    return Document("MobileNetV1: the published tables, exactly", (
        *(Paragraph(*prose(note)) for note in _NOTES),
        Heading(2, "Closed forms"), *closed,
        *_figures(),
        Heading(2, "Table 2 in full: mult-adds and weights by layer type (alpha = 1, rho = 1)"), _by_type(),
    ), comment=FROM_NETWORKS)

