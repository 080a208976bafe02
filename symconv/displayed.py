"""What makes a result display itself in a notebook: a one-line ``repr`` and Markdown and LaTeX views, each
printed by :mod:`symconv.printing.notebook` (imported when asked, so that a result never imports printers it
does not show). Network analyses and verification reports take the one-line ``repr`` alone (:class:`Summarised`):
IPython is told how to display them (:mod:`symconv.printing.displays`).

>>> from symconv import derive, variants
>>> derive(variants.pointwise(1, bias=False))
<Derivation pointwise 1-D, exact convention: flops = N·L_out·C_out·(2C_in − 1)>
"""

from __future__ import annotations

__all__ = ["Displayed", "Summarised"]


class Summarised:
    """A base for results whose ``repr`` is one line (what the result is and its headline figure), not a dump of
    its fields; a dataclass using it sets ``repr=False``."""

    __slots__ = ()

    def __repr__(self) -> str:
        from symconv.printing.notebook import short_repr

        return short_repr(self)


class Displayed(Summarised):
    """A base for results (derivations, comparisons, verdicts) with a one-line ``repr`` and notebook views."""

    __slots__ = ()

    def _repr_latex_(self) -> str:
        from symconv.printing.notebook import latex

        return latex(self)

    def _repr_markdown_(self) -> str:
        from symconv.printing.notebook import markdown

        return markdown(self)
