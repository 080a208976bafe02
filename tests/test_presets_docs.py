"""docs/presets.md is real: each ``$ symconv ...`` session prints what it shows (``...`` elides; spacing is not
compared), and the built-in DCGAN generator is counted as the same model built with torch.nn (whose every
preset the tools confirm in tests/test_presets_tools.py)."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

from symconv.cli import main
from symconv.network import builtin
from symconv.presets import PRESETS, compare

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "presets.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n\$ (symconv [^\n]*)\n(.*?)```", PAGE, flags=re.S)


def test_the_page_has_the_tables_of_a_resnet_and_a_transposed_network():
    commands = [command for command, _ in BLOCKS]
    assert any("resnet" in c and "--tools" in c for c in commands)
    assert any("dcgan_generator" in c and "--tools" in c for c in commands)


@pytest.mark.parametrize(("command", "expected"), BLOCKS, ids=[c for c, _ in BLOCKS])
def test_console_example(capsys, command, expected):
    assert main(shlex.split(command)[1:]) == 0
    out = capsys.readouterr().out
    checker = doctest.OutputChecker()
    assert checker.check_output(expected, out, doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE), out[:4000]


def test_the_page_names_every_preset_and_its_known_errors():
    for preset in PRESETS.values():
        assert f"`{preset.name}`" in PAGE
        for error in preset.errors:
            assert error.name in PAGE or error.says.split(":")[0].split(",")[0][:30] in PAGE, (preset.name, error.name)


def test_the_built_in_dcgan_generator_is_the_torch_model():
    torch = pytest.importorskip("torch")  # noqa: F841
    from preset_layers import dcgan_generator

    from symconv.torch import convert

    traced = compare(convert(dcgan_generator(), "1x100x1x1").network)
    built = compare(builtin("dcgan_generator"))
    assert [t.total for t in traced.counts] == [t.total for t in built.counts]
