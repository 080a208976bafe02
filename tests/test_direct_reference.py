"""symconv.direct.reference: the independent numpy convolution that checks the values of the counting one."""

from __future__ import annotations

import numpy as np
from test_direct_forward import K3, X5, Y3

from symconv.direct import conv_reference


def test_worked_example_reference() -> None:
    np.testing.assert_array_equal(conv_reference(X5[None, None], K3[None, None])[0, 0], Y3)
