"""The golden-file helper of these tests (tests/golden.py): byte for byte, recorded only when asked."""

from __future__ import annotations

import pytest
from golden import Golden, command_file


def test_golden_compares_byte_for_byte_and_records_only_when_asked(tmp_path):
    check, record = Golden(tmp_path), Golden(tmp_path, update=True)
    with pytest.raises(AssertionError, match=r"golden file a/b\.txt is missing: run pytest --update-golden"):
        check("a/b.txt", "one\n")
    assert record("a/b.txt", "one\n") == tmp_path / "a" / "b.txt"
    assert (tmp_path / "a" / "b.txt").read_bytes() == b"one\n"
    assert check("a/b.txt", "one\n") == tmp_path / "a" / "b.txt"
    with pytest.raises(AssertionError, match=r"(?s)differs.*-one\n\+two"):
        check("a/b.txt", "two\n")
    with pytest.raises(AssertionError, match="differs"):
        check("a/b.txt", "one")  # the last newline counts
    with pytest.raises(AssertionError, match="differs"):
        check("a/b.txt", "one\r\n")


@pytest.mark.parametrize("name", ["", "/etc/passwd", "../outside.txt", "a/../../b", "a\\b"])
def test_golden_names_stay_below_its_folder(tmp_path, name):
    with pytest.raises(ValueError, match="relative path below tests/golden/"):
        Golden(tmp_path)(name, "text")


def test_a_commands_golden_file_is_named_by_the_command():
    assert command_file(["derive", "standard", "--dims", "2", "--format", "latex"], "tex") == \
        "derive/standard_--dims_2_--format_latex.tex"
    assert command_file(["compare", "separable", "standard", "--set", "m=1"], "txt") == \
        "compare/separable_standard_--set_m=1.txt"
