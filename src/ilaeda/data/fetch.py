"""Download, verify and list the data files (datasets, gold references, REACT-IDA sessions).

Downloads are verified by sha256 and written atomically: the bytes go to a temporary file beside the
destination, are checked, then renamed into place; on any failure the temporary file is removed, so a
partial or corrupt download never sits under the final name. ``$ILAEDA_DATA_BASE_URL`` (or ``base_url``)
replaces the public URLs by ``<base_url>/<file.path>``, e.g. a local mirror of the data folder.
"""

from __future__ import annotations

import http.client
import io
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, NamedTuple

from tqdm import tqdm

from ilaeda._io import atomic_write, sha256_bytes, sha256_file
from ilaeda.data.dirs import ENV_VAR, cache_dir, find_local, search_dirs
from ilaeda.data.reference_source import convert_reference_source
from ilaeda.data.schema import (
    SESSION_REPOSITORY_SCHEMA,
    DataFile,
    available_schemas,
    load_schema,
    load_session_repository,
)
from ilaeda.errors import DataError

BASE_URL_ENV = "ILAEDA_DATA_BASE_URL"
#: Seconds to wait for the server (connect and each read).
TIMEOUT_S = 30.0
_CHUNK = 1 << 16
_FETCH_HINT = "run `python -m ilaeda.data fetch`"


class FileStatus(NamedTuple):
    """One data file, the local copy found (or None) and its status."""

    file: DataFile
    path: Path | None
    status: str  # "ok", "missing", "corrupt", "downloaded"


def source_url(file: DataFile, base_url: str | None = None) -> str:
    """Where ``file`` is downloaded from: ``<base_url>/<file.path>`` when a base URL is set, else its URL."""
    base = base_url or os.environ.get(BASE_URL_ENV)
    return f"{base.rstrip('/')}/{file.path}" if base else file.url


def _tried(data_dir: str | os.PathLike[str] | None) -> str:
    dirs = "; ".join(f"{name} {path}" for name, path in search_dirs(data_dir))
    unset = "" if os.environ.get(ENV_VAR) else f" (${ENV_VAR} is not set)"
    return f"searched {dirs}{unset}"


def _offline_error(
    file: DataFile, url: str, reason: str, data_dir: str | os.PathLike[str] | None, corrupt_copy: Path | None = None
) -> DataError:
    where = (
        f"has only a corrupt local copy ({corrupt_copy}: sha256 mismatch)"
        if corrupt_copy is not None
        else "is not available locally"
    )
    return DataError(
        f"data file {file.path} {where} and could not be downloaded from {url} ({reason}); "
        f"{_tried(data_dir)}. Fix: set {ENV_VAR} to a folder holding the data (it must contain {file.path}), "
        f"or connect to the network and {_FETCH_HINT}"
    )


def _download(url: str, handle: IO[bytes], label: str) -> None:
    """Stream ``url`` into ``handle``; raises on HTTP, network or truncation errors."""
    request = urllib.request.Request(url, headers={"User-Agent": "ilaeda-data-fetch"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        length_header = response.headers.get("Content-Length")
        expected = int(length_header) if length_header and length_header.isdigit() else None
        received = 0
        with tqdm(
            total=expected,
            unit="B",
            unit_scale=True,
            desc=label,
            file=sys.stderr,
            leave=False,
            disable=not sys.stderr.isatty(),
        ) as bar:
            while chunk := response.read(_CHUNK):
                handle.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        if expected is not None and received != expected:
            raise http.client.IncompleteRead(b"", expected - received)


def fetch_file(
    file: DataFile,
    dest_root: str | os.PathLike[str],
    allow_download: bool = True,
    base_url: str | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    corrupt_copy: Path | None = None,
) -> Path:
    """Download ``file`` to ``dest_root/file.path``, verify its sha256, and return that path.

    Reference files (``format == "python-literals"``) are downloaded as the benchmark's Python source and
    rebuilt as JSON with :mod:`ilaeda.data.reference_source` (unless a base URL serves the ``.json`` itself);
    the sha256 of the result is what is checked.

    Args:
        file: the file to fetch.
        dest_root: the data folder to write into (normally the user cache).
        allow_download: when False, raise at once instead of touching the network.
        base_url: a mirror of the data folder (``$ILAEDA_DATA_BASE_URL`` when None).
        data_dir: the config data dir that was searched, only for the error message.
        corrupt_copy: the corrupt local copy being replaced, only for the error message.
    """
    url = source_url(file, base_url)
    if not allow_download:
        raise DataError(
            f"data file {file.path} not found and downloads are disabled; {_tried(data_dir)}. Fix: set "
            f"{ENV_VAR} to a folder holding the data, or {_FETCH_HINT} (source: {url})"
        )
    dest = Path(dest_root) / file.path
    cannot_write = f"; set ILAEDA_CACHE_DIR to a writable folder, or {ENV_VAR} to a folder holding the data"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot write {dest}: {exc.strerror or exc}{cannot_write}") from None
    buffer = io.BytesIO()  # the data files are a few MB: verified in memory, published whole
    try:
        _download(url, buffer, file.path)
    except urllib.error.HTTPError as exc:
        raise _offline_error(file, url, f"HTTP {exc.code} {exc.reason}", data_dir, corrupt_copy) from None
    except urllib.error.URLError as exc:
        raise _offline_error(file, url, str(exc.reason), data_dir, corrupt_copy) from None
    except http.client.IncompleteRead as exc:
        raise _offline_error(
            file, url, f"the connection closed early, {exc.expected} bytes short", data_dir, corrupt_copy
        ) from None
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise _offline_error(file, url, f"{type(exc).__name__}: {exc}", data_dir, corrupt_copy) from None
    data = buffer.getvalue()
    if file.format == "python-literals" and not url.endswith(".json"):
        data = convert_reference_source(data, file)
    actual = sha256_bytes(data)
    if actual != file.sha256:
        raise DataError(
            f"checksum mismatch for {file.path} downloaded from {url}: expected sha256 {file.sha256}, "
            f"got {actual}; nothing was kept. Fix: retry (`python -m ilaeda.data fetch`); if it persists "
            f"the source changed — set {ENV_VAR} to a folder holding verified data"
        )
    try:
        return atomic_write(dest, data)
    except OSError as exc:
        raise DataError(f"cannot write {dest}: {exc.strerror or exc}{cannot_write}") from None


def data_files(schema_names: list[str] | tuple[str, ...] | None = None) -> list[tuple[str, DataFile]]:
    """Every data file of the schemas (all when None), labelled, plus the REACT-IDA sessions (cyber)."""
    names = list(schema_names) if schema_names else available_schemas()
    files: list[tuple[str, DataFile]] = []
    for name in names:
        schema = load_schema(name)
        files += [(f"{schema.name} dataset {n}", f) for n, f in sorted(schema.datasets.items())]
        files += [(f"{schema.name} references {n}", f) for n, f in sorted(schema.references.items())]
    if SESSION_REPOSITORY_SCHEMA in names:
        files.append(("REACT-IDA sessions", load_session_repository()))
    return files


def check_file(file: DataFile, data_dir: str | os.PathLike[str] | None = None) -> FileStatus:
    """Status of the copy of ``file`` that :func:`ilaeda.data.locate.locate` would use."""
    path = find_local(file, data_dir)
    if path is None:
        return FileStatus(file, None, "missing")
    return FileStatus(file, path, "ok" if sha256_file(path) == file.sha256 else "corrupt")


def verify(
    schema_names: list[str] | tuple[str, ...] | None = None, data_dir: str | os.PathLike[str] | None = None
) -> list[FileStatus]:
    """Check the sha256 of every data file's local copy: ``(file, path or None, status)`` per file."""
    return [check_file(f, data_dir) for _, f in data_files(schema_names)]


def fetch_all(
    schema_names: list[str] | tuple[str, ...] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    dest_root: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
) -> list[FileStatus]:
    """Download every data file that has no valid local copy into ``dest_root`` (the user cache).

    A corrupt copy inside ``dest_root`` is replaced; one elsewhere (a folder the user manages) is reported
    as ``corrupt`` and left alone. The first failed download raises :class:`DataError`.
    """
    root = Path(dest_root) if dest_root is not None else cache_dir()
    results = []
    for _, file in data_files(schema_names):
        status = check_file(file, data_dir)
        replaceable = status.path is not None and status.path.resolve() == (root / file.path).resolve()
        if status.status == "missing" or (status.status == "corrupt" and replaceable):
            path = fetch_file(
                file,
                root,
                base_url=base_url,
                data_dir=data_dir,
                corrupt_copy=status.path if status.status == "corrupt" else None,
            )
            status = FileStatus(file, path, "downloaded")
        results.append(status)
    return results
