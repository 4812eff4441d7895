"""The study journal survives a writer killed mid-record and a full disk (tmpfs where mountable, else a
simulated ENOSPC): it keeps only whole records, and the study resumes with every completed trial once.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest

from ilaeda.tuning import journal
from ilaeda.tuning.journal import JournalWriteError, journal_storage

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _study(path: Path) -> optuna.Study:
    return optuna.create_study(study_name="s", storage=journal_storage(path), load_if_exists=True)


def _complete(path: Path, n: int) -> None:
    study = _study(path)
    for _ in range(n):
        trial = study.ask()
        study.tell(trial, float(trial.number))


def _completed_by_plain_optuna(path: Path) -> list[int]:
    """Complete trial numbers, read with Optuna's own backend (a partial record would break it)."""
    backend = optuna.storages.journal.JournalFileBackend(
        str(path), lock_obj=optuna.storages.journal.JournalFileOpenLock(str(path))
    )
    study = optuna.load_study(study_name="s", storage=optuna.storages.JournalStorage(backend))
    return [t.number for t in study.trials if t.state.name == "COMPLETE"]


def test_partial_last_record_is_cut_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    _complete(path, 2)
    partial = b'{"op_code":5,"worker_id":"x","trial_id":'
    with open(path, "ab") as f:  # a writer killed (or out of space) in the middle of a record
        f.write(partial)
    _complete(path, 1)  # opening repairs; appending works
    assert path.read_bytes().endswith(b"\n") and partial not in path.read_bytes()
    backups = list(tmp_path.glob("journal.log.cut-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == partial
    assert _completed_by_plain_optuna(path) == [0, 1, 2]


def _fill_until_failure(path: Path) -> None:
    with pytest.raises(JournalWriteError, match=r"the disk is full.*rerun the command to resume"):
        _complete(path, 500)


def _check_resumes(path: Path, before: list[int]) -> None:
    data = path.read_bytes()
    assert data.endswith(b"\n")
    during = _completed_by_plain_optuna(path)
    assert during[: len(before)] == before
    _complete(path, 2)
    after = _completed_by_plain_optuna(path)
    assert after == list(dict.fromkeys(after)) and after[: len(during)] == during and len(after) == len(during) + 2


def test_simulated_full_disk_leaves_whole_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "journal.log"
    _complete(path, 3)
    before = _completed_by_plain_optuna(path)
    real_write = os.write
    budget = [700]  # bytes the "disk" still takes; then a short write and ENOSPC

    def write(fd: int, data: bytes | memoryview) -> int:
        if budget[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = real_write(fd, bytes(data[: budget[0]]))
        budget[0] -= n
        return n

    with monkeypatch.context() as m:
        m.setattr(journal.os, "write", write)
        _fill_until_failure(path)
    _check_resumes(path, before)


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here (the simulated ENOSPC test covers the write path)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_real_full_disk_leaves_whole_records(small_tmpfs: Path) -> None:
    path = small_tmpfs / "journal.log"
    _complete(path, 3)
    before = _completed_by_plain_optuna(path)
    filler = small_tmpfs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)
    _fill_until_failure(path)
    filler.unlink()
    _check_resumes(path, before)


def test_journal_damaged_by_an_older_writer_is_mended(tmp_path: Path) -> None:
    """Optuna's own backend appends after a partial line (what happened before this fix): the merged line
    makes the journal unreadable; opening it here keeps the whole record and every completed trial.
    """
    path = tmp_path / "journal.log"
    _complete(path, 2)
    scratch = tmp_path / "scratch" / "journal.log"  # the records a third trial writes
    scratch.parent.mkdir()
    scratch.write_bytes(path.read_bytes())
    _complete(scratch, 1)
    new_records = scratch.read_bytes()[path.stat().st_size :]
    with open(path, "ab") as f:  # a partial record, then the next writer's records right after it
        f.write(b'{"op_code":5,"worker_id":"x","tri' + new_records)
    with pytest.raises(ValueError):
        _completed_by_plain_optuna(path)
    _complete(path, 1)
    assert _completed_by_plain_optuna(path) == [0, 1, 2, 3]
    assert len(list(tmp_path.glob("journal.log.before-repair-*"))) == 1
