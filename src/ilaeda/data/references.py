"""The benchmark's gold-standard reference sessions."""

from __future__ import annotations

import os
from functools import lru_cache

from ilaeda.data.locate import locate
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import Session, load_sessions


@lru_cache(maxsize=32)
def _load(path: str, columns: tuple[str, ...]) -> tuple[Session, ...]:
    return tuple(load_sessions(path, columns))


def load_references(
    schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None
) -> tuple[Session, ...]:
    """The reference sessions of one dataset (located or downloaded)."""
    schema = load_schema(schema)
    path = locate(schema.references[schema.check_dataset(dataset)], data_dir)
    return _load(str(path), schema.columns)
