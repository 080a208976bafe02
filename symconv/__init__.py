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


def load_ipython_extension(ip: object) -> None:
    """``%load_ext symconv``: network analyses and verification reports display themselves in the notebook
    (derivations, comparisons and verdicts always do)."""
    from symconv.printing.displays import register

    register(ip)


def _register_in_ipython() -> None:
    import sys

    if "IPython" in sys.modules:  # inside a notebook: register the displays without being asked
        from symconv.printing.displays import register

        register()


_register_in_ipython()

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
    "load_ipython_extension",
    "sym",
    "variants",
]
