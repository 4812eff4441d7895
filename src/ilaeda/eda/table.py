"""Pre-encoded columns: category codes per column, so views and displays need no pandas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, pairwise

import numpy as np
import pandas as pd
from scipy import sparse

from ilaeda.data.schema import Schema

#: Largest row × column code matrix kept as int64.
STACKED_INT64_BYTES = 32_000_000
_BRACKETS = re.compile(r"\[[^\]]*\]")
_SEGMENT_SPLIT = re.compile(r"\s{2,}|,\s*")
_WORD_SPLIT = re.compile(r"[\s,\[\]]+")


def text_tokens(text: str) -> set[str]:
    """Word tokens of a text cell, as ATENA offers them for CONTAINS-like filters.

    Words, ``[...]`` groups with and without their brackets (``[SYN, ACK]``, ``SYN, ACK``), and
    phrases separated by two spaces or commas (``"Echo (ping) reply  id=0x0001, seq=1"`` → ``Echo``,
    ``(ping)``, ``reply``, ``Echo (ping) reply``, ``id=0x0001``, ``seq=1``...).
    """
    tokens = {w for w in _WORD_SPLIT.split(text) if w}
    for group in _BRACKETS.findall(text):
        tokens.update((group, group[1:-1].strip()))
    for segment in _SEGMENT_SPLIT.split(_BRACKETS.sub(" ", text)):
        segment = segment.strip()
        if segment:
            tokens.add(segment)
    return tokens


@dataclass
class EncodedColumn:
    """One column: ``codes`` index ``categories`` (sorted), 0 = missing, k = categories[k-1]."""

    name: str
    kind: str  # "int", "float" or "str"
    histogram: bool  # schema-numeric: entropy from a 20-bin histogram
    codes: np.ndarray  # int32, 0 = missing
    categories: np.ndarray  # object (str) or float64 values, sorted ascending
    strings: list[str] = field(repr=False)  # str() of each category, as the benchmark renders cells

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    @cached_property
    def numeric_values(self) -> np.ndarray:
        """Value per code as float64 (code 0, missing: NaN); for numeric kinds only."""
        return np.concatenate([[np.nan], self.categories.astype(np.float64)])

    @cached_property
    def strictly_sorted(self) -> bool:
        """Whether the categories ascend strictly under Python's comparison (``searchsorted`` finds ranges)."""
        categories = self.categories
        return all(a < b for a, b in pairwise(categories))

    @cached_property
    def token_index(self) -> tuple[sparse.csr_matrix, list[str]]:
        """Category × token incidence matrix and the token list (text columns)."""
        tokens = [sorted(text_tokens(text)) for text in self.strings]
        flat = list(chain.from_iterable(tokens))
        vocab = {token: i for i, token in enumerate(dict.fromkeys(flat))}  # in order of first appearance
        cols = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
        rows = np.repeat(np.arange(1, self.n_categories + 1), [len(t) for t in tokens])
        data = np.ones(len(flat), dtype=np.float64)
        matrix = sparse.csr_matrix((data, (rows, cols)), shape=(self.n_categories + 1, len(vocab)))
        return matrix, list(vocab)


def _render(value: object, kind: str) -> str:
    if kind == "int":
        return str(int(value))  # type: ignore[call-overload]
    if kind == "float":
        return str(float(value))  # type: ignore[arg-type]
    return str(value)


def encode_column(series: pd.Series, histogram: bool) -> EncodedColumn:
    """Factorise a column into sorted categories and int32 codes (0 = missing)."""
    dtype = series.dtype
    if pd.api.types.is_integer_dtype(dtype):
        kind = "int"
    elif pd.api.types.is_float_dtype(dtype):
        kind = "float"
    else:
        kind = "str"
    codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    categories = np.asarray(uniques, dtype=object if kind == "str" else np.float64)
    if kind == "str":
        categories = np.array([str(v) for v in categories], dtype=object)
    strings = [_render(v, kind) for v in categories]
    return EncodedColumn(series.name, kind, histogram, (codes + 1).astype(np.int32), categories, strings)


@dataclass
class EncodedTable:
    """A dataset's schema columns, encoded once."""

    schema: Schema
    n_rows: int
    columns: dict[str, EncodedColumn]

    @classmethod
    def from_frame(cls, schema: Schema, frame: pd.DataFrame) -> EncodedTable:
        columns = {c: encode_column(frame[c], c in schema.numeric_columns) for c in schema.columns}
        return cls(schema, len(frame), columns)

    @cached_property
    def offsets(self) -> np.ndarray:
        """Start of each schema column's codes in the stacked code space (and the total at the end)."""
        sizes = [self.columns[c].n_categories + 1 for c in self.schema.columns]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    @cached_property
    def stacked_codes(self) -> np.ndarray:
        """Row × schema column codes shifted by :attr:`offsets`: one ``bincount`` counts every column of a
        few rows. int64 (what ``bincount`` takes without a conversion) up to :data:`STACKED_INT64_BYTES`,
        int32 beyond where the codes fit.
        """
        wide = self.n_rows * len(self.schema.columns) * 8 <= STACKED_INT64_BYTES or self.offsets[-1] >= 2**31
        dtype = np.int64 if wide else np.int32
        codes = [np.add(self.columns[c].codes, o, dtype=dtype) for c, o in zip(self.schema.columns, self.offsets[:-1])]
        stacked = np.stack(codes, axis=1) if codes else np.zeros((self.n_rows, 0), dtype=dtype)
        stacked.setflags(write=False)
        return stacked
