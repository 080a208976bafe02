"""symconv.printing.notebook: every rich object displays (Markdown, LaTeX that KaTeX renders, a short repr), and the
tutorial notebook docs/tutorial.ipynb runs and renders.

The tutorial is executed once per session (nbclient, skipped without nbclient and ipykernel); its LaTeX and the
LaTeX of every rich object are rendered with KaTeX under node (skipped without node or the npm package katex:
``npm install --no-save katex``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy

from symconv import compare, derive, variants
from symconv.check import equivalent
from symconv.network.fileformat import builtin
from symconv.network.graph import count
from symconv.printing import displays, notebook
from symconv.symbols import sym
from symconv.verify import verify_layer

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.ipynb"
RENDER = Path(__file__).resolve().parent / "katex_render.js"
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE = re.compile(r"(?<!\$)\$([^$\n]+)\$(?!\$)")


def _katex_available() -> bool:
    if shutil.which("node") is None:
        return False
    found = subprocess.run(["node", "-e", "require.resolve('katex', {paths: [process.cwd()]})"], cwd=ROOT,
                           capture_output=True, timeout=60)
    return found.returncode == 0


@pytest.fixture(scope="module")
def katex():  # type: ignore[no-untyped-def]
    """``katex(texts)``: KaTeX's error for each LaTeX string (None where it rendered)."""
    if not _katex_available():
        pytest.skip("node and the npm package katex are needed (npm install --no-save katex)")

    def render(texts: list[str]) -> list[str | None]:
        result = subprocess.run(["node", str(RENDER)], cwd=ROOT, input=json.dumps(texts), capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return render


def _math(text: str) -> list[str]:
    """The math of a Markdown or LaTeX display: its ``$$ ... $$`` blocks and ``$ ... $`` pieces."""
    return [m.strip() for m in _DISPLAY.findall(text)] + _INLINE.findall(_DISPLAY.sub("", text))


def _rich_objects() -> dict[str, object]:
    objects: dict[str, object] = {}
    for variant in variants.VARIANTS:
        objects[variant] = derive(variants.make(variant, 2))
    objects["comparison"] = compare(derive(variants.separable(2, {"m": 1})), derive(variants.standard(2)))
    objects["difference"] = compare(derive(variants.separable(2)), derive(variants.standard(2)), kind="difference")
    objects["verdict"] = equivalent(sym("C_in") * sym("C_out"), sym("C_out") * (sym("C_in") + sym("b")))
    objects["mobilenet_v1"] = count(builtin("mobilenet_v1"), {"alpha": 1, "rho": 1})
    objects["symbolic"] = count(builtin("mobilenet_v1"))
    return objects


@pytest.fixture(scope="module")
def rich() -> dict[str, object]:
    return _rich_objects()


def test_every_rich_object_renders_in_katex(rich, katex):
    texts, where = [], []
    for name, obj in rich.items():
        for steps in ("brief", "full") if hasattr(obj, "steps") else ("brief",):
            shown_markdown = displays.markdown(obj) if hasattr(obj, "network") else notebook.markdown(obj, steps=steps)
            for shown in (notebook.latex(obj, steps=steps), shown_markdown):
                for math in _math(shown):
                    texts.append(math)
                    where.append(f"{name} ({steps})")
    errors = [(w, e) for w, e in zip(where, katex(texts), strict=True) if e is not None]
    assert not errors, errors[:5]
    assert len(texts) > 200


def test_rich_latex_has_no_environment_katex_lacks(rich):
    for obj in rich.values():
        shown = notebook.latex(obj)
        assert r"\intertext" not in shown and r"\begin{align*}" not in shown and r"\usepackage" not in shown


def test_repr_is_one_short_line(rich):
    for obj in rich.values():
        text = notebook.short_repr(obj)
        assert "\n" not in text and len(text) <= 160
    d = rich["standard"]
    assert str(d) == repr(d) == notebook.short_repr(d)
    assert repr(rich["verdict"]).startswith("<Verdict holds exactly when b = 0")


def test_derivations_comparisons_and_verdicts_display_themselves(rich):
    for name in ("standard", "comparison", "verdict"):
        obj = rich[name]
        assert obj._repr_markdown_() == notebook.markdown(obj)  # type: ignore[attr-defined]
        assert obj._repr_latex_() == notebook.latex(obj)  # type: ignore[attr-defined]


def test_reports_display_as_markdown():
    report = verify_layer(variants.pointwise(1), samples=2)
    assert displays.markdown(report).startswith("**Pointwise convolution, 1-D")
    assert notebook.short_repr(report) == "<Report pointwise 1-D: VERIFIED>"


def test_register_is_a_no_op_outside_ipython():
    class Shell:  # no display_formatter: not an IPython shell
        pass

    assert displays.register(Shell()) is False


@pytest.fixture(scope="module")
def executed():  # type: ignore[no-untyped-def]
    """The tutorial notebook, executed once."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    book = nbformat.read(TUTORIAL, as_version=4)
    nbclient.NotebookClient(book, timeout=300, kernel_name="python3", resources={"metadata": {"path": ROOT}}).execute()
    return book


def _outputs(book) -> list[dict]:  # type: ignore[no-untyped-def]
    return [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]


def test_the_tutorial_runs_and_every_result_displays_richly(executed):
    results = [o for o in _outputs(executed) if o.output_type == "execute_result"]
    assert not [o for o in _outputs(executed) if o.output_type == "error"]
    rich_results = [o for o in results if "text/markdown" in o.data]
    assert len(rich_results) >= 5  # derivation, comparison, verdict, network analysis, report
    assert all(len(o.data["text/plain"]) <= 160 for o in rich_results)


def test_the_tutorial_latex_renders_in_katex(executed, katex):
    texts = []
    for output in _outputs(executed):
        for kind in ("text/latex", "text/markdown"):
            texts += _math(output.get("data", {}).get(kind, ""))
    assert len(texts) >= 10
    errors = [(t[:80], e) for t, e in zip(texts, katex(texts), strict=True) if e is not None]
    assert not errors, errors[:5]


def test_sympy_results_in_the_tutorial_are_latex_too(executed):
    plain = [o for o in _outputs(executed) if o.output_type == "execute_result" and "text/markdown" not in o.data]
    assert plain and all("text/latex" in o.data for o in plain)
    assert sympy.__version__
