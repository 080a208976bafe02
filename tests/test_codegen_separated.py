"""The separated form of a network's totals (symconv.codegen.separated): on a grid of settings, each axis of
its own, it equals the total term by term; a network's module takes it only where its bound proves int64
exact, and gives what its specs give everywhere."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.codegen.module import compiled
from symconv.codegen.network import network_source
from symconv.codegen.separated import separated
from symconv.network import builtin, load

SETTINGS = ("a", "b", "c")
VALUES = [sympy.Symbol(f"x{i}", integer=True, positive=True) for i in range(5)]


def _compiled(form) -> tuple:
    body = textwrap.indent("\n".join(form.lines), "    ")
    bound = textwrap.indent("\n".join(form.bound), "    ")
    source = ("import numpy as _np\nfrom symconv.codegen.settings import _summed\n\n"
              f"def compute({', '.join(form.parameters)}):\n{body}\n\n"
              f"def bound({', '.join(form.parameters)}):\n{bound}\n")
    namespace = compiled(source)
    return namespace["compute"], namespace["bound"]


terms = st.lists(st.tuples(st.integers(-5, 9), st.lists(st.integers(0, 3), min_size=5, max_size=5)), min_size=1,
                 max_size=8)
deps = st.lists(st.sets(st.sampled_from(SETTINGS), min_size=1, max_size=2), min_size=5, max_size=5)


@settings(max_examples=150, deadline=None)
@given(terms, deps, st.lists(st.integers(1, 4), min_size=3, max_size=3), st.integers(0, 2**32))
def test_the_separated_form_is_the_polynomial_on_a_grid(polynomial, dependencies, sizes, seed):
    expr = sum((c * sympy.Mul(*(v**e for v, e in zip(VALUES, powers, strict=True))) for c, powers in polynomial),
               sympy.Integer(0))
    depends = {v: frozenset(d) for v, d in zip(VALUES, dependencies, strict=True)}
    form = separated("total", expr, depends, SETTINGS)
    if not form.parameters:
        assert form.lines == (f"return {int(expr)}",)
        return
    compute, bound = _compiled(form)
    rng = np.random.default_rng(seed)
    arrays = {}
    for v in VALUES:
        shape = [sizes[i] if s in depends[v] else 1 for i, s in enumerate(SETTINGS)]
        arrays[v.name] = rng.integers(1, 25, shape)
    values = [arrays[name] for name in form.parameters]
    exact = sympy.lambdify([sympy.Symbol(n, integer=True, positive=True) for n in form.parameters], expr)(
        *(a.astype(object) for a in values))
    # the bound, at the largest values, bounds every value's magnitude; below 2**63 the int64 form is exact
    top = bound(*(int(a.max()) for a in values))
    assert all(abs(int(x)) <= top for x in np.asarray(exact, dtype=object).ravel())
    if top <= 2**63 - 1:
        got = np.asarray(compute(*values))
        shape = np.broadcast_shapes(*(a.shape for a in values))
        assert got.dtype == np.int64 or got.ndim == 0
        assert (np.broadcast_to(got, shape).tolist()
                == np.broadcast_to(np.asarray(exact, dtype=object), shape).tolist())


def test_the_parameters_are_the_values_read():
    x0, x1 = VALUES[:2]
    with pytest.raises(ValueError, match="not the values the total reads"):
        separated("total", x0 * x1, {x0: frozenset("a"), x1: frozenset("b")}, SETTINGS, ("x0",))
    form = separated("total", x0 * x1 + 1, {x0: frozenset("a"), x1: frozenset("b")}, SETTINGS, ("x1", "x0"))
    assert form.parameters == ("x1", "x0")


_NAMESPACES: dict[str, dict] = {}


def _namespace(name: str) -> dict:
    if name not in _NAMESPACES:
        network = load(name) if name.endswith(".toml") else builtin(name)
        _NAMESPACES[name] = compiled(network_source(network))
    return _NAMESPACES[name]


def _grids(name: str) -> dict[str, list[int]]:
    """Numerators of each setting that make real networks (the denominators are the module's)."""
    return {"resnet50": {"alpha": [2, 4, 6, 8, 12], "rho": [4, 5, 6, 7, 14]},
            "mobilenet_v1": {"alpha": [8, 9, 16, 24, 31, 32, 64], "rho": [4, 5, 6, 7]},
            "mobilenet_v2": {"alpha": [2, 3, 4, 5, 6, 9], "rho": [4, 5, 7]}}[name]


@pytest.mark.parametrize("name", ["resnet50", "mobilenet_v1", "mobilenet_v2"])
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_a_module_on_a_grid_gives_what_its_specs_give(name, data):
    namespace = _namespace(name)
    grids = _grids(name)
    chosen = {s: data.draw(st.lists(st.sampled_from(v), min_size=1, max_size=4, unique=True)) for s, v in grids.items()}
    names = [s for s, _ in namespace["_SETTINGS"]]
    denominators = dict(namespace["_SETTINGS"])
    values = tuple(np.array(chosen[s], dtype=np.float64).reshape([-1 if i == j else 1 for j in range(len(names))])
                   / denominators[s] for i, s in enumerate(names))
    fast = namespace["_network"]("totals", namespace["_SPECS"], namespace["_layers"], namespace["_SETTINGS"], values,
                                 namespace["_SEPARATED"])
    slow = namespace["_network"]("totals", namespace["_SPECS"], namespace["_layers"], namespace["_SETTINGS"], values)
    for total in slow:
        assert fast[total].dtype == slow[total].dtype and fast[total].tolist() == slow[total].tolist(), total


def _found(namespace: dict, values: tuple) -> dict:
    numerators = [namespace["_numerator"]("t", n, d, v) for (n, d), v in zip(namespace["_SETTINGS"], values,
                                                                              strict=True)]
    return namespace["_layers"](*numerators)


def test_the_separated_form_is_taken_on_a_grid_only():
    namespace = _namespace("mobilenet_v1")
    spec = next(s for s in namespace["_SPECS"] if s.name == "mults")
    form = namespace["_SEPARATED"]["mults"]
    grid = _found(namespace, (np.array([[0.5], [1.0]]), np.array([[4 / 7, 1.0]])))
    flat = _found(namespace, (np.array([0.5, 1.0]), np.array([4 / 7, 1.0])))
    scalars = _found(namespace, (1, 1))
    assert namespace["_separately"](form, spec, grid) is not None
    assert namespace["_separately"](form, spec, flat) is None  # no grid: the spec's kernel is faster
    assert namespace["_separately"](form, spec, scalars) is None  # Python ints: the spec's exact path


def test_beyond_int64_the_specs_compute_exactly():
    namespace = _namespace("mobilenet_v1")
    # channels of 2**29 and more: the mults' bound passes 2**63, the separated form is not taken
    values = (np.array([[2.0**19], [2.0**18]]), np.array([[4 / 7, 1.0]]))
    spec = next(s for s in namespace["_SPECS"] if s.name == "mults")
    assert namespace["_separately"](namespace["_SEPARATED"]["mults"], spec, _found(namespace, values)) is None
    got = namespace["_network"]("totals", namespace["_SPECS"], namespace["_layers"], namespace["_SETTINGS"], values,
                                namespace["_SEPARATED"])
    for i, alpha in enumerate((2**19, 2**18)):
        for j, rho in enumerate((4 / 7, 1.0)):
            one = namespace["_network"]("totals", namespace["_SPECS"], namespace["_layers"], namespace["_SETTINGS"],
                                        (float(alpha), rho))
            assert all(int(got[t][i, j]) == int(one[t]) for t in one)
    assert got["mults"].dtype == object and max(got["mults"].ravel()) > 2**63


def test_a_refusal_on_a_grid_names_the_setting(tmp_path):
    text = """
[network]
name = "shrinking"
input = { channels = 3, size = ["H", "W"] }

[symbols]
alpha = "width multiplier"
H = { meaning = "input height", integer = true }
W = { meaning = "input width", integer = true }

[[layer]]
type = "conv"
out = "8*alpha"
kernel = 5
"""
    path = tmp_path / "shrinking.toml"
    path.write_text(text, encoding="utf-8")
    namespace = compiled(network_source(load(path)))
    values = (np.array([[[1.0]], [[0.5]]]), np.arange(6, 2, -1).reshape(1, -1, 1), np.array([[[9]]]))
    with pytest.raises(ValueError, match=r"height is 0, not at least 1, at alpha = 1, H = 4, W = 9 at index"):
        namespace["_totals"](*values)
