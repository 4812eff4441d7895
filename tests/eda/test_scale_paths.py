"""The engine's large-table paths against the plain computations they replace, on small synthetic tables.

Edge cases: empty views, all-missing columns, a single row, groupings of one group.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from ilaeda.data.schema import Schema
from ilaeda.data.sessions import Filter, Group
from ilaeda.eda import ROOT, DisplayEngine, State
from ilaeda.eda import engine as engine_module
from ilaeda.eda import table as table_module
from ilaeda.eda.lru import LRUCache
from ilaeda.eda.table import EncodedTable

COLUMNS = ("id", "word", "empty", "port")


def _engine(rows: int, seed: int = 0) -> DisplayEngine:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": np.arange(rows) * 7 - 3,
            "word": pd.Series(rng.choice(["syn", "ack", "fin ack", None], rows), dtype=object),
            "empty": pd.Series([None] * rows, dtype=object),
            "port": np.where(rng.random(rows) < 0.2, np.nan, rng.integers(0, 50, rows).astype(np.float64)),
        }
    )
    schema = Schema("synthetic", COLUMNS, frozenset({"id"}), "id", frozenset({"word"}), {1: None})  # type: ignore[dict-item]
    return DisplayEngine(EncodedTable.from_frame(schema, frame), "synthetic/1")


def _stacked_counts(engine: DisplayEngine, rows: np.ndarray) -> np.ndarray:
    """The counts as the engine took them before: one bincount over a row × column matrix of shifted codes."""
    offsets = engine.table.offsets
    matrix = np.stack([engine.table.columns[c].codes.astype(np.int64) + offsets[i] for i, c in enumerate(COLUMNS)], 1)
    return np.bincount(matrix[rows].reshape(-1), minlength=int(offsets[-1]))


@pytest.mark.parametrize("rows", [[], [0], [3, 4, 9], list(range(40)), list(range(1, 6000, 2)), list(range(6000))])
@pytest.mark.parametrize("int64_bytes", [32_000_000, 0])  # the code matrix as int64, as int32
def test_per_column_counts_are_the_stacked_bincount(
    rows: list[int], int64_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "_STACKED_ROWS", 4096)
    monkeypatch.setattr(table_module, "STACKED_INT64_BYTES", int64_bytes)
    engine = _engine(6000)
    assert engine.table.stacked_codes.dtype == (np.int64 if int64_bytes else np.int32)
    selected = np.array(rows, dtype=np.intp)
    assert (len(rows) >= engine_module._STACKED_ROWS) == (len(rows) > 3000)  # both ways of counting
    assert np.array_equal(engine._counts_of(selected), _stacked_counts(engine, selected))
    assert np.array_equal(engine._counts_of(None), _stacked_counts(engine, np.arange(6000)))
    # the codes of the rows in every column, shifted: as many as rows × columns, the same multiset
    stacked = engine._stacked_codes(selected)
    assert np.array_equal(
        np.bincount(stacked, minlength=int(engine.table.offsets[-1])), _stacked_counts(engine, selected)
    )


def _plain_display(engine: DisplayEngine, state: State) -> str:
    """The display of ``state`` by an engine that memoises nothing, with every view's counts dense."""
    fresh = DisplayEngine(engine.table, "fresh", cache_size=1)
    return fresh.display(state).token


@pytest.mark.parametrize(
    "state",
    [
        ROOT,
        ROOT.with_filter(Filter("id", "EQ", "4")),  # a single row
        ROOT.with_filter(Filter("id", "EQ", "5")),  # no row: an empty view
        ROOT.with_filter(Filter("word", "CONTAINS", "ack")),
        ROOT.with_filter(Filter("id", "ENDS_WITH", "1")),
        ROOT.with_filter(Filter("id", "STARTS_WITH", "-")),  # the one negative key
        ROOT.with_filter(Filter("word", "EQ", "syn")).with_group(Group("word", "port", "sum")),  # one group
        ROOT.with_group(Group("empty", "port", "max")),  # an all-missing column: no group
        ROOT.with_filter(Filter("id", "EQ", "4")).with_group(Group("port", "id", "mean")),
        ROOT.with_filter(Filter("port", "GE", "25")).with_group(Group("word", "id", "count")),
    ],
)
@pytest.mark.parametrize("rows", [1, 40, 6000])
def test_displays_match_an_engine_without_memos(state: State, rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "_STACKED_ROWS", 4096)  # views of 6,000 rows counted column by column
    engine = _engine(rows)
    parent = State(state.filters[:-1]) if state.filters else ROOT
    engine.display(parent)  # the view is narrowed from a memoised parent
    assert engine.display(state).token == _plain_display(engine, state)
    view = engine._view(state.filters)
    for column in state.grouping or COLUMNS:  # one-column groups from the view's counts, as from its rows' keys
        ids, sizes = engine._groups_by_counts(view, column)
        expected_ids, expected_sizes = engine._groups((column,), view.rows)
        assert np.array_equal(ids, expected_ids) and np.array_equal(sizes, expected_sizes)


def test_lru_cache_holds_at_most_max_bytes() -> None:
    cache: LRUCache[np.ndarray] = LRUCache(100, max_bytes=250, weigh=lambda a: a.nbytes)
    for key in range(6):
        cache.get_or(key, lambda: np.zeros(10))  # 80 bytes each
    assert list(cache) == [3, 4, 5] and cache.nbytes == 240
    cache.get_or(3, lambda: np.zeros(1))  # a hit: the oldest becomes the newest
    cache.get_or("big", lambda: np.zeros(100))  # larger than the bound: stays alone, as the newest
    assert list(cache) == ["big"] and cache.nbytes == 800
    cache.pop("big")
    assert cache.nbytes == 0 and not cache
    cache.put("a", np.zeros(5))
    cache.put("a", np.zeros(20))  # replaced, not counted twice
    assert cache.nbytes == 160
    cache.clear()
    assert cache.nbytes == 0


def test_view_memos_stay_within_their_byte_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "MEMO_BYTES", 200_000)
    engine = _engine(3000)
    for bound in range(0, 20_000, 500):
        state = ROOT.with_filter(Filter("id", "GE", str(bound))).with_group(Group("word", "port", "mean"))
        expected = _plain_display(engine, state)
        assert engine.display(state).token == expected
        assert engine.view_mask(state.filters).nonzero()[0].tolist() == engine.view_rows(state).tolist()
    for memo in (engine._views, engine._by_rows, engine._group_memo, engine._view_terms, engine._masks):
        assert memo.nbytes <= 200_000
    assert 1 < len(engine._views) < 40


@pytest.mark.parametrize("func", ["sum", "mean", "min", "max"])
@pytest.mark.parametrize("column", ["id", "port"])  # no missing cell; some missing cells
@pytest.mark.parametrize("rows", [1, 40, 6000])
def test_aggregations_over_complete_and_incomplete_columns_match_pandas(func: str, column: str, rows: int) -> None:
    reference_granularity = _conformance_module().reference_granularity
    engine = _engine(rows)
    encoded = engine.table.columns[column]
    assert len(encoded.numeric_values) == encoded.n_categories + 1 and np.isnan(encoded.numeric_values[0])
    frame = pd.DataFrame({c: _frame_column(engine, c) for c in COLUMNS})
    for state in (ROOT, ROOT.with_filter(Filter("word", "EQ", "syn"))):
        state = state.with_group(Group("word", column, func))
        expected = reference_granularity(frame, engine.view_rows(state), state, COLUMNS)
        assert expected is not None
        granularity = engine.display(state).granularity
        assert granularity is not None
        assert granularity.globals == pytest.approx(expected[0], rel=1e-12, abs=1e-12)
        assert dict(granularity.agg_attrs) == pytest.approx(expected[1], rel=1e-12, abs=1e-12)


def _frame_column(engine: DisplayEngine, name: str) -> pd.Series:
    """A column of the engine's table, decoded from its codes (missing cells as None or NaN)."""
    column = engine.table.columns[name]
    if column.kind == "str":
        values = np.concatenate([[None], column.categories]).astype(object)
        return pd.Series(values[column.codes], dtype=object)
    return pd.Series(column.numeric_values[column.codes])


def _conformance_module() -> ModuleType:
    """``test_engine_conformance.py``, whose plain pandas references these tests share."""
    path = Path(__file__).with_name("test_engine_conformance.py")
    spec = importlib.util.spec_from_file_location("engine_conformance_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
