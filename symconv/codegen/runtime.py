"""The helpers every generated module needs: argument checks, the int64 evaluation in blocks with its overflow
bounds, the exact fallback and the exact quotient of a definition.

A generated module imports NumPy only, so it carries its own copy of everything below the imports of this
file (:mod:`symconv.codegen.embed` copies it, annotations removed); the annotations are for the type checker
and the tests import the helpers from here. One public function of a generated module is a ``_Function``
record and a call of ``_evaluate``:

>>> flops = _Function("flops", (("C_in", "positive"), ("b", "flag")), lambda c, b: 2 * c + b,
...                   lambda c, b: (2 * c + b,), lambda out, c, b: _np.add(2 * c, b, out=out))
>>> _evaluate(flops, (3, 1))
7
>>> _evaluate(flops, (_np.array([3, 2**62]), 1))  # 2*2**62 + 1 does not fit in int64: exact Python ints
array([7, 9223372036854775809], dtype=object)
>>> _evaluate(flops, (3, 2))
Traceback (most recent call last):
    ...
ValueError: flops(): b must be 0 or 1, got 2
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as _np

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import EllipsisType

    _Ints = int | _np.ndarray  # an int, or an integer array (int64 or object)
    _Parameters = tuple[tuple[str, str], ...]  # ((argument name, domain), ...) in signature order
    _Exact = Callable[..., Any]  # the closed form on Python ints, or on object arrays of them
    _Bounds = Callable[..., tuple[int, ...]]
    _Int64 = Callable[..., None]  # the closed form computed in place into its first argument


_INT64_MAX = 2**63 - 1
_LOWEST = {"positive": 1, "nonnegative": 0, "flag": 0}
_BLOCK = 2**16  # elements per block: a block of each argument and of the result stay in cache together


class _Function:
    """What the shared evaluator needs to know about one public function."""

    __slots__ = ("bounds", "exact", "int64", "name", "parameters")

    def __init__(
        self, name: str, parameters: _Parameters, exact: _Exact, bounds: _Bounds, int64: _Int64 | None
    ) -> None:
        self.name = name
        self.parameters = parameters  # ((argument name, domain), ...) in signature order
        self.exact = exact  # the closed form on Python ints, or on object arrays of them
        self.bounds = bounds  # bounds on |result| and each |dividend| and |divisor|, from bounds on arguments
        self.int64 = int64  # the closed form in place in int64, or None when a constant does not fit


def _evaluate(function: _Function, values: tuple[object, ...]) -> _Ints:
    """Check the arguments; evaluate exactly for ints, in int64 for arrays that provably fit, else exactly."""
    checked: list[Any]  # ints, and int64, uint64 or object arrays
    maxima: list[int | None]
    parameters = function.parameters
    if not any(isinstance(value, _np.ndarray) for value in values):
        checked = [
            _integer(function.name, name, domain, value)
            for (name, domain), value in zip(parameters, values, strict=True)
        ]
        return _call(function, function.exact, checked)
    checked, maxima = [], []
    for (name, domain), value in zip(parameters, values, strict=True):
        if isinstance(value, _np.ndarray):
            value, largest = _array(function.name, name, domain, value)
        else:
            value = largest = _integer(function.name, name, domain, value)
        checked.append(value)
        maxima.append(largest)  # None for an int64 array not scanned yet
    shape = _np.broadcast_shapes(*(_np.shape(value) for value in checked))
    if function.int64 is not None:
        result = _int64_blocks(function, checked, maxima, shape)
        if result is not None:
            return result
    for (name, domain), value, largest in zip(parameters, checked, maxima, strict=True):
        if largest is None:
            _largest(function.name, name, domain, value)
    exact = [value.astype(object) if isinstance(value, _np.ndarray) else value for value in checked]
    result = _np.empty(shape, object)
    result[...] = _call(function, function.exact, exact)
    return result


def _int64_blocks(
    function: _Function, checked: list[Any], maxima: list[int | None], shape: tuple[int, ...]
) -> _np.ndarray | None:
    """The result computed in int64, one block of rows at a time; None when int64 is not provably exact.

    int64 +, - and * are exact modulo 2**64, so a result bounded below 2**63 is exact even if a partial
    product wrapped; floor and exact divisions are not, so the bounds cover their operands too. Each block
    of an array is scanned for its largest value just before the kernel reads it, while it is in cache, and
    the bounds are checked with the largest values seen so far: those only grow, so every block computed
    passed the check, and a failed check would fail for the whole arrays too. An error in a block (a zero
    divisor, an inexact quotient) returns None as well, for the exact evaluation to report it.
    """
    running: list[Any]  # the largest values seen so far: ints once the arrays not sliced are scanned
    blocks: list[slice | EllipsisType]
    assert function.int64 is not None  # evaluated in int64 only when the closed form has an int64 kernel
    rows, row_size = (shape[0], 1) if shape else (1, 1)
    for size in shape[1:]:
        row_size *= size
    step = max(1, _BLOCK // max(1, row_size))
    sliced = [
        rows > step and isinstance(value, _np.ndarray) and value.ndim == len(shape) and value.shape[0] == rows
        for value in checked
    ]
    running = list(maxima)
    for index, ((name, domain), value) in enumerate(zip(function.parameters, checked, strict=True)):
        if maxima[index] is None and not sliced[index]:
            maxima[index] = running[index] = _largest(function.name, name, domain, value)
        elif maxima[index] is None:
            running[index] = 0
    if max(running) > _INT64_MAX:
        return None
    result = _np.empty(shape, _np.int64)
    arguments = list(checked)
    blocks = [slice(start, start + step) for start in range(0, rows, step)] if any(sliced) else [...]
    with _np.errstate(divide="raise"):
        for block in blocks:
            for index, value in enumerate(checked):
                if sliced[index]:
                    part = arguments[index] = value[block]
                    if maxima[index] is None:
                        largest = int(part.view(_np.uint64).max()) if part.size else 0
                        if largest > _INT64_MAX or (largest > 1 and function.parameters[index][1] == "flag"):
                            _largest(function.name, *function.parameters[index], value)  # names the element
                        running[index] = max(running[index], largest)
            if max(function.bounds(*running)) > _INT64_MAX:
                return None
            try:
                function.int64(result[block], *arguments)
            except (ArithmeticError, ValueError):
                return None
    return result


def _call(function: _Function, kernel: _Exact, arguments: list[Any]) -> Any:
    try:
        return kernel(*arguments)
    except ZeroDivisionError:
        message = "a divisor in the closed form is 0 for these arguments"
        raise ValueError(f"{function.name}(): {message}") from None
    except ValueError as error:
        raise ValueError(f"{function.name}(): {error}") from None


def _integer(function: str, name: str, domain: str, value: object, index: tuple[int, ...] | None = None) -> int:
    """An int argument (or array element) as a Python int, after checking its type and range."""
    if type(value) is not int:
        if isinstance(value, bool | _np.bool_) or not isinstance(value, int | _np.integer):
            kind = type(value).__name__
            raise TypeError(
                f"{function}(): {name} must be an int or an integer NumPy array, not {kind}{_at(index)}"
            )
        value = int(value)
    if value < _LOWEST[domain] or (domain == "flag" and value > 1):
        rule = "0 or 1" if domain == "flag" else f">= {_LOWEST[domain]}"
        raise ValueError(f"{function}(): {name} must be {rule}, got {value}{_at(index)}")
    return value


def _array(function: str, name: str, domain: str, value: _np.ndarray) -> tuple[_np.ndarray, int | None]:
    """An integer array as int64 when it fits, and its largest value (None: not scanned yet)."""
    if type(value) is not _np.ndarray:  # a subclass computes its own way: np.matrix's * is a matrix product
        if isinstance(value, _np.ma.MaskedArray):  # the scans skip masked values, the kernels do not
            raise TypeError(f"{function}(): {name} must be an int or an integer NumPy array, not a masked array")
        value = _np.asarray(value)
    kind = value.dtype.kind
    if kind == "O":
        checked = _np.empty(value.shape, object)
        for index, item in _np.ndenumerate(value):
            checked[index] = _integer(function, name, domain, item, index)
        largest = max(checked.flat, default=0)
        return (checked.astype(_np.int64) if largest <= _INT64_MAX else checked), largest
    if kind not in "iu":
        raise TypeError(
            f"{function}(): {name} must be an int or an integer NumPy array, not an array of {value.dtype}"
        )
    if kind == "u" and value.itemsize == 8:
        value = value.astype(_np.uint64, copy=False)
        largest = int(value.max()) if value.size else 0
        if domain == "flag" and largest > 1:
            raise ValueError(f"{function}(): {name} must be 0 or 1, got {_first(value, value > 1)}")
        return (value.view(_np.int64) if largest <= _INT64_MAX else value), largest
    return value.astype(_np.int64, copy=False), None


def _largest(function: str, name: str, domain: str, value: _np.ndarray) -> int:
    """The largest value of an int64 array, after checking that none is negative and flags are 0 or 1."""
    # Seen as uint64, a negative int64 is >= 2**63: one max finds the largest value and any negative one.
    largest = int(value.view(_np.uint64).max()) if value.size else 0
    if largest > _INT64_MAX:
        raise ValueError(f"{function}(): {name} must not be negative, got {_first(value, value < 0)}")
    if domain == "flag" and largest > 1:
        raise ValueError(f"{function}(): {name} must be 0 or 1, got {_first(value, value > 1)}")
    return largest


def _first(value: _np.ndarray, bad: _np.ndarray) -> str:
    index = _np.unravel_index(_np.flatnonzero(bad)[0], bad.shape)
    return f"{_np.broadcast_to(value, bad.shape)[index]}{_at(index)}"


def _at(index: tuple[int | _np.integer, ...] | None) -> str:
    if index is None or len(index) == 0:
        return ""
    index = tuple(int(i) for i in index)
    return f" at index {index[0] if len(index) == 1 else index}"


def _quotient(
    numerator: _Ints, denominator: _Ints, definition: str, numerator_text: str, denominator_text: str
) -> _Ints:
    """numerator // denominator, after checking that the division is exact."""
    if any(isinstance(x, _np.ndarray) and x.dtype.kind == "O" for x in (numerator, denominator)):
        quotient, remainder = numerator // denominator, numerator % denominator  # no divmod loop for objects
    else:
        quotient, remainder = divmod(numerator, denominator)
    if not (remainder.any() if isinstance(remainder, _np.ndarray) else remainder):
        return quotient
    where = ""
    if isinstance(remainder, _np.ndarray):
        bad = remainder != 0
        where = _at(_np.unravel_index(_np.flatnonzero(bad)[0], bad.shape))
        numerator, denominator = (_np.broadcast_to(x, bad.shape)[bad][0] for x in (numerator, denominator))
    raise ValueError(
        f"{definition} must be a whole number, but {numerator_text} = {numerator} is not divisible by "
        f"{denominator_text} = {denominator}{where}"
    )
