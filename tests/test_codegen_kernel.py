"""symconv.codegen.kernel: the int64 kernel works in place, one ufunc call per operation."""

from __future__ import annotations

from test_codegen_module import FLOPS, TITLE

from symconv.codegen import generate_module


def test_the_standard_flops_kernel_works_in_place():
    # Written as given, N*C_out*H_out*W_out*(2*C_in*k_h*k_w + b - 1) takes 9 in-place ufunc calls and no
    # temporary array; the constant 2 is applied once the product is formed.
    source = generate_module([FLOPS], title=TITLE)
    kernel = source[source.index("def _flops_int64") : source.index("_flops_spec =")].strip()
    assert kernel.splitlines()[1:] == [
        "    _np.multiply(C_in, k_h, out=_out)",
        "    _np.multiply(_out, k_w, out=_out)",
        "    _np.multiply(_out, 2, out=_out)",
        "    _np.add(_out, b, out=_out)",
        "    _np.subtract(_out, 1, out=_out)",
        "    _np.multiply(_out, N, out=_out)",
        "    _np.multiply(_out, C_out, out=_out)",
        "    _np.multiply(_out, H_out, out=_out)",
        "    _np.multiply(_out, W_out, out=_out)",
    ]
    assert "flops = N*C_out*H_out*W_out*(2*C_in*k_h*k_w + b - 1)" in source
