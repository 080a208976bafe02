r"""Claims about a layer: the count a claim is about, derived (never typed in), and the claim checked against it.

A claim is about one variant's count, the ratio of two variants' counts, or the sum of the counts of the
layers of a unit (:class:`Part`); :func:`check_count` reads the claimed formula in the names it is written
in, derives the count and hands both to :func:`~symconv.check.equivalence.equivalent`.

>>> derived_count("params", "pointwise", bias=False, values={"N": 1})[0]
C_in*C_out
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

import sympy

from symconv import variants
from symconv.backward import GRADS
from symconv.check.equivalence import equivalent
from symconv.check.grid import with_grid
from symconv.check.names import check_names, claim_from
from symconv.check.notations import notation as find_notation
from symconv.check.timing import DEFAULT_TIMEOUT, TimeUp, check_timeout, time_limit
from symconv.check.verdict import Verdict
from symconv.compare import compare, simplify_ratio
from symconv.derive import Derivation
from symconv.errors import SymconvError, UnknownSymbolError, must_be
from symconv.memory import traffic
from symconv.parsing import parse_formula, parse_text
from symconv.passes import derive_pass
from symconv.quantities import LAYER, MEMORY
from symconv.symbols import TABLE, new_symbol, sym

__all__ = ["CheckRequest", "Part", "Setting", "Value", "check_count", "claim_expr", "derived_count"]

#: A value or alias as the library takes it: an int, a formula in text syntax, or a SymPy expression.
Value: TypeAlias = int | str | sympy.Expr


@dataclass(frozen=True)
class CheckRequest:
    """What a check of a layer's count was asked, as the user gave it: the claimed ``formula``, the count
    (``quantity`` of ``variant``, or of ``variant / versus``) and its setting, the ``notation``, and the
    ``values`` (``NAME=VALUE``) and ``aliases`` (``ALIAS=EXPR``) assignments as written. Printers describe
    a verdict with it (:mod:`symconv.printing.check`)."""

    formula: str
    variant: str
    quantity: str
    versus: str | None = None
    convention: str = "exact"
    dims: int = 2
    bias: bool | None = None
    notation: str | None = None
    values: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """One layer of a composition: a variant and its own substitutions (``{"C_in": "c", "k_h": 3}``)."""

    variant: str
    values: Mapping[str, Value] = field(default_factory=dict)


def _expr(value: Value, what: str) -> sympy.Expr:
    if isinstance(value, str):
        return parse_text(value)
    if isinstance(value, bool) or not isinstance(value, int | sympy.Expr):
        raise SymconvError(f"{what} must be an int, a formula or a SymPy expression, not {value!r}")
    return sympy.Integer(value) if isinstance(value, int) else value


def _split_values(values: Mapping[str, Value]) -> tuple[dict[str, sympy.Expr], dict[sympy.Symbol, sympy.Expr]]:
    """Table names go into the layer; names of the user's own (``k``) are put in after deriving."""
    table: dict[str, sympy.Expr] = {}
    own: dict[sympy.Symbol, sympy.Expr] = {}
    for name, value in values.items():
        expr = _expr(value, f"the value of {name}")
        if name in ("C_in_g", "C_out_g"):
            raise UnknownSymbolError(f"{name} cannot be set: it follows from C_in, C_out and g")
        if name in TABLE:
            table[name] = expr
        else:
            own[new_symbol(name)] = expr
    return table, own


@dataclass(frozen=True)
class Setting:
    """What a count is counted in: the ``convention``, the ``bias`` setting, the ``pass_`` (forward, backward,
    training; :mod:`symconv.passes`) and the gradients ``grad`` a backward pass computes."""

    convention: str = "exact"
    bias: bool | None = None
    pass_: str = "forward"
    grad: tuple[str, ...] = GRADS


def _counted(setting: Setting, variant: str, dims: int, values: Mapping[str, sympy.Expr]) -> Derivation:
    return derive_pass(variants.make(variant, dims, values, setting.bias), setting.convention,
                       pass_=setting.pass_, grad=setting.grad)


def _count(derivation: Derivation, quantity: str, values: Mapping[str, sympy.Expr]) -> sympy.Expr:
    """A closed form of a derivation, or of its memory traffic (``bytes``, ``intensity``: the values given are put
    in, ``B`` among them)."""
    if quantity in LAYER:
        return derivation.quantities[quantity]
    subs = {sym(name): value for name, value in values.items()}
    return traffic(derivation).quantities[quantity].xreplace(subs)


def derived_count(quantity: str, variant: str | None = None, *, versus: str | None = None,
                  parts: tuple[Part, ...] = (), convention: str = "exact", bias: bool | None = None,
                  dims: int = 2, values: Mapping[str, Value] | None = None, setting: Setting | None = None,
                  versus_setting: Setting | None = None) -> tuple[sympy.Expr, list]:
    """The count a claim is about, and the derivations it came from (each with the values and bias setting
    its layer was made with).

    One variant's ``quantity``; or the ratio ``variant / versus``; or, with ``versus_setting``, the ratio of
    the variant's count in ``setting`` to the same layer's in ``versus_setting`` (a backward pass over the
    forward one); or, with ``parts``, the sum of the parts' derived counts (a unit built of several layers, each
    derived, none typed in). ``setting`` (the pass, the gradients) replaces ``convention`` and ``bias``.
    """
    if quantity not in (*LAYER, *MEMORY):
        raise SymconvError(f"unknown quantity {quantity!r} (known: {', '.join((*LAYER, *MEMORY))})")
    setting = setting or Setting(convention, bias)
    table, own = _split_values(values or {})
    if parts:
        derivations = []
        for part in parts:
            part_table, part_own = _split_values(part.values)
            if part_own:
                raise SymconvError(f"a part sets {', '.join(map(str, part_own))}: only symconv's names can be set "
                                   "in a part")
            layer_values = {**table, **part_table}
            derivations.append((_counted(setting, part.variant, dims, layer_values), layer_values, setting.bias))
        total = sympy.Add(*(_count(d, quantity, v) for d, v, _ in derivations))
        return sympy.factor_terms(total).xreplace(own), derivations
    if variant is None:
        raise SymconvError("a claim needs a variant, or parts")
    left = _counted(setting, variant, dims, table)
    if versus is None and versus_setting is None:
        return _count(left, quantity, table).xreplace(own), [(left, table, setting.bias)]
    if versus_setting is not None:
        right = _counted(versus_setting, variant, dims, table)
        ratio = simplify_ratio(_count(left, quantity, table) / _count(right, quantity, table))
        return ratio.xreplace(own), [(left, table, setting.bias), (right, table, versus_setting.bias)]
    assert versus is not None
    right = _counted(setting, versus, dims, table)
    if quantity in LAYER:
        ratio = compare(left, right, quantities=[quantity]).quantities[quantity]
    else:
        ratio = simplify_ratio(_count(left, quantity, table) / _count(right, quantity, table))
    return ratio.xreplace(own), [(left, table, setting.bias), (right, table, setting.bias)]


def claim_expr(formula: object, *, aliases: Mapping[str, Value] | None = None,
               notation: str | None = None, values: Mapping[str, Value] | None = None,
               syntax: str = "auto") -> sympy.Expr:
    """A claimed formula (:func:`symconv.check.names.claim_from`: text, LaTeX, a SymPy expression in any
    symbols, a number or a function) read with the aliases (a notation's, then ``aliases``), ``values`` put in."""
    must_be({} if values is None else values, Mapping, "values", "a mapping of names to values")
    merged = _aliases(aliases, notation)
    claimed = claim_from(formula, lambda text: parse_formula(text, syntax=syntax, aliases=merged))
    subs = {sym(name) if name in TABLE else new_symbol(name): _expr(value, f"the value of {name}")
            for name, value in (values or {}).items()}
    return claimed.xreplace(subs)


def _aliases(aliases: Mapping[str, Value] | None, notation: str | None) -> dict[str, sympy.Expr]:
    merged: dict[str, sympy.Expr] = {}
    must_be({} if aliases is None else aliases, Mapping, "aliases", "a mapping of names to values")
    if notation is not None:
        merged.update(find_notation(notation).alias_exprs())
    merged.update({name: _expr(value, f"alias {name}") for name, value in (aliases or {}).items()})
    return merged


def _layer_names(variant: str | None, versus: str | None, parts: tuple[Part, ...], dims: int,
                 values: Mapping[str, Value]) -> set[str]:
    """The symbols of the layers a claim is about (a name set to itself shows whether a layer reads it)."""
    names: set[str] = set()
    for v, own in [(variant, {}), (versus, {}), *((p.variant, p.values) for p in parts)]:
        if v is None:
            continue
        tried = {name: sym(name) for name in {**values, **own} if name in TABLE and not name.endswith("_g")}
        layer = variants.make(v, dims, tried)
        names |= {s.name for s in layer.free_symbols}
    if "g" in names:
        names |= {"C_in_g", "C_out_g"}
    return names


def _check_names(formula: object, variant: str | None, versus: str | None, parts: tuple[Part, ...], dims: int,
                 values: Mapping[str, Value], aliases: Mapping[str, Value] | None, notation: str | None,
                 syntax: str, free: Collection[str]) -> None:
    """Refuse a typo: a name of the formula or of ``values`` that nothing accounts for."""
    claimed = claim_expr(formula, aliases=aliases, notation=notation, syntax=syntax)
    given = [*values.values(), *_aliases(aliases, notation).values(), *(v for p in parts for v in p.values.values())]
    introduced = {s.name for value in given for s in _expr(value, "a value").free_symbols}
    if notation is not None:
        introduced |= set(find_notation(notation).values)
    check_names(claimed, _layer_names(variant, versus, parts, dims, values), values, introduced, free)


def check_count(formula: str | sympy.Expr, variant: str | None = None, quantity: str = "flops", *,
                versus: str | None = None, parts: tuple[Part, ...] = (), convention: str = "exact",
                bias: bool | None = None, dims: int = 2, values: Mapping[str, Value] | None = None,
                aliases: Mapping[str, Value] | None = None, notation: str | None = None, syntax: str = "auto",
                timeout: float = DEFAULT_TIMEOUT, grid: bool = False, free: Collection[str] = (),
                setting: Setting | None = None, versus_setting: Setting | None = None) -> Verdict:
    r"""Check a claimed count of a layer: ``formula`` against ``quantity`` of ``variant`` (or of ``parts``, or
    the ratio to ``versus``), in ``convention``, with ``values`` put in on both sides.

    ``notation`` names a built-in table of a paper's names (:data:`symconv.check.notations.NOTATIONS`), whose
    aliases and values apply first; ``aliases`` and ``values`` override them. With ``grid``, a claim that
    holds has the derived counts also proven against the direct count (:func:`symconv.verify.verify`).
    ``formula`` may also be a SymPy expression in the user's own symbols (read by name), a number, or a
    function called with symbols named by its parameters. A name of the formula or of ``values`` that is
    neither the layer's nor introduced by a value or an alias is refused as a typo, unless listed in ``free``.
    ``setting`` and ``versus_setting`` choose the pass (:func:`derived_count`).

    >>> v = check_count(r"D_K \cdot D_K \cdot M \cdot N \cdot D_F \cdot D_F", "standard", "macs",
    ...                 notation="mobilenet")
    >>> v.summary, v.derived
    ('holds', C_in*C_out*H_out**2*k**2)
    >>> check_count("2 k^2 H_out W_out C_in C_out", "standard", "flops", bias=False,
    ...             values={"k_h": "k", "k_w": "k", "N": 1}).summary
    'does not hold'
    """
    timeout = check_timeout(timeout)
    must_be({} if values is None else values, Mapping, "values", "a mapping of names to values")
    must_be(parts, tuple, "parts", "a tuple of Part")
    for name, given in (("setting", setting), ("versus_setting", versus_setting)):
        must_be(given, (Setting, type(None)), name, "a Setting (symconv.check) or None")
    for part in parts:
        must_be(part, Part, "each of parts", "a Part (symconv.check)")
    start = time.monotonic()
    claimed = sympy.nan
    try:
        with time_limit(timeout):
            _check_names(formula, variant, versus, parts, dims, values or {}, aliases, notation, syntax, free)
            merged_values: dict[str, Value] = {}
            if notation is not None:
                merged_values.update(find_notation(notation).values)
            merged_values.update(values or {})
            claimed = claim_expr(formula, aliases=aliases, notation=notation, values=merged_values, syntax=syntax)
            derived, derivations = derived_count(quantity, variant, versus=versus, parts=parts,
                                                 convention=convention, bias=bias, dims=dims, values=merged_values,
                                                 setting=setting, versus_setting=versus_setting)
            verdict = equivalent(claimed, derived, timeout=max(timeout - (time.monotonic() - start), 0.05))
            # The memory traffic is the sizes of the tensors a pass moves, read off its elements: no program
            # counts it, so only the counts of operations have a grid proof.
            if grid and verdict.status == "holds" and quantity in LAYER:
                verdict = with_grid(verdict, derivations, max(timeout - (time.monotonic() - start), 0.05))
    except TimeUp:
        return Verdict("undecided", claimed, sympy.nan, sympy.nan, notes=(
            f"not decided within the time bound ({timeout:g} s): the formula or the values given make the work "
            "too large",))
    return verdict


