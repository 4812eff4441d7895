"""Which code and which config produced a result: the code version and the config hashes.

* :func:`code_version`: the git commit of the source tree and whether it had uncommitted changes, or the
  installed package version when the sources are not in a git checkout.
* :func:`config_hash`: the identity of a run's *resolved* config (every value Sacred used), without the
  entries that do not change what is computed (:data:`VOLATILE_KEYS`: the seed, which is part of a run's
  identity separately, log locations, display switches). Two runs of the same command with the same hash
  and seed are retries of one experiment.
* :func:`config_file_hash`: the identity of a JSON config file's content (key order and whitespace do not
  matter), defined in :mod:`ilaeda.runrecords`, which ``experiments/commands.py`` loads by path to compare
  a grid's config files with the hashes its run records hold.

Standard library only (and :mod:`ilaeda.runrecords`, itself standard library only).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ilaeda.runrecords import config_file_hash as config_file_hash

#: Dotted config keys left out of :func:`config_hash` (a key also drops everything under it).
VOLATILE_KEYS: tuple[str, ...] = (
    "seed",
    "logging",
    "environment.data_dir",
    "policy_evaluation.render",
    "policy_evaluation.progress",
)
_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def strip_volatile(config: Mapping[str, Any], volatile: tuple[str, ...] = VOLATILE_KEYS) -> dict[str, Any]:
    """A deep copy of ``config`` without the :data:`VOLATILE_KEYS` entries."""
    out: dict[str, Any] = json.loads(_canonical(config))
    for key in volatile:
        *parents, last = key.split(".")
        node: object = out
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return out


def config_hash(config: Mapping[str, Any]) -> str:
    """sha256 (hex) of the resolved config without its volatile entries."""
    return hashlib.sha256(_canonical(strip_volatile(config)).encode()).hexdigest()


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(_SOURCE_ROOT), *args],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@functools.lru_cache(maxsize=1)
def code_version() -> dict[str, Any]:
    """``{"commit", "dirty", "package_version"}``: commit and dirty flag are None outside a git checkout."""
    from ilaeda import __version__

    commit = None
    dirty = None
    if (_SOURCE_ROOT / ".git").exists() and (_SOURCE_ROOT / "src" / "ilaeda").is_dir():
        head = _git("rev-parse", "HEAD")
        if head:
            commit = head.strip()
            status = _git("status", "--porcelain", "--untracked-files=no", "--", "src")
            dirty = None if status is None else bool(status.strip())
    return {"commit": commit, "dirty": dirty, "package_version": __version__}


def version_label(version: Mapping[str, Any] | None) -> str:
    """``"1a2b3c4d5e6f"``, ``"1a2b3c4d5e6f+dirty"``, ``"package 0.1.0"`` or ``"unknown"``."""
    if not isinstance(version, Mapping):
        return "unknown"
    if version.get("commit"):
        return str(version["commit"])[:12] + ("+dirty" if version.get("dirty") else "")
    if version.get("package_version"):
        return f"package {version['package_version']}"
    return "unknown"


def config_files_hashes(named_configs: Iterable[str] | None) -> dict[str, str]:
    """``{path: config_file_hash}`` of the JSON files among a run's named configs (unreadable ones left out)."""
    out: dict[str, str] = {}
    for name in named_configs or ():
        if str(name).endswith(".json"):
            try:
                out[str(name)] = config_file_hash(json.loads(Path(name).read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
    return out
