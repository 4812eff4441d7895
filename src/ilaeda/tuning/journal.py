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
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        backup = path.with_name(f"{path.name}.cut-{stamp}")
        try:
            backup.write_bytes(data[keep:])
        except OSError as e:  # no room for the backup: the cut bytes are only a half-written record
            logger.warning("journal %s: could not back up its partial last record (%s)", path, e.strerror)
            backup = None  # type: ignore[assignment]
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
