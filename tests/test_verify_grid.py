"""symconv.verify.grid: the grid's values are sizes at which every point is a real layer."""

from __future__ import annotations

import pytest

from symconv import variants
from symconv.printing.verify import verification_text
from symconv.verify import verify_layer


@pytest.mark.parametrize("fixed", [{"p_h": 1, "s_h": 1}, {"p_h": 3, "s_h": 1, "d_h": 1}])
def test_fixed_padding_moves_the_grid_to_sizes_that_exist(fixed):
    # Padding 1 and a 1-wide kernel cannot give one output: the grid's sizes start where every point is a layer.
    report = verify_layer(variants.standard(2, fixed), samples=4)
    assert report.ok, verification_text(report)
    assert min(report.grid.values["H_out"]) > 1
