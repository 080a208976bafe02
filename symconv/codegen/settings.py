"""The helpers a generated network module (:mod:`symconv.codegen.network`) adds to the runtime: reading each
setting as a multiple of its denominator, checking every layer's values at every setting, and evaluating the
totals on the layers' values.

A network's rational symbol (``alpha``) is read as ``n/D``, ``D`` its denominator: an int, a Fraction, or a
float (and arrays of them) within 1e-9 of a multiple of ``1/D``; the module computes on the integers ``n``.

>>> _numerator("params", "alpha", 8, 0.375), _numerator("params", "alpha", 8, _np.array([1.0, 0.125]))
(3, array([8, 1]))
>>> _numerator("params", "alpha", 8, 0.3)
Traceback (most recent call last):
    ...
symconv.codegen.runtime._Refusal: params(): alpha = 0.3 is not within 1e-9 of a multiple of 1/8
>>> given = (("alpha", _np.array([8, 1]), 8),)
>>> _least(_np.array([2, 0]), "layer 'conv1': output height", given)
Traceback (most recent call last):
    ...
symconv.codegen.runtime._Refusal: layer 'conv1': output height is 0, not at least 1, at alpha = 1/8 at index 1
"""

from __future__ import annotations

import fractions as _fractions
import numbers as _numbers
from typing import TYPE_CHECKING, Any

import numpy as _np

from symconv.codegen.adapters import _evaluate
from symconv.codegen.runtime import _element, _Function, _Refusal

if TYPE_CHECKING:
    from collections.abc import Callable

    _Given = tuple[tuple[str, Any, int], ...]  # (setting, its numerators, its denominator), in signature order


_TOLERANCE = 1e-9  # how far a float may be from a multiple of 1/D
# Numerators up to this are computed in int64: every channel count and size of a layer is then far below 2**63
# (they grow linearly with the settings); larger ones are computed on exact Python ints.
_SMALL = 2**24


def _network(
    function: str,
    specs: tuple[_Function, ...],
    layers: Callable[..., dict[str, Any]],
    settings: tuple[tuple[str, int], ...],
    values: tuple[object, ...],
) -> dict[str, Any]:
    """Every total of ``specs`` at the settings ``values``: the layers' values, then each total on them,
    broadcast to the settings' shape; a refusal as one ValueError."""
    try:
        numerators = [
            _numerator(function, name, denominator, value)
            for (name, denominator), value in zip(settings, values, strict=True)
        ]
        if any(_np.max(_np.abs(n), initial=0) > _SMALL for n in numerators):
            numerators = [n.astype(object) if isinstance(n, _np.ndarray) else n for n in numerators]
        found = layers(*numerators)
    except _Refusal as refusal:
        raise ValueError(str(refusal)) from None
    shape = _np.broadcast_shapes(*(_np.shape(n) for n in numerators))
    totals = {}
    for spec in specs:
        total = _evaluate(spec, tuple(found[name] for name, _ in spec.parameters))
        totals[spec.name] = total if _np.shape(total) == shape else _np.broadcast_to(total, shape).copy()
    return totals


def _numerator(function: str, name: str, denominator: int, value: object) -> Any:
    """``value`` times ``denominator``: an int, or an array of them (int64, or object when large)."""
    if isinstance(value, bool | _np.bool_) or (isinstance(value, _np.ndarray) and value.dtype.kind == "b"):
        raise TypeError(f"{function}(): {name} must be a number or an array of numbers, not a bool")
    numerator: Any
    if isinstance(value, _numbers.Rational | float | _np.floating):
        numerator = _scalar(function, name, denominator, value)
    else:
        array = _np.asarray(value)
        if array.dtype.kind in "iu":
            wide = array.size and _np.max(_np.abs(array)) > _SMALL
            numerator = array.astype(object if wide else _np.int64) * denominator
        elif array.dtype.kind == "f":
            numerator = _floats(function, name, denominator, array)
        elif array.dtype.kind == "O":
            numerator = _np.frompyfunc(lambda v: _scalar(function, name, denominator, v), 1, 1)(array)
        else:
            raise TypeError(f"{function}(): {name} must be a number or an array of numbers, not {array.dtype}")
    bad = _np.asarray(numerator < 1)
    if bad.any():
        index = tuple(int(i) for i in _np.argwhere(bad)[0]) if bad.shape else None
        raise _Refusal(f"{function}(): {name} must be positive, got {_element(value, bad.shape, index)}", index)
    return numerator


def _scalar(function: str, name: str, denominator: int, value: object) -> int:
    if isinstance(value, _numbers.Rational) and not isinstance(value, bool):
        exact = _fractions.Fraction(int(value.numerator), int(value.denominator)) * denominator
        if exact.denominator != 1:
            raise _Refusal(f"{function}(): {name} = {value} is not a multiple of 1/{denominator}")
        return int(exact)
    if isinstance(value, float | _np.floating):
        numerator = round(float(value) * denominator)
        if not abs(float(value) - numerator / denominator) <= _TOLERANCE:
            raise _Refusal(f"{function}(): {name} = {value} is not within 1e-9 of a multiple of 1/{denominator}")
        return numerator
    raise TypeError(f"{function}(): {name} must be a number or an array of numbers, not {type(value).__name__}")


def _floats(function: str, name: str, denominator: int, array: _np.ndarray) -> Any:
    scaled = _np.rint(array * denominator)
    bad = ~(_np.abs(array - scaled / denominator) <= _TOLERANCE)
    if bad.any():
        index = tuple(int(i) for i in _np.argwhere(bad)[0]) if bad.shape else None
        raise _Refusal(
            f"{function}(): {name} = {array[index] if index else array} is not within 1e-9 of a multiple of "
            f"1/{denominator}",
            index,
        )
    if scaled.size and _np.max(_np.abs(scaled)) > _SMALL:
        return _np.array([int(v) for v in scaled.ravel()], dtype=object).reshape(scaled.shape)
    return scaled.astype(_np.int64)


def _least(value: Any, what: str, given: _Given) -> Any:
    """``value``, refused where it is below 1 (a layer whose kernel does not fit, no channels left)."""
    bad = _np.asarray(value < 1)
    if bad.any():
        index = tuple(int(i) for i in _np.argwhere(bad)[0]) if bad.shape else None
        shown = _element(value, bad.shape, index)
        raise _Refusal(f"{what} is {shown}, not at least 1, at {_settings(given, bad.shape, index)}", index)
    return value


def _whole(numerator: Any, denominator: int, what: str, given: _Given) -> Any:
    """``numerator/denominator``, refused where it is not a whole number."""
    bad = _np.asarray(numerator % denominator != 0)
    if bad.any():
        index = tuple(int(i) for i in _np.argwhere(bad)[0]) if bad.shape else None
        shown = _fractions.Fraction(int(_element(numerator, bad.shape, index)), denominator)
        raise _Refusal(f"{what} is {shown}, not a whole number, at {_settings(given, bad.shape, index)}", index)
    return numerator // denominator


def _settings(given: _Given, shape: tuple[int, ...], index: tuple[int, ...] | None) -> str:
    """The settings at one index, as they were given: ``alpha = 1/8, rho = 1``."""
    shown = []
    for name, numerators, denominator in given:
        numerator = _element(numerators, shape, index) if index is not None else numerators
        shown.append(f"{name} = {_fractions.Fraction(int(numerator), denominator)}")
    return ", ".join(shown)
