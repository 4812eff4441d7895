"""Display engine against a plain reference: seeded random sessions on all eight datasets.

The reference works on the raw table (pandas values, Python loops over the rows of each group), with
none of the engine's encodings, memos or incremental views: rows by evaluating each filter on every
cell, the data layer from ``value_counts`` and ``np.histogram``, groups as dicts of key tuples and
their aggregates in plain Python. Views, term candidates and the data layer must match exactly;
granularity scores to 1e-12 (the reference adds group sums in another order).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.special import entr

from ilaeda.data.loading import load_table
from ilaeda.data.sessions import STRING_OPERATORS, Filter
from ilaeda.eda import DisplayEngine, State
from ilaeda.envs import EDAEnv

DATASETS = [(schema, d) for schema in ("cyber", "flights") for d in (1, 2, 3, 4)]
SESSIONS = 8  # random 12-action sessions (STOP resampled) per dataset


def _entropy(counts: np.ndarray, norm: float) -> float:
    """Normalised Shannon entropy (scipy.stats.entropy semantics)."""
    counts = np.asarray(counts, dtype=np.float64)
    return float(np.sum(entr(counts / counts.sum())) / norm)


def _histogram_entropy(values: np.ndarray) -> float:
    if len(values) <= 1:
        return 0.0
    return _entropy(np.histogram(values, bins=20)[0], math.log(20))


def _value_count_entropy(values: pd.Series) -> float:
    counts = values.value_counts(dropna=True).to_numpy()
    m = counts.sum()
    return 0.0 if m <= 1 else _entropy(np.sort(counts)[::-1], float(np.log(m)))


def _cell_text(value: object, numeric: bool, integer: bool) -> str:
    if not numeric:
        return str(value)
    return str(int(value)) if integer else str(float(value))  # type: ignore[call-overload, arg-type]


def _filter_rows(frame: pd.DataFrame, rows: np.ndarray, action: Filter) -> np.ndarray:
    series = frame[action.column]
    numeric = pd.api.types.is_numeric_dtype(series.dtype)
    integer = pd.api.types.is_integer_dtype(series.dtype)
    cells = series.to_numpy()[rows]
    missing = pd.isna(cells)
    if action.operator in STRING_OPERATORS:
        test = {"CONTAINS": str.__contains__, "STARTS_WITH": str.startswith, "ENDS_WITH": str.endswith}
        keep = [
            not gone and test[action.operator](_cell_text(cell, numeric, integer), action.term)
            for cell, gone in zip(cells, missing)
        ]
        return rows[np.asarray(keep, dtype=bool)]
    if numeric:
        if action.term == "<UNK>":
            term: object = float("nan")
        else:
            try:
                term = float(action.term)
            except ValueError:
                return rows[:0]  # a non-numeric term on a numeric column empties the view
        cells = cells.astype(np.float64)
    else:
        term = action.term
    compare = {
        "EQ": np.equal,
        "NEQ": np.not_equal,
        "GT": np.greater,
        "GE": np.greater_equal,
        "LT": np.less,
        "LE": np.less_equal,
    }[action.operator]
    keep = np.full(len(cells), action.operator == "NEQ")  # missing cells pass NEQ only
    with np.errstate(invalid="ignore"):
        keep[~missing] = compare(cells[~missing], term)
    return rows[keep]


def reference_rows(frame: pd.DataFrame, state: State) -> np.ndarray:
    rows = np.arange(len(frame))
    for action in state.filters:
        rows = _filter_rows(frame, rows, action)
    return rows


def reference_data_layer(frame: pd.DataFrame, rows: np.ndarray, numeric_columns: frozenset[str]):
    unique, nulls, entropy = [], [], []
    n = len(rows)
    for column in frame.columns:
        if n == 0:
            unique.append(0.0), nulls.append(1.0), entropy.append(0.0)
            continue
        values = frame[column].iloc[rows]
        present = values.dropna()
        m, distinct = len(present), present.nunique()
        unique.append(distinct / m if distinct else 0.0)
        nulls.append((n - m) / n)
        if m <= 1:
            entropy.append(0.0)
        elif column in numeric_columns:
            entropy.append(_histogram_entropy(present.to_numpy(dtype=np.float64)))
        else:
            entropy.append(_value_count_entropy(present))
    return tuple(unique), tuple(nulls), tuple(entropy)


def reference_granularity(frame: pd.DataFrame, rows: np.ndarray, state: State, columns: tuple[str, ...]):
    """(globals, {column: score}) of a grouped view, or None when pandas 1.x could not aggregate it.

    pandas 1.x semantics, as the benchmark ran: a view without groups aggregates to scores 0; ``mean`` of a
    text column fails when it holds a string; ``min``/``max`` of a text column fail when a group mixes
    strings and missing cells; ``sum`` of a text group without strings is 0 (a value of its own).
    """
    groups: dict[tuple, list[int]] = {}
    keys = zip(*(frame[c].to_numpy()[rows].tolist() for c in state.grouping))
    for row, key in zip(rows.tolist(), keys):
        if not any(pd.isna(v) for v in key):
            groups.setdefault(key, []).append(row)
    ordered = [groups[k] for k in sorted(groups)]
    if not ordered:
        return (0.0, 0.0, 0.0), dict.fromkeys(dict(state.aggregations), 0.0)
    scores = {}
    for column, func in dict(state.aggregations).items():
        series = frame[column].to_numpy()
        text = not pd.api.types.is_numeric_dtype(frame[column].dtype)
        if func == "count":
            sizes = np.array([len(g) for g in ordered], dtype=np.float64)
            scores[column] = _histogram_entropy(sizes) if len(sizes) > 1 else 0.0
            continue
        cells_of = [[cell for cell in series[group].tolist() if not pd.isna(cell)] for group in ordered]
        if text and func == "mean":
            if any(cells_of):
                return None
            scores[column] = 0.0
            continue
        if text and func in ("min", "max") and any(0 < len(c) < len(g) for c, g in zip(cells_of, ordered)):
            return None
        aggregated = []
        for cells in cells_of:
            if not cells and func != "sum":
                continue  # no value; pandas sums a group without values to 0
            if func == "sum":
                aggregated.append("".join(cells) if text and cells else 0 if text else sum(float(c) for c in cells))
            elif func == "mean":
                aggregated.append(sum(float(c) for c in cells) / len(cells))
            else:
                aggregated.append((max if func == "max" else min)(cells))
        if len(aggregated) <= 1:
            scores[column] = 0.0
        elif text:
            scores[column] = _value_count_entropy(pd.Series(aggregated, dtype=object))
        else:
            scores[column] = _histogram_entropy(np.asarray(aggregated, dtype=np.float64))
    k = len(ordered)
    sizes = np.array([len(g) for g in ordered], dtype=np.float64)
    total = sizes.sum()
    return (1 / k, k / total, float(np.std(sizes / total))), scores


def reference_value_candidates(frame: pd.DataFrame, rows: np.ndarray, column: str, engine: DisplayEngine):
    encoded = engine.table.columns[column]
    codes = encoded.codes[rows]
    present = [c for c in codes.tolist() if c > 0]
    counts = Counter(present)
    first = {}
    for i, c in enumerate(present):
        first.setdefault(c, i)
    order = sorted(counts, key=lambda c: (counts[c], first[c]))
    positions = np.cumsum([counts[c] for c in order]) / len(present) if present else np.zeros(0)
    return tuple(encoded.strings[c - 1] for c in order), positions


def random_states(schema: str, dataset: int) -> list[State]:
    env = EDAEnv(schema, (dataset,), horizon=12)
    env.action_space.seed(dataset)
    states = []
    for episode in range(SESSIONS):
        env.reset(seed=100 * dataset + episode)
        truncated = False
        while not truncated:
            action = env.action_space.sample()
            while action[0] == 3:
                action = env.action_space.sample()
            _, _, _, truncated, _ = env.step(action)
            states.append(env.stack.current)
    return list(dict.fromkeys(states))


@pytest.mark.parametrize(("schema", "dataset"), DATASETS, ids=[f"{s}{d}" for s, d in DATASETS])
def test_engine_matches_reference(schema: str, dataset: int) -> None:
    DisplayEngine._instances.clear()  # a cold engine: every view computed by the code under test
    engine = DisplayEngine.for_dataset(schema, dataset)
    frame = load_table(schema, dataset)
    states = random_states(schema, dataset)
    assert len(states) > 40
    grouped = 0
    for state in states:
        rows = reference_rows(frame, state)
        assert engine.view_rows(state).tolist() == rows.tolist(), state
        display = engine.display(state)
        assert (display.unique, display.nulls, display.entropy) == reference_data_layer(
            frame, rows, engine.schema.numeric_columns
        ), state
        if not state.grouping:
            continue
        expected = reference_granularity(frame, rows, state, engine.schema.columns)
        if expected is None:
            assert display.granularity is None, state
            continue
        grouped += 1
        glob, scores = expected
        g = display.granularity
        assert g is not None, state
        assert g.globals == pytest.approx(glob, rel=1e-12, abs=1e-12), state
        assert dict(g.agg_attrs) == pytest.approx(scores, rel=1e-12, abs=1e-12), state
    assert grouped > 5


@pytest.mark.parametrize(("schema", "dataset"), [("cyber", 1), ("cyber", 4), ("flights", 2)])
def test_term_candidates_match_reference(schema: str, dataset: int) -> None:
    DisplayEngine._instances.clear()
    engine = DisplayEngine.for_dataset(schema, dataset)
    frame = load_table(schema, dataset)
    for state in random_states(schema, dataset)[::3]:
        rows = reference_rows(frame, state)
        for column in engine.schema.columns:
            candidates = engine.term_candidates(state.filters, column, "EQ")
            terms, positions = reference_value_candidates(frame, rows, column, engine)
            assert candidates.terms == terms, (state, column)
            assert candidates.positions.tolist() == positions.tolist(), (state, column)
