"""What a sweep evaluates: anything with the counts' names, the symbols it takes and a call that computes
every count at arrays of settings (:class:`Evaluator`), such as a layer variant's generated functions.

>>> from symconv import derive, variants
>>> layer = LayerEvaluator.of(derive(variants.pointwise(1, {"N": 1, "L_out": 10}, bias=False)))
>>> layer.symbols, layer.totals
(('C_in', 'C_out'), ('params', 'mults', 'adds', 'flops', 'macs'))
>>> layer(C_in=np.array([2, 4]), C_out=3)["flops"]
array([ 90, 210])

An evaluator pickles as what it is made of, not as compiled code: a worker of a cluster compiles its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from symconv import quantities
from symconv.codegen import NumericFunction, compile_functions, functions_for
from symconv.derive import Derivation
from symconv.errors import SymconvError

if TYPE_CHECKING:
    from symconv.network.graph import Network

__all__ = ["Evaluator", "Family", "LayerEvaluator", "NetworkEvaluator", "network_code_available"]


@runtime_checkable
class Evaluator(Protocol):
    """The counts of a target at arrays of settings.

    ``symbols`` are the keyword arguments, ``totals`` the names of the counts; a call broadcasts its
    arguments like NumPy and returns every count exactly (int64 arrays, or object arrays of Python ints where
    a count exceeds int64). An integer symbol takes integer arrays, a rational one floats, each read as the
    nearest rational the target allows. A setting that is not a valid target raises a ValueError (a
    :class:`~symconv.errors.SymconvError`, or the generated code's own, whose ``index`` names it).
    """

    @property
    def symbols(self) -> tuple[str, ...]: ...

    @property
    def totals(self) -> tuple[str, ...]: ...

    def __call__(self, **settings: Any) -> dict[str, np.ndarray]: ...


class LayerEvaluator:
    """A layer's counts (:data:`symconv.quantities.LAYER`) through the functions symconv.codegen generates
    from its closed forms; every symbol is an integer."""

    def __init__(self, functions: Sequence[NumericFunction]) -> None:
        self._functions = tuple(functions)
        self._compiled = compile_functions(self._functions)
        symbols: dict[str, None] = {}
        for function in self._functions:
            symbols.update(dict.fromkeys(function.parameters))
        self.symbols = tuple(symbols)
        self.totals = tuple(function.name for function in self._functions)

    @classmethod
    def of(cls, derivation: Derivation) -> LayerEvaluator:
        """The counts of a derivation, as ``symconv codegen`` generates them."""
        return cls([f for f in functions_for(derivation) if f.name in quantities.LAYER])

    def __reduce__(self) -> tuple[Any, ...]:
        return (LayerEvaluator, (self._functions,))

    def __call__(self, **settings: Any) -> dict[str, np.ndarray]:
        for name, value in settings.items():
            if np.asarray(value).dtype.kind == "f":
                raise SymconvError(f"{name} is an integer; it cannot take fractions")
        return {function.name: self._compiled[function.name](**{p: settings[p] for p in function.parameters})
                for function in self._functions}


def network_code_available() -> bool:
    """Whether this symconv generates a network's code (:mod:`symconv.codegen.network`)."""
    try:
        from symconv.codegen import network  # noqa: F401
    except ImportError:
        return False
    return True


class NetworkEvaluator:
    """A network's totals through its generated module (:func:`symconv.codegen.network.network_functions`):
    its rational symbols (``alpha``, ``rho``) taken as floats, each read as the nearest rational with the
    network's own denominator."""

    def __init__(self, network: Network) -> None:
        try:
            from symconv.codegen.network import network_functions
        except ImportError:
            raise SymconvError("sweeping a network needs its generated code (symconv.codegen.network), which "
                               "this version of symconv does not have") from None
        self.network = network
        self._functions = network_functions(network)
        self.symbols = tuple(self._functions.symbols)
        self.totals = tuple(self._functions.totals)

    def __reduce__(self) -> tuple[Any, ...]:
        return (NetworkEvaluator, (self.network,))

    def __call__(self, **settings: Any) -> dict[str, np.ndarray]:
        return dict(self._functions(**settings))


class Family:
    """Targets that differ in one integer that is no symbol of theirs (a network file per kernel size, say),
    as one evaluator whose symbol ``name`` picks the member: each point goes to the member of its value.

    >>> from symconv import derive, variants
    >>> member = {k: LayerEvaluator.of(derive(variants.pointwise(1, {"N": 1, "L_out": k}, bias=False)))
    ...           for k in (2, 3)}
    >>> family = Family("L", member)
    >>> family.symbols, family(L=np.array([2, 3, 2]), C_in=np.array([1, 1, 5]), C_out=1)["macs"]
    (('L', 'C_in', 'C_out'), array([ 2,  3, 10]))
    """

    def __init__(self, name: str, members: Mapping[int, Evaluator]) -> None:
        if not members:
            raise SymconvError(f"a family over {name} needs at least one member")
        self.name = name
        self.members = dict(members)
        first = next(iter(self.members.values()))
        symbols: dict[str, None] = {}
        for member in self.members.values():
            if member.totals != first.totals:
                raise SymconvError(f"the members of a family over {name} count different totals")
            symbols.update(dict.fromkeys(member.symbols))
        if name in symbols:
            raise SymconvError(f"{name} is a symbol of the members; a family is over a value they do not have")
        self.symbols = (name, *symbols)
        self.totals = first.totals

    def __call__(self, **settings: Any) -> dict[str, np.ndarray]:
        picked = np.asarray(settings.pop(self.name))
        arrays = {k: np.asarray(v) for k, v in settings.items()}
        shape = np.broadcast_shapes(picked.shape, *(a.shape for a in arrays.values()))
        picked = np.broadcast_to(picked, shape)
        unknown = sorted(set(np.unique(picked).tolist()) - set(self.members))
        if unknown:
            raise SymconvError(f"{self.name} = {unknown[0]} is not a member of the family "
                               f"({', '.join(map(str, self.members))})")
        results: dict[str, np.ndarray] = {}
        for value, member in self.members.items():
            where = picked == value
            if not where.any():
                continue
            part = member(**{k: np.broadcast_to(a, shape)[where] if a.ndim else a for k, a in arrays.items()
                             if k in member.symbols})
            for total in self.totals:
                values = np.broadcast_to(np.asarray(part[total]), (int(where.sum()),))
                if total not in results or (values.dtype == object and results[total].dtype != object):
                    old = results.get(total)
                    results[total] = np.zeros(shape, dtype=values.dtype if old is None else object)
                    if old is not None:
                        results[total][...] = old
                results[total][where] = values
        return results
