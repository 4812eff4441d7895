"""Fixtures of the demonstration tests: synthetic actions files and an isolated cache directory."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

HEADER = (
    "action_id",
    "action_type",
    "action_params",
    "session_id",
    "user_id",
    "project_id",
    "creation_time",
    "parent_display_id",
    "child_display_id",
    "solution",
)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user cache."""
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(tmp_path_factory.mktemp("user-cache")))


def row(
    action_id: int,
    kind: str,
    params: dict[str, Any] | str,
    session: int = 1,
    parent: int = 1,
    child: int = 2,
    dataset: int = 2,
) -> dict[str, Any]:
    """One actions.tsv row (params as a dict, or a raw string for malformed JSON)."""
    text = params if isinstance(params, str) else json.dumps(params)
    return {
        "action_id": action_id,
        "action_type": kind,
        "action_params": text,
        "session_id": session,
        "user_id": 7,
        "project_id": dataset,
        "creation_time": "2017-01-01 00:00:00",
        "parent_display_id": parent,
        "child_display_id": child,
        "solution": "True",
    }


def group(column: str, *aggs: tuple[str, str]) -> dict[str, Any]:
    return {"field": column, "aggregations": [{"field": c, "type": t} for c, t in aggs], "groupPriority": 0}


def filt(column: str, term: str, code: int) -> dict[str, Any]:
    return {"field": column, "term": term, "condition": code}


def write_actions(path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER) -> Path:
    """Write an actions.tsv like REACT-IDA's (tab-separated, JSON quoted)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), delimiter="\t", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def actions_dir(tmp_path: Path) -> Callable[[Sequence[dict[str, Any]]], Path]:
    """Write rows as ``<tmp>/data/reactida/actions.tsv``; returns the data dir to pass as ``data_dir``."""

    def make(rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER) -> Path:
        data = tmp_path / "data"
        write_actions(data / "reactida" / "actions.tsv", rows, header)
        return data

    return make
