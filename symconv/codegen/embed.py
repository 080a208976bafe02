"""The runtime as a generated module embeds it: the source of :mod:`symconv.codegen.runtime` and of
:mod:`symconv.codegen.adapters`, read from those files, without what only a type checker reads.

Every top-level statement of runtime.py, then of adapters.py, is copied in the files' order and spacing,
except their docstrings, their imports and their ``if TYPE_CHECKING:`` blocks; ``_divide`` only when a
definition needs it. Annotations are
removed: a signature is written again without them (``def _at(index: tuple[int, ...] | None) -> str:`` is
``def _at(index):``), ``x: int = 1`` is ``x = 1``, and a bare declaration ``x: list[int]`` goes.

>>> print(runtime_source(quotient=False).splitlines()[0])
_INT64_MAX = 2**63 - 1
>>> "def _at(index):" in runtime_source(quotient=False), "_divide" in runtime_source(quotient=False)
(True, False)
"""

from __future__ import annotations

import ast
from functools import cache
from importlib import resources

from symconv.codegen.layout import wrap_call

__all__ = ["network_runtime_source", "runtime_imports", "runtime_source", "unannotated"]

_OPTIONAL = {"_divide"}  # embedded only where a definition is used; everything else always
_FILES = ("runtime.py", "adapters.py")  # the adapters call the runtime's helpers: embedded after them
_SKIPPED_IMPORTS = {"__future__", "typing"}  # for the type checker only


@cache
def runtime_source(*, quotient: bool) -> str:
    """The runtime's text for a generated module: with ``_divide`` if ``quotient``."""
    return "\n\n".join(_statements(unannotated(text), set() if quotient else _OPTIONAL) for text in _texts())


@cache
def network_runtime_source() -> str:
    """What a network's module adds to the runtime: :mod:`symconv.codegen.settings`, and the rounding rules
    of :mod:`symconv.network.rounding` as ``_round_exact``, ``_round_floor`` and ``_round_divisible``.

    >>> "def _round_divisible(numerator, denominator, divisor, minimum):" in network_runtime_source()
    True
    """
    settings, rounding = _network_texts()
    rules = _statements(unannotated(rounding), {"__all__"}).replace("\ndef round_", "\ndef _round_")
    return _statements(unannotated(settings), set()) + "\n\n" + rules.replace("def round_", "def _round_", 1)


@cache
def runtime_imports(*, network: bool = False) -> tuple[str, ...]:
    """The imports the embedded runtime needs (with ``network``, a network module's too), as its files write
    them (``import numpy as _np``): the standard library's first, then NumPy, each once; not ``__future__``,
    ``typing`` or symconv's own.

    >>> runtime_imports()[-1]
    'import numpy as _np'
    """
    found: set[str] = set()
    for text in (*_texts(), *(_network_texts() if network else ())):
        for node in ast.parse(text).body:
            if isinstance(node, ast.Import) and all(alias.name not in _SKIPPED_IMPORTS for alias in node.names):
                found.update(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                             for alias in node.names)
    return tuple(sorted(found, key=lambda line: (line.startswith("import numpy"), line)))


def _texts() -> list[str]:
    folder = resources.files("symconv.codegen")
    return [folder.joinpath(name).read_text(encoding="utf-8") for name in _FILES]


def _network_texts() -> tuple[str, str]:
    return (resources.files("symconv.codegen").joinpath("settings.py").read_text(encoding="utf-8"),
            resources.files("symconv.network").joinpath("rounding.py").read_text(encoding="utf-8"))


def unannotated(source: str) -> str:
    """``source`` without annotations: signatures written again without them, annotated assignments plain.

    >>> print(unannotated("def f(x: int, y: str = 'a') -> int:\\n    z: int = x\\n    w: str\\n    return z\\n"))
    def f(x, y='a'):
        z = x
        return z
    <BLANKLINE>
    """
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def at(line: int | None, byte_offset: int | None) -> int:  # ast's columns are UTF-8 byte offsets
        assert line is not None and byte_offset is not None
        return starts[line - 1] + len(lines[line - 1].encode()[:byte_offset].decode())

    edits: list[tuple[int, int, str]] = []  # (start, end, new text), as offsets into source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            colon = node.body[0].lineno - 1  # the signature's last line
            if colon == node.lineno - 1 or not lines[colon - 1].rstrip().endswith(":"):
                raise ValueError(f"line {node.lineno}: a signature must end with ':' on the line before the body")
            header = wrap_call(f"def {node.name}(", _arguments(source, node.args), "):", offset=node.col_offset)
            new = header.replace("\n", "\n" + " " * node.col_offset)
            edits.append((at(node.lineno, node.col_offset), starts[colon - 1] + len(lines[colon - 1].rstrip()), new))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
            edits.append((at(target.end_lineno, target.end_col_offset), at(value.lineno, value.col_offset), " = "))
        elif isinstance(node, ast.AnnAssign):  # a declaration: its lines go
            edits.append((starts[node.lineno - 1], starts[(node.end_lineno or node.lineno)], ""))
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    return source


def _arguments(source: str, args: ast.arguments) -> list[str]:
    """A signature's parameters as written, without annotations: ``x``, ``y='a'``, ``*``, ``**rest``."""
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    texts = [_parameter(source, arg, default) for arg, default in zip(positional, defaults, strict=True)]
    if args.posonlyargs:
        texts.insert(len(args.posonlyargs), "/")
    if args.vararg is not None:
        texts.append(f"*{args.vararg.arg}")
    elif args.kwonlyargs:
        texts.append("*")
    texts += [_parameter(source, arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    if args.kwarg is not None:
        texts.append(f"**{args.kwarg.arg}")
    return texts


def _parameter(source: str, arg: ast.arg, default: ast.expr | None) -> str:
    return arg.arg if default is None else f"{arg.arg}={ast.get_source_segment(source, default)}"


def _statements(source: str, omit: set[str]) -> str:
    """The top-level statements to embed, each with the blank lines that stand before it in the file."""
    tree = ast.parse(source)
    lines = source.splitlines()
    pieces: list[str] = []
    previous_end = 0
    for index, node in enumerate(tree.body):
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        while start > previous_end + 1 and lines[start - 2].lstrip().startswith("#"):
            start -= 1  # the comment lines just above a statement belong to it
        gap = [line for line in lines[previous_end : start - 1] if not line.strip()]
        previous_end = node.end_lineno or node.lineno
        if _skipped(node, index) or _names(node) & omit:
            continue
        if pieces:
            pieces.append("\n" * (len(gap) + 1))
        pieces.append("\n".join(lines[start - 1 : previous_end]))
    return "".join(pieces) + "\n"


def _skipped(node: ast.stmt, index: int) -> bool:
    """The docstring, the imports and the ``if TYPE_CHECKING:`` block: not part of a generated module."""
    docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    checking = isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    return docstring or checking or isinstance(node, ast.Import | ast.ImportFrom)


def _names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {target.id for target in node.targets if isinstance(target, ast.Name)}
    return set()
