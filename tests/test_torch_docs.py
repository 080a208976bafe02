"""The console sessions of docs/torch.md and the README's symconv torch example print what they show (``...``
elides; spacing is not compared): each block is marked ``# needs torch`` and runs where torch is installed."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

pytest.importorskip("torch")

from symconv.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = {name: (ROOT / name).read_text(encoding="utf-8") for name in ("docs/torch.md", "README.md")}
BLOCKS = [(page, *block) for page, text in PAGES.items()
          for block in re.findall(r"```console\n# needs torch\n\$ (symconv [^\n]*)\n(.*?)```", text, flags=re.S)]


def test_the_docs_and_the_readme_show_symconv_torch():
    assert {page for page, _, _ in BLOCKS} == set(PAGES)


@pytest.mark.parametrize(("page", "command", "expected"), BLOCKS, ids=[f"{p}: {c}" for p, c, _ in BLOCKS])
def test_console_example(capsys, monkeypatch, page, command, expected):
    monkeypatch.chdir(ROOT)
    assert main(shlex.split(command)[1:]) == 0
    out = capsys.readouterr().out
    checker = doctest.OutputChecker()
    assert checker.check_output(expected, out, doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE), out[:3000]
