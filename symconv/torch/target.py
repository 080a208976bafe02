"""A model named on the command line: ``package.module:callable`` (found as ``python -m`` finds modules, the
current folder first) or ``path/to/file.py:callable``, the callable called with no arguments to build the
module. Loading a model runs its code, as any import does;
symconv runs nothing else a user wrote.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import torch

from symconv.errors import SymconvError

__all__ = ["ModelError", "load_model"]


class ModelError(SymconvError):
    """A target that does not name a callable returning a ``torch.nn.Module``."""


def _module(source: str) -> Any:
    if source.endswith(".py"):
        path = Path(source)
        if not path.is_file():
            raise ModelError(f"{source}: no such file")
        name = f"_symconv_model_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ModelError(f"{source}: cannot load it as a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    if str(Path.cwd()) not in sys.path and "" not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # a package of the current folder, as python -m finds it
    try:
        return importlib.import_module(source)
    except ModuleNotFoundError as error:
        raise ModelError(f"{source}: no module {error.name!r}") from None


def load_model(target: str) -> torch.nn.Module:
    """The module ``target`` builds, in inference mode."""
    source, colon, attribute = target.rpartition(":")
    if not colon or not source or not attribute:
        raise ModelError(f"{target}: give the model as package.module:callable or path/to/file.py:callable")
    found = _module(source)
    make = found
    for part in attribute.split("."):
        if not hasattr(make, part):
            raise ModelError(f"{target}: {source} has no {attribute!r}")
        make = getattr(make, part)
    if not callable(make):
        raise ModelError(f"{target}: {attribute} is not callable")
    try:
        model = make() if not isinstance(make, torch.nn.Module) else make
    except Exception as error:  # the user's code failed: said in one line, as any bad input
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelError(f"{target}: {attribute}() failed: {type(error).__name__}: {first}") from None
    if not isinstance(model, torch.nn.Module):
        raise ModelError(f"{target}: {attribute}() returned {type(model).__name__}, not a torch.nn.Module")
    model.train(False)
    return model
