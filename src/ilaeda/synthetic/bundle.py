"""Synthetic data bundles: tables, a schema file, scripted reference sessions and the events manifest.

Layout of a bundle folder::

    schema.json            the packaged schema format; dataset and reference paths relative to the folder
    datasets/<k>.tsv       table k, in the benchmark's TSV format
    references/<k>.json    scripted sessions on table k (hunter and summariser), the references' format
    events.json            every planted event of every table: kind, parameters, signature, rows

``load_schema("<bundle>/schema.json")`` finds the files beside it, so ``load_table``, ``load_references``
and ``DisplayEngine.for_dataset`` work on a bundle like on the packaged datasets, with the same checksum
rule. The same arguments give the same bytes (tables, JSON and their sha256).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ilaeda._io import sha256_file
from ilaeda.data.loading import load_table
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import Filter, action_from_json, sessions_to_json
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.table import EncodedTable
from ilaeda.synthetic.analysts import Analyst, EventHunter, Summariser, run_session
from ilaeda.synthetic.table import Event, make_table
from ilaeda.synthetic.tsv import tsv_bytes

SCHEMA_FILE = "schema.json"
EVENTS_FILE = "events.json"


def _dump(data: object) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


def _write(root: Path, relative: str, data: bytes) -> dict[str, str]:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"path": relative, "sha256": sha256_file(path), "url": ""}


def write_bundle(
    out: str | os.PathLike[str],
    rows: int,
    datasets: int,
    seed: int,
    kinds: Sequence[str],
    name: str = "synthetic",
    references: bool = True,
) -> Path:
    """Generate ``datasets`` tables of ``rows`` rows with one event per entry of ``kinds`` into ``out``."""
    root = Path(out)
    cyber = load_schema("cyber")  # the tables have the cyber schema's columns, under the bundle's own name
    schema = Schema(name, cyber.columns, cyber.numeric_columns, cyber.primary_key, cyber.text_columns)
    tables: dict[str, dict[str, str]] = {}
    refs: dict[str, dict[str, str]] = {}
    events: dict[str, list[dict[str, Any]]] = {}
    for k in range(1, datasets + 1):
        table = make_table(rows, kinds, np.random.default_rng([seed, k]))
        tables[str(k)] = _write(root, f"datasets/{k}.tsv", tsv_bytes(table.frame))
        events[str(k)] = [event.to_json() for event in table.events]
        if references:
            engine = DisplayEngine(EncodedTable.from_frame(schema, table.frame), f"{name}/{k}")
            analysts: tuple[Analyst, ...] = (EventHunter(), Summariser())
            sessions = [run_session(a, engine, a.name) for a in analysts]
            refs[str(k)] = _write(
                root, f"references/{k}.json", _dump(sessions_to_json(sessions, schema=name, dataset=k))
            )
    description = (
        f"Synthetic network traffic with planted events (ilaeda.synthetic; seed {seed}, {rows} rows per table)."
    )
    raw = {
        "name": name,
        "description": description,
        "columns": list(schema.columns),
        "numeric_columns": sorted(schema.numeric_columns),
        "text_columns": sorted(schema.text_columns),
        "primary_key": schema.primary_key,
        "datasets": tables,
        "references": refs,
    }
    (root / SCHEMA_FILE).write_bytes(_dump(raw))
    manifest = {"schema": name, "seed": seed, "rows": rows, "kinds": list(kinds), "datasets": events}
    (root / EVENTS_FILE).write_bytes(_dump(manifest))
    return root


def _event(raw: dict[str, Any]) -> Event:
    signature = tuple(action_from_json(a) for a in raw["signature"])
    filters = tuple(a for a in signature if isinstance(a, Filter))
    if len(filters) != len(signature):
        raise ValueError(f"the signature of event {raw['id']!r} holds actions that are not filters")
    return Event(raw["kind"], raw["parameters"], filters, raw["id"], tuple(raw["rows"]))


@dataclass
class Bundle:
    """A bundle on disk: its schema, planted events per dataset, and display engines of its tables."""

    root: Path
    schema: Schema
    events: dict[int, tuple[Event, ...]]
    _engines: dict[int, DisplayEngine] = field(default_factory=dict, repr=False)

    def engine(self, dataset: int) -> DisplayEngine:
        """The display engine of table ``dataset`` (its file checked against the schema's sha256)."""
        if dataset not in self._engines:
            frame = load_table(self.schema, dataset)
            self._engines[dataset] = DisplayEngine(
                EncodedTable.from_frame(self.schema, frame), f"{self.schema.name}/{dataset}"
            )
        return self._engines[dataset]

    @cached_property
    def datasets(self) -> tuple[int, ...]:
        return tuple(sorted(self.schema.datasets))


def load_bundle(path: str | os.PathLike[str]) -> Bundle:
    """The bundle in folder ``path``."""
    root = Path(path)
    schema = load_schema(root / SCHEMA_FILE)
    manifest = json.loads((root / EVENTS_FILE).read_text())
    events = {int(k): tuple(_event(e) for e in v) for k, v in manifest["datasets"].items()}
    return Bundle(root, schema, events)
