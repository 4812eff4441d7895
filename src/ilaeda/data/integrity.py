"""Checksums enforced on load: a data file is used only once its sha256 matched the pinned one.

Hashing every file on every run would cost time, so a verified file leaves a *stamp*: a small JSON
file in a stamp folder (``<user cache>/verified/``, chosen by :func:`ilaeda.data.locate.locate`)
recording the file's resolved path, size, modification time, inode and *status-change time* (ctime,
nanoseconds) next to the sha256 that matched. While those are unchanged the file is not re-hashed; any
change (an edit, a truncation, a replaced copy) re-hashes it. The ctime is what makes this hold: a user can
set a file's mtime back (``touch -d``, ``os.utime``) after a same-size edit in place, but not its ctime,
which the kernel sets to now on every write and on every ``utime`` itself. A mismatch raises
:class:`~ilaeda.errors.DataError` naming the fix, so a corrupt file is never used. Stamps are written
atomically; a cache folder that cannot be written only means files are re-hashed on every load.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ilaeda._io import atomic_write, sha256_file
from ilaeda.data.schema import DataFile
from ilaeda.errors import DataError

#: What a stamp records, in the order of :data:`Key`.
_FIELDS = ("path", "size", "mtime_ns", "inode", "ctime_ns", "sha256")
Key = tuple[str, int, int, int, int, str]
#: Verified keys (see :data:`_FIELDS`) of this process, so a stamp is read at most once.
_VERIFIED: set[Key] = set()


def _key(path: Path, sha256: str) -> Key:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, sha256


def _stamp_path(stamps: Path, resolved: str) -> Path:
    return stamps / (hashlib.sha256(resolved.encode()).hexdigest()[:32] + ".json")


def _read_stamp(stamps: Path, key: Key) -> bool:
    try:
        with open(_stamp_path(stamps, key[0]), encoding="utf-8") as f:
            stamp = json.load(f)
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and tuple(stamp.get(k) for k in _FIELDS) == key


def _write_stamp(stamps: Path, key: Key) -> None:
    try:
        atomic_write(_stamp_path(stamps, key[0]), json.dumps(dict(zip(_FIELDS, key))))
    except OSError:  # a read-only cache only costs a re-hash next time
        pass


def is_stamped(path: str | os.PathLike[str], file: DataFile, stamps: Path) -> bool:
    """Whether ``path`` carries a valid stamp in ``stamps`` for ``file`` (verified, unchanged since)."""
    key = _key(Path(path), file.sha256)
    return key in _VERIFIED or _read_stamp(stamps, key)


def ensure_verified(file: DataFile, path: str | os.PathLike[str], stamps: Path) -> Path:
    """``path`` once its sha256 is ``file.sha256`` (files stamped in ``stamps`` are not re-hashed);
    :class:`DataError` naming the fix otherwise.
    """
    path = Path(path)
    key = _key(path, file.sha256)
    if key in _VERIFIED:
        return path
    if not _read_stamp(stamps, key):
        actual = sha256_file(path)
        if actual != file.sha256:
            raise DataError(
                f"data file {path} is corrupt: its sha256 {actual[:16]}… ({key[1]} bytes) is not the pinned "
                f"{file.sha256[:16]}…, so it was not used. Fix: delete it and run `python -m ilaeda.data fetch` "
                f"(or point $ILAEDA_DATA_DIR at a verified copy); `python -m ilaeda.data verify` checks every file"
            )
        _write_stamp(stamps, key)
    _VERIFIED.add(key)
    return path
