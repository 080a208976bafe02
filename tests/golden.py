"""Golden files: generated text recorded under tests/golden/ and compared byte for byte.

A test asks for the ``golden`` fixture (tests/conftest.py) and calls it with a path under tests/golden/ and
the text it generated: the text must equal the recorded file, byte for byte. Under ``pytest --update-golden``
the files are rewritten from the generated text instead, and the diff of tests/golden/ shows what changed.

What a command prints is recorded under the name of that command (:func:`command_file`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).parent / "golden"
OPTION = "--update-golden"
_DIFF_LINES = 200  # enough to see the change, not the whole file


def command_file(argv: Sequence[str], suffix: str) -> str:
    """The golden file of ``symconv ARGV...``: in the subcommand's folder, the rest of the command, its words
    joined by ``_``. ``derive standard --dims 2 --format latex`` is ``derive/standard_--dims_2_--format_latex.tex``.
    """
    command, *rest = argv
    return f"{command}/{'_'.join(rest)}.{suffix}"


class Golden:
    """Compare text with, or (``update``) record it as, the files under ``root``."""

    def __init__(self, root: Path = ROOT, *, update: bool = False) -> None:
        self.root = root
        self.update = update

    def path(self, name: str) -> Path:
        """The file of ``name``, a relative path with '/' such as ``codegen/standard.py``."""
        relative = PurePosixPath(name)
        if not relative.parts or relative.is_absolute() or ".." in relative.parts or "\\" in name:
            raise ValueError(f"a golden file is named by a relative path below tests/golden/, not {name!r}")
        return self.root.joinpath(*relative.parts)

    def __call__(self, name: str, text: str) -> Path:
        """Assert that ``text`` is the recorded file ``name`` (or record it); returns the file's path."""
        __tracebackhide__ = True  # a failure points at the test that generated the text
        file, data = self.path(name), text.encode("utf-8")
        if self.update:
            if not file.is_file() or file.read_bytes() != data:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_bytes(data)
            return file
        if not file.is_file():
            raise AssertionError(f"golden file {name} is missing: run pytest {OPTION} to record it")
        recorded = file.read_bytes()
        if recorded != data:
            diff = difflib.unified_diff(
                recorded.decode("utf-8", errors="replace").splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{name} (recorded)",
                f"{name} (generated)",
            )
            shown = "".join(line if line.endswith("\n") else line + "\n" for line in list(diff)[:_DIFF_LINES])
            raise AssertionError(f"golden file {name} differs from the generated text ({OPTION} rewrites it):\n{shown}")
        return file
