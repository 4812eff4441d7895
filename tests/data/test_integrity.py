"""Checksums enforced on load: a corrupt local copy is refused with the fix; verified files are stamped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ilaeda.data import integrity, load_table
from ilaeda.data.fetch import fetch_all
from ilaeda.data.locate import locate
from ilaeda.data.schema import DataFile, load_schema
from ilaeda.errors import DataError

CYBER1 = "atena/datasets/cyber/1.tsv"


@pytest.fixture
def truncated(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder whose cyber/1.tsv is cut to 100 kB (the rest copied), used as $ILAEDA_DATA_DIR."""
    folder = tmp_path / "data"
    shutil.copytree(data_dir / "atena", folder / "atena")
    target = folder / CYBER1
    target.chmod(0o644)
    target.write_bytes((data_dir / CYBER1).read_bytes()[:100_000])
    monkeypatch.setenv("ILAEDA_DATA_DIR", str(folder))
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(integrity, "_VERIFIED", set())
    return folder


def test_a_truncated_dataset_is_refused_on_load(truncated: Path) -> None:
    with pytest.raises(DataError) as info:
        load_table("cyber", 1)
    message = str(info.value)
    assert "\n" not in message and "corrupt" in message and str(truncated / CYBER1) in message
    assert "python -m ilaeda.data fetch" in message and "python -m ilaeda.data verify" in message
    assert len(load_table("cyber", 2)) == 348  # intact files still load


def test_benchmark_score_refuses_the_truncated_dataset(truncated: Path, tmp_path: Path) -> None:
    sessions = tmp_path / "sessions.json"
    sessions.write_text(
        json.dumps(
            {
                "sessions": [
                    {
                        "name": "g",
                        "actions": [
                            {
                                "type": "group",
                                "column": "highest_layer",
                                "agg_column": "packet_number",
                                "agg_func": "count",
                            }
                        ],
                    }
                ]
            }
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "ilaeda.benchmark", "score", "--schema", "cyber", "--dataset", "1", str(sessions)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "corrupt" in lines[0]
    assert "precision" not in done.stdout.lower()


def test_a_verified_file_is_stamped_and_not_rehashed(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(integrity, "_VERIFIED", set())
    file = load_schema("cyber").datasets[2]
    calls: list[Path] = []
    real = integrity.sha256_file
    monkeypatch.setattr(integrity, "sha256_file", lambda p: calls.append(Path(p)) or real(p))
    path = locate(file)
    assert len(calls) == 1 and integrity.is_stamped(path, file, tmp_path / "cache" / "verified")
    assert len(list((tmp_path / "cache" / "verified").glob("*.json"))) == 1
    monkeypatch.setattr(integrity, "_VERIFIED", set())  # a new process: the stamp on disk is enough
    assert locate(file) == path and len(calls) == 1


def _verified_copy(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, DataFile]:
    """A copy of cyber dataset 2 as the only data folder, located (so verified and stamped) once."""
    folder = tmp_path / "data"
    (folder / "atena/datasets/cyber").mkdir(parents=True)
    target = folder / "atena/datasets/cyber/2.tsv"
    target.write_bytes((data_dir / "atena/datasets/cyber/2.tsv").read_bytes())
    monkeypatch.setenv("ILAEDA_DATA_DIR", str(folder))
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(integrity, "_VERIFIED", set())
    file = load_schema("cyber").datasets[2]
    assert locate(file) == target
    return target, file


def test_a_file_changed_after_its_stamp_is_rehashed_and_refused(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, file = _verified_copy(tmp_path, data_dir, monkeypatch)
    data = bytearray(target.read_bytes())
    data[-3] ^= 1  # same size, different content and mtime
    target.write_bytes(bytes(data))
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))
    with pytest.raises(DataError, match="corrupt"):
        locate(file)


@pytest.mark.parametrize("new_process", [False, True])
def test_an_in_place_edit_with_its_mtime_restored_is_refused(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, new_process: bool
) -> None:
    target, file = _verified_copy(tmp_path, data_dir, monkeypatch)
    before = target.stat()
    with open(target, "r+b") as handle:  # same size, same inode
        handle.seek(before.st_size - 3)
        byte = handle.read(1)
        handle.seek(before.st_size - 3)
        handle.write(bytes([byte[0] ^ 1]))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # what `touch -d` can do
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    if new_process:
        monkeypatch.setattr(integrity, "_VERIFIED", set())
    with pytest.raises(DataError, match="corrupt"):
        locate(file)


def test_fetch_names_a_corrupt_cached_copy_it_cannot_replace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(cache))
    monkeypatch.delenv("ILAEDA_DATA_DIR", raising=False)
    (cache / "atena/datasets/flights").mkdir(parents=True)
    (cache / "atena/datasets/flights/1.tsv").write_text("oops")
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DataError) as info:
        fetch_all(["flights"], base_url=f"http://127.0.0.1:{port}")
    message = str(info.value)
    assert "corrupt local copy" in message and str(cache / "atena/datasets/flights/1.tsv") in message
    assert "not available locally" not in message
