"""One synthetic table: background traffic plus planted events, in capture order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ilaeda.data.sessions import action_to_json
from ilaeda.synthetic.background import BackgroundSpec, add_background_hosts, background
from ilaeda.synthetic.events import GENERATORS, Context, EventInfo, event_rows
from ilaeda.synthetic.traffic import Hosts, Packets, render

#: Seconds the capture spans per row (about two rows a second).
SECONDS_PER_ROW = 0.5


@dataclass(frozen=True)
class Event(EventInfo):
    """A planted event of one table: its description, its id and its rows (primary keys)."""

    id: str
    rows: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "parameters": self.parameters,
            "signature": [action_to_json(f) for f in self.signature],
            "rows": list(self.rows),
        }


@dataclass(frozen=True)
class SyntheticTable:
    """A generated table and the events planted in it."""

    frame: pd.DataFrame
    events: tuple[Event, ...]


def make_table(
    n_rows: int, kinds: Sequence[str], rng: np.random.Generator, spec: BackgroundSpec | None = None
) -> SyntheticTable:
    """A table of ``n_rows`` rows holding one event per entry of ``kinds`` (names of :data:`GENERATORS`)."""
    spec = spec or BackgroundSpec()
    span = max(60, int(n_rows / SECONDS_PER_ROW))
    hosts = Hosts()
    clients, servers = add_background_hosts(hosts, spec, rng)
    planted = []
    first_flow = 0
    for number, kind in enumerate(kinds, start=1):
        event = GENERATORS[kind](event_rows(kind, n_rows), Context(span, hosts, clients, number, first_flow), rng)
        first_flow = int(event.packets.flow.max()) + 1
        planted.append(event)
    n_background = n_rows - sum(len(e.packets) for e in planted)
    if n_background < 0:
        raise ValueError(f"{n_rows} rows cannot hold {len(kinds)} events")
    parts = [background(n_background, span, clients, servers, spec, rng, first_flow)] + [e.packets for e in planted]
    packets = Packets.concatenate(parts)
    order = np.argsort(packets.time, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))  # the packet_number each generated row ends up with
    frame = render(packets.take(order), hosts, rng)
    events = []
    start = n_background
    for number, event in enumerate(planted, start=1):
        rows = np.sort(position[start : start + len(event.packets)])
        start += len(event.packets)
        events.append(
            Event(event.kind, event.parameters, event.signature, f"{event.kind}-{number}", tuple(rows.tolist()))
        )
    return SyntheticTable(frame, tuple(events))
