"""The documentation site builds strictly (mkdocs.yml) and renders its math in a real browser.

Built once per session with ``mkdocs build --strict`` (skipped without the ``docs`` extra or the npm package
katex); then headless Chromium (Debian's ``chromium``; skipped without it) opens pages served on loopback and
the test reads the rendered DOM: KaTeX typeset the formulas, and no raw ``$$`` or ``\\frac`` is left in the
page text outside code.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KATEX = ROOT / "node_modules" / "katex" / "dist" / "katex.min.js"
PAGES = ("", "tutorial/", "derivations/standard/", "derivations/separable-vs-standard/", "derivations/claims/",
         "plots/", "api/")
#: Chromium as a test runs it: headless, as root, and without the background connections a closed network refuses.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=10000")


def _needs(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is needed: pip install '.[docs]'")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once."""
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "pymdownx", "nbclient", "ipykernel"):
        _needs(module)
    if not KATEX.is_file():
        pytest.skip("the npm package katex is needed: npm install --no-save katex")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_the_site_has_every_page_and_serves_katex_itself(site):
    for page in PAGES:
        assert (site / page / "index.html").is_file(), page
    assert (site / "assets" / "katex" / "katex.min.js").is_file()
    assert list((site / "assets" / "katex" / "fonts").glob("*.woff2"))
    assert list((site / "plots").glob("*.svg"))
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert 'src="http' not in text and "cdn.jsdelivr" not in text and "fonts.googleapis" not in text, html


class _PageText(HTMLParser):
    """The text of a page outside code, scripts and typeset math, and how many formulas KaTeX typeset."""

    _SKIPPED = frozenset({"pre", "code", "script", "style", "svg"})
    _VOID = frozenset({"br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area", "base", "embed"})

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.formulas = 0
        self._stack: list[bool] = []  # per open element: whether it hides its text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        if "katex" in classes:
            self.formulas += 1
        self._stack.append(tag in self._SKIPPED or "katex" in classes or (bool(self._stack) and self._stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1]):
            self.text.append(data)


@pytest.fixture(scope="module")
def served(site) -> Iterator[str]:  # type: ignore[no-untyped-def]
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _rendered(url: str) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is needed: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("page", [p for p in PAGES if p != "api/"])
def test_formulas_render_in_a_real_browser(served, page):
    parser = _PageText()
    parser.feed(_rendered(served + page))
    text = "".join(parser.text)
    raw = [tex for tex in ("$$", r"\frac", r"\mathrm", r"\begin{aligned}", r"\[") if tex in text]
    assert not raw, f"{page}: raw LaTeX {raw} left in the page"
    if page != "plots/":
        assert parser.formulas > 0, f"{page}: no formula typeset"
