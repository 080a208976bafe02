"""Build steps of the documentation site (mkdocs.yml names this file under ``hooks``).

At build time, never at reading time, the site gets:

* the tutorial page, from docs/tutorial.ipynb executed by nbclient, its rich outputs (Markdown, LaTeX, images)
  kept as the notebook shows them;
* the generated documents of derivations/ as pages;
* the plots, drawn with matplotlib from exact counts;
* KaTeX's script, style and fonts, copied from the npm package (``npm install --no-save katex``) so that the
  built site renders its math with nothing fetched from the web.

:class:`DoctestFences` (a griffe extension, named in mkdocs.yml) sets the docstrings' doctests as code and
their Sphinx roles (``:func:`name```) as code spans.
"""

from __future__ import annotations

import base64
import re
import tempfile
from pathlib import Path
from typing import Any

import griffe
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent
KATEX = ROOT / "node_modules" / "katex" / "dist"
_KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")


_ROLE = re.compile(r":(?:mod|func|class|meth|attr|data|exc|obj):`~?([^`]+)`")


def fence_doctests(text: str) -> str:
    """Docstring text with each run of doctest lines (``>>>``, ``...`` and the output up to a blank line) fenced
    as ``pycon`` code, so that Markdown shows it as the session it is."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        stripped = line.lstrip()
        if not inside and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
            inside = True
        elif inside and not stripped:
            out.append(f"{indent}```")
            inside = False
        out.append(line)
    if inside:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctests of every docstring the API reference shows."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(r"`\1`", fence_doctests(obj.docstring.value))


def _tutorial(notebook: Path, images: Path) -> str:
    """The notebook executed, as Markdown: its prose, its code, and each output in its richest form."""
    import nbformat
    from nbclient import NotebookClient

    book = nbformat.read(notebook, as_version=4)
    NotebookClient(book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    parts: list[str] = []
    for cell in book.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        parts.append(f"```python\n{cell.source}\n```")
        for output in cell.outputs:
            parts.append(_output(output, images, len(parts)))
    return "\n\n".join(part for part in parts if part) + "\n"


def _output(output: Any, images: Path, number: int) -> str:
    if output.output_type == "stream":
        return f"```text\n{output.text.rstrip()}\n```"
    if output.output_type == "error":
        raise PluginError(f"the tutorial notebook fails: {output.ename}: {output.evalue}")
    data = output.get("data", {})
    if "image/png" in data:
        name = f"tutorial-{number}.png"
        (images / name).write_bytes(base64.b64decode(data["image/png"]))
        return f"![output](plots/{name})"
    if "text/markdown" in data:
        return data["text/markdown"]
    if "text/latex" in data:
        return data["text/latex"]
    return f"```text\n{data.get('text/plain', '').rstrip()}\n```"


def _plot_mobilenet(path: Path) -> None:
    import sympy

    from symconv.network import analyse, builtin
    from symconv.network.plot import plot

    analysis = analyse(builtin("mobilenet_v1"), {}, "macs")
    alphas = [sympy.Rational(i, 8) for i in range(2, 9)]
    plot(analysis, path, "macs", ("alpha", alphas), ("rho", [sympy.Rational(i, 7) for i in (7, 6, 5, 4)]))


def _plot_separable(path: Path) -> None:
    """The derived ratio of multiplications, separable over standard, against the output channels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from symconv import compare, derive, variants
    from symconv.symbols import new_symbol, sym

    k = new_symbol("k")
    same = {"k_h": k, "k_w": k}
    ratio = compare(derive(variants.separable(2, {**same, "m": 1})), derive(variants.standard(2, same))).quantities
    figure, axes = plt.subplots(figsize=(6, 4))
    channels = [2**i for i in range(3, 11)]
    for size in (1, 3, 5, 7):
        values = [float(ratio["mults"].xreplace({k: size, sym("C_out"): c})) for c in channels]
        axes.plot(channels, values, marker="o", label=f"k = {size}")
    axes.set_xscale("log", base=2)
    axes.set_xlabel("output channels C_out")
    axes.set_ylabel("multiplications, separable / standard")
    axes.set_title("1/C_out + 1/k², derived", fontsize=9)
    axes.legend()
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})
    plt.close(figure)


_PLOTS = {"mobilenet_v1.svg": _plot_mobilenet, "separable_ratio.svg": _plot_separable}


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages, the plots and KaTeX to the site's files."""
    if not (KATEX / "katex.min.js").is_file():
        raise PluginError("the site renders its math with KaTeX from the npm package: npm install --no-save katex")
    build = Path(tempfile.mkdtemp(prefix="symconv-site-"))
    for name, draw in _PLOTS.items():
        draw(build / name)
        files.append(File.generated(config, f"plots/{name}", abs_src_path=str(build / name)))
    files.append(File.generated(config, "tutorial.md", content=_tutorial(ROOT / "docs" / "tutorial.ipynb", build)))
    for image in sorted(build.glob("tutorial-*.png")):
        files.append(File.generated(config, f"plots/{image.name}", abs_src_path=str(image)))
    for document in sorted((ROOT / "derivations").glob("*.md")):
        files.append(File.generated(config, f"derivations/{document.name}", content=document.read_text("utf-8")))
    vendored = [*_KATEX_FILES, *(f"fonts/{font.name}" for font in sorted((KATEX / "fonts").glob("*.woff2")))]
    for name in vendored:
        files.append(File.generated(config, f"assets/katex/{name}", abs_src_path=str(KATEX / name)))
    return files
