"""load_schema is memoised by file and stat; a Split carries its Schema object."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ilaeda.data.schema import PACKAGED_SCHEMAS, Schema, load_schema
from ilaeda.data.splits import parse_split


def test_load_schema_is_memoised() -> None:
    assert load_schema("cyber") is load_schema("cyber")


def test_an_edited_schema_file_is_read_again(tmp_path: Path) -> None:
    raw = json.loads((PACKAGED_SCHEMAS / "cyber.json").read_text())
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({**raw, "description": "first"}))
    first = load_schema(str(path))
    assert load_schema(str(path)) is first and first.description == "first"
    stat = path.stat()
    path.write_text(json.dumps({**raw, "description": "second"}))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_schema(str(path)).description == "second"


def test_split_carries_its_schema_object() -> None:
    split = parse_split("cyber_loo1")
    assert isinstance(split.schema, Schema) and split.schema is load_schema("cyber")
    assert parse_split(split) is split  # a parsed split is taken as it is
    assert hash(split) == hash(parse_split("cyber_loo1"))  # hashable (lru caches, dict keys)
