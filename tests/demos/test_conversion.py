"""REACT-IDA actions.tsv → expert sessions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ilaeda.data.schema import load_schema
from ilaeda.data.sessions import Back, Filter, Group
from ilaeda.demos.conversion import (
    FLAWED_SESSIONS,
    PRIOR_FLAWED_SESSIONS,
    REACT_OPERATORS,
    convert_actions,
    convert_file,
    read_actions,
)
from ilaeda.errors import ConfigError, DataError

from .conftest import HEADER, filt, group, row, write_actions

G = Group("ip_src", "packet_number", "count")


def convert(tmp_path: Path, rows: list[dict], **kwargs):  # type: ignore[no-untyped-def]
    return convert_actions(read_actions(write_actions(tmp_path / "a.tsv", rows)), "cyber", **kwargs)


def only_session(conversion):  # type: ignore[no-untyped-def]
    (session,) = conversion.all_sessions()
    return session.actions


# ------------------------------------------------------------------------------------- real data
def test_real_file_counts() -> None:
    conversion = convert_file()
    reports = conversion.reports
    assert {d: r.sessions_kept for d, r in reports.items()} == {1: 150, 2: 102, 3: 88, 4: 75}
    assert sum(r.sessions_in for r in reports.values()) == 454
    kept = {k: sum(r.actions_kept[k] for r in reports.values()) for k in ("group", "filter", "back")}
    assert kept == {"group": 1316, "filter": 529, "back": 944}
    assert sum(r.rows_dropped["sort"] for r in reports.values()) == 462
    names = [s.name for s in conversion.sessions[1]]
    assert names[0] == "session1" and not set(names) & {f"session{i}" for i in FLAWED_SESSIONS}
    assert all(s.actions for s in conversion.all_sessions())


def test_prior_conversion_is_reproduced_with_its_navigation() -> None:
    """The prior counts (420 sessions; 1,332 / 529 / 919) come back with its flawed list, its
    re-pointing of sort/project views and the foreign columns kept.
    """
    schema = load_schema("cyber")
    wide = dataclasses.replace(
        schema,
        columns=(
            *schema.columns,
            "Country",
            "Quantity",
            "Description",
            "StockCode",
            "UnitPrice",
            "CustomerID",
            "InvoiceDate",
        ),
    )
    conversion = convert_file(schema=wide, flawed=PRIOR_FLAWED_SESSIONS, navigation="prior")
    reports = conversion.reports
    assert {d: r.sessions_kept for d, r in reports.items()} == {1: 151, 2: 104, 3: 90, 4: 75}
    kept = {k: sum(r.actions_kept[k] for r in reports.values()) for k in ("group", "filter", "back")}
    assert kept == {"group": 1332, "filter": 529, "back": 919}


# ------------------------------------------------------------------------------- synthetic rows
def test_backs_follow_the_view_tree(tmp_path: Path) -> None:
    rows = [
        row(1, "group", group("ip_src"), parent=1, child=2),
        row(2, "group", group("ip_dst"), parent=2, child=3),
        row(3, "filter", filt("highest_layer", "TCP", 8), parent=1, child=4),  # two levels back
        row(4, "group", group("eth_src"), parent=2, child=5),
    ]  # a popped view: revisit
    conversion = convert(tmp_path, rows)
    actions = only_session(conversion)
    f = Filter("highest_layer", "EQ", "TCP")
    assert actions == (
        G,
        Group("ip_dst", "packet_number", "count"),
        Back(),
        Back(),
        f,
        Back(),
        G,
        Group("eth_src", "packet_number", "count"),
    )
    assert conversion.reports[2].notes["actions re-applied to revisit a view"] == 1


def test_sort_and_project_are_dropped_and_children_reattached(tmp_path: Path) -> None:
    rows = [
        row(1, "group", group("ip_src"), parent=1, child=2),
        row(2, "sort", {"field": "number", "direction": "asc"}, parent=1, child=3),  # sort of the root
        row(3, "project", {"field": "eth_src", "visible": "false"}, parent=3, child=4),
        row(4, "filter", filt("ip_dst", "1.2.3.4", 8), parent=4, child=5),
    ]
    conversion = convert(tmp_path, rows)
    assert only_session(conversion) == (G, Back(), Filter("ip_dst", "EQ", "1.2.3.4"))
    report = conversion.reports[2]
    assert report.rows_dropped["sort"] == 1 and report.rows_dropped["project"] == 1
    prior = convert(tmp_path, rows, navigation="prior")  # the prior attached the filter to the group view
    assert only_session(prior) == (G, Filter("ip_dst", "EQ", "1.2.3.4"))


@pytest.mark.parametrize(("code", "operator"), sorted(REACT_OPERATORS.items()))
def test_react_operator_codes(tmp_path: Path, code: int, operator: str) -> None:
    conversion = convert(tmp_path, [row(1, "filter", filt("info_line", "SYN", code))])
    assert only_session(conversion) == (Filter("info_line", operator, "SYN"),)


def test_react_semantics_not_the_prior_map() -> None:
    assert (REACT_OPERATORS[16], REACT_OPERATORS[2], REACT_OPERATORS[4]) == ("CONTAINS", "STARTS_WITH", "ENDS_WITH")


def test_packet_number_rename_and_shift(tmp_path: Path) -> None:
    rows = [
        row(1, "filter", filt("number", "10", 32), parent=1, child=2),
        row(2, "filter", filt("number", "1", 2), parent=2, child=3),
        row(3, "filter", filt("number", "7", 512), parent=3, child=4),
        row(4, "group", group("number", ("number", "sum")), parent=4, child=5),
    ]
    conversion = convert(tmp_path, rows)
    assert only_session(conversion) == (
        Filter("packet_number", "GT", "9"),
        Filter("packet_number", "STARTS_WITH", "1"),
        Filter("packet_number", "NEQ", "6"),
        Group("packet_number", "packet_number", "sum"),
    )
    notes = conversion.reports[2].notes
    assert notes["packet-number terms shifted by -1"] == 2
    assert notes["string tests on packet numbers kept unshifted"] == 1


def test_aggregations(tmp_path: Path) -> None:
    rows = [
        row(1, "group", group("ip_src", ("length", "avg")), parent=1, child=2),
        row(2, "group", group("tcp_stream", ("ip_src", "min"), ("ip_dst", "max")), parent=1, child=3),
        row(3, "group", group("eth_src", ("ip_src", "min"), ("length", "sum")), parent=3, child=4),
    ]
    first = convert(tmp_path, rows)
    assert only_session(first) == (
        Group("ip_src", "length", "mean"),
        Back(),
        Group("tcp_stream", "ip_src", "min"),
        Group("eth_src", "length", "sum"),
    )  # (ip_src, min) is already in the view: the new one is kept
    assert first.reports[2].notes["groups with several aggregations"] == 2
    assert first.reports[2].notes["aggregations left out (multi_aggregation=first)"] == 1
    split = convert(
        tmp_path, [*rows, row(4, "filter", filt("ip_src", "x", 8), parent=1, child=5)], multi_aggregation="split"
    )
    assert only_session(split) == (
        Group("ip_src", "length", "mean"),
        Back(),
        Group("tcp_stream", "ip_src", "min"),
        Group("tcp_stream", "ip_dst", "max"),
        Group("eth_src", "length", "sum"),
        Back(),
        Back(),
        Back(),
        Filter("ip_src", "EQ", "x"),
    )  # one BACK per group action popped
    with pytest.raises(ConfigError, match="multi_aggregation"):
        convert(tmp_path, rows, multi_aggregation="all")


def test_dropped_rows_are_counted(tmp_path: Path) -> None:
    rows = [
        row(1, "group", group("Country"), parent=1, child=2),
        row(2, "group", group("ip_src", ("UnitPrice", "avg")), parent=2, child=3),
        row(3, "filter", filt("ip_src", "x", 1024), parent=3, child=4),
        row(4, "group", group("ip_src", ("length", "median")), parent=4, child=5),
        row(5, "pivot", {"field": "ip_src"}, parent=5, child=6),
        row(6, "group", group("ip_src"), parent=6, child=7),
        row(7, "group", group("ip_src"), session=20, parent=1, child=2),  # a flawed session
        row(8, "sort", {"field": "ip_src", "direction": "asc"}, session=3, parent=1, child=2),
    ]
    conversion = convert(tmp_path, rows)
    assert only_session(conversion) == (G,)  # every dropped row re-attached its child to the root
    report = conversion.reports[2]
    assert report.rows_dropped == {
        "column outside schema": 2,
        "unknown operator code": 1,
        "unknown aggregation function": 1,
        "unknown action type": 1,
        "flawed session": 1,
        "sort": 1,
    }
    assert report.dropped_columns == {"Country": 1, "UnitPrice": 1}
    assert report.sessions_dropped == {"flawed": 1, "empty after conversion": 1}
    assert (report.sessions_in, report.sessions_kept) == (3, 1)


# ----------------------------------------------------------------------------------- bad input
def test_missing_columns(tmp_path: Path) -> None:
    path = write_actions(
        tmp_path / "a.tsv", [row(1, "group", group("ip_src"))], header=[h for h in HEADER if h != "parent_display_id"]
    )
    with pytest.raises(DataError, match=r"missing columns \['parent_display_id'\]"):
        read_actions(path)


def test_bad_json_names_the_row(tmp_path: Path) -> None:
    rows = [row(1, "group", group("ip_src")), row(2, "filter", '{"field": "ip_src", "term": ', child=3)]
    with pytest.raises(DataError, match=r"line 3 \(action_id '2'\): bad JSON in action_params"):
        read_actions(write_actions(tmp_path / "a.tsv", rows))


def test_non_integer_ids_and_missing_params(tmp_path: Path) -> None:
    bad = row(1, "group", group("ip_src"))
    bad["session_id"] = "abc"
    with pytest.raises(DataError, match=r"line 2.*'session_id' must be an integer"):
        read_actions(write_actions(tmp_path / "a.tsv", [bad]))
    with pytest.raises(DataError, match=r"line 2 .*lacks \['term'\]"):
        convert(tmp_path, [row(1, "filter", {"field": "ip_src", "condition": 8})])


def test_unknown_dataset(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"session 5 .* unknown dataset 9 .*valid datasets: 1, 2, 3, 4"):
        convert(tmp_path, [row(1, "group", group("ip_src"), session=5, dataset=9)])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read actions file"):
        read_actions(tmp_path / "nope.tsv")
