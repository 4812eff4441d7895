"""Recovery metrics: event discovery (does a session find what was planted) and action agreement.

**Isolation.** A view *isolates* a planted event when at least ``min_precision`` (default 0.9) of the
view's rows belong to the event and the view holds at least ``min_recall`` (default 0.5) of the event's
rows. A view's rows are those its filters keep (grouping does not change them). The views of a session
are the states after each of its actions up to its first STOP (the root is never counted).

**Event discovery** of a set of sessions on one table: the share of sessions with at least one view that
isolates at least one of the table's events; per event, the share of sessions that isolate it.

**Action agreement** with an analyst: over every state of every session (the history before each action
up to and including a STOP), the share where the session's action equals the analyst's action on that
history (exact equality of the actions: type, column, operator, term, aggregation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ilaeda.data.sessions import Filter, Session, Stop
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import SessionStack
from ilaeda.synthetic.analysts import Analyst
from ilaeda.synthetic.table import Event


@dataclass(frozen=True)
class Discovery:
    """Event discovery of a set of sessions: overall, per event id, per session (the ids it isolates)."""

    rate: float
    per_event: dict[str, float]
    per_session: tuple[frozenset[str], ...]


def event_rows_mask(engine: DisplayEngine, event: Event) -> np.ndarray:
    """Boolean row mask of an event's rows (matched by the primary key)."""
    key = engine.column(engine.schema.primary_key)
    keys = key.numeric_values[key.codes]  # numeric_values is per code
    return np.isin(keys, np.asarray(event.rows, dtype=np.float64))


def isolated_events(
    session: Session,
    engine: DisplayEngine,
    masks: dict[str, np.ndarray],
    min_precision: float = 0.9,
    min_recall: float = 0.5,
) -> frozenset[str]:
    """Ids of the events (``masks``: id → row mask) that some view of ``session`` isolates."""
    found: set[str] = set()
    stack = SessionStack()
    seen: set[tuple[Filter, ...]] = {()}  # the root view holds the whole table: it isolates nothing
    for action in session.until_stop():
        filters = stack.apply(action).filters
        if filters in seen:
            continue
        seen.add(filters)
        rows = engine.view_rows(stack.current)
        if not len(rows):
            continue
        for event_id, mask in masks.items():
            inside = int(mask[rows].sum())
            if inside >= min_precision * len(rows) and inside >= min_recall * int(mask.sum()):
                found.add(event_id)
    return frozenset(found)


def event_discovery(
    sessions: Sequence[Session],
    engine: DisplayEngine,
    events: Sequence[Event],
    min_precision: float = 0.9,
    min_recall: float = 0.5,
) -> Discovery:
    """Event discovery of ``sessions`` on the table of ``engine`` holding ``events`` (see the module doc)."""
    if not sessions:
        raise ValueError("event discovery needs at least one session")
    masks = {event.id: event_rows_mask(engine, event) for event in events}
    per_session = tuple(isolated_events(s, engine, masks, min_precision, min_recall) for s in sessions)
    per_event = {event.id: sum(event.id in found for found in per_session) / len(sessions) for event in events}
    return Discovery(sum(bool(found) for found in per_session) / len(sessions), per_event, per_session)


def action_agreement(sessions: Sequence[Session], engine: DisplayEngine, analyst: Analyst) -> float:
    """Share of the sessions' states where their action is the analyst's action (see the module doc)."""
    agree = total = 0
    for session in sessions:
        for i, action in enumerate(session.actions):
            total += 1
            agree += analyst.act(engine, session.actions[:i]) == action
            if isinstance(action, Stop):
                break
    if not total:
        raise ValueError("action agreement needs at least one action")
    return agree / total
