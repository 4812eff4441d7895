"""Dataset schemas: the one description of a table family's columns, files and references.

Schemas ship as JSON inside the package (``ilaeda/data/schemas/<name>.json``, read with
:mod:`importlib.resources`, so an installed wheel has them); ``$ILAEDA_SCHEMA_DIR`` points to a folder of
your own schemas instead. The environment and the benchmark read the same schema, so every agent action is
a benchmark action.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ilaeda.errors import ConfigError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: The schemas shipped with the package (``ilaeda/data/schemas``).
PACKAGED_SCHEMAS: Traversable = resources.files("ilaeda.data") / "schemas"


def schema_dir() -> Traversable:
    """Directory holding the schema JSON files: ``$ILAEDA_SCHEMA_DIR`` when set, else the packaged ones."""
    override = os.environ.get("ILAEDA_SCHEMA_DIR")
    return Path(override) if override else PACKAGED_SCHEMAS


@dataclass(frozen=True)
class DataFile:
    """A file of the data directory: its relative path, checksum and public source URL."""

    path: str
    sha256: str
    url: str
    format: str = "raw"
    #: The folder of the schema file that names this file (set for a schema loaded from a path): its
    #: ``path`` is looked up there first, so a bundle's schema can point to the files beside it.
    base: str = ""


@dataclass(frozen=True)
class Schema:
    """Columns and files of one table family (e.g. ``cyber``)."""

    name: str
    columns: tuple[str, ...]
    numeric_columns: frozenset[str]
    primary_key: str
    text_columns: frozenset[str] = frozenset()
    datasets: Mapping[int, DataFile] = field(default_factory=dict, hash=False)
    references: Mapping[int, DataFile] = field(default_factory=dict, hash=False)
    description: str = ""

    def __post_init__(self) -> None:
        missing = [c for c in (*self.numeric_columns, self.primary_key, *self.text_columns) if c not in self.columns]
        if missing:
            raise ConfigError(f"schema {self.name!r}: columns {missing} are not in its column list")

    @property
    def n_columns(self) -> int:
        return len(self.columns)

    def column_index(self, column: str) -> int:
        """Index of ``column``; a clear error names the valid columns otherwise."""
        try:
            return self.columns.index(column)
        except ValueError:
            raise ConfigError(
                f"unknown column {column!r} for schema {self.name!r}; valid columns: {', '.join(self.columns)}"
            ) from None

    def check_dataset(self, dataset: int) -> int:
        """Validate a dataset number of this schema and return it as an int."""
        try:
            number = int(dataset)
        except (TypeError, ValueError):
            number = -1
        if number not in self.datasets:
            valid = ", ".join(str(n) for n in sorted(self.datasets))
            raise ConfigError(f"unknown dataset {dataset!r} for schema {self.name!r}; valid datasets: {valid}")
        return number


def _files(raw: Mapping[str, Mapping[str, str]], base: str = "") -> dict[int, DataFile]:
    return {int(k): DataFile(**v, base=base) for k, v in raw.items()}


def available_schemas() -> list[str]:
    """Names of the schemas found in :func:`schema_dir`."""
    directory = schema_dir()
    if not directory.is_dir():
        return []
    return sorted(p.name.removesuffix(".json") for p in directory.iterdir() if p.name.endswith(".json"))


def load_schema(name_or_path: str | os.PathLike[str] | Schema) -> Schema:
    """Load a schema by name (``cyber``) or by path to a JSON file; a Schema is returned as it is.

    Memoised by the file's resolved path and its stat (size, mtime, inode), so an edited file is read again.
    """
    if isinstance(name_or_path, Schema):
        return name_or_path
    text = str(name_or_path)
    path: Traversable = Path(text) if text.endswith(".json") else schema_dir() / f"{text}.json"
    base = str(Path(text).resolve().parent) if text.endswith(".json") else ""
    if not path.is_file():
        raise ConfigError(
            f"unknown schema {text!r}; available schemas: {', '.join(available_schemas())} (looked in {schema_dir()})"
        )
    if not isinstance(path, Path):  # a packaged resource inside an archive: nothing to stat
        return _parse_schema(path, base)
    resolved = path.resolve()
    stat = resolved.stat()
    return _load_schema_file(str(resolved), base, stat.st_size, stat.st_mtime_ns, stat.st_ino)


@lru_cache(maxsize=32)
def _load_schema_file(path: str, base: str, size: int, mtime_ns: int, inode: int) -> Schema:  # stat: the cache key
    return _parse_schema(Path(path), base)


def _parse_schema(path: Traversable, base: str) -> Schema:
    try:
        raw = json.loads(path.read_text())
        return Schema(
            name=raw["name"],
            columns=tuple(raw["columns"]),
            numeric_columns=frozenset(raw.get("numeric_columns", [])),
            primary_key=raw["primary_key"],
            text_columns=frozenset(raw.get("text_columns", [])),
            datasets=_files(raw.get("datasets", {}), base),
            references=_files(raw.get("references", {}), base),
            description=raw.get("description", ""),
        )
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(f"malformed schema file {path}: {exc!r}; fix the JSON") from None


#: Schema whose datasets the REACT-IDA session repository records (``project_id`` = dataset number).
SESSION_REPOSITORY_SCHEMA = "cyber"


def sessions_config_path() -> Traversable:
    """``ilaeda/data/session_repository.json``: where the REACT-IDA session repository file is described."""
    return resources.files("ilaeda.data") / "session_repository.json"


def load_session_repository() -> DataFile:
    """The REACT-IDA ``actions.tsv`` entry of the packaged ``session_repository.json`` (path, sha256, URL)."""
    path = sessions_config_path()
    try:
        raw = json.loads(path.read_text())
        return DataFile(**raw["actions"])
    except FileNotFoundError:
        raise ConfigError(f"missing {path}; reinstall ilaeda (the file ships with the package)") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(
            f'malformed {path}: {exc!r}; it needs an "actions" object with path, sha256 and url'
        ) from None
