"""The README's examples are real: each ``$ symconv ...`` block prints what it shows (``...`` elides)."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

from symconv.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n\$ (symconv [^\n]*)\n(.*?)```", README, flags=re.S)


def test_the_readme_has_examples_of_every_command():
    commands = {shlex.split(command)[1] for command, _ in BLOCKS}
    assert commands >= {"derive", "verify", "codegen"}


@pytest.mark.parametrize(("command", "expected"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_readme_example(capsys, command, expected):
    assert main(shlex.split(command)[1:]) == 0
    out = capsys.readouterr().out
    checker = doctest.OutputChecker()
    assert checker.check_output(expected, out, doctest.ELLIPSIS), out[:3000]


QUICK_START = re.findall(r"```console\n(pip install [^\n]*)\n```", README)


def test_quick_start_has_exactly_the_two_commands():
    assert QUICK_START == [
        "pip install . && symconv compare separable standard --set k_h=k --set k_w=k --set m=1",
        "pip install '.[test]' && python -m pytest",
    ]
    assert main(shlex.split(QUICK_START[0].split("&& ")[1])[1:]) == 0
