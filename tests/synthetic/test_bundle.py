"""Bundles: byte-for-byte reproducible, loadable through the data layer, events exactly where the manifest says."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ilaeda._io import sha256_file
from ilaeda.data.loading import load_table, read_tsv
from ilaeda.data.references import load_references
from ilaeda.data.schema import load_schema
from ilaeda.eda.state import State
from ilaeda.errors import DataError
from ilaeda.synthetic.bundle import Bundle, write_bundle
from ilaeda.synthetic.events import EVENT_KINDS
from ilaeda.synthetic.table import make_table
from ilaeda.synthetic.tsv import tsv_bytes


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_tables(tmp_path: Path) -> None:
    first = _files(write_bundle(tmp_path / "a", 1_500, 2, 11, EVENT_KINDS))
    second = _files(write_bundle(tmp_path / "b", 1_500, 2, 11, EVENT_KINDS))
    assert first == second
    assert set(first) == {
        "schema.json",
        "events.json",
        "datasets/1.tsv",
        "datasets/2.tsv",
        "references/1.json",
        "references/2.json",
    }
    schema = json.loads(first["schema.json"])
    for entry in [*schema["datasets"].values(), *schema["references"].values()]:
        assert sha256_file(tmp_path / "b" / entry["path"]) == entry["sha256"]
    other = _files(write_bundle(tmp_path / "c", 1_500, 2, 12, EVENT_KINDS))
    assert other["datasets/1.tsv"] != first["datasets/1.tsv"]
    assert first["datasets/1.tsv"] != first["datasets/2.tsv"]  # each table has its own stream


def test_schema_file_finds_the_tables_beside_it(bundle_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ILAEDA_DATA_DIR", raising=False)
    schema = load_schema(bundle_dir / "schema.json")
    assert schema.columns == load_schema("cyber").columns
    table = load_table(schema, 2)
    assert len(table) == 2_000 and list(table.columns) == list(schema.columns)
    assert [s.name for s in load_references(schema, 2)] == ["hunter", "summariser"]


def test_a_corrupt_table_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(tmp_path / "cache"))
    root = write_bundle(tmp_path / "b", 1_000, 1, 0, ["port_scan"], references=False)
    path = root / "datasets" / "1.tsv"
    path.write_bytes(path.read_bytes().replace(b"TCP", b"UDP", 1))
    with pytest.raises(DataError, match="corrupt"):
        load_table(load_schema(root / "schema.json"), 1)


def test_tsv_is_what_pandas_writes_and_reads_back() -> None:
    frame = make_table(3_000, EVENT_KINDS, np.random.default_rng(5)).frame
    data = tsv_bytes(frame)
    assert data == frame.to_csv(sep="\t").encode()


def test_tsv_round_trips_through_the_loader(tmp_path: Path) -> None:
    frame = make_table(1_000, EVENT_KINDS, np.random.default_rng(2)).frame
    (tmp_path / "t.tsv").write_bytes(tsv_bytes(frame))
    pd.testing.assert_frame_equal(read_tsv(tmp_path / "t.tsv"), frame, check_dtype=False)


def test_each_signature_selects_exactly_its_event(bundle: Bundle) -> None:
    for dataset in bundle.datasets:
        engine = bundle.engine(dataset)
        assert [e.kind for e in bundle.events[dataset]] == list(EVENT_KINDS)
        for event in bundle.events[dataset]:
            rows = engine.view_rows(State(filters=event.signature))
            key = engine.column("packet_number")
            keys = key.numeric_values[key.codes[rows]]
            assert keys.astype(int).tolist() == list(event.rows)


def test_event_shapes(bundle: Bundle) -> None:
    frame = load_table(bundle.schema, 1)
    events = {e.kind: e for e in bundle.events[1]}
    scan = frame[frame.packet_number.isin(events["port_scan"].rows)]
    assert scan.ip_src.nunique() == 1 and scan.ip_dst.nunique() == 1
    assert scan.tcp_dstport.nunique() == len(scan)  # every probe a distinct port
    beacon = frame[frame.packet_number.isin(events["beaconing"].rows)]
    seconds = pd.to_datetime(beacon.sniff_timestamp).diff().dt.total_seconds().iloc[1:]
    assert set(seconds.tolist()) == {events["beaconing"].parameters["period_seconds"]}
    burst = frame[frame.packet_number.isin(events["failed_burst"].rows)]
    assert burst.ip_dst.nunique() == 1 and set(burst.tcp_dstport) == {3389.0}
    assert burst.info_line.str.contains(r"\[(?:SYN|RST)\]").all()


def test_the_benchmark_scores_sessions_against_the_scripted_references(bundle_dir: Path) -> None:
    from ilaeda.benchmark.scoring import score_sessions

    schema = load_schema(bundle_dir / "schema.json")
    hunter = load_references(schema, 1)[0]
    scores = score_sessions([hunter], schema, 1).sessions[0]
    assert scores["precision"] == 1.0 and scores["t_bleu_1"] == 1.0 and scores["eda_sim"] == 1.0
