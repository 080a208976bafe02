"""MobileNetV1's published tables (Howard et al. 2017, arXiv:1704.04861) from one symbolic analysis in alpha and
rho: every printed figure, the exact value behind it, and how the paper printed it."""

from __future__ import annotations

import pytest
import sympy
from sympy import Rational as R

from symconv.network import analyse, builtin
from symconv.network.direct import run
from symconv.network.mobilenet import closed_forms, figures, symbolic, verdict

# (figure id) -> (exact count, verdict): the printed figures themselves live in published.toml.
EXPECTED = {
    "table4-separable-macs": (568_740_352, "rounded (truncated: 568)"),
    "table4-separable-params": (4_209_088, "rounded or truncated"),
    "table4-conv-macs": (4_867_293_184, "differs: the exact figure is 4867"),
    "table4-conv-macs-without-fc": (4_866_269_184, "rounded or truncated"),
    "table4-conv-params": (29_281_120, "rounded (truncated: 29.2)"),
    "table6-alpha-1-macs": (568_740_352, "rounded (truncated: 568)"),
    "table6-alpha-0.75-macs": (325_400_448, "rounded or truncated"),
    "table6-alpha-0.5-macs": (149_497_088, "rounded or truncated"),
    "table6-alpha-0.25-macs": (41_030_272, "rounded or truncated"),
    "table6-alpha-1-params": (4_209_088, "rounded or truncated"),
    "table6-alpha-0.75-params": (2_568_144, "rounded (truncated: 2.5)"),
    "table6-alpha-0.5-params": (1_319_648, "rounded or truncated"),
    "table6-alpha-0.25-params": (463_600, "rounded (truncated: 0.4)"),
    "table7-224-macs": (568_740_352, "rounded (truncated: 568)"),
    "table7-192-macs": (418_121_728, "rounded or truncated"),
    "table7-160-macs": (290_675_200, "truncated (rounded: 291)"),
    "table7-128-macs": (186_400_768, "rounded or truncated"),
    "table7-params": (4_209_088, "rounded or truncated"),
    "table2-conv1x1-macs": (539_492_352, "rounded (truncated: 94.85)"),
    "table2-convdw-macs": (17_385_984, "rounded (truncated: 3.05)"),
    "table2-conv3x3-macs": (10_838_016, "differs: the exact figure is 1.91"),
    "table2-fc-macs": (1_024_000, "rounded or truncated"),
    "table2-conv1x1-params": (3_139_584, "rounded or truncated"),
    "table2-convdw-params": (44_640, "rounded or truncated"),
    "table2-conv3x3-params": (864, "rounded or truncated"),
    "table2-fc-params": (1_024_000, "rounded (truncated: 24.32)"),
    "table2-fc-params-with-bias": (1_025_000, "differs: the exact figure is 24.35"),
}


@pytest.fixture(scope="module")
def by_id():
    return {f.id: f for f in figures()}


def test_every_published_figure_is_checked(by_id):
    assert set(by_id) == set(EXPECTED)


@pytest.mark.parametrize("figure_id", EXPECTED)
def test_printed_figure_against_the_exact_one(by_id, figure_id):
    count, expected_verdict = EXPECTED[figure_id]
    assert (by_id[figure_id].count, by_id[figure_id].verdict) == (count, expected_verdict)


def test_one_expression_gives_tables_6_and_7():
    alpha, rho = sympy.Symbol("alpha", positive=True, rational=True), sympy.Symbol("rho", positive=True,
                                                                                     rational=True)
    macs = closed_forms()["macs"]
    assert macs.free_symbols == {alpha, rho}
    table6 = [macs.subs({alpha: a, rho: 1}) for a in (1, R(3, 4), R(1, 2), R(1, 4))]
    table7 = [macs.subs({alpha: 1, rho: R(r, 224)}) for r in (224, 192, 160, 128)]
    assert table6 == [568_740_352, 325_400_448, 149_497_088, 41_030_272]
    assert table7 == [568_740_352, 418_121_728, 290_675_200, 186_400_768]


def test_parameters_do_not_depend_on_the_resolution():
    forms = closed_forms()
    assert not {str(s) for s in forms["params"].free_symbols} - {"alpha"}
    assert forms["params"].subs(sympy.Symbol("alpha", positive=True, rational=True), 1) == 4_231_976


def test_tf_slim_rounding_beyond_the_paper_widths():
    # 0.35 × 32 = 11.2: TF-slim keeps int(11.2) = 11 channels; the closed form would need 32α integer.
    analysis = symbolic("mobilenet_v1")
    assert not analysis.holds_at({"alpha": R(35, 100), "rho": 1})
    built = analyse(builtin("mobilenet_v1"), {"alpha": R(35, 100), "rho": 1})
    assert built.rows[0].output.channels == 11
    assert analysis.evaluate({"alpha": R(35, 100), "rho": 1}).totals == built.totals
    # At alpha = 1/8 the minimum depth of 8 keeps the first layers at 8 channels, not 4.
    assert analyse(builtin("mobilenet_v1"), {"alpha": R(1, 8), "rho": 1}).rows[0].output.channels == 8


def test_verdicts():
    assert verdict(R(5687, 10), "569") == "rounded (truncated: 568)"
    assert verdict(R(42, 10), "4.2") == "exact"
    assert verdict(R(19, 10), "1.19").startswith("differs")


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v1_conv"])
def test_whole_network_equals_direct_counting_layer_by_layer(name):
    # rho = 1/7: a 32×32 input, halved to 1×1; alpha = 1/4: 8 to 256 channels.
    values = {"alpha": R(1, 4), "rho": R(1, 7)}
    closed = symbolic(name).evaluate(values)
    direct = run(builtin(name), values)
    assert len(closed.rows) == len(direct)
    for row, computed in zip(closed.rows, direct, strict=True):
        assert computed.values_agree, row.name
        assert row.counts.map(int) == computed.counts.map(int), row.name
