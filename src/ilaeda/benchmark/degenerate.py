"""Degenerate actions of a session: steps that show the analyst nothing (defined in ``docs/benchmark.md``).

Per session, each kind is a share of the session's actions (those before STOP, BACKs included; 0 for a
session without actions):

* ``group_on_key``: a GROUP on the schema's primary key (one group per row: the grouped view is the
  table again);
* ``empty_view``: a FILTER or GROUP after which the view has no row;
* ``repeated_action``: a FILTER or GROUP applied to a view (state) the session already applied that same
  action to earlier.

A step may be of several kinds. BACK is none of them (BACKs at the root are counted by ``back_at_root``).
"""

from __future__ import annotations

import os
from typing import Any

from ilaeda.benchmark.scoring import ScoreResult, SessionsLike, coerce_sessions, score_sessions
from ilaeda.benchmark.simulate import Simulation, simulate
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import Action, Filter, Group
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import State

#: Names of the shares, in report order.
DEGENERATE = ("group_on_key", "empty_view", "repeated_action")
#: Short display names in tables.
DEGENERATE_LABELS = {
    "group_on_key": "group on key",
    "empty_view": "empty view",
    "repeated_action": "repeated action",
}


def degenerate_shares(sim: Simulation, engine: DisplayEngine) -> dict[str, float]:
    """The share of each kind of degenerate action among the actions of one simulated session."""
    counts = dict.fromkeys(DEGENERATE, 0)
    seen: set[tuple[State, Action]] = set()
    for t, action in enumerate(sim.actions):
        if not isinstance(action, (Filter, Group)):
            continue
        before, after = sim.states[t], sim.states[t + 1]
        if isinstance(action, Group) and action.column == engine.schema.primary_key:
            counts["group_on_key"] += 1
        if len(engine.view_rows(after)) == 0:
            counts["empty_view"] += 1
        if (before, action) in seen:
            counts["repeated_action"] += 1
        seen.add((before, action))
    n = sim.length
    return {key: count / n if n else 0.0 for key, count in counts.items()}


def degenerate_scores(
    sessions: SessionsLike,
    schema: Schema | str,
    dataset: int,
    data_dir: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """Per session (same forms as :func:`~ilaeda.benchmark.score_sessions` takes): ``name`` and the shares."""
    schema = load_schema(schema)
    dataset = schema.check_dataset(dataset)
    engine = DisplayEngine.for_dataset(schema, dataset, data_dir)
    return [
        {"name": s.name, **degenerate_shares(simulate(s.actions, engine), engine)}
        for s in coerce_sessions(sessions, schema, dataset=dataset)
    ]


def score_with_degenerate(sessions: SessionsLike, schema: Schema | str, dataset: int, **options: Any) -> ScoreResult:
    """``score_sessions(sessions, schema, dataset, **options)`` with each session's degenerate shares in its row.

    ``options``: those of :func:`~ilaeda.benchmark.score_sessions` (``references``, ``data_dir``,
    ``with_interestingness``).
    """
    schema = load_schema(schema)
    candidates = coerce_sessions(sessions, schema, dataset=dataset)
    result = score_sessions(candidates, schema, dataset, **options)
    for row, shares in zip(result.sessions, degenerate_scores(candidates, schema, dataset, options.get("data_dir"))):
        row.update(shares)
    return result
