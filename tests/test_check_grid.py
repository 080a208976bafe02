"""symconv.check.grid: a claim about a layer proven against the direct count for all sizes, on request."""

from __future__ import annotations

import re

from symconv.check import check_count


def test_grid_proof_is_added_on_request():
    v = check_count("k^2 C_in C_out", "standard", "params", bias=False, values={"k_h": "k", "k_w": "k"}, grid=True)
    assert re.search(r"proven against the direct count for all sizes \(grid proof, \d+ points", v.method)


def test_grid_proof_of_layers_that_tie_symbols_goes_through_the_general_variant():
    # C_in = C_out = M: the grid cannot vary them apart, so the general grouped count is proven and
    # the layer's count is checked to be its instance.
    v = check_count("9 M^2 H_out W_out / g", "grouped", "macs", bias=False, grid=True,
                    values={"C_in": "M", "C_out": "M", "k_h": 3, "k_w": 3, "N": 1})
    assert v.status == "holds" and "grid proof" in v.method and not v.notes
