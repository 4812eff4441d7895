"""Golden values computed by running the original ATENA A-EDA benchmark code (cyber/flights dataset 1), to 1e-6."""

import pytest

from ilaeda.benchmark import METRICS, score_sessions
from ilaeda.data import Back, Filter, Group, load_references


def G(column, key="packet_number"):
    return Group(column, key, "count")


GOLDEN = [
    ("no actions", [], (1.0, 0.000006, 0.000002, 0.000001, 0.125)),
    ("G(hl)", [G("highest_layer")], (1.0, 0.004087, 0.004087, 0.001897, 0.25)),
    ("G(ip_src), B", [G("ip_src"), Back()], (1.0, 0.035674, 0.035674, 0.016558, 0.222222)),
    (
        "F(hl EQ ICMP), G(ip_src)",
        [Filter("highest_layer", "EQ", "ICMP"), G("ip_src")],
        (0.333333, 0.011891, 0.004605, 0.004230, 0.281553),
    ),
    (
        "notebook example",
        [G("highest_layer"), Back(), G("eth_src"), G("ip_src"), Filter("info_line", "CONTAINS", "Echo (ping) reply")],
        (1.0, 0.311403, 0.311403, 0.311403, 0.555556),
    ),
]


@pytest.mark.parametrize("name, actions, expected", GOLDEN, ids=[g[0] for g in GOLDEN])
def test_cyber1_golden(name, actions, expected):
    row = score_sessions([actions], "cyber", 1).sessions[0]
    assert [row[m] for m in METRICS] == pytest.approx(list(expected), abs=1e-6)


def test_notebook_t_bleu_2_full_precision():
    actions = GOLDEN[-1][1]
    assert score_sessions([actions], "cyber", 1).sessions[0]["t_bleu_2"] == pytest.approx(
        0.31140322391459774, abs=1e-12
    )


def test_flights1_golden():
    row = score_sessions([[G("departure_delay", "flight_id")]], "flights", 1).sessions[0]
    assert [row[m] for m in METRICS] == pytest.approx([1.0, 0.004087, 0.004087, 0.001897, 0.25], abs=1e-6)


@pytest.mark.parametrize("schema, dataset", [(s, d) for s in ("cyber", "flights") for d in (1, 2, 3, 4)])
def test_every_reference_scores_one_against_its_own_set(schema, dataset):
    refs = load_references(schema, dataset)
    result = score_sessions(list(refs), schema, dataset)
    assert len(result.sessions) == len(refs)
    for row in result.sessions:
        assert [row[m] for m in METRICS] == [1.0] * 5, row["name"]
        assert row["length"] == 12
    assert [result.corpus[m] for m in METRICS] == [1.0] * 5
