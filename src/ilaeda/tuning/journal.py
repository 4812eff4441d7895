"""A study journal that survives a full disk and a writer killed mid-record.

Optuna's journal file is one JSON record a line. A write cut short (``ENOSPC``, SIGKILL) leaves a partial
last line, after which every later append makes the file unreadable. Here each append, under the
journal's lock, first repairs the file (a partial last line is cut off and kept in
``journal.log.cut-<time>``) and, when the write itself fails, truncates the file back to its size before
the write, so the journal only ever holds whole records. Opening a journal repairs it the same way.
"""

from __future__ import annotations

import datetime
import errno
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilaeda._io import atomic_write
from ilaeda.errors import IlaedaError

if TYPE_CHECKING:
    import optuna

logger = logging.getLogger("ilaeda.tune")


class JournalWriteError(IlaedaError):
    """The journal could not be written (e.g. the disk is full); no partial record was left."""


def repair(path: Path) -> Path | None:
    """Cut a partial last line off the journal ``path`` (caller holds the lock); returns the backup file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with open(path, "rb+") as handle:
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return None
        handle.seek(0)
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        backup = _backup(path, "cut", data[keep:])  # None without room: the cut bytes are half a record
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning(
        "journal %s: cut a partial last record (%d bytes, a write that did not finish)%s",
        path,
        size - keep,
        f"; kept in {backup}" if backup else "",
    )
    return backup


def _backup(path: Path, kind: str, data: bytes) -> Path | None:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    backup = path.with_name(f"{path.name}.{kind}-{stamp}")
    try:
        backup.write_bytes(data)
    except OSError as e:
        logger.warning("journal %s: could not write the backup %s (%s)", path, backup, e.strerror)
        return None
    return backup


def salvage(path: Path) -> Path | None:
    """Mend records merged by an older writer that appended after a partial line (caller holds the lock).

    Such a line holds a partial record and then a whole one; the whole one is kept, the partial one (which
    no reader ever applied) dropped, and a line that holds no whole record dropped. The journal as it was is
    kept in ``journal.log.before-repair-<time>``; returns that file, or None when nothing was wrong.
    """
    if not path.is_file():
        return None
    data = path.read_bytes()
    mended: list[bytes] = []
    damaged = 0
    for line in data.splitlines(keepends=True):
        if _whole(line):
            mended.append(line)
            continue
        damaged += 1
        start = line.rfind(b'{"op_code"')
        while start > 0 and not _whole(line[start:]):
            start = line.rfind(b'{"op_code"', 0, start)
        if start > 0:
            mended.append(line[start:])
    if not damaged:
        return None
    backup = _backup(path, "before-repair", data)
    atomic_write(path, b"".join(mended))
    logger.warning(
        "journal %s: mended %d line(s) damaged by an unfinished write%s",
        path,
        damaged,
        f"; the journal as it was is in {backup}" if backup else "",
    )
    return backup


def _whole(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _write_error(path: Path, error: OSError) -> JournalWriteError:
    reason = "the disk is full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else error.strerror or str(error)
    return JournalWriteError(
        f"cannot write the study journal {path}: {reason}; nothing was lost (the journal holds only whole "
        "records): free space and rerun the command to resume"
    )


def journal_storage(path: Path) -> optuna.storages.JournalStorage:
    """An Optuna JournalStorage on ``path`` whose appends are all-or-nothing (repaired on open)."""
    import optuna
    import optuna.storages.journal as journal
    from optuna.storages.journal._file import get_lock_file

    class Backend(journal.JournalFileBackend):
        def append_logs(self, logs: list[dict[str, Any]]) -> None:
            with get_lock_file(self._lock):
                _append(path, logs)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = journal.JournalFileOpenLock(str(path))
        backend = Backend(str(path), lock_obj=lock)
        with get_lock_file(lock):
            repair(path)
            salvage(path)
    except OSError as e:
        raise _write_error(path, e) from None
    return optuna.storages.JournalStorage(backend)


def _append(path: Path, logs: list[dict[str, Any]]) -> None:
    """Append whole records or nothing (caller holds the lock)."""
    data = ("\n".join(json.dumps(log, separators=(",", ":")) for log in logs) + "\n").encode("utf-8")
    try:
        repair(path)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            start = os.fstat(fd).st_size
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except OSError:
                os.ftruncate(fd, start)
                raise
        finally:
            os.close(fd)
    except OSError as e:
        raise _write_error(path, e) from None
