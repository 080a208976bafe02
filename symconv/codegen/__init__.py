"""Generate standalone numeric Python functions from closed forms: exact on ints, fast and safe on arrays.

A closed form is an integer polynomial in the layer's sizes, possibly with ``floor(a/b)`` (output sizes) and
with "defined" symbols such as ``C_in_g = C_in/g`` that must divide exactly. :func:`generate_module` prints
a module whose only dependency is NumPy; :func:`compile_functions` runs it and hands back the functions.

>>> from symconv.symbols import sym
>>> N, C_in, C_out, H_out, W_out, k_h, k_w, b = map(sym, "N C_in C_out H_out W_out k_h k_w b".split())
>>> flops = NumericFunction("flops", N*C_out*H_out*W_out*(2*C_in*k_h*k_w + b - 1), "exact FLOPs")
>>> flops.parameters
('N', 'C_in', 'C_out', 'H_out', 'W_out', 'k_h', 'k_w', 'b')
>>> f = compile_functions([flops])["flops"]

236027904 = 64*112*112 * (2*3*7*7 + 1 - 1), as a Python int; arrays give int64 arrays.

>>> f(N=1, C_in=3, C_out=64, H_out=112, W_out=112, k_h=7, k_w=7, b=1)
236027904
>>> import numpy as np
>>> f(N=np.array([1, 2]), C_in=3, C_out=64, H_out=112, W_out=112, k_h=7, k_w=7, b=1)
array([236027904, 472055808])

How a generated function evaluates a closed form on arrays, and why it never wraps around:

* It works in blocks of 2**16 elements (of whole rows, for n-d results), so that a block of each argument
  and of the result stay in cache together. The kernel reads each block from memory; then one read-only
  reduction over each block, in cache, finds its largest value; seen as uint64, a negative int64 is at
  least 2**63, so the same reduction finds negative values.
* A bound on ``|result|`` follows from those largest values by reading the closed form with every minus as
  a plus (``|a*b| <= |a|*|b|``, ``|a + b| <= |a| + |b|``, ``|floor(a/b)| <= |a|`` for an integer
  ``b != 0``). int64 ``+``, ``-`` and ``*`` are exact modulo 2**64, so when the bound is below 2**63 the
  int64 result is exact even if some partial product wrapped; a floor division or exact division is not
  exact modulo 2**64, so its dividend and divisor are bounded too.
* While every bound fits, the block runs in int64, in place in the output array: one ufunc call per
  operation, no temporary array per operation, numeric coefficients last. Once a bound does not fit, the
  whole closed form runs on object arrays of Python ints instead and that exact object array is returned.
  Large results are computed by one thread per processor, each taking its own blocks.
* Every configuration must be a layer (:mod:`~symconv.codegen.conditions`): each requirement, an
  expression at least 0, is checked by one reduction where the kernel computes it, and each quotient by the
  remainder of the division the kernel makes anyway; the first configuration that fails is named.

The stages, one module each, in the order a closed form goes through them:

* :mod:`~symconv.codegen.tree`: the small tree of integer operations, its walks and its text;
* :mod:`~symconv.codegen.convert`: SymPy -> tree, refusing anything that is not integer arithmetic;
* :mod:`~symconv.codegen.conditions`: :class:`Requirement` and the conditions a function checks, in the form
  cheapest to check;
* :mod:`~symconv.codegen.plan`: :class:`NumericFunction` and what one function needs: its arguments and
  definitions, the cheapest equal form, the bounds on the magnitudes;
* :mod:`~symconv.codegen.kernel`: the in-place int64 kernel (one ufunc call per operation) and the exact one;
* :mod:`~symconv.codegen.layout`: lines laid out black's way;
* :mod:`~symconv.codegen.functions` and :mod:`~symconv.codegen.module`: the text of each function and of the
  module; :func:`compile_functions`;
* :mod:`~symconv.codegen.runtime` and :mod:`~symconv.codegen.adapters`: the helpers every generated module
  needs (for ints and NumPy arrays; for dask, torch, masked arrays and other array-likes), modules of their
  own, which :mod:`~symconv.codegen.embed` copies into each generated module;
* :mod:`~symconv.codegen.derivation`: the functions and the module of a derivation, and the requirements its
  layer's specs give.
"""

from symconv.codegen.derivation import functions_for, module_for
from symconv.codegen.module import compile_functions, generate_module
from symconv.codegen.plan import Definition, NumericFunction, Requirement

__all__ = [
    "Definition",
    "NumericFunction",
    "Requirement",
    "compile_functions",
    "functions_for",
    "generate_module",
    "module_for",
]
