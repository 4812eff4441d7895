"""Scripts of the repository (``experiments/*.py``) and test helpers loaded as modules by file path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
COMMANDS = REPO / "experiments" / "commands.py"


def load(name: str, path: Path) -> ModuleType:
    """The module at ``path``, imported once under ``name``."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
