"""Bad input files, written and loaded: each must be refused with one line that names the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from symconv.errors import SymconvError


def refusal(load: Callable[[Path], object], path: Path, content: str | bytes | None) -> str:
    """The message ``load`` refuses ``path`` with, once ``content`` is written there (None: no file at all),
    checked to be one line that starts with the path."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SymconvError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "\n" not in message, message
    return message
