"""The helpers every generated module needs to evaluate ints and NumPy arrays: argument checks, the conditions
of the layer, the int64 evaluation in blocks with its overflow bounds and the exact fallback.

A generated module imports NumPy only, so it carries its own copy of everything below the imports of this
file and of :mod:`symconv.codegen.adapters`, which brings other arrays to these helpers
(:mod:`symconv.codegen.embed` copies both, annotations removed); the annotations are for the type checker and
the tests import the helpers from here. One public function of a generated module is a ``_Function`` record
and a call of ``_evaluate``:

>>> flops = _Function("flops", (("C_in", "positive"), ("b", "flag")), lambda c, b: 2 * c + b,
...                   lambda c, b: (2 * c + b,), lambda out, c, b: _np.add(2 * c, b, out=out))
>>> _compute(flops, (3, 1))
7
>>> _compute(flops, (_np.array([3, 2**62]), 1))  # 2*2**62 + 1 does not fit in int64: exact Python ints
array([7, 9223372036854775809], dtype=object)
>>> _compute(flops, (3, 2))
Traceback (most recent call last):
    ...
symconv.codegen.runtime._Refusal: flops(): b must be 0 or 1, got 2

A condition is checked at every configuration; the first one that fails it is named:

>>> fits = _Function("fits", (("n", "positive"), ("k", "positive")), lambda n, k: n - k + 1,
...                  lambda n, k: (n + k + 1,), lambda out, n, k: (_np.subtract(n, k, out=out), int(out.min()))[1:],
...                  lambda n, k: (n - k,), (("at least 0", "n - k", "k fits in n"),))
>>> _compute(fits, (_np.array([5, 3, 2]), 3))
Traceback (most recent call last):
    ...
symconv.codegen.runtime._Refusal: fits(): n - k must be >= 0 (k fits in n), but it is -1 for n = 2, k = 3 at index 2
"""

from __future__ import annotations

import os as _os
import threading as _threading
from typing import TYPE_CHECKING, Any

import numpy as _np

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import EllipsisType

    _Ints = int | _np.ndarray  # an int, or an integer array (int64 or object)
    _Parameters = tuple[tuple[str, str], ...]  # ((argument name, domain), ...) in signature order
    _Exact = Callable[..., Any]  # the closed form on Python ints, or on object arrays of them
    _Bounds = Callable[..., tuple[int, ...]]
    _Int64 = Callable[..., tuple[int, ...] | None]  # in place into its first argument; the conditions' minima
    _Conditions = tuple[tuple[str, ...], ...]  # ("whole", definition, dividend, divisor) or ("at least 0", ...)


_INT64_MAX = 2**63 - 1
_LOWEST = {"positive": 1, "nonnegative": 0, "flag": 0}
_BLOCK = 2**16  # elements per block: a block of each argument and of the result stay in cache together
_THREADED = 2**20  # results of this many elements or more are computed by several threads
# Threads to compute in: the processors this process may run on, as numexpr does, 8 at the most (memory, not
# arithmetic, limits more of them).
_WORKERS = min(8, len(_os.sched_getaffinity(0)) if hasattr(_os, "sched_getaffinity") else _os.cpu_count() or 1)


class _Function:
    """What the shared evaluator needs to know about one public function."""

    __slots__ = ("bounds", "checks", "conditions", "exact", "int64", "name", "parameters", "shown")

    def __init__(
        self,
        name: str,
        parameters: _Parameters,
        exact: _Exact,
        bounds: _Bounds,
        int64: _Int64 | None,
        checks: _Exact | None = None,
        conditions: _Conditions = (),
        shown: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.parameters = parameters  # ((argument name, domain), ...) in signature order
        self.exact = exact  # the closed form on Python ints, or on object arrays of them
        self.bounds = bounds  # bounds on |result|, |dividends|, |divisors| and conditions computed apart
        self.int64 = int64  # the closed form in place in int64, or None when a constant does not fit
        self.checks = checks  # the conditions' operands, flat: a dividend and a divisor, or a value >= 0
        self.conditions = conditions  # what each condition is, for its message
        # The arguments >= 1 whose zeros the result shows: <= 0 at a zero, >= 1 elsewhere. One reduction of the
        # result checks them all, in place of one per argument.
        self.shown = tuple(index for index, (name, _) in enumerate(parameters) if name in shown)


class _Refusal(ValueError):
    """A refused value: the message, and the index of the configuration or element (None for ints), which a
    caller that evaluated part of the arrays moves to the index in the whole."""

    def __init__(self, message: str, index: tuple[int, ...] | None = None) -> None:
        super().__init__(message, index)
        self.message = message
        self.index = index

    def __str__(self) -> str:
        return self.message + _at(self.index)

    def moved(self, move: Callable[[tuple[int, ...]], tuple[int, ...]]) -> _Refusal:
        return _Refusal(self.message, None if self.index is None else move(self.index))


def _compute(function: _Function, values: tuple[object, ...] | list[Any], workers: int | None = None) -> _Ints:
    """Check the arguments and the conditions; evaluate exactly for ints, in int64 for arrays that provably
    fit (in ``workers`` threads when they are large: by default the module's ``_WORKERS``), else exactly."""
    checked: list[Any]  # ints, and int64, uint64 or object arrays
    maxima: list[int | None]
    parameters = function.parameters
    if not any(isinstance(value, _np.ndarray) for value in values):
        checked = [
            _integer(function.name, name, domain, value)
            for (name, domain), value in zip(parameters, values, strict=True)
        ]
        _require(function, checked)
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
        result = _int64_blocks(function, checked, maxima, shape, _WORKERS if workers is None else workers)
        if result is not None:
            return result
    for (name, domain), value, largest in zip(parameters, checked, maxima, strict=True):
        if largest is None:
            _largest(function.name, name, domain, value)
    exact = [value.astype(object) if isinstance(value, _np.ndarray) else value for value in checked]
    _require(function, exact)
    result = _np.empty(shape, object)
    result[...] = _call(function, function.exact, exact)
    return result


def _int64_blocks(
    function: _Function, checked: list[Any], maxima: list[int | None], shape: tuple[int, ...], workers: int
) -> _np.ndarray | None:
    """The result computed in int64, one block of rows at a time; None when int64 is not provably exact.

    int64 +, - and * are exact modulo 2**64, so a result bounded below 2**63 is exact even if a partial
    product wrapped; floor and exact divisions are not, so the bounds cover their operands too. Each block
    of an array is scanned for its largest value while it is in cache, and the bounds are checked with those
    largest values and those of the arguments not sliced. The kernel
    returns the least value of each condition over the block, taken where it computes the value; one below
    0 is located and named by the exact checks of that block. A zero divisor returns None, for the exact
    evaluation to report. Large results are computed by ``workers`` threads: NumPy releases the GIL while a
    ufunc runs, and each block is its own.
    """
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
    for index, ((name, domain), value) in enumerate(zip(function.parameters, checked, strict=True)):
        if maxima[index] is None and not sliced[index]:
            maxima[index] = _largest(function.name, name, domain, value)
    if max(0 if top is None else top for top in maxima) > _INT64_MAX:
        return None
    result = _np.empty(shape, _np.int64)
    if result.size == 0:
        return result
    blocks = [slice(start, start + step) for start in range(0, rows, step)] if any(sliced) else [...]
    workers = max(1, min(workers, len(blocks) // 4)) if result.size >= _THREADED else 1
    return result if _in_threads(_int64_block, (function, checked, sliced, maxima, result), blocks, workers) else None


def _int64_block(
    function: _Function,
    checked: list[Any],
    sliced: list[bool],
    maxima: list[int | None],
    result: _np.ndarray,
    block: slice | EllipsisType,
) -> bool:
    """One block of the result in int64: False when its bound does not prove it exact, or a divisor is 0.

    The kernel runs first, reading each argument's block from memory; the scans then read them from cache,
    the last read first. What the kernel computed counts only once the scans and the bound have passed.
    """
    lows: tuple[int, ...] | bool | None
    assert function.int64 is not None
    arguments = [value[block] if cut else value for value, cut in zip(checked, sliced, strict=True)]
    try:
        lows = function.int64(result[block], *arguments)
    except ArithmeticError:  # a zero divisor, or a quotient of values out of range: decided below or exactly
        lows = False
    tops = list(maxima)
    for index in reversed(range(len(tops))):
        if tops[index] is None:
            tops[index] = _scanned(function, index, arguments[index], checked[index])
    if lows is False or max(function.bounds(*tops)) > _INT64_MAX:
        return False
    if isinstance(lows, tuple) and function.checks is not None and min(lows) < 0:
        _locate(function, arguments, 0 if isinstance(block, type(...)) else block.start)
    if function.shown and result[block].min() < 1:
        for index in function.shown:
            if isinstance(checked[index], _np.ndarray):  # an int was checked on its own
                _largest(function.name, *function.parameters[index], checked[index])
        raise AssertionError(f"{function.name}(): a result below 1 where no argument is 0")
    return True


def _in_threads(work: Callable[..., bool], arguments: tuple[Any, ...], items: list[Any], workers: int) -> bool:
    """``work(*arguments, item)`` for each item, by ``workers`` threads, each taking every ``workers``-th in
    order; False, or the error raised, for the first item (the lowest) that fails."""
    failed: dict[int, bool | BaseException]
    failed = {}
    lowest = [len(items)]  # the first item known to fail: later ones need not run
    jobs = [(work, arguments, items, first, workers, failed, lowest) for first in range(workers)]
    threads = [_threading.Thread(target=_run, args=job) for job in jobs[1:]]
    for thread in threads:
        thread.start()
    _run(*jobs[0])
    for thread in threads:
        thread.join()
    if not failed:
        return True
    first = failed[min(failed)]
    if isinstance(first, BaseException):
        raise first
    return False


def _run(
    work: Callable[..., bool],
    arguments: tuple[Any, ...],
    items: list[Any],
    first: int,
    step: int,
    failed: dict[int, bool | BaseException],
    lowest: list[int],
) -> None:
    """One thread of :func:`_in_threads`: items ``first``, ``first + step``, ... until one fails."""
    done: bool | BaseException
    with _np.errstate(divide="raise"):  # the state is each thread's own
        for number in range(first, len(items), step):
            if number > lowest[0]:
                return
            try:
                done = work(*arguments, items[number])
            except Exception as error:
                done = error
            if done is not True:
                failed[number] = done
                lowest[0] = min(lowest[0], number)
                return


def _scanned(function: _Function, index: int, part: _np.ndarray, whole: _np.ndarray) -> int:
    """The largest value of one block of an int64 array; when the block holds a value out of the argument's
    domain, the whole array is checked again, to name that value by its index."""
    name, domain = function.parameters[index]
    # Seen as uint64, a negative int64 is >= 2**63: one max finds the largest value and any negative one.
    largest = int(part.view(_np.uint64).max())
    flag = domain == "flag" and largest > 1
    zero = domain == "positive" and index not in function.shown and part.min() < 1
    if largest > _INT64_MAX or flag or zero:
        _largest(function.name, name, domain, whole)
    return largest


def _locate(function: _Function, arguments: list[Any], start: int) -> None:
    """Refuse the first configuration of a block that fails a condition, named by its index in the whole."""
    exact = [value.astype(object) if isinstance(value, _np.ndarray) else value for value in arguments]
    try:
        _require(function, exact)
    except _Refusal as refusal:
        raise refusal.moved(lambda index: (index[0] + start, *index[1:])) from None
    raise AssertionError(f"{function.name}(): a condition failed in int64 and held exactly")


def _require(function: _Function, arguments: list[Any]) -> None:
    """Every condition at every configuration, exactly (ints, or object arrays of them); the first
    configuration that fails one is refused, for the first condition it fails."""
    if function.checks is None:
        return
    first: tuple[int, int, list[Any]] | None  # the flat index, the condition and its operands
    operands = list(_call(function, function.checks, arguments))
    shape = _np.broadcast_shapes(*(_np.shape(value) for value in arguments))
    first = None
    for number, condition in enumerate(function.conditions):
        values = [operands.pop(0) for _ in range(2 if condition[0] == "whole" else 1)]
        try:
            bad = values[0] % values[1] != 0 if condition[0] == "whole" else values[0] < 0
        except ZeroDivisionError:
            raise _zero_divisor(function) from None
        bad = _np.broadcast_to(_np.asarray(bad, dtype=bool), shape)
        if bad.any():
            flat = int(_np.flatnonzero(bad)[0])
            if first is None or flat < first[0]:
                first = (flat, number, values)
    if first is None:
        return
    flat, number, values = first
    index = tuple(int(i) for i in _np.unravel_index(flat, shape)) if shape else None
    values = [_element(value, shape, index) for value in values]
    condition = function.conditions[number]
    if condition[0] == "whole":
        _, definition, dividend, divisor = condition
        raise _Refusal(
            f"{function.name}(): {definition} must be a whole number, but {dividend} = {values[0]} is not "
            f"divisible by {divisor} = {values[1]}",
            index,
        )
    _, text, meaning = condition
    where = ", ".join(
        f"{name} = {_element(value, shape, index)}"
        for (name, _), value in zip(function.parameters, arguments, strict=True)
    )
    said = f" ({meaning})" if meaning else ""
    raise _Refusal(f"{function.name}(): {text} must be >= 0{said}, but it is {values[0]} for {where}", index)


def _element(value: Any, shape: tuple[int, ...], index: tuple[int, ...] | None) -> Any:
    """The value of an argument or operand at one configuration of the broadcast ``shape``."""
    return _np.broadcast_to(value, shape)[index] if index is not None else value


def _call(function: _Function, kernel: _Exact, arguments: list[Any]) -> Any:
    try:
        return kernel(*arguments)
    except ZeroDivisionError:
        raise _zero_divisor(function) from None


def _zero_divisor(function: _Function) -> ValueError:
    return ValueError(f"{function.name}(): a divisor in the closed form is 0 for these arguments")


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
        raise _Refusal(f"{function}(): {name} must be {rule}, got {value}", index)
    return value


def _array(function: str, name: str, domain: str, value: _np.ndarray) -> tuple[_np.ndarray, int | None]:
    """An integer array as int64 when it fits, and its largest value (None: not scanned yet)."""
    if type(value) is not _np.ndarray:  # a subclass computes its own way: np.matrix's * is a matrix product
        value = _np.asarray(value)
    kind = value.dtype.kind
    if kind == "O":
        checked = _np.empty(value.shape, object)
        for index, item in _np.ndenumerate(value):
            checked[index] = _integer(function, name, domain, item, tuple(int(i) for i in index))
        largest = max(checked.flat, default=0)
        return (checked.astype(_np.int64) if largest <= _INT64_MAX else checked), largest
    if kind not in "iu":
        raise TypeError(
            f"{function}(): {name} must be an int or an integer NumPy array, not an array of {value.dtype}"
        )
    if kind == "u" and value.itemsize == 8:
        value = value.astype(_np.uint64, copy=False)
        largest = int(value.max()) if value.size else 0
        _domain(function, name, domain, value, largest)
        return (value.view(_np.int64) if largest <= _INT64_MAX else value), largest
    return value.astype(_np.int64, copy=False), None


def _largest(function: str, name: str, domain: str, value: _np.ndarray) -> int:
    """The largest value of an int64 array, after checking that none is negative, none is 0 where the
    argument is positive and flags are 0 or 1."""
    # Seen as uint64, a negative int64 is >= 2**63: one max finds the largest value and any negative one.
    largest = int(value.view(_np.uint64).max()) if value.size else 0
    if largest > _INT64_MAX:
        element, index = _first(value, value < 0)
        raise _Refusal(f"{function}(): {name} must not be negative, got {element}", index)
    _domain(function, name, domain, value, largest)
    return largest


def _domain(function: str, name: str, domain: str, value: _np.ndarray, largest: int) -> None:
    """Refuse a flag other than 0 or 1, and a 0 where the argument is positive (no value is negative)."""
    if domain == "flag" and largest > 1:
        element, index = _first(value, value > 1)
        raise _Refusal(f"{function}(): {name} must be 0 or 1, got {element}", index)
    if domain == "positive" and value.size and value.min() < 1:
        element, index = _first(value, value < 1)
        raise _Refusal(f"{function}(): {name} must be >= 1, got {element}", index)


def _first(value: _np.ndarray, bad: _np.ndarray) -> tuple[Any, tuple[int, ...]]:
    """The first element where ``bad`` holds, and its index."""
    index = tuple(int(i) for i in _np.unravel_index(_np.flatnonzero(bad)[0], bad.shape))
    return _np.broadcast_to(value, bad.shape)[index], index


def _at(index: tuple[int | _np.integer, ...] | None) -> str:
    if index is None or len(index) == 0:
        return ""
    index = tuple(int(i) for i in index)
    return f" at index {index[0] if len(index) == 1 else index}"


def _divide(numerator: _Ints, denominator: _Ints) -> tuple[_Ints, int]:
    """``numerator // denominator`` in int64, and the least value of the condition that the division is exact
    over the block: 0, or -1 when some division leaves a remainder."""
    quotient, remainder = _np.divmod(numerator, denominator)
    return quotient, -1 if _np.any(remainder) else 0
