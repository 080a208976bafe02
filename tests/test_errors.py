"""symconv.errors: every error the library raises is a SymconvError, and a ValueError too."""

from __future__ import annotations

import numpy as np
import pytest

from symconv import errors, variants
from symconv.conventions import Convention
from symconv.derive import derive
from symconv.direct import conv_transpose_dense, output_size
from symconv.errors import FormulaError, SpecError, SymconvError


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


@pytest.mark.parametrize("name", [name for name in errors.__all__ if isinstance(getattr(errors, name), type)])
def test_every_error_is_a_symconv_error_and_a_value_error(name):
    error = getattr(errors, name)
    assert issubclass(error, SymconvError) and issubclass(error, ValueError) and error.__doc__


def test_a_formula_error_counts_its_position_from_one_in_the_message():
    assert str(FormulaError("unexpected ')'", position=6)) == "unexpected ')' (at character 7)"
    assert FormulaError("unexpected ')'", position=6).position == 6
    assert str(FormulaError("empty formula")) == "empty formula" and FormulaError("empty formula").position is None


def test_one_class_per_error_wherever_it_is_imported_from():
    from symconv.network import NetworkError as from_network
    from symconv.network.layers import NetworkError as from_layers

    assert from_network is from_layers is errors.NetworkError
