"""On-disk cache of replays, keyed by a content hash of everything they depend on.

Entries are ``.npz`` files under ``ilaeda.data.dirs.cache_dir()/demos`` (or a given directory).
A key covers the session source (sha256 of ``actions.tsv`` or of a reference file), the dataset
file's sha256, the schema JSON, the options, :data:`CODE_VERSION` and a hash of the source code that
produces replays (display engine, env, conversion, replay). Writes go to a temporary file in the same
directory and are published with ``os.replace``, so concurrent builders never leave a torn entry;
an unreadable entry is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ilaeda._io import atomic_write, sha256_file
from ilaeda.data.dirs import cache_dir as user_cache_dir
from ilaeda.demos.replay import ReplaySet

#: Bump when the meaning of cached arrays changes without a code change elsewhere.
CODE_VERSION = 2
_LOG = logging.getLogger(__name__)
_PACKAGE = Path(__file__).resolve().parents[1]
#: Sources whose changes invalidate the cache.
_CODE_FILES = (
    "eda/*.py",
    "envs/*.py",
    "demos/conversion.py",
    "demos/replay.py",
    "demos/cache.py",
    "data/sessions.py",
    "data/loading.py",
)


def default_cache_dir() -> Path:
    """``<user cache>/demos``."""
    return user_cache_dir() / "demos"


@lru_cache(maxsize=64)
def _file_sha256(path: str, size: int, mtime_ns: int, ctime_ns: int) -> str:
    return sha256_file(path)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file's content (memoised by path, size, mtime and ctime)."""
    stat = os.stat(path)
    return _file_sha256(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def code_hash() -> str:
    """Hash of the source files that determine replays."""
    digest = hashlib.sha256(str(CODE_VERSION).encode())
    for pattern in _CODE_FILES:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(inputs: Mapping[str, Any]) -> str:
    """Content hash of JSON-serialisable inputs (plus the code hash)."""
    payload = json.dumps({"inputs": inputs, "code": code_hash()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _save(path: Path, replays: ReplaySet, meta: Mapping[str, Any]) -> None:
    header = {**meta, "schema": replays.schema, "dataset": replays.dataset, "horizon": replays.horizon}
    atomic_write(
        path,
        lambda handle: np.savez_compressed(
            handle,
            names=np.asarray(replays.names, dtype=str),
            steps=replays.steps,
            n_actions=replays.n_actions,
            obs=replays.obs,
            depth=replays.depth,
            acts=replays.acts.astype(np.int16),
            step_kind=replays.step_kind,
            action_type=replays.action_type,
            representable=replays.representable,
            effect=replays.effect,
            meta=np.asarray(json.dumps(header, sort_keys=True, default=str)),
        ),
    )


def _load(path: Path) -> ReplaySet:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        names = tuple(str(n) for n in data["names"])
        return ReplaySet(
            schema=meta["schema"],
            dataset=int(meta["dataset"]),
            horizon=int(meta["horizon"]),
            names=names,
            steps=data["steps"].astype(np.int64),
            n_actions=data["n_actions"].astype(np.int64),
            obs=data["obs"].astype(np.float32),
            depth=data["depth"].astype(np.int16),
            acts=data["acts"].astype(np.int64),
            step_kind=data["step_kind"].astype(np.int8),
            action_type=data["action_type"].astype(np.int8),
            representable=data["representable"].astype(np.int8),
            effect=data["effect"].astype(np.int8),
        )


def cached_replays(
    name: str,
    inputs: Mapping[str, Any],
    build: Callable[[], ReplaySet],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> ReplaySet:
    """The cached replays for ``inputs``, building (and storing) them when absent or stale.

    Args:
        name: readable file-name prefix (e.g. ``cyber-sessions-d2``).
        inputs: everything the replays depend on besides code (hashed into the key).
        build: computes the replays on a miss.
        cache_dir: cache directory (default :func:`default_cache_dir`).
        use_cache: False builds without reading or writing the cache.
    """
    if not use_cache:
        return build()
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = directory / f"{name}-{cache_key(inputs)[:24]}.npz"
    if path.is_file():
        try:
            return _load(path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            _LOG.warning("rebuilding unreadable demonstration cache %s (%s)", path, exc)
    replays = build()
    try:
        _save(path, replays, {"inputs": inputs})
    except OSError as exc:  # a read-only or full cache must not stop the run
        _LOG.warning("could not write demonstration cache %s: %s", path, exc)
    return replays


def cache_entries(cache_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The cache files present."""
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return sorted(directory.glob("*.npz")) if directory.is_dir() else []


def clear_cache(cache_dir: str | os.PathLike[str] | None = None) -> int:
    """Delete the cache files (and stray temporary files); return how many were removed."""
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    removed = 0
    if directory.is_dir():
        for path in [*directory.glob("*.npz"), *directory.glob(".*.tmp")]:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
