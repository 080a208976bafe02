"""symconv: derive, print and verify the parameter and FLOP counts of convolution layers symbolically.

>>> import symconv
>>> d = symconv.derive(symconv.variants.standard(2, bias=False))
>>> d.quantities["params"]
C_in*C_out*k_h*k_w
"""

from symconv import variants
from symconv.compare import Comparison, compare
from symconv.conventions import Convention
from symconv.derive import Derivation, derive
from symconv.errors import FormulaError, SpecError, SymconvError, UnknownSymbolError, UnknownVariantError
from symconv.spec import Conv
from symconv.symbols import sym

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "Conv",
    "Convention",
    "Derivation",
    "FormulaError",
    "SpecError",
    "SymconvError",
    "UnknownSymbolError",
    "UnknownVariantError",
    "__version__",
    "compare",
    "derive",
    "sym",
    "variants",
]
