"""symconv.printing.latex: a derivation as one align* block of nested sums. The LaTeX symconv writes is well
formed: balanced groups and environments, prose escaped, ASCII only; and, where a TeX installation is on the
machine, every generated document compiles."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symconv import variants
from symconv.derive import derive
from symconv.printing import latex, render


def test_element_is_printed_as_nested_sums():
    latex = render(derive(variants.standard(2)), "latex")
    assert r"\sum_{c=0}^{C_{\mathrm{in}} - 1} \sum_{i=0}^{k_{h} - 1} \sum_{j=0}^{k_{w} - 1}" in latex
    assert r"{x}_{n,c,s_{h} u + d_{h} i - p_{h},s_{w} v + d_{w} j - p_{w}}" in latex
    assert latex.count(r"\begin{align*}") == latex.count(r"\end{align*}") and latex.rstrip().endswith(r"\end{align*}")
    assert r"\intertext" not in latex


# --- well-formed LaTeX, in the rendered blocks and the generated documents ----------------------------------


DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"
TEX_FILES = sorted(DERIVATIONS.glob("*.tex"))


def _check(text: str) -> None:
    assert text.isascii()
    body = re.sub(r"\\[{}%$&#_]", "", text)  # escaped characters are not groups
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("%"))
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    assert re.findall(r"\\begin\{([^}]*)\}", body) == re.findall(r"\\end\{([^}]*)\}", body)[::-1] or \
        sorted(re.findall(r"\\begin\{([^}]*)\}", body)) == sorted(re.findall(r"\\end\{([^}]*)\}", body))
    for intertext in re.findall(r"\\intertext\{(.*)\}", body):
        assert "_" not in re.sub(r"\$[^$]*\$", "", intertext)


@pytest.mark.parametrize("path", TEX_FILES, ids=lambda p: p.name)
def test_generated_documents_are_well_formed(path):
    _check(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
@pytest.mark.parametrize("dims", [1, 3])
def test_rendered_blocks_are_well_formed(variant, dims):
    _check(latex.render(derive(variants.make(variant, dims))))


def test_documents_compile_where_tex_is_installed(tmp_path):
    assert TEX_FILES
    if shutil.which("pdflatex") is None:
        # The structural checks above still ran; compiling needs a TeX installation.
        pytest.skip("pdflatex is not installed: the generated documents were checked, not compiled")
    for path in TEX_FILES:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout[-2000:]
