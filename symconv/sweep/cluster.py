"""A sweep's chunks on dask: the threads of this process (dask's local scheduler), or the workers of a
dask.distributed cluster given by its scheduler's address.

Chunks run a window at a time (twice the workers, at least 4), so that memory stays bounded, and come back
in order: the same chunks, the same rows as in this process. The sweep is sent to the workers once; each
compiles the target's generated code itself (an evaluator pickles as what it is made of). dask is the
optional extra ``sweep``: ``pip install 'symconv[sweep]'``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from symconv.errors import SymconvError

__all__ = ["dask_map"]

R = TypeVar("R")


def dask_map(function: Callable[[Any, int], R], shared: Any, count: int, scheduler: str | None = None) -> Iterator[R]:
    """``function(shared, n)`` for ``n`` from 0 to ``count - 1``, in order, computed on dask: on the cluster
    whose scheduler is at ``scheduler`` (``tcp://host:8786``), else on this process's threads. ``shared`` (a
    sweep) is sent to each worker once."""
    if scheduler is None:
        try:
            import dask.threaded
        except ImportError:
            raise SymconvError("running a sweep on dask needs dask: pip install 'symconv[sweep]'") from None
        yield from _threads(dask.threaded.get, function, shared, count)
        return
    try:
        from distributed import Client
    except ImportError:
        raise SymconvError("running a sweep on a cluster needs dask.distributed: pip install 'symconv[sweep]'") \
            from None
    try:
        client = Client(scheduler, timeout=10, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise SymconvError(f"no dask scheduler answers at {scheduler}: {error}") from None
    with client:
        yield from _futures(client, function, shared, count)


def _window(workers: int) -> int:
    return max(4, 2 * workers)


def _threads(get: Any, function: Callable[[Any, int], R], shared: Any, count: int) -> Iterator[R]:
    import os

    # A graph of plain tasks: the shared sweep is one key every task reads, neither hashed nor traversed.
    window = _window(os.cpu_count() or 1)
    for first in range(0, count, window):
        keys = [("chunk", n) for n in range(first, min(first + window, count))]
        graph: dict[Any, Any] = {"sweep": shared, **{key: (function, "sweep", key[1]) for key in keys}}
        yield from get(graph, keys)


def _futures(client: Any, function: Callable[[Any, int], R], shared: Any, count: int) -> Iterator[R]:
    workers = max(1, sum(client.nthreads().values()))
    [sent] = client.scatter([shared], broadcast=True)
    pending: deque[Any] = deque()
    for number in range(count):
        pending.append(client.submit(function, sent, number, pure=False))
        if len(pending) >= _window(workers):
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
