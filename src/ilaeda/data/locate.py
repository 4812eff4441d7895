"""Find data files: a local copy (see :mod:`ilaeda.data.dirs`), else a download into the user cache."""

from __future__ import annotations

import os
from pathlib import Path

from ilaeda.data.dirs import cache_dir, find_local
from ilaeda.data.fetch import fetch_file
from ilaeda.data.integrity import ensure_verified
from ilaeda.data.schema import DataFile


def locate(file: DataFile, data_dir: str | os.PathLike[str] | None = None, download: bool = True) -> Path:
    """Path of ``file``, downloading it into the user cache when no local copy exists.

    A local copy is used only when its sha256 is the pinned one (checked once, then stamped: see
    :mod:`ilaeda.data.integrity`); a corrupt copy raises :class:`~ilaeda.errors.DataError` with the fix.
    """
    found = find_local(file, data_dir)
    if found is not None:
        return ensure_verified(file, found, cache_dir() / "verified")
    return fetch_file(file, cache_dir(), allow_download=download, data_dir=data_dir)
