"""symconv.guideline: ShuffleNetV2's guideline G1 (equal channel widths minimize the memory access cost at fixed
FLOPs) with its certificate, a square."""

from __future__ import annotations

import sympy

from symconv.guideline import certificate
from symconv.symbols import new_symbol


def test_g1_is_certified_by_a_square():
    g1 = certificate()
    assert g1.holds and g1.equality == sympy.Eq(new_symbol("c_2"), new_symbol("c_1"))
    assert sympy.expand(g1.mac - g1.bound - g1.excess) == 0
    # At equal widths the cost meets the bound; at fixed FLOPs F = h w c1 c2, unequal widths cost more.
    h, w, c1, c2 = (new_symbol(n) for n in ("h", "w", "c_1", "c_2"))
    at = {h: 8, w: 8}
    equal, unequal = {**at, c1: 4, c2: 4}, {**at, c1: 2, c2: 8}
    assert g1.flops.xreplace(equal) == g1.flops.xreplace(unequal)
    assert g1.mac.xreplace(equal) == g1.bound.xreplace(equal) < g1.mac.xreplace(unequal)
