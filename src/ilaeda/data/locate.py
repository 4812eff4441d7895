"""Find data files: a local copy (see :mod:`ilaeda.data.dirs`), else a download into the user cache."""

from __future__ import annotations

import os
from pathlib import Path

from ilaeda.data.dirs import cache_dir, find_local
from ilaeda.data.fetch import fetch_file
from ilaeda.data.schema import DataFile


def locate(file: DataFile, data_dir: str | os.PathLike[str] | None = None,
           download: bool = True) -> Path:
    """Path of ``file``, downloading it into the user cache when no local copy exists."""
    found = find_local(file, data_dir)
    if found is not None:
        return found
    return fetch_file(file, cache_dir(), allow_download=download, data_dir=data_dir)
