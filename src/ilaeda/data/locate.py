"""Find data files: config ``data_dir`` → ``$ILAEDA_DATA_DIR`` → user cache dir → download."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from ilaeda.data.integrity import ensure_verified
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
    """The first existing copy of ``file`` in :func:`search_dirs`, or None."""
    for _, directory in search_dirs(data_dir):
        candidate = directory / file.path
        if candidate.is_file():
            return candidate
    return None


def locate(file: DataFile, data_dir: str | os.PathLike[str] | None = None,
           download: bool = True) -> Path:
    """Path of ``file``, downloading it into the user cache when no local copy exists.

    A local copy is used only when its sha256 is the pinned one (checked once, then stamped: see
    :mod:`ilaeda.data.integrity`); a corrupt copy raises :class:`~ilaeda.errors.DataError` with the fix.
    """
    found = find_local(file, data_dir)
    if found is not None:
        return ensure_verified(file, found, cache_dir() / "verified")
    from ilaeda.data.fetch import fetch_file  # download path only when needed

    return fetch_file(file, cache_dir(), allow_download=download, data_dir=data_dir)
