"""Degenerate actions on hand-made sessions: a GROUP on the primary key, a FILTER to an empty view, an
action repeated on the same view, and sessions with none of them.
"""

import pytest

from ilaeda.benchmark.degenerate import DEGENERATE, degenerate_scores
from ilaeda.data import Back, Filter, Group, Stop, load_references

ECHO = Filter("info_line", "CONTAINS", "Echo (ping) reply")
NOWHERE = Filter("info_line", "EQ", "no packet has this info line")


def shares(actions):
    row = degenerate_scores([actions], "cyber", 1)[0]
    assert set(row) == {"name", *DEGENERATE}
    return {k: row[k] for k in DEGENERATE}


def test_group_on_the_primary_key():
    actions = [Group("packet_number", "length", "mean"), Back(), Group("highest_layer", "packet_number", "count")]
    assert shares(actions) == {"group_on_key": pytest.approx(1 / 3), "empty_view": 0.0, "repeated_action": 0.0}


def test_filter_to_an_empty_view_and_everything_below_it():
    actions = [NOWHERE, Group("eth_src", "packet_number", "count"), Back(), Back(), ECHO]
    assert shares(actions) == {"group_on_key": 0.0, "empty_view": pytest.approx(2 / 5), "repeated_action": 0.0}


def test_action_repeated_on_the_same_view():
    group = Group("ip_src", "packet_number", "count")
    actions = [ECHO, Back(), ECHO, group, Back(), group, Back(), Back(), group]
    # ECHO again at the root, the group again on the ECHO view; the last group is on the root: new
    assert shares(actions) == {"group_on_key": 0.0, "empty_view": 0.0, "repeated_action": pytest.approx(2 / 9)}


def test_the_same_action_on_another_view_is_not_repeated():
    group = Group("ip_src", "packet_number", "count")
    assert shares([group, Back(), ECHO, group])["repeated_action"] == 0.0


def test_sessions_with_none_and_without_actions():
    assert shares([ECHO, Group("ip_src", "packet_number", "count"), Back(), Back(), Back()]) == dict.fromkeys(
        DEGENERATE, 0.0
    )
    assert shares([]) == dict.fromkeys(DEGENERATE, 0.0)
    assert shares([Stop(), ECHO]) == dict.fromkeys(DEGENERATE, 0.0)  # nothing after STOP counts


def test_gold_references_never_group_on_the_key():
    references = load_references("cyber", 1)
    rows = degenerate_scores(references, "cyber", 1)
    assert len(rows) == len(references) > 0 and all(r["group_on_key"] == 0.0 for r in rows)
