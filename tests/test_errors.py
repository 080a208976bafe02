"""symconv.errors: every error the library raises is a SymconvError, and a ValueError too."""

from __future__ import annotations

import numpy as np
import pytest

from symconv import variants
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.direct import conv_transpose_dense, output_size
from symconv.errors import SpecError, SymconvError


def test_library_errors_are_symconv_errors():
    with pytest.raises(SymconvError):
        derive(variants.standard(1), sizes="middle")
    with pytest.raises(SymconvError):
        Convention.parse("flops")
    with pytest.raises(SpecError, match="padding_end"):
        output_size(3, 2, 1, 0, 1, padding_end=-1)
    with pytest.raises(SpecError):
        conv_transpose_dense(np.ones((1, 1, 2)), np.ones((1, 1, 2)), output_padding=1)


def test_an_error_is_a_value_error_too():
    assert issubclass(SymconvError, ValueError)
