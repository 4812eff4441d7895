"""Where data files are looked for: config ``data_dir`` → ``$ILAEDA_DATA_DIR`` → the user cache dir.

A file named by a schema loaded from a path (a data bundle's ``schema.json``) is looked up beside that
schema file first.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from ilaeda.data.schema import DataFile

ENV_VAR = "ILAEDA_DATA_DIR"


def cache_dir() -> Path:
    """The per-user cache directory where downloads land (``$ILAEDA_CACHE_DIR`` overrides)."""
    override = os.environ.get("ILAEDA_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("ilaeda"))


def search_dirs(data_dir: str | os.PathLike[str] | None = None) -> list[tuple[str, Path]]:
    """The directories searched, in order, each with the name of where it came from."""
    dirs: list[tuple[str, Path]] = []
    if data_dir:
        dirs.append(("config data_dir", Path(data_dir).expanduser()))
    if os.environ.get(ENV_VAR):
        dirs.append((f"${ENV_VAR}", Path(os.environ[ENV_VAR]).expanduser()))
    dirs.append(("user cache", cache_dir()))
    return dirs


def find_local(file: DataFile, data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The first existing copy of ``file``: beside its schema file (``file.base``), then in :func:`search_dirs`."""
    if file.base and (Path(file.base) / file.path).is_file():
        return Path(file.base) / file.path
    for _, directory in search_dirs(data_dir):
        candidate = directory / file.path
        if candidate.is_file():
            return candidate
    return None
