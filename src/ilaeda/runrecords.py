"""The one reader of Sacred run records (file storage): run folders, ``run.json``, ``config.json``, ``info.json``.

Standard library only and free of ilaeda imports, so that ``experiments/commands.py`` (which runs without
the package installed) can load this file by path, like the contract. ``ilaeda.analysis.runs`` builds its
run table on it; the experiment scripts read results and status through it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

RUN_FILE = "run.json"
CONFIG_FILE = "config.json"
INFO_FILE = "info.json"
#: Folders of a Sacred file storage that hold no run records.
NOT_RUNS = ("_sources", "_resources")
#: Sacred's heartbeat interval (``SETTINGS.DEFAULT_BEAT_INTERVAL``, 10 s): a live run rewrites its
#: ``run.json`` that often.
SACRED_BEAT_INTERVAL_S = 10.0
#: A RUNNING record whose last heartbeat is younger than this is a live run: six missed beats, to allow
#: for a busy machine or a shared file system that shows writes late; older ones were killed.
FRESH_HEARTBEAT_S = 6 * SACRED_BEAT_INTERVAL_S


def walk_run_dirs(sources: Iterable[str | Path], follow_links: bool = True) -> Iterator[Path]:
    """Folders holding a ``run.json`` under ``sources``, in sorted walk order; each real folder once.

    A first pass does not follow symlinks; with ``follow_links`` a second one does and yields only what the
    first missed, so a folder reached both ways is named by its plain path.
    """
    sources = [Path(s) for s in sources]
    seen: set[str] = set()
    for follow in (False, True) if follow_links else (False,):
        visited: set[str] = set()  # this pass; also stops symlink cycles
        for source in sources:
            for dirpath, dirnames, filenames in os.walk(source, followlinks=follow):
                real = os.path.realpath(dirpath)
                if real in visited:
                    dirnames[:] = []
                    continue
                visited.add(real)
                dirnames[:] = sorted(d for d in dirnames if d not in NOT_RUNS)
                if real not in seen:
                    seen.add(real)
                    if RUN_FILE in filenames:
                        yield Path(dirpath)


def load_object(path: str | Path) -> dict[str, Any]:
    """A JSON object from ``path``; OSError or ValueError when unreadable or not an object."""
    with open(path, encoding="utf-8") as f:
        value = json.load(f)
    if not isinstance(value, dict):
        raise ValueError(f"{Path(path).name} is not an object")
    return value


def read_run(run_dir: str | Path) -> dict[str, Any]:
    """The folder's ``run.json`` (OSError or ValueError when unreadable)."""
    return load_object(Path(run_dir) / RUN_FILE)


def read_config(run_dir: str | Path) -> dict[str, Any]:
    """The folder's ``config.json``, the resolved config (OSError or ValueError when unreadable)."""
    return load_object(Path(run_dir) / CONFIG_FILE)


def read_info(run_dir: str | Path) -> dict[str, Any]:
    """The folder's ``info.json``; empty when the run wrote none (ValueError when unreadable)."""
    try:
        return load_object(Path(run_dir) / INFO_FILE)
    except FileNotFoundError:
        return {}


def completed_result(run: dict[str, Any]) -> dict[str, Any] | None:
    """The result of a COMPLETED record (a non-empty object), else None."""
    result = run.get("result")
    return result if run.get("status") == "COMPLETED" and isinstance(result, dict) and result else None


def completed_runs(
    sources: Iterable[str | Path], follow_links: bool = False
) -> Iterator[tuple[Path, dict[str, Any], dict[str, Any]]]:
    """``(folder, run, result)`` of every readable COMPLETED record with a result, in walk order."""
    for run_dir in walk_run_dirs(sources, follow_links):
        try:
            run = read_run(run_dir)
        except (OSError, ValueError):
            continue
        result = completed_result(run)
        if result is not None:
            yield run_dir, run, result


def run_name(run: dict[str, Any]) -> str | None:
    """The Sacred run name (``--name``, the experiment name), if any."""
    name = (run.get("experiment") or {}).get("name")
    return None if name is None else str(name)


def config_files(run: dict[str, Any], suffixes: tuple[str, ...] = (".json", ".yaml", ".yml")) -> list[str]:
    """The config files named on the command line (``with file.json``), in order."""
    return [str(n) for n in (run.get("meta") or {}).get("named_configs") or [] if str(n).endswith(suffixes)]


def config_file_hashes(run: dict[str, Any]) -> frozenset[str]:
    """The sha256 of each config file the run read (``info.config_files``, else the result's provenance)."""
    hashes = (run.get("info") or {}).get("config_files") or (
        ((run.get("result") or {}).get("provenance") or {}).get("config_files") or {}
    )
    return frozenset(str(h) for h in dict(hashes).values())


def config_file_hash(content: object) -> str:
    """sha256 (hex) of a JSON config file's parsed content, canonically written (what records hold)."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def seed(config: dict[str, Any]) -> int:
    """The run's seed (KeyError, TypeError or ValueError when the config has none)."""
    return int(config["seed"])


def _process_gone(host: object) -> bool:
    """Whether the record's process (``host.pid``, recorded by the training scripts) ran on this machine and
    is gone: a run killed a moment ago still has a fresh heartbeat.
    """
    if not isinstance(host, dict) or host.get("hostname") != socket.gethostname():
        return False
    pid = host.get("pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists (owned by another user)
        return False
    try:  # killed but not yet reaped by its new parent: a zombie (Linux)
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def is_alive(run: dict[str, Any], now: datetime.datetime | None = None) -> bool:
    """Whether a record is a RUNNING run whose heartbeat (UTC, as Sacred writes it) is fresh and whose
    process, when it ran on this machine and recorded its pid, still exists.
    """
    last = run.get("heartbeat") or run.get("start_time")  # Sacred's first beat comes one interval after the start
    if run.get("status") != "RUNNING" or not isinstance(last, str) or _process_gone(run.get("host")):
        return False
    try:
        beat = datetime.datetime.fromisoformat(last)
    except ValueError:
        return False
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return (now - beat.replace(tzinfo=None)).total_seconds() < FRESH_HEARTBEAT_S
