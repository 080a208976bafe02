"""symconv.compare: the ratio or the difference of each count of two derivations."""

from __future__ import annotations

from symconv import variants
from symconv.derive import derive
from symconv.symbols import new_symbol, sym

k = new_symbol("k")
C_out, m = sym("C_out"), sym("m")
ARTICLE = {"k_h": k, "k_w": k, "N": 1}


def test_separable_over_standard_is_one_over_c_out_plus_one_over_k_squared():
    from symconv.compare import compare

    left = derive(variants.separable(2, {**ARTICLE, "m": 1}))
    right = derive(variants.standard(2, ARTICLE))
    c = compare(left, right)
    assert c.quantities["mults"] == 1 / C_out + 1 / k**2
    assert c.at_bias["params"][0] == 1 / C_out + 1 / k**2
    assert c.at_bias["flops"][1] == 1 / C_out + 1 / k**2  # with a bias in both stages FLOPs too
    assert c.at_bias["flops"][0] != 1 / C_out + 1 / k**2
    # With a multiplier m the saving scales: m/C_out + m/k^2.
    general = compare(derive(variants.separable(2, ARTICLE)), right)
    assert general.quantities["mults"] == m / C_out + m / k**2
