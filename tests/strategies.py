"""Hypothesis strategies, all of them: layers, axes and data that are valid by construction, and the expressions
the parsers, the checker and the code generator are tried on.

A strategy here builds only valid input (a kernel that fits its padded input, channels divisible by the
groups, an output padding below the stride); invalid input is tested separately, as tables of bad input inside
``pytest.raises``.
"""

from __future__ import annotations

import builtins
import keyword
from dataclasses import dataclass

import numpy as np
import sympy
from hypothesis import strategies as st

from symconv import variants
from symconv.direct import output_size, transposed_output_size
from symconv.errors import SpecError
from symconv.symbols import TABLE, axes, new_symbol, sym
from symconv.variants import Layer

# --- layers of a variant --------------------------------------------------------------------------------------


@st.composite
def numeric_layers(draw: st.DrawFn, variant: str | None = None, dims: int | None = None,
                   max_size: int = 5) -> tuple[str, int, dict[str, int], Layer]:
    """A fully numeric layer of a variant: every symbol set, the input size chosen so the kernel fits."""
    variant = variant or draw(st.sampled_from(sorted(variants.VARIANTS)))
    dims = dims or draw(st.integers(1, 3))
    g = draw(st.integers(1, 3))
    values: dict[str, int] = {
        "N": draw(st.integers(1, 2)),
        "g": g,
        "C_in": g * draw(st.integers(1, 3)),
        "C_out": g * draw(st.integers(1, 3)),
        "m": draw(st.integers(1, 3)),
        "b": draw(st.integers(0, 1)),
    }
    for a in axes(dims):
        k, s, d = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        p = draw(st.integers(0, 2))
        span = d * (k - 1) + 1
        values |= {f"k_{a}": k, f"s_{a}": s, f"p_{a}": p, f"d_{a}": d}
        if variant == "transposed":
            op = draw(st.integers(0, max(s, d) - 1))
            values[f"op_{a}"] = op
            # The output (A_in - 1) s + span + op - 2p must be at least 1.
            least = max(1, -((span + op - 2 * p - 1) // s) + 1)
            values[f"{a.upper()}_in"] = draw(st.integers(least, least + max_size - 1))
            continue
        values[f"{a.upper()}_in"] = draw(st.integers(max(1, span - 2 * p), span - 2 * p + max_size))
    layer = variants.make(variant, dims, values)
    return variant, dims, values, layer


@st.composite
def transposed_cases(draw: st.DrawFn, dims: int | None = None):
    """The values of a transposed convolution (1-D or 2-D) whose output, cropped by the padding, is not empty."""
    dims = dims or draw(st.integers(1, 2))
    g = draw(st.integers(1, 2))
    values = {"N": draw(st.integers(1, 2)), "g": g, "C_in": g * draw(st.integers(1, 2)),
              "C_out": g * draw(st.integers(1, 2)), "b": draw(st.integers(0, 1))}
    for a in ("l",) if dims == 1 else ("h", "w"):
        k, s, d = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        p, op = draw(st.integers(0, 3)), draw(st.integers(0, max(s, d) - 1))
        span = d * (k - 1) + 1
        least = max(1, -((span + op - 2 * p - 1) // s) + 1)
        values |= {f"k_{a}": k, f"s_{a}": s, f"d_{a}": d, f"p_{a}": p, f"op_{a}": op,
                   f"{a.upper()}_in": draw(st.integers(least, least + 3))}
    return dims, values


@st.composite
def padded_cases(draw: st.DrawFn, dims: int | None = None, variant: str = "grouped"):
    """The values of a forward layer of ``variant`` with much padding and dilation: many taps read only zeros."""
    dims = dims or draw(st.integers(1, 2))
    g = draw(st.integers(1, 2))
    values = {"N": 1, "g": g, "C_in": g * draw(st.integers(1, 2)), "C_out": g * draw(st.integers(1, 2)),
              "m": draw(st.integers(1, 2)), "b": draw(st.integers(0, 1))}
    for a in ("l",) if dims == 1 else ("h", "w"):
        k, s, d, p = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(0, 4))
        span = d * (k - 1) + 1
        values |= {f"k_{a}": k, f"s_{a}": s, f"d_{a}": d, f"p_{a}": p,
                   f"{a.upper()}_in": draw(st.integers(max(1, span - 2 * p), max(1, span - 2 * p) + 5))}
    return dims, values, variant


@st.composite
def padding_mode_cases(draw: st.DrawFn):
    """A 3-D layer in a padding mode, ``(mode, kernel, dilation, extra, stride)``: each input size is the dilated
    kernel's span plus ``extra``, so that every mode fits, and ``same`` has stride 1 (PyTorch's rule)."""
    mode = draw(st.sampled_from(["valid", "same", "full"]))
    kernel = draw(st.lists(st.integers(1, 4), min_size=3, max_size=3))
    dilation = draw(st.lists(st.integers(1, 3), min_size=3, max_size=3))
    extra = draw(st.lists(st.integers(1, 2), min_size=3, max_size=3))
    stride = draw(st.integers(1, 2))
    return mode, kernel, dilation, extra, 1 if mode == "same" else stride


# --- one axis ---------------------------------------------------------------------------------------------------


@st.composite
def forward_axes(draw: st.DrawFn, max_size: int = 12, max_kernel: int = 5, max_stride: int = 4,
                 max_padding: int = 4, max_dilation: int = 3) -> tuple[int, int, int, int, int]:
    """One axis of a forward convolution, ``(size, k, s, p, d)``: the dilated kernel fits the padded input."""
    k, s = draw(st.integers(1, max_kernel)), draw(st.integers(1, max_stride))
    p, d = draw(st.integers(0, max_padding)), draw(st.integers(1, max_dilation))
    least = max(1, d * (k - 1) + 1 - 2 * p)
    return draw(st.integers(least, max(least, max_size))), k, s, p, d


@st.composite
def unit_stride_transposed_axes(draw: st.DrawFn, max_size: int = 10, max_kernel: int = 5,
                                max_padding: int = 4) -> tuple[int, int, int]:
    """One axis of a transposed convolution of stride and dilation 1, ``(size, k, p)``, in the regime
    ``p <= k - 1``, ``size >= p`` whose output ``size + k - 1 - 2p`` is not empty."""
    k = draw(st.integers(1, max_kernel))
    p = draw(st.integers(0, min(max_padding, k - 1)))
    least = max(1, p, 2 * p - k + 2)
    return draw(st.integers(least, max(least, max_size))), k, p


# --- data for the direct count ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conv:
    """A valid convolution with concrete integer data, as drawn by :func:`convs`."""

    x: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int

    @property
    def kwargs(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation, groups=self.groups)


@st.composite
def convs(draw: st.DrawFn, dims: int | None = None, floats: bool = False) -> Conv:
    """Only valid layers, small enough that the scalar loops stay fast (3-D gets smaller sizes)."""
    dims = draw(st.integers(1, 3)) if dims is None else dims
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    max_k, max_extra = (2, 2) if dims == 3 else (3, 4)
    kernel = tuple(draw(st.integers(1, max_k)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    size = tuple(
        max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, max_extra))
        for k, d, p in zip(kernel, dilation, padding, strict=True)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if floats:
        x = rng.standard_normal((n, c_in, *size))
        weight = rng.standard_normal((c_out, c_in // groups, *kernel))
        bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    else:
        x = rng.integers(-9, 10, (n, c_in, *size))
        weight = rng.integers(-9, 10, (c_out, c_in // groups, *kernel))
        bias = rng.integers(-9, 10, c_out) if draw(st.booleans()) else None
    return Conv(x, weight, bias, stride, padding, dilation, groups)


# --- expressions ------------------------------------------------------------------------------------------------

N, C_in, C_out, H_out, W_out, b, g = (sym(n) for n in ("N", "C_in", "C_out", "H_out", "W_out", "b", "g"))
k = new_symbol("k")

#: The symbols of a count that a claim is written in.
VARIABLES = [C_in, C_out, H_out, W_out, b, g, k]


def count_monomials() -> st.SearchStrategy[sympy.Expr]:
    """A nonzero integer times a product of powers (at most 2) of :data:`VARIABLES`."""
    powers = st.lists(st.integers(0, 2), min_size=len(VARIABLES), max_size=len(VARIABLES))
    return st.tuples(st.integers(-5, 5).filter(bool), powers).map(
        lambda pair: pair[0] * sympy.Mul(*(v**e for v, e in zip(VARIABLES, pair[1], strict=True))))


def count_polynomials() -> st.SearchStrategy[sympy.Expr]:
    """A sum of one to five :func:`count_monomials`."""
    return st.lists(count_monomials(), min_size=1, max_size=5).map(lambda terms: sympy.Add(*terms))


#: The symbols of the closed forms that :func:`closed_form_polynomials` draws.
POOL = [N, C_in, k, b]


@st.composite
def closed_form_polynomials(draw):
    """A random integer polynomial in a few of N, C_in, k and the flag b, sometimes inside a floor."""
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        term = sympy.Integer(draw(st.integers(-6, 6).filter(bool)))
        for symbol in draw(st.lists(st.sampled_from(POOL), max_size=3, unique=True)):
            term *= symbol ** draw(st.integers(1, 1 if symbol == b else 3))
        terms.append(term)
    expr = sympy.Add(*terms)
    if draw(st.booleans()):
        expr = sympy.floor(expr / draw(st.sampled_from([2, 3, C_in, k + 1])))
    return expr


@st.composite
def positive_products(draw: st.DrawFn) -> sympy.Expr:
    """A random closed form with positive coefficients: a sum of products of N, C_in and k, times the flag b
    sometimes, minus a constant sometimes."""
    terms = []
    for _ in range(draw(st.integers(1, 3))):
        term = sympy.Integer(draw(st.integers(1, 4)))
        for symbol in draw(st.lists(st.sampled_from([N, C_in, k, b]), min_size=1, max_size=3, unique=True)):
            term *= symbol ** draw(st.integers(1, 1 if symbol == b else 2))
        terms.append(term)
    return sympy.Add(*terms) - draw(st.integers(0, 2))


def identifiers() -> st.SearchStrategy[str]:
    """Python names of 1 to 200 characters that are no keyword, builtin or name of the symbol table."""
    return st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,199}", fullmatch=True).filter(
        lambda name: not keyword.iskeyword(name) and name not in dir(builtins) and name not in TABLE
    )


def junk_arguments() -> st.SearchStrategy[object]:
    """What a generated function may be called with by mistake: huge and negative ints, floats, strings, bytes,
    bools, lists, NumPy scalars, object, int64, uint64 and masked arrays."""
    return st.one_of(
        st.integers(-(2**70), 2**70),
        st.integers(-3, 12),
        st.sampled_from([None, 1.5, "3", b"3", True, [3], np.float64(2), np.int8(-1), np.uint64(2**64 - 1)]),
        st.lists(st.integers(-2, 2**63), min_size=0, max_size=4).map(lambda items: np.array(items, dtype=object)),
        st.lists(st.integers(-2, 20), min_size=1, max_size=4).map(np.array),
        st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=3).map(lambda items: np.array(items, dtype=np.uint64)),
        st.just(np.ma.array([3, 4], mask=[True, False])),
    )


def argument_values(name: str):
    """Values a generated function takes for the argument ``name``: 0 or 1 for the flag, else small and huge."""
    if name == "b":
        return st.integers(0, 1)
    return st.one_of(st.integers(1, 20), st.integers(1, 2**40))


#: The names a formula is written in: the table's and a few user-introduced ones.
SYMBOLS = [sym(name) for name in TABLE] + [new_symbol(name) for name in ("k", "x", "alpha", "rho", "lamda")]


def formulas() -> st.SearchStrategy[sympy.Expr]:
    """Sums, products and integer powers of :data:`SYMBOLS` and small integers that both parsers can read back."""
    leaves = st.one_of(st.sampled_from(SYMBOLS), st.integers(-12, 12).map(sympy.Integer))

    def extend(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
        return st.one_of(
            st.lists(children, min_size=2, max_size=4).map(lambda terms: sympy.Add(*terms)),
            st.lists(children, min_size=2, max_size=4).map(lambda factors: sympy.Mul(*factors)),
            st.tuples(children, st.integers(-3, 3)).map(lambda pair: sympy.Pow(*pair)),
        )

    return st.recursive(leaves, extend, max_leaves=10).filter(_printable)


def _printable(expr: sympy.Expr) -> bool:
    """Finite, of degree at most 64, with numbers well within the parser's limits."""
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    numbers = [abs(n.p) + n.q for n in expr.atoms(sympy.Rational)]
    return _degree(expr) <= 64 and max(numbers, default=0) < 10**20


def _degree(expr: sympy.Expr) -> sympy.Rational:
    if isinstance(expr, sympy.Pow):
        return abs(expr.exp) * _degree(expr.base)
    return max((_degree(arg) for arg in expr.args), default=sympy.Integer(1))


# --- backward passes --------------------------------------------------------------------------------------------

#: The gradients a backward pass can be asked for: every non-empty choice.
GRAD_CHOICES = (("input",), ("weight",), ("bias",), ("input", "weight"), ("input", "bias"), ("weight", "bias"),
                ("input", "weight", "bias"))


@st.composite
def numeric_passes(draw: st.DrawFn, variant: str | None = None, dims: int | None = None,
                   max_size: int = 4) -> tuple[str, int, dict[str, int], Layer, str, tuple[str, ...]]:
    """A fully numeric layer (:func:`numeric_layers`), a pass other than the forward one, and the gradients its
    backward pass computes."""
    name, dims_, values, layer = draw(numeric_layers(variant, dims, max_size))
    chosen = draw(st.sampled_from(("backward", "training")))
    grads = draw(st.sampled_from(GRAD_CHOICES))
    return name, dims_, values, layer, chosen, grads


@st.composite
def symbolic_geometry(draw: st.DrawFn, variant: str | None = None) -> tuple[str, int, dict[str, int]]:
    """A variant and a dimensionality with some of its geometry fixed (padding 0, stride 1, dilation 1, or
    none of them), the rest symbolic: the settings in which some backward counts are polynomials."""
    variant = variant or draw(st.sampled_from(sorted(variants.VARIANTS)))
    dims = draw(st.integers(1, 2))
    fixed: dict[str, int] = {}
    for a in axes(dims):
        if draw(st.booleans()) and variant != "pointwise":
            fixed[f"p_{a}"] = 0
            if draw(st.booleans()):
                fixed |= {f"s_{a}": 1, f"d_{a}": 1}
    return variant, dims, fixed


@st.composite
def numeric_stages(draw: st.DrawFn, transposed: bool) -> dict:  # type: ignore[type-arg]
    """A small numeric stage (transposed or not) with random integer data for the direct counters: ``x``,
    ``w``, ``dy`` (None when the padding crops the whole output), ``bias`` (or None), the keyword ``options``
    of the counters and ``dims``."""
    dims = draw(st.integers(1, 3))
    g = draw(st.integers(1, 3))
    n, cin, cout = draw(st.integers(1, 2)), g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    s = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    p = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    d = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    options = {"stride": s, "padding": p, "dilation": d, "groups": g}
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if transposed:
        op = tuple(draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d, strict=True))
        size = tuple(draw(st.integers(max(1, pi // si + 1), 4)) for pi, si in zip(p, s, strict=True))
        try:
            out = tuple(transposed_output_size(*a) for a in zip(size, k, s, p, d, op, strict=True))
        except SpecError:
            out = ()
        options["output_padding"] = op
        w = rng.integers(-3, 4, (cin, cout // g, *k))
    else:
        size = tuple(draw(st.integers(max(1, di * (ki - 1) + 1 - 2 * pi), max(1, di * (ki - 1) + 1 - 2 * pi) + 3))
                     for ki, di, pi in zip(k, d, p, strict=True))
        out = tuple(output_size(*a) for a in zip(size, k, s, p, d, strict=True))
        w = rng.integers(-3, 4, (cout, cin // g, *k))
    bias = rng.integers(-3, 4, cout) if draw(st.booleans()) else None
    return {"x": rng.integers(-3, 4, (n, cin, *size)), "w": w, "dy": rng.integers(-3, 4, (n, cout, *out)) if out
            else None, "bias": bias, "options": options, "dims": dims}
