"""Load a dataset table faithfully to the benchmark's pandas-1 semantics.

* The string ``None`` is a value (pandas >= 2 would read it as missing).
* Text columns are plain ``object`` columns whatever pandas' default string dtype is.
* Numeric dtypes are inferred as pandas 1 did (ints stay int64, columns with gaps become float64).
"""

from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ilaeda.data.locate import locate
from ilaeda.data.schema import Schema, load_schema
from ilaeda.errors import DataError

#: Strings pandas 1.x read as missing (its default list, which did not include "None").
PANDAS1_NA_VALUES = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "n/a",
    "nan",
    "null",
)


def read_tsv(path: str | os.PathLike[str], columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Read a benchmark TSV (unnamed leading index column) with pandas-1 NA and dtype semantics."""
    path = Path(path)
    try:
        frame = pd.read_csv(
            path,
            sep="\t",
            index_col=0,
            keep_default_na=False,
            na_values=list(PANDAS1_NA_VALUES),
            quoting=csv.QUOTE_MINIMAL,
            low_memory=False,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        reason = " ".join(str(exc).split())  # pandas messages can span lines; errors are one line
        raise DataError(f"malformed TSV {path}: {reason}; re-fetch it with `python -m ilaeda.data fetch`") from None
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(
                f"malformed TSV {path}: missing columns {missing}; expected a table with columns "
                f"{list(columns)} (re-fetch it with `python -m ilaeda.data fetch`)"
            )
        frame = frame.loc[:, list(columns)]
    return _normalise_dtypes(frame)


def _normalise_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
            out[name] = series
        else:
            values = series.to_numpy(dtype=object, na_value=np.nan)
            out[name] = pd.Series(values, index=frame.index, dtype=object, name=name)
    return pd.DataFrame(out, index=frame.index)


def dataset_path(schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Local path of a dataset file (located or downloaded)."""
    schema = load_schema(schema)
    return locate(schema.datasets[schema.check_dataset(dataset)], data_dir)


@lru_cache(maxsize=32)
def _load_cached(path: str, columns: tuple[str, ...]) -> pd.DataFrame:
    return read_tsv(path, columns)


def load_table(schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The schema's columns of one dataset, as a DataFrame (memoised per file; do not mutate)."""
    schema = load_schema(schema)
    path = dataset_path(schema, dataset, data_dir)
    return _load_cached(str(path), schema.columns)
