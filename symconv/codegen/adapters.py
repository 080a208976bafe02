"""How a generated function takes arrays other than NumPy's: the entry ``_evaluate`` of every public function,
embedded in each generated module after :mod:`symconv.codegen.runtime` (whose helpers it calls).

* A dask array in gives a dask array out, lazily: one block of the result per block of the arguments (broadcast
  together, chunks unified), each evaluated by the runtime as a NumPy array is, with its own bounds, checks and
  conditions; an error names the configuration by its index in the whole array. The result is int64, or object
  when an argument is; a block whose exact values do not all fit in int64 raises OverflowError.
* A torch tensor on the CPU (an integer dtype) is read without a copy; the result is an int64 tensor, and
  OverflowError where the exact values do not fit.
* A masked array gives a masked array: a configuration masked in any argument is left out of the checks and
  of the bounds, and is masked in the result (its value there is 0).
* Anything else with ``__array__`` (pandas, xarray) or ``__dlpack__`` (the array API's exchange protocol) is
  read as a NumPy array, and the result is a NumPy array.

None of these libraries is imported: a dask array or a tensor is recognised by the module its type comes from,
and that module, loaded since the value exists, is looked up in ``sys.modules``.

>>> import numpy as np
>>> from symconv.codegen.runtime import _Function
>>> product = _Function("product", (("C_in", "positive"), ("C_out", "positive")), lambda a, b: a * b,
...                     lambda a, b: (a * b,), lambda out, a, b: np.multiply(a, b, out=out))
>>> _evaluate(product, (np.ma.array([3, 2**62, 5], mask=[False, True, False]), 2))
masked_array(data=[6, --, 10],
             mask=[False,  True, False],
       fill_value=999999)
"""

from __future__ import annotations

import sys as _sys
from typing import TYPE_CHECKING, Any

import numpy as _np

from symconv.codegen.runtime import _INT64_MAX, _compute, _Function, _Refusal

if TYPE_CHECKING:
    from symconv.codegen.runtime import _Ints


def _evaluate(function: _Function, values: tuple[object, ...]) -> Any:
    """The entry of every public function: ints, NumPy arrays and the arrays above; a refusal as one
    ValueError."""
    try:
        if any(_is_dask(value) for value in values):
            return _lazily(function, values)
        arrays = [_numpy(function.name, name, value) for (name, _), value in zip(function.parameters, values,
                                                                                  strict=True)]
        result = _computed(function, arrays)
        if any(_is_torch(value) for value in values):
            held = _held(function, _np.asarray(result), "a torch tensor", "give NumPy arrays")
            return _sys.modules["torch"].from_numpy(held)
        return result
    except _Refusal as refusal:
        raise ValueError(str(refusal)) from None


def _is_dask(value: object) -> bool:
    return type(value).__module__.startswith("dask.") and hasattr(value, "map_blocks")


def _is_torch(value: object) -> bool:
    return type(value).__module__.partition(".")[0] == "torch" and hasattr(value, "device")


def _numpy(function: str, name: str, value: Any) -> Any:
    """An array-like argument as a NumPy array; ints, NumPy scalars and arrays as they are, and anything
    else too, for the runtime to refuse."""
    if isinstance(value, int | _np.generic | _np.ndarray):
        return value
    if _is_torch(value):
        if value.device.type != "cpu":
            where = f"a torch tensor on {value.device}"
            raise TypeError(f"{function}(): {name} is {where}: move it to the CPU first")
        return _np.asarray(value.detach())
    if hasattr(value, "__array__"):
        return _np.asarray(value)
    if hasattr(value, "__dlpack__"):
        try:
            return _np.from_dlpack(value)
        except (BufferError, RuntimeError, TypeError, ValueError) as error:
            raise TypeError(f"{function}(): {name} cannot be read as a NumPy array ({error})") from None
    return value


def _computed(function: _Function, values: list[Any], workers: int | None = None) -> _Ints:
    """The runtime's evaluation, the configurations masked in any argument left out."""
    if not any(isinstance(value, _np.ma.MaskedArray) for value in values):
        return _compute(function, values, workers)
    shape = _np.broadcast_shapes(*(_np.shape(value) for value in values))
    mask = _np.zeros(shape, bool)
    for value in values:
        if isinstance(value, _np.ma.MaskedArray):
            mask |= _np.ma.getmaskarray(value)
    kept = _np.flatnonzero(~mask)
    parts = [
        _np.broadcast_to(_np.ma.getdata(value), shape).reshape(-1)[kept] if isinstance(value, _np.ndarray)
        else value
        for value in values
    ]
    try:
        result = _np.asarray(_compute(function, parts, workers))
    except _Refusal as refusal:
        moved = refusal.moved(lambda index: tuple(int(i) for i in _np.unravel_index(kept[index[0]], shape)))
        raise moved from None
    full = _np.zeros(shape, result.dtype)
    full.reshape(-1)[kept] = result
    return _np.ma.MaskedArray(full, mask=mask)


def _held(
    function: _Function, result: _np.ndarray, what: str, remedy: str, origin: tuple[int, ...] | None = None
) -> _np.ndarray:
    """``result`` as int64, for a container that holds int64 only; an exact value beyond int64 is refused in
    one sentence naming its index (moved by ``origin``, a block's place in the whole)."""
    if result.dtype != object:
        return result
    outside = _np.asarray((result > _INT64_MAX) | (result < -_INT64_MAX - 1), dtype=bool)
    if not outside.any():
        return result.astype(_np.int64)
    index = tuple(int(i) for i in _np.unravel_index(_np.flatnonzero(outside)[0], outside.shape))
    where = tuple(i + o for i, o in zip(index, origin, strict=True)) if origin is not None else index
    place = f" at index {where[0] if len(where) == 1 else where}" if where else ""
    raise OverflowError(
        f"{function.name}(): the exact value {result[index]}{place} does not fit in int64, all that {what} "
        f"holds; {remedy} for exact Python ints"
    )


def _lazily(function: _Function, values: tuple[object, ...]) -> Any:
    """A dask array of the results, one block per block of the arguments, each evaluated as a NumPy array."""
    given: list[Any]
    value: Any
    dask = _sys.modules["dask.array"]  # loaded: one of the values is a dask array
    given = []
    for (name, _), value in zip(function.parameters, values, strict=True):
        if not _is_dask(value):
            value = _numpy(function.name, name, value)
        if (_is_dask(value) or isinstance(value, _np.ndarray)) and value.dtype.kind not in "iuO":
            kind = f"an array of {value.dtype}"
            raise TypeError(f"{function.name}(): {name} must be an int or an integer array, not {kind}")
        if isinstance(value, _np.ndarray) and value.dtype.kind == "O":
            value = dask.asarray(value, chunks=value.shape or -1)  # dask cannot size objects' chunks itself
        elif _is_dask(value) or isinstance(value, _np.ndarray):
            value = dask.asarray(value)
        given.append(value)
    arrays = iter(dask.broadcast_arrays(*(value for value in given if _is_dask(value))))
    given = [next(arrays) if _is_dask(value) else value for value in given]
    dask_arrays = [value for value in given if _is_dask(value)]
    exact = any(value.dtype.kind == "O" for value in dask_arrays)
    dtype = _np.dtype(object) if exact else _np.dtype(_np.int64)
    meta = _np.empty((0,) * dask_arrays[0].ndim, dtype)
    return dask.map_blocks(_block, *given, dtype=dtype, meta=meta, evaluated=function, declared=dtype)


def _block(*parts: Any, evaluated: _Function, declared: _np.dtype, block_info: dict[Any, Any] | None = None) -> Any:
    """One block of a dask array of results, evaluated as a NumPy array; a refusal names its index in the
    whole."""
    origin = tuple(start for start, _ in block_info[None]["array-location"]) if block_info else None
    try:
        result = _np.asarray(_computed(evaluated, list(parts), 1))  # dask runs the blocks in parallel
    except _Refusal as refusal:
        if origin is not None:
            refusal = refusal.moved(lambda index: tuple(i + o for i, o in zip(index, origin, strict=True)))
        raise ValueError(str(refusal)) from None
    if declared.kind == "O":
        return result.astype(object)
    return _held(evaluated, result, "a dask array of int64", "give dask arrays of dtype object", origin)
