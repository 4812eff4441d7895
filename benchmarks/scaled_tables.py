"""Large tables for the scale measurements: a benchmark table resampled to any number of rows.

The table is generated at run time (seeded) and never written to disk: ``rows`` rows drawn with
replacement from the source dataset, the primary key renumbered ``0 … rows−1`` (it stays unique), and
half the cells of every other numeric column moved by an integer in [−2, 2] (missing cells stay
missing), so the numeric columns have more distinct values than the source. Text columns keep the
source's values. Used by ``env_scale.py`` and ``engine_equivalence.py --rows``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from ilaeda.data.loading import load_table
from ilaeda.data.schema import Schema, load_schema
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.table import EncodedTable

JITTER = 2


def resampled_frame(rows: int, seed: int, schema: Schema | str = "cyber", dataset: int = 4) -> pd.DataFrame:
    """``rows`` rows resampled from one dataset with jittered numeric values (see the module docstring)."""
    schema = load_schema(schema)
    source = load_table(schema, dataset)
    rng = np.random.default_rng(seed)
    frame = source.iloc[rng.integers(0, len(source), rows)].reset_index(drop=True)
    for column in [c for c in schema.columns if _is_number(frame[c])]:  # in schema order: seeded draws
        if column == schema.primary_key:
            frame[column] = np.arange(rows, dtype=frame[column].dtype)
            continue
        moved = rng.random(rows) < 0.5
        shift = np.where(moved, rng.integers(-JITTER, JITTER + 1, rows), 0)
        frame[column] = frame[column] + shift.astype(frame[column].dtype)
    return frame


def _is_number(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series.dtype))


def install_engine(frame: pd.DataFrame, schema: Schema | str = "cyber", dataset: int = 4) -> DisplayEngine:
    """Encode ``frame`` and make its engine the one :meth:`DisplayEngine.for_dataset` (and so the
    environment) returns for ``dataset``, in place of the dataset's own table (every other engine is dropped).
    """
    schema = load_schema(schema)
    DisplayEngine._instances.clear()
    engine = DisplayEngine(EncodedTable.from_frame(schema, frame), f"{schema.name}/{dataset}×{len(frame)}")
    DisplayEngine._instances[(schema.name, dataset, "")] = engine
    return engine


def row_counts(text: str) -> list[int]:
    """Comma-separated positive row counts (``10000,1e5``), for argparse (``""``: none)."""
    try:
        sizes = [int(float(s)) for s in text.split(",") if s.strip()]
    except ValueError:
        sizes = [0]
    if min(sizes, default=1) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive row counts, e.g. 10000,1e5; got {text!r}")
    return sizes
