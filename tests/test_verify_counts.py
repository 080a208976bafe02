"""symconv.verify.counts: a layer too large to count directly is refused before any work."""

from __future__ import annotations

import pytest

from symconv import variants
from symconv.verify import verify_layer


@pytest.mark.parametrize("values", [{"H_out": 10**5, "W_out": 10**5}, {"N": 10**12}, {"C_in": 10**5},
                                    {"k_h": 10**12}])
def test_layers_too_large_to_compute_are_refused_with_one_sentence(values):
    from symconv.errors import SymconvError

    with pytest.raises(SymconvError, match="would need"):
        verify_layer(variants.standard(2, values), samples=2)
