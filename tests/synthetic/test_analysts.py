"""Scripted analysts: they find their planted events, act representably, and answer on any state."""

import numpy as np
import pytest

from ilaeda.data.sessions import Back, Filter, Group, Session, Stop
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import SessionStack
from ilaeda.eda.table import EncodedTable
from ilaeda.envs.codec import ActionCodec
from ilaeda.synthetic.analysts import EventHunter, Noisy, Summariser, random_session, run_session
from ilaeda.synthetic.bundle import Bundle
from ilaeda.synthetic.events import EVENT_KINDS
from ilaeda.synthetic.metrics import action_agreement, event_discovery
from ilaeda.synthetic.table import SyntheticTable, make_table

ANALYSTS = [EventHunter(), Summariser()]


def _engine(table: SyntheticTable, bundle: Bundle) -> DisplayEngine:
    return DisplayEngine(EncodedTable.from_frame(bundle.schema, table.frame))


@pytest.mark.parametrize("analyst", ANALYSTS, ids=lambda a: a.name)
@pytest.mark.parametrize(("seed", "rows"), [(0, 1_000), (1, 1_000), (2, 5_000), (3, 5_000), (4, 20_000)])
def test_each_analyst_discovers_its_planted_events(bundle: Bundle, analyst, seed: int, rows: int) -> None:  # type: ignore[no-untyped-def]
    table = make_table(rows, EVENT_KINDS, np.random.default_rng(seed))
    engine = _engine(table, bundle)
    session = run_session(analyst, engine, analyst.name)
    assert isinstance(session.actions[-1], Stop) and len(session.actions) <= 12
    assert event_discovery([session], engine, table.events).rate == 1.0


def test_the_hunter_drills_into_the_scan_first(bundle: Bundle) -> None:
    engine = bundle.engine(1)
    scan = next(e for e in bundle.events[1] if e.kind == "port_scan")
    actions = run_session(EventHunter(), engine, "h").actions
    assert actions[:3] == (
        Group("ip_src", "packet_number", "count"),
        Filter("ip_src", "EQ", scan.parameters["scanner"]),
        Back(),
    )


def test_every_analyst_action_is_representable_in_the_action_space(bundle: Bundle) -> None:
    engine = bundle.engine(2)
    codec = ActionCodec(bundle.schema)
    for analyst in ANALYSTS:
        stack = SessionStack()
        for action in run_session(analyst, engine, analyst.name).actions:
            assert codec.encode(action, engine, stack.current).representable, action
            stack.apply(action)


def test_the_written_references_are_the_analysts_sessions(bundle: Bundle) -> None:
    from ilaeda.data.references import load_references

    engine = bundle.engine(3)
    references = load_references(bundle.schema, 3)
    assert [s.actions for s in references] == [run_session(a, engine, a.name).actions for a in ANALYSTS]


def test_agreement_is_one_on_its_own_sessions_and_lower_on_others(bundle: Bundle) -> None:
    engine = bundle.engine(1)
    hunter, summariser = (run_session(a, engine, a.name) for a in ANALYSTS)
    assert action_agreement([hunter], engine, EventHunter()) == 1.0
    assert action_agreement([summariser], engine, Summariser()) == 1.0
    assert action_agreement([summariser], engine, EventHunter()) < 0.5
    # the first action is the only one the two analysts share (GROUP ip_src), and STOP at the end
    assert action_agreement([Session("x", hunter.actions[:1])], engine, Summariser()) == 1.0


def test_the_hunter_recovers_from_any_state(bundle: Bundle) -> None:
    """As an interactive expert: after a random prefix, its continuation still isolates an event."""
    engine = bundle.engine(1)
    rng = np.random.default_rng(0)
    hunter = EventHunter()
    for i in range(10):
        prefix = list(random_session(engine, 4, rng, "r").actions)
        while not isinstance(prefix[-1], Stop) and len(prefix) < 40:
            prefix.append(hunter.act(engine, prefix))
        assert isinstance(prefix[-1], Stop), i
        assert event_discovery([Session("r", tuple(prefix))], engine, bundle.events[1]).rate == 1.0, i


def test_noisy_analysts_are_seeded(bundle: Bundle) -> None:
    engine = bundle.engine(1)
    base = run_session(EventHunter(), engine, "h").actions
    assert run_session(Noisy(EventHunter(), 0.0, seed=1), engine, "n").actions == base
    first = run_session(Noisy(EventHunter(), 0.3, seed=1), engine, "n").actions
    assert run_session(Noisy(EventHunter(), 0.3, seed=1), engine, "n").actions == first
    noisy = [run_session(Noisy(EventHunter(), 0.3, seed=s), engine, "n").actions for s in range(2, 8)]
    assert any(actions != base for actions in noisy)
    assert Noisy(Summariser(), 0.1).name == "summariser-eps0.1"
