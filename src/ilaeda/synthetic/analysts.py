"""Scripted analysts: known rules, acting through the display engine on any state.

An analyst is a policy over the *history* of a session (the actions taken so far on one dataset's
engine): ``analyst.act(engine, history) -> action``. The history is the whole state of an EDA session
(the view stack follows from it), so the analyst can label any state an agent reaches, not only its own:
it is an interactive expert. :func:`run_session` plays an analyst from the root to its STOP.

Every action is representable in the environment's action space: filters are ``EQ`` on a value present
in the view they are applied to (a term candidate of :class:`~ilaeda.envs.codec.ActionCodec`), groups count
the primary key (aggregation component 0). The codec's *decoding* of a term bin is still random among the
candidates of that frequency bin, so a demonstration's filter is reproduced exactly only when its value is
alone in its bin (the most frequent values usually are).

Rules (``docs/synthetic.md`` states them with examples):

* :class:`EventHunter` — depth-first over *leads*: for each lead column, the groups of the root view
  ranked by anomaly (group size over the median group size, at least ``min_score``), the top
  ``per_column`` of them. For the next unexplored lead ``(c, v)``: at the root, GROUP ``c``; in the view
  grouped by ``c``, FILTER ``c EQ v``; anywhere else, BACK. No lead left: STOP.
* :class:`Summariser` — breadth-first: first GROUP each of its ``columns`` at the root (BACK after each),
  then FILTER each of the first ``n_filters`` columns on its most frequent value (BACK after each), STOP.
* :class:`Noisy` — with probability ``epsilon`` a uniformly random action vector (no STOP) decoded by the codec,
  else its base analyst's action (seeded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ilaeda.data.sessions import Action, Back, Filter, Group, Session, Stop
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import SessionStack, State
from ilaeda.envs.codec import ActionCodec


class Analyst(Protocol):
    """What a scripted analyst offers: a name and an action for any history."""

    @property
    def name(self) -> str: ...

    def act(self, engine: DisplayEngine, history: Sequence[Action]) -> Action: ...


def current_state(history: Sequence[Action]) -> State:
    """The view state after ``history`` (STOP returns to the root)."""
    stack = SessionStack()
    for action in history:
        stack.apply(action)
    return stack.current


def _ranked_values(engine: DisplayEngine, column: str) -> list[tuple[str, float]]:
    """Values of ``column`` in the root view with their anomaly score, most anomalous first (ties: value order)."""
    counts = engine.value_counts((), column)
    present = np.flatnonzero(counts)
    if not len(present):
        return []
    scores = counts[present] / float(np.median(counts[present]))
    order = present[np.argsort(-scores, kind="stable")]
    strings = engine.column(column).strings
    return [(strings[i], float(counts[i] / np.median(counts[present]))) for i in order.tolist()]


def _group(engine: DisplayEngine, column: str) -> Group:
    return Group(column, engine.schema.primary_key, "count")


@dataclass(frozen=True)
class EventHunter:
    """Group by a lead column, drill into its most anomalous group, back up, try the next lead."""

    columns: tuple[str, ...] = ("ip_src", "ip_dst")
    per_column: int = 2
    min_score: float = 2.0
    name: str = "hunter"

    def leads(self, engine: DisplayEngine) -> list[Filter]:
        """The filters the hunter will try, in order."""
        out = []
        for column in self.columns:
            ranked = [v for v, score in _ranked_values(engine, column) if score >= self.min_score]
            out += [Filter(column, "EQ", value) for value in ranked[: self.per_column]]
        return out

    def act(self, engine: DisplayEngine, history: Sequence[Action]) -> Action:
        tried = set(history)
        todo = [lead for lead in self.leads(engine) if lead not in tried]
        if not todo:
            return Stop()
        state = current_state(history)
        lead = todo[0]
        if state.is_root:
            return _group(engine, lead.column)
        if not state.filters and state.grouping == (lead.column,):
            return lead
        return Back()


@dataclass(frozen=True)
class Summariser:
    """Breadth-first: group by each column at the root, then filter each on its most frequent value."""

    columns: tuple[str, ...] = ("ip_src", "ip_dst", "highest_layer")
    n_filters: int = 2
    name: str = "summariser"

    def plan(self, engine: DisplayEngine) -> list[Action]:
        """The summarising actions, each taken from the root, in order."""
        groups: list[Action] = [_group(engine, c) for c in self.columns]
        filters: list[Action] = []
        for column in self.columns[: self.n_filters]:
            ranked = _ranked_values(engine, column)
            if ranked:
                filters.append(Filter(column, "EQ", ranked[0][0]))
        return groups + filters

    def act(self, engine: DisplayEngine, history: Sequence[Action]) -> Action:
        if not current_state(history).is_root:
            return Back()
        done = set(history)
        todo = [a for a in self.plan(engine) if a not in done]
        return todo[0] if todo else Stop()


@dataclass
class Noisy:
    """An ε-noisy analyst: a random (decoded) action with probability ``epsilon``, else ``base``'s."""

    base: EventHunter | Summariser
    epsilon: float
    seed: int = 0
    name: str = ""
    _rng: np.random.Generator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        self.name = self.name or f"{self.base.name}-eps{self.epsilon:g}"

    def act(self, engine: DisplayEngine, history: Sequence[Action]) -> Action:
        if self._rng.random() < self.epsilon:
            return random_action(engine, current_state(history), self._rng)
        return self.base.act(engine, history)


def random_action(engine: DisplayEngine, state: State, rng: np.random.Generator) -> Action:
    """A uniformly random action vector of the env's action space without STOP, decoded in ``state``."""
    codec = ActionCodec(engine.schema, allow_stop=False)
    vector = rng.integers(0, codec.nvec)
    return codec.decode(vector, engine, state, rng)


def run_session(analyst: Analyst, engine: DisplayEngine, name: str, max_actions: int = 30) -> Session:
    """The analyst's session from the root until its STOP (included) or ``max_actions`` actions."""
    history: list[Action] = []
    while len(history) < max_actions:
        action = analyst.act(engine, history)
        history.append(action)
        if isinstance(action, Stop):
            break
    return Session(name, tuple(history))


def random_session(engine: DisplayEngine, length: int, rng: np.random.Generator, name: str) -> Session:
    """A random agent's session: ``length`` uniformly random actions (no STOP), as the env's random baseline."""
    stack = SessionStack()
    actions: list[Action] = []
    for _ in range(length):
        actions.append(random_action(engine, stack.current, rng))
        stack.apply(actions[-1])
    return Session(name, tuple(actions))
