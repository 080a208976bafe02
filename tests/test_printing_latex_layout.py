"""symconv.printing.latex_layout: every LaTeX symconv generates or prints fits an article page: compiled by pdflatex,
no line is more than 5 pt too wide (no overfull ``\\hbox`` over 5 pt), and nothing is lost off the page.

Compiled: the generated documents (derivations/*.tex, the claims catalogue among them), ``symconv derive
--format latex`` of every variant at every ``--steps``, and ``symconv net --format latex`` of the built-in
networks, symbolic and with every symbol set. Skipped, with the reason, where pdflatex is not installed.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symconv import variants
from symconv.cli import main
from symconv.network.fileformat import builtin_names
from symconv.printing import latex

DERIVATIONS = Path(__file__).resolve().parent.parent / "derivations"
TOLERANCE_PT = 5.0
_OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)[^\n]*lines? (\d+)")
_REQUIRES = re.compile(r"^% requires \\usepackage\{([^}]*)\}", re.MULTILINE)

pytestmark = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex (TeX) is not installed")


def _printed(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return out.getvalue()


def _article(title: str, body: str) -> str:
    packages = [p.strip() for found in _REQUIRES.findall(body) for p in found.split(",")]
    return latex.document(title, [body], packages=list(dict.fromkeys(packages)))


def _sources() -> dict[str, str]:
    sources = {path.stem: path.read_text(encoding="utf-8") for path in sorted(DERIVATIONS.glob("*.tex"))}
    for steps in ("none", "brief", "full"):
        bodies = [_printed("derive", variant, "--format", "latex", "--steps", steps) for variant in variants.VARIANTS]
        sources[f"derive-{steps}"] = _article(f"derive --steps {steps}", "\n".join(bodies))
    for name in builtin_names():
        sources[f"net-{name}"] = _article(name, _printed("net", name, "--format", "latex"))
    sources["net-mobilenet_v1-set"] = _article("set", _printed("net", "mobilenet_v1", "--format", "latex",
                                                               "--set", "alpha=3/4", "--set", "rho=1"))
    return sources


@pytest.fixture(scope="module")
def overfull(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[float, int]]]:
    """Each compiled source's overfull boxes: (points too wide, line of the source)."""
    directory = tmp_path_factory.mktemp("latex")
    found: dict[str, list[tuple[float, int]]] = {}
    for name, source in _sources().items():
        (directory / f"{name}.tex").write_text(source, encoding="utf-8")
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                                cwd=directory, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{name}.tex does not compile:\n{result.stdout[-2000:]}"
        log = (directory / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        found[name] = [(float(points), int(line)) for points, line in _OVERFULL.findall(log)]
    return found


def test_every_latex_output_compiles_and_fits_the_page(overfull):
    too_wide = {name: boxes for name, boxes in overfull.items() if any(p > TOLERANCE_PT for p, _ in boxes)}
    assert not too_wide, "overfull boxes over 5 pt (points, line): " + "; ".join(
        f"{name}: {boxes}" for name, boxes in too_wide.items())


def test_the_generated_documents_were_compiled(overfull):
    assert {"standard", "claims", "padding-aware", "derive-full", "net-mobilenet_v1"} <= set(overfull)
