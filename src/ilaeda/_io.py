"""File helpers every layer shares: a file's sha256 and an atomic write.

Standard library only and free of ilaeda imports, so any module may use it (like :mod:`ilaeda.errors`).

* :func:`sha256_file` / :func:`sha256_bytes`: the hex sha256 of a file's bytes (read in chunks) or of bytes;
* :func:`atomic_write`: write a file so that a reader (or a crash, or a full disk) never leaves a partial
  one under its name: a temporary file in the same folder, flushed and fsynced, then ``os.replace``;
* :func:`storage_problem`: one line for the errors that mean "no room" or "read-only" (ENOSPC, EDQUOT, EROFS).

The code version of a result is :func:`ilaeda.provenance.code_version`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

_CHUNK = 1 << 20
#: errno values of a file system that cannot take more data, by what to tell the user.
STORAGE_ERRNOS: dict[int, str] = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
}


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of bytes in memory (a download being verified before it is written)."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(
    path: str | os.PathLike[str], content: bytes | str | Callable[[IO[bytes]], object], mode: int | None = 0o644
) -> Path:
    """Write ``content`` (bytes, text as UTF-8, or a function writing to a binary handle) to ``path`` atomically.

    The folder is created. Until the rename, ``path`` keeps its old content (or stays absent); on any failure
    the temporary file is removed and the error raised. ``mode``: the file's permission bits (None: mkstemp's
    owner-only 0o600).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(content):
                content(handle)
            else:
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def storage_problem(exc: BaseException) -> str | None:
    """``"no space left on the device"`` (etc.) when ``exc`` is a full or read-only file system, else None."""
    return STORAGE_ERRNOS.get(exc.errno) if isinstance(exc, OSError) and exc.errno is not None else None


def storage_message(exc: OSError, what: str = "") -> str:
    """One line for a full or read-only file system: what could not be written, why, and the fix."""
    target = what or (f"{exc.filename}" if exc.filename else "a file")
    return (
        f"cannot write {target}: {storage_problem(exc) or exc.strerror or exc}; nothing partial was left under "
        "its name. Fix: free space on that disk (or make it writable), or write elsewhere "
        "(logging.log_root=DIR, --file_storage=DIR)"
    )
