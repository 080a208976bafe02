"""The notebook displays of network analyses and verification reports, registered with IPython's display
formatters (their classes know nothing of printing): Markdown tables and lines, LaTeX totals, a one-line
``repr`` (:mod:`symconv.printing.notebook`).

>>> register(object())  # not an IPython shell: nothing to register
False
"""

from __future__ import annotations

from typing import Any

from symconv.printing.network import render
from symconv.printing.notebook import bold_headings, latex, short_repr
from symconv.printing.verify import verification_text

__all__ = ["markdown", "register"]


def markdown(obj: Any) -> str:
    """A network analysis as its Markdown document (layers, counts by type, totals); a verification report as
    its lines, the first in bold."""
    if hasattr(obj, "network"):
        return bold_headings(render(obj, "markdown")) + "\n"
    lines = verification_text(obj).splitlines()
    return f"**{lines[0]}**\n\n" + "\n".join(f"- {line}" for line in lines[1:]) + "\n"


#: The classes IPython is told how to display: (module, class name, has LaTeX).
_REGISTERED = (("symconv.network.graph", "Analysis", True), ("symconv.verify.report", "Report", False))


def register(ip: Any = None) -> bool:
    """Register the displays of network analyses and verification reports with IPython's formatters (a no-op
    outside IPython); True when registered."""
    if ip is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        ip = get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return False
    formatters = ip.display_formatter.formatters
    for module, name, has_latex in _REGISTERED:
        formatters["text/markdown"].for_type_by_name(module, name, markdown)
        formatters["text/plain"].for_type_by_name(module, name, lambda obj, p, cycle: p.text(short_repr(obj)))
        if has_latex:
            formatters["text/latex"].for_type_by_name(module, name, latex)
    return True
