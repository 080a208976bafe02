"""ShuffleNetV2's guideline G1 (Ma et al. 2018, section 3): equal channel widths minimize the memory access
cost, derived from the compulsory traffic of a 1×1 convolution (:mod:`symconv.memory`), with a certificate
SymPy checks.

A 1×1 convolution from ``c1`` to ``c2`` channels on an ``h × w`` map (batch 1, no bias, stride 1, one byte
per element) reads ``h w c1`` inputs and ``c1 c2`` weights and writes ``h w c2`` outputs: its traffic is
ShuffleNetV2's memory access cost ``MAC = h w (c1 + c2) + c1 c2``, and its FLOPs, as the paper counts them
(multiply-accumulates), ``F = h w c1 c2``. The paper states ``MAC >= 2 sqrt(h w F) + F / (h w)``; the
certificate is the excess written as a square,

    MAC - (2 sqrt(h w F) + F / (h w)) = h w (sqrt(c1) - sqrt(c2))^2,

an identity SymPy checks once ``F`` is put in. A square times ``h w > 0`` is never negative and is zero
exactly when ``c1 = c2``: for fixed FLOPs (and map) the bound, which depends on ``F`` and ``h w`` alone, is
the least MAC, reached at equal widths.

>>> g1 = certificate()
>>> g1.mac, g1.holds, g1.equality
(c_1*c_2 + c_1*h*w + c_2*h*w, True, Eq(c_2, c_1))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv import variants
from symconv.derive import derive
from symconv.memory import traffic
from symconv.quantities import named
from symconv.steps import Step
from symconv.symbols import new_symbol

__all__ = ["Certificate", "certificate"]


@dataclass(frozen=True)
class Certificate:
    """G1 derived: the traffic (``mac``) and FLOPs (``flops``) of the 1×1 convolution, the paper's bound at
    those FLOPs, the excess as a square, whether SymPy finds ``mac - bound - excess`` zero (``holds``), the
    condition under which the excess vanishes, and the steps."""

    title: str
    subtitle: str
    mac: sympy.Expr
    flops: sympy.Expr
    bound: sympy.Expr
    excess: sympy.Expr
    holds: bool
    equality: sympy.Rel
    steps: tuple[Step, ...]

    @property
    def quantities(self) -> dict[str, sympy.Expr]:
        """The closed forms a printer puts first: the traffic, the bound and the excess over it."""
        return {"mac": self.mac, "bound": self.bound, "excess": self.excess}


def certificate() -> Certificate:
    """ShuffleNetV2's G1 for a 1×1 convolution, derived and checked."""
    h, w, c1, c2, f = (new_symbol(name) for name in ("h", "w", "c_1", "c_2", "F"))
    layer = variants.pointwise(2, {"N": 1, "C_in": c1, "C_out": c2, "H_in": h, "W_in": w, "H_out": h, "W_out": w,
                                   "s_h": 1, "s_w": 1}, bias=False)
    derivation = derive(layer, "macs")
    mac = sympy.expand(traffic(derivation, 1).quantities["bytes"])
    flops = derivation.quantities["macs"]
    stated = 2 * sympy.sqrt(h * w * f) + f / (h * w)
    bound = sympy.expand(stated.xreplace({f: flops}))
    excess = h * w * (sympy.sqrt(c1) - sympy.sqrt(c2)) ** 2
    holds = sympy.expand(mac - bound - excess) == 0
    (root,) = sympy.solve(sympy.Eq(excess, 0), c2)
    equality = sympy.Eq(c2, root)
    gap = sympy.Add(named("bytes"), -sympy.Symbol("bound"), evaluate=False)
    steps = (
        Step("the layer", named("bytes"), (mac,),
             "A 1×1 convolution from c_1 to c_2 channels on an h × w map, batch 1, no bias, one byte per element: "
             "its compulsory traffic is ShuffleNetV2's memory access cost"),
        Step("the layer", named("macs"), (flops,), "Its FLOPs as the paper counts them, the multiply-accumulates: F"),
        Step("the bound", sympy.Symbol("bound"), (stated, bound),
             "The paper's lower bound on the cost at F FLOPs, put in at F = h w c_1 c_2"),
        Step("the certificate", gap, (sympy.expand(mac - bound), excess),
             "The excess of the cost over the bound, written as a square times h w; SymPy expands the difference "
             "of the two to 0" if holds else "The excess does not match the square"),
        Step("equality", equality.lhs, (equality.rhs,),
             "A square is never negative and vanishes exactly when sqrt(c_1) = sqrt(c_2): at fixed FLOPs the cost "
             "is at its least, the bound, when the widths are equal (G1)"),
    )
    return Certificate("ShuffleNetV2's guideline G1", "Equal channel width minimizes memory access cost (Ma et al. "
                       "2018, section 3), derived from the compulsory traffic of a 1×1 convolution", mac, flops,
                       bound, excess, holds, equality, steps)
