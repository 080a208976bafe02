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
import sys as _sys
from typing import TYPE_CHECKING, Any

import numpy as _np

from symconv.codegen.adapters import _evaluate, _held, _is_dask
from symconv.codegen.runtime import _INT64_MAX, _element, _Function, _Refusal

if TYPE_CHECKING:
    from collections.abc import Callable

    _Given = tuple[tuple[str, Any, int], ...]  # (setting, its numerators, its denominator), in signature order
    # a total's separated form and its bound, functions of the values its spec reads, in the spec's order
    _Separated = tuple[Callable[..., Any], Callable[..., int]]


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
    separated: dict[str, _Separated] | None = None,
) -> dict[str, Any]:
    """Every total of ``specs`` at the settings ``values``: the layers' values, then each total on them,
    broadcast to the settings' shape; a refusal as one ValueError. A total with a ``separated`` form is
    computed by it where :func:`_separately` proves it exact, else by its spec. Given dask arrays, each total
    is a dask array, computed block by block (:func:`_network_lazily`)."""
    if any(_is_dask(value) for value in values):
        return _network_lazily(function, specs, layers, settings, values, separated)
    try:
        return _totals_at(function, specs, layers, settings, values, separated)
    except _Refusal as refusal:
        raise ValueError(str(refusal)) from None


def _totals_at(
    function: str,
    specs: tuple[_Function, ...],
    layers: Callable[..., dict[str, Any]],
    settings: tuple[tuple[str, int], ...],
    values: tuple[object, ...] | list[Any],
    separated: dict[str, _Separated] | None,
) -> dict[str, Any]:
    """What :func:`_network` computes on NumPy arrays and numbers; a refusal as a :class:`_Refusal`."""
    numerators = [
        _numerator(function, name, denominator, value)
        for (name, denominator), value in zip(settings, values, strict=True)
    ]
    if any(_np.max(_np.abs(n), initial=0) > _SMALL for n in numerators):
        numerators = [n.astype(object) if isinstance(n, _np.ndarray) else n for n in numerators]
    found = layers(*numerators)
    shape = _np.broadcast_shapes(*(_np.shape(n) for n in numerators))
    totals = {}
    for spec in specs:
        form = None if separated is None else separated.get(spec.name)
        total = None if form is None else _separately(form, spec, found)
        if total is None:
            total = _evaluate(spec, tuple(found[name] for name, _ in spec.parameters))
        totals[spec.name] = total if _np.shape(total) == shape else _np.broadcast_to(total, shape).copy()
    return totals


def _network_lazily(
    function: str,
    specs: tuple[_Function, ...],
    layers: Callable[..., dict[str, Any]],
    settings: tuple[tuple[str, int], ...],
    values: tuple[object, ...],
    separated: dict[str, _Separated] | None,
) -> dict[str, Any]:
    """Every total as a dask array, one block per block of the settings (broadcast together), each computed
    on NumPy blocks: int64, or Python ints where a setting is given as an array of objects; a refusal names
    its index in the whole, and a total that int64 cannot hold is an OverflowError naming its index."""
    dask = _sys.modules["dask.array"]  # loaded: one of the values is a dask array
    given: list[Any] = [dask.asarray(v) if _is_dask(v) or isinstance(v, _np.ndarray) else v for v in values]
    shapes = [v.shape for v in given if _is_dask(v)]
    if all(size == size for shape in shapes for size in shape):  # a NaN size is unknown: dask decides
        _np.broadcast_shapes(*shapes)  # NumPy's message where they do not broadcast
    arrays = iter(dask.broadcast_arrays(*(v for v in given if _is_dask(v))))
    given = [next(arrays) if _is_dask(v) else v for v in given]
    template: Any = next(v for v in given if _is_dask(v))
    declared = _np.dtype(object) if any(_is_dask(v) and v.dtype.kind == "O" for v in given) else _np.dtype(_np.int64)
    stacked = dask.map_blocks(
        _network_block, *given, dtype=declared, new_axis=0, chunks=((len(specs),), *template.chunks),
        meta=_np.empty((0,) * (template.ndim + 1), declared), function=function, specs=specs, layers=layers,
        settings=settings, separated=separated, declared=declared,
    )
    return {spec.name: stacked[number] for number, spec in enumerate(specs)}


def _network_block(
    *parts: Any,
    function: str,
    specs: tuple[_Function, ...],
    layers: Callable[..., dict[str, Any]],
    settings: tuple[tuple[str, int], ...],
    separated: dict[str, _Separated] | None,
    declared: _np.dtype,
    block_info: dict[Any, Any] | None = None,
) -> Any:
    """The totals of one block of the settings, stacked along a first axis, as :func:`_network_lazily` asks."""
    origin = tuple(start for start, _ in block_info[None]["array-location"][1:]) if block_info else None
    try:
        totals = _totals_at(function, specs, layers, settings, parts, separated)
    except _Refusal as refusal:
        if origin is not None:
            refusal = refusal.moved(lambda index: tuple(i + o for i, o in zip(index, origin, strict=True)))
        raise ValueError(str(refusal)) from None
    shape = _np.broadcast_shapes(*(_np.shape(part) for part in parts))
    found = []
    for spec in specs:
        total = _np.broadcast_to(_np.asarray(totals[spec.name]), shape)
        if declared.kind != "O":
            total = _held(spec, total, "a dask array of int64", "give dask arrays of dtype object", origin)
        found.append(total)
    return _np.stack(found).astype(declared)


def _separately(form: _Separated, spec: _Function, found: dict[str, Any]) -> Any:
    """A total by its separated form (:mod:`symconv.codegen.separated`), in int64: None unless the values it
    reads are a grid (arrays of some of the settings' axes, broadcast to a larger shape), every array among
    them is int64 (none of Python ints, none empty), and its bound at their largest magnitudes is below
    2**63, which makes the int64 result exact."""
    compute, bound = form
    values = [found[name] for name, _ in spec.parameters]
    arrays = [value for value in values if isinstance(value, _np.ndarray)]
    if not arrays or any(value.dtype != _np.int64 or value.size == 0 for value in arrays):
        return None
    if max(value.size for value in arrays) == _np.prod(_np.broadcast_shapes(*(value.shape for value in arrays))):
        return None  # no grid: each value already has the total's shape, and the spec's kernel computes faster
    largest = [max(int(value.max()), -int(value.min())) if isinstance(value, _np.ndarray) else abs(int(value))
               for value in values]
    if bound(*largest) > _INT64_MAX:
        return None
    return compute(*values)


def _summed(constant: Any, *terms: tuple[Any, ...]) -> Any:
    """``constant`` plus the products ``terms`` (each a tuple of factors: arrays of some of the settings'
    axes, or ints), in int64 on their broadcast shape: each product written into one array of that shape and
    added into another, two arrays however many terms."""
    shape = _np.broadcast_shapes(_np.shape(constant), *(_np.shape(f) for term in terms for f in term))
    total = _np.empty(shape, _np.int64)
    part = _np.empty(shape, _np.int64)
    for number, term in enumerate(terms):
        target = total if number == 0 else part  # the first product is the sum so far
        if len(term) == 1:
            target[...] = term[0]
        else:
            _np.multiply(term[0], term[1], out=target)
        for factor in term[2:]:
            _np.multiply(target, factor, out=target)
        if number:
            _np.add(total, part, out=total)
    if not terms:
        total[...] = constant
    elif not (isinstance(constant, int) and constant == 0):
        _np.add(total, constant, out=total)
    return total


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
        index = _where(bad)
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
        index = _where(bad)
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
        index = _where(bad)
        shown = _element(value, bad.shape, index)
        raise _Refusal(f"{what} is {shown}, not at least 1, at {_settings(given, bad.shape, index)}", index)
    return value


def _same(value: Any, other: Any, what: str, given: _Given) -> Any:
    """``value``, refused where ``other``, a size that must equal it (a join's inputs), differs."""
    bad = _np.asarray(value != other)
    if bad.any():
        index = _where(bad)
        shown = f"{_element(value, bad.shape, index)} and {_element(other, bad.shape, index)}"
        raise _Refusal(f"{what} are {shown}, not equal, at {_settings(given, bad.shape, index)}", index)
    return value if _np.shape(value) == bad.shape else _np.broadcast_to(value, bad.shape).copy()


def _floor(numerator: Any, denominator: int) -> Any:
    """``floor(numerator/denominator)``: an adaptive pooling's window bound."""
    return numerator // denominator


def _ceiling(numerator: Any, denominator: int) -> Any:
    """``ceiling(numerator/denominator)``."""
    return -(-numerator // denominator)


def _broadcast(value: Any, other: Any, what: str, given: _Given) -> Any:
    """The larger of two sizes an elementwise operation broadcasts, refused where they differ and neither
    is 1 (NumPy's rule)."""
    bad = _np.asarray((value != other) & (value != 1) & (other != 1))
    if bad.any():
        index = _where(bad)
        shown = f"{_element(value, bad.shape, index)} and {_element(other, bad.shape, index)}"
        raise _Refusal(f"{what} are {shown}, which do not broadcast, at {_settings(given, bad.shape, index)}", index)
    return _np.maximum(value, other) if bad.shape else max(value, other)


def _whole(numerator: Any, denominator: int, what: str, given: _Given) -> Any:
    """``numerator/denominator``, refused where it is not a whole number."""
    bad = _np.asarray(numerator % denominator != 0)
    if bad.any():
        index = _where(bad)
        shown = _fractions.Fraction(int(_element(numerator, bad.shape, index)), denominator)
        raise _Refusal(f"{what} is {shown}, not a whole number, at {_settings(given, bad.shape, index)}", index)
    return numerator // denominator


def _settings(given: _Given, shape: tuple[int, ...], index: tuple[int, ...] | None) -> str:
    """The settings at one index, as they were given: ``alpha = 1/8, rho = 1``."""
    shown = []
    for name, numerators, denominator in given:
        numerator = _place(numerators, index) if index is not None else numerators
        shown.append(f"{name} = {_fractions.Fraction(int(numerator), denominator)}")
    return ", ".join(shown)


def _where(bad: _np.ndarray) -> tuple[int, ...] | None:
    """The index of the first setting where ``bad`` holds (it holds at one); None for a number."""
    return tuple(int(i) for i in _np.argwhere(bad)[0]) if bad.shape else None


def _place(value: Any, index: tuple[int, ...]) -> Any:
    """A setting's numerator at ``index`` of a value computed from it and others: the settings broadcast
    together, but the value may have been computed on some of them only (one axis per setting); where the
    value does not depend on a setting's axis, that setting's first value stands for all."""
    array = _np.asarray(value)
    index = (0,) * max(0, array.ndim - len(index)) + tuple(index)[max(0, len(index) - array.ndim):]
    return array[tuple(i if size > 1 else 0 for i, size in zip(index, array.shape, strict=True))]
