"""The action model and the session JSON format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ilaeda.data.references import load_references
from ilaeda.data.schema import load_schema
from ilaeda.data.sessions import (
    Back,
    Filter,
    Group,
    Session,
    Stop,
    action_from_json,
    load_sessions,
    render_action,
    sessions_from_json,
    sessions_to_json,
)
from ilaeda.data.splits import parse_split
from ilaeda.errors import ConfigError, SessionFormatError

CYBER = load_schema("cyber").columns


def test_round_trip_references() -> None:
    refs = load_references("cyber", 1)
    assert len(refs) == 7 and all(len(s.actions) == 12 for s in refs)
    again = sessions_from_json(json.loads(json.dumps(sessions_to_json(refs))), CYBER)
    assert tuple(again) == refs


def test_bare_list_format_and_stop() -> None:
    sessions = sessions_from_json([[{"type": "group", "column": "ip_src"}, {"type": "stop"}, {"type": "back"}]])
    assert sessions[0].actions == (Group("ip_src", "", "count"), Stop(), Back())
    assert sessions[0].until_stop() == (Group("ip_src", "", "count"),)


def test_render() -> None:
    assert render_action(Group("ip_src", "packet_number", "count")) == "GROUP ip_src COUNT packet_number"
    assert render_action(Filter("info_line", "CONTAINS", "SYN")) == "FILTER info_line CONTAINS 'SYN'"
    assert render_action(Back()) == "BACK"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"type": "filter", "column": "ip_src", "operator": "LIKE", "term": "x"}, "unknown operator 'LIKE'"),
        ({"type": "filter", "column": "nope", "operator": "EQ", "term": "x"}, "unknown column 'nope'"),
        ({"type": "group", "column": "ip_src", "agg_func": "median"}, "unknown aggregation function"),
        ({"type": "jump"}, "unknown action type"),
        ({"type": "filter", "column": "ip_src"}, "missing field 'operator'"),
        ("GROUP", "malformed action"),
    ],
)
def test_bad_actions_name_session_and_index(raw: object, message: str) -> None:
    with pytest.raises(SessionFormatError, match=message) as info:
        sessions_from_json({"sessions": [{"name": "s1", "actions": [{"type": "back"}, raw]}]}, CYBER)
    assert "session 's1', action 1" in str(info.value)


def test_malformed_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SessionFormatError, match="malformed JSON"):
        load_sessions(bad)
    with pytest.raises(SessionFormatError, match="not found"):
        load_sessions(tmp_path / "missing.json")
    bad.write_text('{"sessions": 3}')
    with pytest.raises(SessionFormatError, match="expected"):
        load_sessions(bad)


def test_action_aliases() -> None:
    assert action_from_json({"type": "group", "column": "a", "agg_column": "b", "agg_func": "avg"}).agg_func == "mean"
    assert Session("x", (Back(),)).until_stop() == (Back(),)


def test_splits() -> None:
    loo = parse_split("cyber_loo1")
    assert loo.train_datasets == (2, 3, 4) and loo.eval_datasets == (1,) and loo.is_leave_one_out
    assert parse_split("cyber_3").train_datasets == (3,)
    assert parse_split("flights_all").eval_datasets == (1, 2, 3, 4)
    val = parse_split("cyber_loo1_val2")  # the inner validation split never touches dataset 1
    assert val.train_datasets == (3, 4) and val.eval_datasets == (2,) and val.is_leave_one_out
    for bad in ("cyber_loo9", "cyber-1", "nope_loo1", "cyber_loo1_val1", "cyber_loo1_val7"):
        with pytest.raises(ConfigError):
            parse_split(bad)


@pytest.mark.parametrize("term", [None, ["a"], {"a": 1}, True, float("nan"), float("inf")])
def test_a_filter_term_that_is_not_a_string_or_number_is_refused(term):
    raw = {"type": "filter", "column": "ip_src", "operator": "EQ", "term": term}
    with pytest.raises(SessionFormatError, match=r"invalid filter term .* in session 's', action 3") as info:
        action_from_json(raw, "s", 3)
    assert "\n" not in str(info.value) and "string" in str(info.value)


def test_numeric_filter_terms_stay_numbers_written_out():
    raw = {"type": "filter", "column": "length", "operator": "GT", "term": 60}
    assert action_from_json(raw).term == "60"
    assert action_from_json({**raw, "term": 1.5}).term == "1.5"


def test_a_directory_given_as_the_session_file_is_one_error(tmp_path):
    with pytest.raises(SessionFormatError, match="is a directory"):
        load_sessions(tmp_path)
