"""The display engine: state → view (row mask) → display. One implementation for env and benchmark."""

from __future__ import annotations

import math
import os
from functools import lru_cache
from typing import ClassVar

import numpy as np
from scipy.special import entr

from ilaeda.data.loading import load_table
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import Filter
from ilaeda.eda.display import Display, Granularity
from ilaeda.eda.filters import InvalidFilter, category_mask
from ilaeda.eda.lru import LRUCache
from ilaeda.eda.state import State
from ilaeda.eda.table import EncodedColumn, EncodedTable
from ilaeda.eda.terms import TermCandidates, token_candidates, uses_tokens, value_candidates

HISTOGRAM_BINS = 20
#: Memory for each of the two row-mask memos (one byte per row and mask).
MASK_CACHE_BYTES = 64_000_000
_LN_BINS = float(np.log(HISTOGRAM_BINS))


def normalised_entropy(counts: np.ndarray, log_norm: float) -> float:
    """Shannon entropy (nats) of ``counts`` divided by ``log_norm`` (scipy.stats.entropy semantics)."""
    total = counts.sum()
    if total <= 0 or log_norm <= 0:
        return 0.0
    return float(np.sum(entr(counts / total)) / log_norm)


def histogram_entropy(values: np.ndarray) -> float:
    """Entropy of a 20-bin equal-width histogram of ``values``, normalised by ln 20."""
    if len(values) <= 1:
        return 0.0
    hist, _ = np.histogram(values, bins=HISTOGRAM_BINS)
    return normalised_entropy(hist.astype(np.float64), _LN_BINS)


def value_count_entropy(counts: np.ndarray) -> float:
    """Entropy of value counts (ordered as pandas' value_counts) normalised by ln(#values)."""
    m = counts.sum()
    if m <= 1:
        return 0.0
    ordered = np.sort(counts[counts > 0])[::-1].astype(np.float64)
    return normalised_entropy(ordered, float(np.log(m)))


class DisplayEngine:
    """Computes views and displays of one dataset; memoises masks and displays by state."""

    _instances: ClassVar[dict[tuple[str, int, str], DisplayEngine]] = {}

    def __init__(self, table: EncodedTable, name: str = "", cache_size: int = 100_000) -> None:
        self.table = table
        self.schema: Schema = table.schema
        self.name = name
        masks = max(1_000, min(cache_size, MASK_CACHE_BYTES // max(table.n_rows, 1)))
        self._filter_masks: LRUCache = LRUCache(masks)
        self._view_masks: LRUCache = LRUCache(masks)
        self._displays: LRUCache = LRUCache(cache_size)
        self._terms: LRUCache = LRUCache(cache_size)
        self._counts: LRUCache = LRUCache(cache_size)
        self._all_rows = np.ones(table.n_rows, dtype=bool)

    @classmethod
    def for_dataset(cls, schema: Schema | str, dataset: int,
                    data_dir: str | os.PathLike[str] | None = None) -> DisplayEngine:
        """The (process-wide, memoised) engine of one dataset."""
        schema = load_schema(schema)
        dataset = schema.check_dataset(dataset)
        key = (schema.name, dataset, str(data_dir or ""))
        if key not in cls._instances:
            frame = load_table(schema, dataset, data_dir)
            cls._instances[key] = cls(EncodedTable.from_frame(schema, frame), f"{schema.name}/{dataset}")
        return cls._instances[key]

    # ----------------------------------------------------------------------------------- views
    def column(self, name: str) -> EncodedColumn:
        try:
            return self.table.columns[name]
        except KeyError:
            self.schema.column_index(name)  # raises a ConfigError naming the valid columns
            raise

    def filter_mask(self, action: Filter) -> np.ndarray | None:
        """Row mask of one filter, or None when the filter is invalid (empties the view)."""
        def compute() -> np.ndarray | None:
            column = self.column(action.column)
            try:
                return category_mask(column, action)[column.codes]
            except InvalidFilter:
                return None
        return self._filter_masks.get_or(action, compute)

    def view_mask(self, filters: tuple[Filter, ...]) -> np.ndarray:
        """Rows of the view after applying ``filters`` in order (read-only array)."""
        if not filters:
            return self._all_rows

        def compute() -> np.ndarray:
            parent = self.view_mask(filters[:-1])
            own = self.filter_mask(filters[-1])
            mask = np.zeros_like(parent) if own is None or not parent.any() else parent & own
            mask.setflags(write=False)
            return mask
        return self._view_masks.get_or(filters, compute)

    def view_rows(self, state: State) -> np.ndarray:
        """Indices of the rows of the view of ``state``."""
        return np.flatnonzero(self.view_mask(state.filters))

    def value_counts(self, filters: tuple[Filter, ...], column: str) -> np.ndarray:
        """Counts of each category of ``column`` (missing cells excluded) in the view of ``filters``."""
        def compute() -> np.ndarray:
            encoded = self.column(column)
            codes = encoded.codes[self.view_mask(filters)]
            counts = np.bincount(codes, minlength=encoded.n_categories + 1)[1:].astype(np.float64)
            counts.setflags(write=False)
            return counts
        return self._counts.get_or((filters, column), compute)

    def term_candidates(self, filters: tuple[Filter, ...], column: str, operator: str) -> TermCandidates:
        """Filter terms the view of ``filters`` offers for ``column``/``operator`` (memoised)."""
        tokens = uses_tokens(operator, column, self.schema.text_columns)

        def compute() -> TermCandidates:
            encoded = self.column(column)
            codes = encoded.codes[self.view_mask(filters)]
            if tokens:
                incidence, vocabulary = encoded.token_index
                return token_candidates(codes, incidence, vocabulary)
            return value_candidates(codes, encoded.strings, encoded.n_categories)
        return self._terms.get_or((filters, column, tokens), compute)

    # -------------------------------------------------------------------------------- displays
    def display(self, state: State) -> Display:
        """The display of ``state`` (memoised)."""
        return self._displays.get_or(state, lambda: self._compute_display(state))

    def _compute_display(self, state: State) -> Display:
        rows = self.view_rows(state)
        n = len(rows)
        unique, nulls, entropy = [], [], []
        for name in self.schema.columns:
            u, z, e = self._data_layer(self.table.columns[name], rows, n)
            unique.append(u)
            nulls.append(z)
            entropy.append(e)
        granularity = self._granularity(state, rows) if state.grouping else None
        return Display(self.schema.columns, tuple(unique), tuple(nulls), tuple(entropy), granularity)

    @staticmethod
    def _data_layer(column: EncodedColumn, rows: np.ndarray, n: int) -> tuple[float, float, float]:
        if n == 0:
            return 0.0, 1.0, 0.0
        codes = column.codes[rows]
        counts = np.bincount(codes, minlength=column.n_categories + 1)
        missing = int(counts[0])
        m = n - missing
        distinct = int(np.count_nonzero(counts[1:]))
        unique = distinct / m if distinct else 0.0
        if m <= 1:
            entropy = 0.0
        elif column.histogram:
            values = column.numeric_values[rows]
            entropy = histogram_entropy(values[~np.isnan(values)])
        else:
            entropy = value_count_entropy(counts[1:])
        return unique, missing / n, entropy

    def _granularity(self, state: State, rows: np.ndarray) -> Granularity | None:
        # A later function on the same column wins. An aggregated column may also be a grouping column
        # (e.g. the primary key grouped and counted): pandas 1.x, which the benchmark ran on, aggregates it
        # like any other column (each group's key values), so it is not special-cased.
        aggregations = dict(state.aggregations)
        group_ids, sizes = self._groups(state.grouping, rows)
        k = len(sizes)
        if k == 0:  # pandas aggregates no group without error, whatever the function
            return Granularity(state.grouping, tuple((c, 0.0) for c in aggregations), 0.0, 0.0, 0.0)
        agg_attrs = []  # in the order the columns were first aggregated, as the benchmark's tokens
        for col, func in aggregations.items():
            score = self._aggregation_score(self.column(col), func, rows, group_ids, sizes)
            if score is None:
                return None
            agg_attrs.append((col, score))
        total = float(sizes.sum())
        if sizes.min() == sizes.max():
            site_std = equal_shares_std(k)
        else:
            site_std = float(np.std(sizes / total))
        return Granularity(state.grouping, tuple(agg_attrs), 1.0 / k, k / total, site_std)

    def _groups(self, grouping: tuple[str, ...], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Group id per row (−1 = dropped for a missing key) and the group sizes."""
        key = np.zeros(len(rows), dtype=np.int64)
        valid = np.ones(len(rows), dtype=bool)
        for name in grouping:
            column = self.column(name)
            codes = column.codes[rows]
            valid &= codes > 0
            key = key * (column.n_categories + 1) + codes
        ids = np.full(len(rows), -1, dtype=np.int64)
        if not valid.any():
            return ids, np.zeros(0, dtype=np.int64)
        _, inverse, sizes = np.unique(key[valid], return_inverse=True, return_counts=True)
        ids[valid] = inverse
        return ids, sizes

    @staticmethod
    def _aggregation_score(column: EncodedColumn, func: str, rows: np.ndarray,
                           group_ids: np.ndarray, sizes: np.ndarray) -> float | None:
        """Entropy score of the aggregated column; None when pandas could not aggregate it."""
        k = len(sizes)
        if func == "count":
            return histogram_entropy(sizes.astype(np.float64)) if k > 1 else 0.0
        keep = group_ids >= 0
        ids = group_ids[keep]
        sel = rows[keep]
        if column.kind == "str":
            # pandas 1.x: mean fails on any string; min/max fail when a group mixes strings and missing
            # cells; sum concatenates each group's strings and gives 0 to a group without any.
            codes = column.codes[sel]
            present = codes > 0
            if func == "mean":
                return None if present.any() else 0.0
            if func in ("min", "max"):
                if np.any((np.bincount(ids[present], minlength=k) > 0) & (np.bincount(ids[~present], minlength=k) > 0)):
                    return None
                result = np.full(k, 0 if func == "max" else np.iinfo(np.int64).max, dtype=np.int64)
                ufunc = np.maximum if func == "max" else np.minimum
                ufunc.at(result, ids[present], codes[present])
                values = result[np.isin(np.arange(k), ids[present])]
            else:  # sum: pandas concatenates the strings of each group
                values = _concatenation_ids(codes, ids, k)
            if len(values) <= 1:
                return 0.0
            _, counts = np.unique(values, return_counts=True)
            return value_count_entropy(counts)
        values = column.numeric_values[sel]
        present = ~np.isnan(values)
        if func == "sum":
            agg = np.zeros(k)
            np.add.at(agg, ids[present], values[present])
        else:
            non_null = np.bincount(ids[present], minlength=k)
            if func == "mean":
                total = np.zeros(k)
                np.add.at(total, ids[present], values[present])
                with np.errstate(invalid="ignore", divide="ignore"):
                    agg = total / non_null
            else:
                agg = np.full(k, -np.inf if func == "max" else np.inf)
                (np.maximum if func == "max" else np.minimum).at(agg, ids[present], values[present])
            agg[non_null == 0] = np.nan
        agg = agg[~np.isnan(agg)]
        return histogram_entropy(agg) if len(agg) > 1 else 0.0


#: numpy 1.x reduces float64 sums in buffers of this many elements, each summed pairwise.
_NUMPY1_BUFFER = 8192
_PAIRWISE_BLOCK = 128


@lru_cache(maxsize=65_536)
def _pairwise_sum_repeated(value: float, n: int) -> float:
    """numpy 1.x's pairwise summation (8 accumulators, blocks of 128) of ``n`` copies of ``value``."""
    if n < 8:
        total = 0.0
        for _ in range(n):
            total += value
        return total
    if n <= _PAIRWISE_BLOCK:
        acc = value  # the 8 accumulators hold equal values throughout
        for _ in range(8, n - n % 8, 8):
            acc += value
        total = ((acc + acc) + (acc + acc)) + ((acc + acc) + (acc + acc))
        for _ in range(n % 8):
            total += value
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sum_repeated(value, half) + _pairwise_sum_repeated(value, n - half)


def _numpy1_sum_repeated(value: float, n: int) -> float:
    total = 0.0
    while n > 0:
        chunk = min(n, _NUMPY1_BUFFER)
        total += _pairwise_sum_repeated(value, chunk)
        n -= chunk
    return total


@lru_cache(maxsize=65_536)
def equal_shares_std(k: int) -> float:
    """``site_std`` of ``k`` equal groups, bit for bit as the benchmark computed it.

    Mathematically 0, but the benchmark's pandas 1.5.3 / numpy 1.x two-pass ``std(ddof=0)`` of ``k``
    shares ``1/k`` leaves rounding noise (e.g. 1.36e-20 for ``k`` = 8648, 0.0 for 13625) that decides
    display equality and the ``site_std`` term of the display distance; numpy 2 sums differently.
    """
    share = 1.0 / k
    deviation = _numpy1_sum_repeated(share, k) / k - share
    return math.sqrt(_numpy1_sum_repeated(deviation * deviation, k) / k)


def _concatenation_ids(codes: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """An id per group identifying the ordered sequence of its non-missing strings.

    Groups are told apart by two 64-bit polynomial hashes of their code sequences (and lengths);
    groups with no string share one id (pandas 1.x sums them to 0).
    """
    present = codes > 0
    codes, ids = codes[present].astype(np.uint64), ids[present]
    order = np.argsort(ids, kind="stable")
    codes, ids = codes[order], ids[order]
    starts = np.searchsorted(ids, np.arange(k))
    position = (np.arange(len(ids)) - starts[ids]).astype(np.uint64)
    lengths = np.bincount(ids, minlength=k)
    keys = [lengths.astype(np.uint64)]
    with np.errstate(over="ignore"):
        for base in (np.uint64(1_000_003), np.uint64(998_244_353)):
            hashed = np.zeros(k, dtype=np.uint64)
            np.add.at(hashed, ids, codes * np.power(base, position + np.uint64(1)))
            keys.append(hashed)
    table = np.stack(keys, axis=1)
    _, inverse = np.unique(table, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)
