"""symconv.documents.published: the published tables of checkpoints (symconv/network/published_tables.toml), checked
against the built-in networks: torchvision's _ops and num_params all fit; of TF-slim's MobileNetV1 table, which rows
do not fit and why."""

from __future__ import annotations

import pytest

from symconv.documents.published import FIGURES, per_channel_fits
from symconv.network import builtin
from symconv.network.mobilenet import figures, load_published
from symconv.presets.explain import explain, subject

ROWS = {fig.id: fig for fig in figures(FIGURES)}


@pytest.mark.parametrize("name", [n for n in ROWS if n.startswith("torchvision")])
def test_every_torchvision_figure_is_the_count_rounded(name):
    assert ROWS[name].verdict in ("exact", "rounded or truncated") or ROWS[name].verdict.startswith("rounded (")


def test_the_tf_slim_rows_that_do_not_fit_the_count():
    differ = sorted(name for name, fig in ROWS.items() if name.startswith("tfslim") and name.endswith("macs")
                    and fig.verdict.startswith("differs"))
    assert differ == ["tfslim-0.25-192-macs", "tfslim-0.50-224-macs", "tfslim-0.75-128-macs", "tfslim-0.75-160-macs",
                      "tfslim-0.75-192-macs", "tfslim-0.75-224-macs"]


@pytest.mark.parametrize("resolution", [224, 192, 160, 128])
def test_the_width_075_rows_leave_out_the_first_convolution(resolution):
    fig = ROWS[f"tfslim-0.75-{resolution}-macs"]
    found = explain(subject(builtin("mobilenet_v1_tfslim"), dict(fig.setting)), [f"{fig.printed}M"], search=False)
    assert [(m.reading.name, m.without) for m in found.numbers[0].matches] == [("macs", "conv1")]


def test_the_parameter_figures_fit_three_values_per_batch_norm_channel():
    params = [fig for name, fig in ROWS.items() if name.startswith("tfslim") and name.endswith("params")]
    assert per_channel_fits(params) == [3]


PAPER = [fig for fig in figures() if fig.unit == "M" and not fig.without and not fig.verdict.startswith("differs")]
TABLES = [fig for fig in ROWS.values() if not fig.verdict.startswith("differs")]


@pytest.mark.parametrize("fig", PAPER + TABLES, ids=[f.id for f in PAPER + TABLES])
def test_explain_names_the_quantity_of_every_figure_that_fits(fig):
    network = next(row["network"] for source in ("published.toml", FIGURES)
                   for row in load_published(source)["figure"] if row["id"] == fig.id)
    found = explain(subject(builtin(network), dict(fig.setting)), [fig.printed + fig.unit], search=False)
    assert fig.quantity in {m.reading.name for m in found.numbers[0].matches}
