"""The reference parser: Python literals → the published JSON, byte for byte, without executing anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ilaeda.data import load_schema
from ilaeda.data.reference_source import convert_reference_source, parse_reference_source
from ilaeda.errors import DataError

STYLES = ["positional", "keywords", "strings", "dicts", "variables", "named"]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("schema", "dataset"), [("cyber", 1), ("flights", 3)])
def test_round_trip_rebuilds_the_published_json(reference_json, reference_py, style, schema, dataset):
    raw, document = reference_json(schema, dataset)
    file = load_schema(schema).references[dataset]
    rebuilt = convert_reference_source(reference_py(document, style), file)
    assert rebuilt == raw
    assert hashlib.sha256(rebuilt).hexdigest() == file.sha256


def test_every_reference_file_round_trips(reference_json, reference_py):
    for schema in ("cyber", "flights"):
        for dataset, file in load_schema(schema).references.items():
            raw, document = reference_json(schema, dataset)
            assert convert_reference_source(reference_py(document, "positional"), file) == raw


def test_source_is_parsed_never_executed(tmp_path: Path):
    marker = tmp_path / "executed"
    source = (
        f"__import__('pathlib').Path({str(marker)!r}).write_text('x')\n"
        f"open({str(marker)!r}, 'w')\n"
        "references = [[GroupAction('ip_src', 'packet_number', AggregationFunction.COUNT), BackAction()]]\n"
    )
    sessions = parse_reference_source(source)
    assert sessions == [
        [{"type": "group", "column": "ip_src", "agg_column": "packet_number", "agg_func": "count"}, {"type": "back"}]
    ]
    assert not marker.exists()


def test_keyword_arguments_in_any_order_and_aliases():
    source = (
        "x = [[FilterAction(filter_term=80, filter_operator=FilterOperator.GREATER_EQUAL, "
        "filtered_column='tcp_srcport'), Group(column='ip_src', agg_func='avg', agg_column='length'), "
        "StopAction()]]\n"
    )
    assert parse_reference_source(source) == [
        [
            {"type": "filter", "column": "tcp_srcport", "operator": "GE", "term": "80"},
            {"type": "group", "column": "ip_src", "agg_column": "length", "agg_func": "mean"},
            {"type": "stop"},
        ]
    ]


def test_largest_collection_wins_over_unrelated_lists():
    source = (
        "ONE = [[BackAction()]]\n"
        "ALL = [[BackAction()], [FilterAction('a', FilterOperator.EQ, 'b')]]\n"
        "OTHER = [1, 2, 3]\n"
    )
    assert len(parse_reference_source(source)) == 2


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("references = [[", "invalid Python"),
        ("x = 1\ny = [1, 2]\n", "no reference sessions found"),
        ("r = [[FilterAction('a', FilterOperator.ALMOST, 'b')]]", "unknown filter operator 'ALMOST'"),
        ("r = [[GroupAction('a', 'b', AggregationFunction.MEDIAN)]]", "unknown aggregation function"),
        ("r = [[FilterAction('a')]]", "needs a column, an operator and a term"),
        ("r = [[FilterAction('a', FilterOperator.EQ, 1 + x)]]", "unsupported argument"),
        ("r = [[{'type': 'jump'}]]", "unknown action type 'jump'"),
    ],
)
def test_unreadable_sources_raise_one_clear_error(source, problem):
    with pytest.raises(DataError, match="ILAEDA_DATA_DIR") as info:
        parse_reference_source(source, origin="https://example.org/dataset1.py")
    message = str(info.value)
    assert problem in message
    assert "\n" not in message


def test_wrong_content_is_caught_by_the_checksum_not_the_parser(reference_json, reference_py):
    _, document = reference_json("cyber", 2)
    document["sessions"][0]["actions"][0]["column"] = "eth_dst"
    file = load_schema("cyber").references[2]
    rebuilt = convert_reference_source(reference_py(document, "positional"), file)
    assert hashlib.sha256(rebuilt).hexdigest() != file.sha256
