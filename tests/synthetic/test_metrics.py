"""Event discovery: the isolation thresholds, and the random agent as the floor."""

import numpy as np
import pytest

from ilaeda.data.sessions import Back, Filter, Session, Stop
from ilaeda.eda.state import State
from ilaeda.synthetic.analysts import random_session
from ilaeda.synthetic.bundle import Bundle
from ilaeda.synthetic.metrics import event_discovery


def test_a_view_isolates_an_event_only_above_both_thresholds(bundle: Bundle) -> None:
    engine = bundle.engine(1)
    events = bundle.events[1]
    beacon = next(e for e in events if e.kind == "beaconing")
    host, server = beacon.signature[0], beacon.signature[1]
    # the beaconing host also has ordinary traffic: its view holds every beacon, but too much else
    share = len(beacon.rows) / len(engine.view_rows(State(filters=(host,))))
    assert 0.3 < share < 0.9
    mixed = Session("host", (host, Stop()))
    assert event_discovery([mixed], engine, events).rate == 0.0
    assert event_discovery([mixed], engine, events, min_precision=0.3).per_event[beacon.id] == 1.0
    exact = Session("server", (server, Back(), Stop()))
    assert event_discovery([exact], engine, events).per_event == {e.id: float(e is beacon) for e in events}
    # the first third of the beacons: precise, but below the recall threshold (unless it is lowered)
    early = Filter("packet_number", "LE", str(beacon.rows[len(beacon.rows) // 3]))
    part = Session("part", (early, server))
    assert event_discovery([part], engine, events).rate == 0.0
    assert event_discovery([part], engine, events, min_recall=0.3).rate == 1.0


def test_actions_after_stop_do_not_count(bundle: Bundle) -> None:
    engine = bundle.engine(1)
    scan = next(e for e in bundle.events[1] if e.kind == "port_scan")
    assert event_discovery([Session("s", (Stop(), scan.signature[0]))], engine, bundle.events[1]).rate == 0.0
    assert event_discovery([Session("s", (scan.signature[0], Stop()))], engine, bundle.events[1]).rate == 1.0


def test_no_sessions_is_an_error(bundle: Bundle) -> None:
    with pytest.raises(ValueError, match="at least one session"):
        event_discovery([], bundle.engine(1), bundle.events[1])


def test_the_random_agent_rarely_discovers_an_event(bundle: Bundle) -> None:
    """200 random 12-action sessions (no STOP) per table. Measured with ``python -m ilaeda.synthetic random``
    (docs/synthetic.md): 0.030-0.040 per table on these tables (mean 0.035), 0.035-0.050 on tables of 10,000
    rows. With 600 sessions a rate of 0.05 has a standard error below 0.01, so the bound 0.15 fails only if the
    floor triples (an easier table or a more capable random agent), which is what it guards.
    """
    rates = []
    for dataset in bundle.datasets:
        engine = bundle.engine(dataset)
        rng = np.random.default_rng([0, dataset])
        sessions = [random_session(engine, 12, rng, f"r{i}") for i in range(200)]
        assert all(len(s.actions) == 12 for s in sessions)
        rates.append(event_discovery(sessions, engine, bundle.events[dataset]).rate)
    assert 0.0 < float(np.mean(rates)) < 0.15, rates
