"""Loading the real tables and references faithfully; clear errors for bad names and malformed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ilaeda.data import load_references, load_schema, load_table, read_tsv
from ilaeda.data.schema import load_session_repository
from ilaeda.errors import ConfigError, DataError

ROWS = {"cyber": (8648, 348, 745, 13625), "flights": (5661, 8172, 1082, 2175)}


@pytest.mark.parametrize("schema", ["cyber", "flights"])
def test_row_counts_and_columns(data_dir, schema):
    for dataset, rows in enumerate(ROWS[schema], 1):
        frame = load_table(schema, dataset)
        assert len(frame) == rows
        assert tuple(frame.columns) == load_schema(schema).columns


def test_flights_keeps_the_string_none_as_a_value(data_dir):
    frame = load_table("flights", 1)
    assert (frame["delay_reason"] == "None").sum() == 4219
    assert frame["delay_reason"].isna().sum() == 0


@pytest.mark.parametrize(("schema", "dataset"), [("flights", 1), ("cyber", 1), ("cyber", 2)])
def test_text_columns_are_plain_object_columns(data_dir, schema, dataset):
    frame = load_table(schema, dataset)
    for name in frame.columns:
        dtype = frame[name].dtype
        assert not isinstance(dtype, pd.StringDtype), name
        if not pd.api.types.is_numeric_dtype(dtype):
            assert dtype == np.dtype(object), name
            values = frame[name].dropna()
            assert all(isinstance(v, str) for v in values), name


def test_cyber_ports_and_streams_are_int64(data_dir):
    frame = load_table("cyber", 2)
    for name in ("tcp_dstport", "tcp_srcport", "tcp_stream", "packet_number", "length"):
        assert frame[name].dtype == np.int64, name


@pytest.mark.parametrize(("schema", "count"), [("cyber", 7), ("flights", 5)])
def test_references_load(data_dir, schema, count):
    for dataset in (1, 2, 3, 4):
        sessions = load_references(schema, dataset)
        assert len(sessions) == count
        assert all(len(s.actions) == 12 for s in sessions)
        assert [s.name for s in sessions] == [f"reference{i + 1}" for i in range(count)]


def test_session_repository_entry():
    file = load_session_repository()
    assert file.path == "reactida/actions.tsv"
    assert len(file.sha256) == 64


# -- bad names ---------------------------------------------------------------------------------------------


def test_unknown_schema_lists_the_available_ones():
    with pytest.raises(ConfigError, match=r"unknown schema 'netflow'; available schemas: cyber, flights"):
        load_schema("netflow")


@pytest.mark.parametrize("dataset", [0, 5, "x", None])
def test_unknown_dataset_lists_the_valid_ones(dataset):
    with pytest.raises(ConfigError, match=r"unknown dataset .* for schema 'cyber'; valid datasets: 1, 2, 3, 4"):
        load_table("cyber", dataset)
    with pytest.raises(ConfigError, match="valid datasets"):
        load_references("cyber", dataset)


def test_unknown_column_lists_the_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown column 'src_ip' for schema 'cyber'; valid columns: packet_number"):
        load_schema("cyber").column_index("src_ip")


# -- malformed files ---------------------------------------------------------------------------------------


def _place(root: Path, relative: str, content: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_tsv_missing_columns_is_a_data_error(tmp_path, data_dir):
    full = read_tsv(data_dir / "atena/datasets/cyber/2.tsv")
    broken = full.drop(columns=["ip_src", "tcp_stream"]).to_csv(sep="\t").encode()
    path = _place(tmp_path, "atena/datasets/cyber/2.tsv", broken)
    with pytest.raises(DataError, match=r"missing columns \['ip_src', 'tcp_stream'\]") as info:
        read_tsv(path, load_schema("cyber").columns)
    assert str(tmp_path) in str(info.value)
    with pytest.raises(DataError, match="is corrupt"):  # its checksum stops it before parsing
        load_table("cyber", 2, data_dir=tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 8,  # binary garbage
        b"\ta\tb\n0\t1\t2\n1\t1\t2\t3\t4\t5\n",  # ragged rows
        b"",  # empty file
        b'\ta\tb\n0\t"never closed\t2\n',  # unterminated quote
    ],
)
def test_garbage_tsv_is_a_one_line_data_error(tmp_path, content):
    path = _place(tmp_path, "atena/datasets/flights/3.tsv", content)
    for load in (lambda: read_tsv(path), lambda: load_table("flights", 3, data_dir=tmp_path)):
        with pytest.raises(DataError, match=r"malformed TSV|is corrupt") as info:
            load()
        assert "\n" not in str(info.value)
        assert "ilaeda.data fetch" in str(info.value)
