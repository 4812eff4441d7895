"""The display engine: state → view (rows) → display. One implementation for env and benchmark.

How it stays fast (docs/performance.md): columns are category codes (:mod:`ilaeda.eda.table`); a view
is the sorted rows its filter chain keeps, derived from its parent view (a filter narrows the rows its
parent kept and is evaluated once per category, string tests only for the categories a view holds);
each view carries the per-category counts of every column, from one ``bincount`` over the stacked
codes of its rows or from its parent's counts minus the rows the filter removed, whichever touches
fewer rows; the column statistics of a view are computed once and shared by all its groupings.

At scale (docs/performance.md, "Scale"): many rows are counted one column at a time (no row × column
copy), a one-column grouping of a large view is numbered from the view's counts, and every memo of arrays is
bounded in bytes (:data:`MEMO_BYTES`).
"""

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
from ilaeda.eda.filters import STRING_TESTS, InvalidFilter, category_mask, missing_cell_matches, string_test
from ilaeda.eda.lru import LRUCache
from ilaeda.eda.state import State
from ilaeda.eda.table import EncodedColumn, EncodedTable
from ilaeda.eda.terms import TermCandidates, stable_argsort, token_candidates, uses_tokens, value_candidates

HISTOGRAM_BINS = 20
#: Memory for each memo of arrays: the views (each holds its rows and the per-category counts of all
#: columns), their row masks, the groupings, the filters evaluated per category, the term candidates and
#: the value counts.
MEMO_BYTES = 128_000_000
_LN_BINS = float(np.log(HISTOGRAM_BINS))
#: Up to this many counts, value-count entropy sorts them; beyond, it counts the counts.
_SORTED_COUNTS = 256
#: A view with fewer rows × columns than this fraction of the stacked codes keeps sparse counts.
_SPARSE_ROWS_FACTOR = 2
#: Group keys up to this many times the view's rows (plus a constant) are counted with ``bincount``.
_BINCOUNT_KEYS_PER_ROW = 8
#: Below this many rows, counts come from the rows of the stacked code matrix (one gather, one ``bincount``).
_STACKED_ROWS = 65_536
#: From this many keys on, a stable sort of keys below 2³² goes by 16-bit radix passes.
_RADIX_SORT_ROWS = 2048


def normalised_entropy(counts: np.ndarray, log_norm: float) -> float:
    """Shannon entropy (nats) of ``counts`` divided by ``log_norm`` (scipy.stats.entropy semantics)."""
    total = counts.sum()
    if total <= 0 or log_norm <= 0:
        return 0.0
    return float(np.add.reduce(entr(counts / total)) / log_norm)  # np.sum's reduction, without its dispatch


def histogram_counts(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """``np.histogram(values, bins=20, weights=weights)[0]`` as float64, without its overhead.

    numpy's outer edges and ``linspace`` edges; numpy puts ``x`` in the bin ``i`` with
    ``edges[i] <= x < edges[i + 1]`` (the last bin closed) whenever its first estimate is off by at
    most one bin, which holds when a bin is wide compared to the rounding of the values: then a
    ``searchsorted`` on the edges finds the same bin. Otherwise numpy's own assignment (with its ±1
    corrections) is replayed; non-finite or degenerate ranges go to numpy.
    """
    return _histogram_counts(values, weights, values.min(), values.max())


def _histogram_counts(values: np.ndarray, weights: np.ndarray | None, first: float, last: float) -> np.ndarray:
    """:func:`histogram_counts` of ``values`` whose minimum and maximum are ``first`` and ``last``."""
    if not (np.isfinite(first) and np.isfinite(last)):
        return np.histogram(values, bins=HISTOGRAM_BINS, weights=weights)[0].astype(np.float64)
    if first == last:
        first, last = first - 0.5, last + 0.5
    edges = _bin_edges(first, last)
    if (edges[:-1] >= edges[1:]).any():
        return np.histogram(values, bins=HISTOGRAM_BINS, weights=weights)[0].astype(np.float64)
    if _wide_bins(first, last):
        index = edges.searchsorted(values, side="right") - 1
        index[index == HISTOGRAM_BINS] -= 1
    else:
        index = (((values - first) / (last - first)) * HISTOGRAM_BINS).astype(np.intp)
        index[index == HISTOGRAM_BINS] -= 1
        index[values < edges[index]] -= 1
        index[(values >= edges[index + 1]) & (index != HISTOGRAM_BINS - 1)] += 1
    return np.bincount(index, weights=weights, minlength=HISTOGRAM_BINS).astype(np.float64)


_EDGE_STEPS = np.arange(HISTOGRAM_BINS + 1, dtype=np.float64)


def _bin_edges(first: float, last: float) -> np.ndarray:
    """``np.linspace(first, last, 21)`` of float64 bounds, by numpy's arithmetic without its overhead.

    numpy's linspace multiplies ``arange(21)`` by ``(last - first) / 20``, adds ``first`` and sets
    the last edge to ``last`` (a zero step, which it treats otherwise, goes to numpy).
    """
    step = (last - first) / HISTOGRAM_BINS
    if step == 0:
        return np.linspace(first, last, HISTOGRAM_BINS + 1, endpoint=True, dtype=np.float64)
    edges = _EDGE_STEPS * step
    edges += first
    edges[-1] = last
    return edges


def _wide_bins(first: float, last: float) -> bool:
    """Whether a 20-bin histogram of [first, last] has bins far wider than the values' rounding."""
    return bool((last - first) / HISTOGRAM_BINS > 1e-9 * max(abs(first), abs(last)))


def sorted_histogram_counts(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """:func:`histogram_counts` of ascending ``values`` with integer ``weights`` (counts): bins cut by
    ``searchsorted`` on numpy's edges, each bin's weights summed (exactly: integers).

    Exact under the same condition as :func:`histogram_counts`' ``searchsorted`` (else it is called).
    """
    first, last = values[0], values[-1]
    if not (np.isfinite(first) and np.isfinite(last) and _wide_bins(first, last)):
        return histogram_counts(values, weights)
    edges = _bin_edges(first, last)
    if (edges[:-1] >= edges[1:]).any():
        return histogram_counts(values, weights)
    bounds = np.empty(HISTOGRAM_BINS + 1, dtype=np.intp)
    bounds[0], bounds[-1] = 0, len(values)
    bounds[1:-1] = values.searchsorted(edges[1:-1], side="left")
    starts = bounds[:-1]
    filled = starts < bounds[1:]
    counts = np.zeros(HISTOGRAM_BINS, dtype=np.float64)
    counts[filled] = np.add.reduceat(weights, starts[filled])  # a bin's sum runs to the next filled bin
    return counts


def histogram_entropy(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Entropy of a 20-bin equal-width histogram of ``values``, normalised by ln 20.

    ``weights`` counts each value that many times (the values of a column's categories weighted by
    their counts give the histogram of its rows).
    """
    if (len(values) if weights is None else weights.sum()) <= 1:
        return 0.0
    first, last = values.min(), values.max()
    if first == last and np.isfinite(first):  # every value in one bin: entropy 0, without the histogram
        return 0.0
    return normalised_entropy(_histogram_counts(values, weights, first, last), _LN_BINS)


def sorted_histogram_entropy(values: np.ndarray, weights: np.ndarray) -> float:
    """:func:`histogram_entropy` of distinct ascending ``values`` with ``weights``.

    The same counts as :func:`histogram_counts`, by :func:`sorted_histogram_counts`.
    """
    if weights.sum() <= 1:
        return 0.0
    if values[0] == values[-1] and np.isfinite(values[0]):
        return 0.0
    return normalised_entropy(sorted_histogram_counts(values, weights), _LN_BINS)


def value_count_entropy(counts: np.ndarray) -> float:
    """Entropy of value counts (ordered as pandas' value_counts) normalised by ln(#values).

    The descending counts are rebuilt from the counts of counts, and ``entr`` is evaluated once per
    distinct count: the same array, summed the same way, as sorting every count.
    """
    m = counts.sum()
    if m <= 1:
        return 0.0
    if len(counts) <= _SORTED_COUNTS:
        ordered = np.sort(counts[counts > 0])[::-1]
        terms = entr(ordered / float(m))
    else:
        multiplicity = np.bincount(counts.astype(np.int64, copy=False))
        multiplicity[0] = 0
        distinct = multiplicity.nonzero()[0][::-1]
        terms = np.repeat(entr(distinct / float(m)), multiplicity[distinct])
    return float(np.add.reduce(terms) / _log(m))


@lru_cache(maxsize=65_536)
def _log(m: int) -> float:
    """``float(np.log(m))`` (memoised: value-count entropies divide by it)."""
    return float(np.log(m))


def _array_bytes(value: np.ndarray | tuple[np.ndarray, ...] | None) -> int:
    """Memory of a memoised array (or tuple of arrays; None: nothing)."""
    if value is None:
        return 0
    return value.nbytes if isinstance(value, np.ndarray) else sum(a.nbytes for a in value)


def _candidate_bytes(candidates: TermCandidates) -> int:
    """Memory of term candidates, with room for the term tuple and index they build on demand."""
    return 2 * (candidates.order.nbytes + candidates.positions.nbytes)


class _View:
    """The rows of one filter chain and the per-category counts of every column (stacked layout).

    ``counts`` is dense (one slot per stacked code) for large views, None for small ones;
    ``codes``/``code_counts`` list the stacked codes present and their counts (sparse, sorted) and
    ``bounds`` where each column's codes start in them.
    """

    __slots__ = ("bounds", "code_counts", "codes", "counts", "layer", "rows", "serial")
    _next_serial: ClassVar[int] = 0

    def __init__(self, rows: np.ndarray, counts: np.ndarray | None) -> None:
        rows.setflags(write=False)
        self.rows = rows
        self.serial = _View._next_serial  # never reused: a memo key that outlives no view it names
        _View._next_serial += 1
        self.counts = counts
        self.codes: np.ndarray | None = None
        self.code_counts: np.ndarray | None = None
        self.bounds: list[int] | None = None
        self.layer: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] | None = None

    @property
    def n(self) -> int:
        return len(self.rows)


class DisplayEngine:
    """Computes views and displays of one dataset; memoises views, displays and term candidates."""

    _instances: ClassVar[dict[tuple[str, int, str], DisplayEngine]] = {}

    def __init__(self, table: EncodedTable, name: str = "", cache_size: int = 100_000) -> None:
        self.table = table
        self.schema: Schema = table.schema
        self.name = name
        self._offsets = table.offsets
        self._position = {c: i for i, c in enumerate(self.schema.columns)}
        bounds = self._offsets.tolist()
        self._ranges = [(c, bounds[i], bounds[i + 1]) for i, c in enumerate(self.schema.columns)]
        self._views: LRUCache = LRUCache(cache_size, MEMO_BYTES, self._view_bytes)
        self._by_rows: LRUCache = LRUCache(cache_size, MEMO_BYTES, self._view_bytes)  # views by a summary of their rows
        self._filter_categories: LRUCache = LRUCache(cache_size, MEMO_BYTES, _array_bytes)
        self._masks: LRUCache = LRUCache(cache_size, MEMO_BYTES, _array_bytes)  # views' row masks, by view
        self._displays: LRUCache = LRUCache(cache_size)
        self._terms: LRUCache = LRUCache(cache_size, MEMO_BYTES, _candidate_bytes)
        self._view_terms: LRUCache = LRUCache(cache_size, MEMO_BYTES, _candidate_bytes)
        self._counts: LRUCache = LRUCache(cache_size, MEMO_BYTES, _array_bytes)
        self._group_memo: LRUCache = LRUCache(64, MEMO_BYTES, _Groups.nbytes)
        self._score_memo: LRUCache = LRUCache(cache_size)
        self._root: _View | None = None
        self._empty: _View | None = None

    @classmethod
    def for_dataset(
        cls, schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None
    ) -> DisplayEngine:
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
        """Row mask of one filter over the whole table, or None when the filter is invalid (empties the view)."""
        column = self.column(action.column)
        try:
            return category_mask(column, action)[column.codes]
        except InvalidFilter:
            return None

    def _counts_of(self, rows: np.ndarray | None) -> np.ndarray:
        """Per-category counts of every column (stacked layout) over ``rows`` (None: every row): one
        ``bincount`` of the stacked codes of a few rows, else one per column (no row × column copy).
        """
        if rows is not None and len(rows) < _STACKED_ROWS:
            return np.bincount(self.table.stacked_codes[rows].reshape(-1), minlength=int(self._offsets[-1]))
        counts = np.empty(int(self._offsets[-1]), dtype=np.int64)
        for name, start, end in self._ranges:
            codes = self.table.columns[name].codes
            counts[start:end] = np.bincount(codes if rows is None else codes[rows], minlength=end - start)
        return counts

    def _stacked_codes(self, rows: np.ndarray) -> np.ndarray:
        """The codes of ``rows`` in every column, shifted into each column's range of the stacked code space."""
        if len(rows) < _STACKED_ROWS:
            return self.table.stacked_codes[rows].reshape(-1).astype(np.int64, copy=False)
        return np.concatenate(
            [np.add(self.table.columns[name].codes[rows], start, dtype=np.int64) for name, start, _ in self._ranges]
        )

    def _root_view(self) -> _View:
        if self._root is None:
            self._root = _View(np.arange(self.table.n_rows, dtype=np.intp), self._counts_of(None))
        return self._root

    def _empty_view(self) -> _View:
        if self._empty is None:
            counts = np.zeros(int(self._offsets[-1]), dtype=np.int64)
            counts.setflags(write=False)
            self._empty = _View(np.zeros(0, dtype=np.intp), counts)
        return self._empty

    def _view(self, filters: tuple[Filter, ...]) -> _View:
        """The view of a filter chain (memoised), narrowed from its parent's view."""
        if not filters:
            return self._root_view()
        return self._views.get_or(filters, lambda: self._narrow(self._view(filters[:-1]), filters[-1]))

    def _narrow(self, parent: _View, action: Filter) -> _View:
        column = self.column(action.column)
        keep = self._categories(action, column, parent) if parent.n else None
        if keep is None:  # invalid filter or empty parent: the view is empty
            return self._empty_view()
        kept = keep[column.codes if parent is self._root else column.codes[parent.rows]]  # the root's rows: 0…n−1
        rows = parent.rows[kept]
        if len(rows) == parent.n:
            return parent  # the filter keeps every row: the same view
        if not len(rows):
            return self._empty_view()
        fingerprint = (len(rows), int(rows[0]), int(rows[-1]), int(rows.sum()))
        same = self._by_rows.get(fingerprint)
        if same is not None and np.array_equal(same.rows, rows):  # another filter chain led to these rows
            self._by_rows.move_to_end(fingerprint)
            return same
        if len(rows) * len(self._position) * _SPARSE_ROWS_FACTOR < self._offsets[-1]:
            counts = None  # small view: its counts stay sparse
        elif parent.counts is not None and 2 * len(rows) > parent.n:
            counts = parent.counts - self._counts_of(parent.rows[~kept])
        else:
            counts = self._counts_of(rows)
        view = _View(rows, counts)
        self._by_rows.put(fingerprint, view)
        return view

    def _view_bytes(self, view: _View) -> int:
        """Memory ``view`` holds once its sparse counts are filled in (a bound)."""
        if view.counts is not None:
            return view.rows.nbytes + 3 * view.counts.nbytes
        return view.rows.nbytes * (1 + 2 * len(self._position))

    def _sparse(self, view: _View) -> _View:
        """Fill in the stacked codes present in ``view``, their counts and each column's bounds."""
        if view.codes is None:
            if view.counts is not None:
                codes = view.counts.nonzero()[0]
                counts = view.counts[codes]
            else:
                codes, counts = _distinct_counts(self._stacked_codes(view.rows), int(self._offsets[-1]))
            view.bounds = codes.searchsorted(self._offsets).tolist()
            view.codes, view.code_counts = codes, counts
        return view

    def _categories(self, action: Filter, column: EncodedColumn, parent: _View) -> np.ndarray | None:
        """Per code (0 = missing), whether ``action`` keeps it; None when the filter is invalid.

        String tests are evaluated lazily, only for the categories present in ``parent``.
        """
        if action.operator not in STRING_TESTS:

            def compute() -> np.ndarray | None:
                try:
                    return category_mask(column, action)
                except InvalidFilter:
                    return None

            return self._filter_categories.get_or(action, compute)

        def fresh() -> tuple[np.ndarray, np.ndarray]:
            keep = np.zeros(column.n_categories + 1, dtype=bool)
            keep[0] = missing_cell_matches(column, action.operator, str(action.term))
            return keep, np.zeros(column.n_categories + 1, dtype=bool)

        entry = self._filter_categories.get_or(action, fresh)
        keep, known = entry
        j = self._position[column.name]
        if parent.counts is not None:
            present = parent.counts[self._offsets[j] + 1 : self._offsets[j + 1]].nonzero()[0] + 1
        else:
            self._sparse(parent)
            present = parent.codes[parent.bounds[j] : parent.bounds[j + 1]] - self._offsets[j]  # type: ignore[index]
            present = present[present > 0]
        todo = present[~known[present]]
        if len(todo):
            keep[todo] = string_test(column, action.operator, str(action.term), (todo - 1).tolist())
            known[todo] = True
        return keep

    def view_mask(self, filters: tuple[Filter, ...]) -> np.ndarray:
        """Rows of the view after applying ``filters`` in order, as a boolean mask (read-only array)."""
        view = self._view(filters)

        def compute() -> np.ndarray:
            mask = np.zeros(self.table.n_rows, dtype=bool)
            mask[view.rows] = True
            mask.setflags(write=False)
            return mask

        return self._masks.get_or(view.serial, compute)

    def view_rows(self, state: State) -> np.ndarray:
        """Indices of the rows of the view of ``state`` (ascending, read-only array)."""
        return self._view(state.filters).rows

    def _column_counts(self, view: _View, column: str) -> np.ndarray:
        """Counts per code (index 0 = missing cells) of ``column`` in ``view``."""
        encoded = self.column(column)
        if view.counts is None:
            return np.bincount(encoded.codes[view.rows], minlength=encoded.n_categories + 1)
        start = self._offsets[self._position[column]]
        return view.counts[start : start + encoded.n_categories + 1]

    def value_counts(self, filters: tuple[Filter, ...], column: str) -> np.ndarray:
        """Counts of each category of ``column`` (missing cells excluded) in the view of ``filters``."""

        def compute() -> np.ndarray:
            self.column(column)
            counts = self._column_counts(self._view(filters), column)[1:].astype(np.float64)
            counts.setflags(write=False)
            return counts

        return self._counts.get_or((filters, column), compute)

    def term_candidates(self, filters: tuple[Filter, ...], column: str, operator: str) -> TermCandidates:
        """Filter terms the view of ``filters`` offers for ``column``/``operator`` (memoised per filter chain,
        and per view: filter chains that keep the same rows share them).
        """
        tokens = uses_tokens(operator, column, self.schema.text_columns)
        return self._terms.get_or(
            (filters, column, tokens), lambda: self._candidates_of(self._view(filters), column, tokens)
        )

    def _candidates_of(self, view: _View, column: str, tokens: bool) -> TermCandidates:
        def compute() -> TermCandidates:
            encoded = self.column(column)
            counts = self._column_counts(view, column)
            if tokens:
                incidence, vocabulary = encoded.token_index
                return token_candidates(view.n, counts, incidence, vocabulary)
            return value_candidates(encoded.codes[view.rows], encoded.strings, encoded.n_categories, counts)

        return self._view_terms.get_or((view.serial, column, tokens), compute)

    # -------------------------------------------------------------------------------- displays
    def display(self, state: State) -> Display:
        """The display of ``state`` (memoised)."""
        return self._displays.get_or(state, lambda: self._compute_display(state))

    def _compute_display(self, state: State) -> Display:
        view = self._view(state.filters)
        if view.layer is None:
            view.layer = self._data_layer(view)
        granularity = self._granularity(state, view) if state.grouping else None
        return Display(self.schema.columns, *view.layer, granularity)

    def _data_layer(self, view: _View) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
        """Per column: distinct/non-missing, missing/rows and the normalised entropy of ``view``."""
        n, k = view.n, self.schema.n_columns
        if n == 0:
            return (0.0,) * k, (1.0,) * k, (0.0,) * k
        self._sparse(view)
        codes, counts, bounds = view.codes, view.code_counts, view.bounds
        offsets = self._offsets.tolist()
        unique, nulls, entropy = [], [], [0.0] * k
        few: list[tuple[int, int, int, int]] = []  # (column, start, end, non-missing) of short count lists
        firsts = codes[np.minimum(bounds[:-1], len(codes) - 1)].tolist()  # type: ignore[index,arg-type]
        for j, name in enumerate(self.schema.columns):
            start, end = bounds[j], bounds[j + 1]  # type: ignore[index]
            if start < end and firsts[j] == offsets[j]:  # the column's missing cells come first
                missing = int(counts[start])  # type: ignore[index]
                start += 1
            else:
                missing = 0
            m, distinct = n - missing, end - start
            unique.append(distinct / m if distinct else 0.0)
            nulls.append(missing / n)
            if m <= 1:
                continue
            column = self.table.columns[name]
            if column.histogram:
                values = column.categories[codes[start:end] - (offsets[j] + 1)].astype(np.float64)  # type: ignore[index]
                hist = sorted_histogram_counts(values, counts[start:end].astype(np.float64))  # type: ignore[index]
                entropy[j] = normalised_entropy(hist, _LN_BINS)  # categories are sorted: so are the values
            elif distinct <= _SORTED_COUNTS:
                few.append((j, start, end, m))
            else:
                entropy[j] = value_count_entropy(counts[start:end])  # type: ignore[index]
        if few:
            self._few_value_count_entropies(counts, n, few, entropy)  # type: ignore[arg-type]
        return tuple(unique), tuple(nulls), tuple(entropy)

    @staticmethod
    def _few_value_count_entropies(
        counts: np.ndarray, n: int, few: list[tuple[int, int, int, int]], entropy: list[float]
    ) -> None:
        """:func:`value_count_entropy` of several short count lists with one sort and one ``entr``.

        Each column's counts are sorted descending (one sort of column-major keys), divided by its
        non-missing rows and summed by ``np.sum`` per column: the arrays :func:`value_count_entropy`
        sums, element for element.
        """
        columns, starts, ends, ms = (np.array(v, dtype=np.int64) for v in zip(*few))
        lengths = ends - starts
        selected = np.concatenate([counts[start:end] for _, start, end, _ in few])  # the ranges ascend
        keys = np.sort(np.repeat(columns, lengths) * (n + 1) + (n - selected))
        terms = entr((n - keys % (n + 1)) / np.repeat(ms, lengths).astype(np.float64))
        stops = lengths.cumsum().tolist()
        for (j, _, _, m), stop, length in zip(few, stops, lengths.tolist()):
            entropy[j] = float(np.add.reduce(terms[stop - length : stop]) / _log(m))

    def _granularity(self, state: State, view: _View) -> Granularity | None:
        # A later function on the same column wins. An aggregated column may also be a grouping column
        # (e.g. the primary key grouped and counted): pandas 1.x, which the benchmark ran on, aggregates it
        # like any other column (each group's key values), so it is not special-cased.
        aggregations = dict(state.aggregations)
        key = (view.serial, state.grouping)
        groups = self._group_memo.get_or(key, lambda: self._grouped(view, state.grouping))
        sizes = groups.sizes
        k = len(sizes)
        if k == 0:  # pandas aggregates no group without error, whatever the function
            return Granularity(state.grouping, tuple((c, 0.0) for c in aggregations), 0.0, 0.0, 0.0)
        agg_attrs = []  # in the order the columns were first aggregated, as the benchmark's tokens
        for col, func in aggregations.items():
            score = self._score_memo.get_or(
                (*key, None if func == "count" else col, func),  # a count depends on the groups alone
                lambda: self._aggregation_score(self.column(col), func, groups),  # noqa: B023 - called at once
            )
            if score is None:
                return None
            agg_attrs.append((col, score))
        return Granularity(state.grouping, tuple(agg_attrs), *groups.globals())

    def _grouped(self, view: _View, grouping: tuple[str, ...]) -> _Groups:
        """The groups of ``view`` by ``grouping``: the groups by all but the last column (when memoised)
        split by the last, else :meth:`_groups`.
        """
        prefix = self._group_memo.get((view.serial, grouping[:-1])) if len(grouping) > 1 else None
        if prefix is not None:
            return _Groups(view.rows, *self._split(prefix, grouping[-1]))
        if len(grouping) == 1 and view.counts is not None:
            return _Groups(view.rows, *self._groups_by_counts(view, grouping[0]))
        return _Groups(view.rows, *self._groups(grouping, view.rows))

    def _groups_by_counts(self, view: _View, name: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_groups` of one column, from the view's counts: the groups are its codes present (ascending)."""
        column = self.column(name)
        counts = self._column_counts(view, name)
        occupied = counts[1:].nonzero()[0] + 1
        lookup = np.full(len(counts), -1, dtype=np.int64)
        lookup[occupied] = np.arange(len(occupied))
        return lookup[column.codes if view is self._root else column.codes[view.rows]], counts[occupied]

    def _groups(self, grouping: tuple[str, ...], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Group id per row (−1 = dropped for a missing key) and the group sizes.

        Groups are numbered in ascending order of their mixed-radix key (as ``np.unique`` numbers
        them); keys are counted with ``bincount`` when their range is small, else sorted (stable).
        """
        key = np.zeros(len(rows), dtype=np.int64)
        valid = np.ones(len(rows), dtype=bool)
        n_keys = 1
        for name in grouping:
            column = self.column(name)
            radix = column.n_categories + 1
            if n_keys * radix > 1 << 62:  # the key would overflow int64: number it densely first (the same order)
                key, sizes = _number_keys(key, valid, n_keys)
                n_keys = len(sizes)
            codes = column.codes[rows]
            valid &= codes > 0
            key = key * radix + codes
            n_keys *= radix
        return _number_keys(key, valid, n_keys)

    def _split(self, prefix: _Groups, name: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_groups` of the prefix's grouping plus column ``name``, from the prefix's groups.

        The prefix's ids rank its keys, so ``id × radix + code`` orders the rows as the whole key does.
        """
        column = self.column(name)
        codes = column.codes[prefix.rows]
        valid = (prefix.ids >= 0) & (codes > 0)
        k = len(prefix.sizes)
        if k and prefix.sizes.max() == 1:  # one row per group: the groups only lose the rows `name` misses
            ids = prefix.ids[valid]
            alive = np.zeros(k, dtype=bool)
            alive[ids] = True
            lookup = alive.cumsum() - 1
            out = np.full(len(codes), -1, dtype=np.int64)
            out[valid] = lookup[ids]
            return out, np.ones(len(ids), dtype=np.int64)
        radix = column.n_categories + 1
        return _number_keys(prefix.ids * radix + codes, valid, k * radix)

    @staticmethod
    def _aggregation_score(column: EncodedColumn, func: str, groups: _Groups) -> float | None:
        """Entropy score of the aggregated column; None when pandas could not aggregate it.

        Each score depends on the aggregated values as a multiset (a histogram or value counts of
        them), so groups may be visited in any order.
        """
        k = len(groups.sizes)
        if func == "count":  # the histogram of the sizes, from the distinct sizes and how many groups have each
            if k <= 1:
                return 0.0
            multiplicity = np.bincount(groups.sizes)
            distinct = multiplicity.nonzero()[0]
            return sorted_histogram_entropy(distinct.astype(np.float64), multiplicity[distinct].astype(np.float64))
        ids, sel = groups.kept()
        codes = column.codes[sel]
        present = codes > 0
        complete = bool(present.all())  # no missing cell: the present rows are all rows, without a copy
        if column.kind == "str":
            # pandas 1.x: mean fails on any string (and gives 0 without one); min/max fail when a group
            # mixes strings and missing cells; sum concatenates each group's strings, 0 for a group without.
            if func == "mean":
                return None if present.any() else 0.0
            if (
                func in ("min", "max")
                and not complete
                and not groups.singletons
                and ((np.bincount(ids[present], minlength=k) > 0) & (np.bincount(ids[~present], minlength=k) > 0)).any()
            ):
                return None
        if column.kind == "str" and func == "sum":  # pandas concatenates the strings of each group
            return value_count_entropy(_concatenation_counts(codes, ids, k)) if k > 1 else 0.0
        if not complete:
            ids, codes = ids[present], codes[present]
        if func in ("min", "max"):  # categories are sorted: the extreme value has the extreme code
            extremes = _group_extremes(codes, ids, k, func)
            if len(extremes) <= 1:
                return 0.0
            multiplicity = np.bincount(extremes)
            if column.kind == "str":
                return value_count_entropy(multiplicity)
            # the histogram of the extreme values, from the distinct ones (ascending with their codes)
            distinct = multiplicity.nonzero()[0]
            values = column.categories[distinct - 1].astype(np.float64)
            return sorted_histogram_entropy(values, multiplicity[distinct].astype(np.float64))
        values = column.numeric_values[codes]  # the present rows' values (a category is never NaN)
        # bincount adds the weights of each group in row order, as np.add.at does: the same sums
        agg: np.ndarray
        if func == "sum":
            agg = np.bincount(ids, weights=values, minlength=k)
        else:  # mean
            non_null = np.bincount(ids, minlength=k)
            total = np.bincount(ids, weights=values, minlength=k)
            with np.errstate(invalid="ignore", divide="ignore"):
                agg = total / non_null
            agg[non_null == 0] = np.nan
        agg = agg[~np.isnan(agg)]
        return histogram_entropy(agg) if len(agg) > 1 else 0.0


def _number_keys(key: np.ndarray, valid: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense numbers of the ``valid`` rows' keys (below ``n_keys``) in ascending key order (−1 = not
    valid) and how many rows have each: ``np.unique``'s numbering, by ``bincount`` when the keys are
    few for the rows, else by a stable sort.
    """
    if n_keys <= _BINCOUNT_KEYS_PER_ROW * len(key) + 1024:
        key = np.where(valid, key, n_keys)  # one more bucket for the rows a missing key drops
        counts = np.bincount(key, minlength=n_keys + 1)[:n_keys]
        occupied = counts.nonzero()[0]
        lookup = np.full(n_keys + 1, -1, dtype=np.int64)
        lookup[occupied] = np.arange(len(occupied))
        return lookup[key], counts[occupied]
    ids = np.full(len(key), -1, dtype=np.int64)
    if not valid.any():
        return ids, np.zeros(0, dtype=np.int64)
    selected = valid.nonzero()[0]
    key = key[selected]
    order = _stable_order(key, n_keys)  # faster than np.unique's quicksort here; the same numbering
    key = key[order]
    new = np.empty(len(key), dtype=bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    ids[selected[order]] = new.cumsum() - 1
    return ids, _run_lengths(new.nonzero()[0], len(key))


def _stable_order(key: np.ndarray, n_keys: int) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of non-negative keys below ``n_keys``: for many keys below 2³², two
    stable passes over their 16-bit halves (numpy radix-sorts 16-bit integers), low half first.
    """
    if len(key) < _RADIX_SORT_ROWS or n_keys > 1 << 32:
        return key.argsort(kind="stable")
    order = (key & 0xFFFF).astype(np.uint16).argsort(kind="stable")
    return order[(key[order] >> 16).astype(np.uint16).argsort(kind="stable")]


def _distinct_counts(values: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)`` of non-negative integers below ``bound``: below 2¹⁶ by
    numpy's radix sort of 16-bit integers.
    """
    if bound > 1 << 16 or not len(values):
        return np.unique(values, return_counts=True)
    ordered = np.sort(values.astype(np.uint16), kind="stable")
    new = np.empty(len(ordered), dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    starts = new.nonzero()[0]
    return ordered[starts].astype(values.dtype), _run_lengths(starts, len(ordered))


def _run_lengths(starts: np.ndarray, total: int) -> np.ndarray:
    """Lengths of the runs starting at ``starts`` (ascending, the first 0) in ``total`` elements."""
    lengths = np.empty(len(starts), dtype=np.int64)
    lengths[:-1] = starts[1:] - starts[:-1]
    lengths[-1] = total - starts[-1]
    return lengths


class _Groups:
    """The groups of one view and grouping: group id per row (−1 = dropped), sizes, and the rows kept."""

    __slots__ = ("_globals", "_kept", "ids", "rows", "sizes")

    def __init__(self, rows: np.ndarray, ids: np.ndarray, sizes: np.ndarray) -> None:
        self.rows, self.ids, self.sizes = rows, ids, sizes
        self._kept: tuple[np.ndarray, np.ndarray] | None = None
        self._globals: tuple[float, float, float] | None = None

    @staticmethod
    def nbytes(groups: _Groups) -> int:
        """Memory of the group ids and sizes, with room for the kept rows (the view's rows are not counted)."""
        return 3 * groups.ids.nbytes + groups.sizes.nbytes

    def globals(self) -> tuple[float, float, float]:
        """``inverse_ngroups``, ``inverse_size_mean`` and ``site_std`` (at least one group)."""
        if self._globals is None:
            sizes, k = self.sizes, len(self.sizes)
            total = float(sizes.sum())
            site_std = equal_shares_std(k) if sizes.min() == sizes.max() else _std(sizes / total)
            self._globals = (1.0 / k, k / total, site_std)
        return self._globals

    def kept(self) -> tuple[np.ndarray, np.ndarray]:
        """Group ids and table rows of the rows in a group, in row order."""
        if self._kept is None:
            keep = self.ids >= 0
            self._kept = (self.ids, self.rows) if len(self.sizes) and keep.all() else (self.ids[keep], self.rows[keep])
        return self._kept

    @property
    def singletons(self) -> bool:
        """Whether every group has one row."""
        return len(self.sizes) == len(self.kept()[0])


def _std(values: np.ndarray) -> float:
    """``float(np.std(values))`` of a 1-D float array: numpy's operations, without its dispatch."""
    deviations = values - np.add.reduce(values) / len(values)
    np.multiply(deviations, deviations, out=deviations)
    return float(np.sqrt(np.add.reduce(deviations) / len(values)))


def _group_extremes(codes: np.ndarray, ids: np.ndarray, k: int, func: str) -> np.ndarray:
    """The largest (``func="max"``) or smallest of the positive ``codes`` of each group that has one, in group order."""
    if func == "max":
        out = np.zeros(k, dtype=codes.dtype)
        np.maximum.at(out, ids, codes)
        return out[out > 0]
    none = np.iinfo(codes.dtype).max
    out = np.full(k, none, dtype=codes.dtype)
    np.minimum.at(out, ids, codes)
    return out[out < none]


def _concatenation_counts(codes: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """How many of the ``k`` groups share each ordered sequence of non-missing strings (codes > 0).

    A group with at most one string is told by that code (groups with no string share one sequence:
    pandas 1.x sums them to 0); groups with several strings by their length and two 64-bit
    polynomial hashes of their code sequence (classes found by sorting one hash, all three compared).
    The counts come in no particular order.
    """
    present = codes > 0
    codes, ids = codes[present], ids[present]
    lengths = np.bincount(ids, minlength=k)
    several = lengths > 1
    in_several = several[ids]
    single = np.zeros(k, dtype=np.int64)
    single[ids[~in_several]] = codes[~in_several]
    counts = np.bincount(single[~several])
    counts = counts[counts > 0]
    if not in_several.any():
        return counts
    renumber = several.cumsum() - 1
    ids, codes, lengths = renumber[ids[in_several]], codes[in_several], lengths[several]
    order = stable_argsort(ids)
    codes, ids = codes[order].astype(np.uint64), ids[order]
    starts = lengths.cumsum() - lengths
    position = np.arange(len(ids)) - starts[ids]
    keys = [lengths.astype(np.uint64)]
    with np.errstate(over="ignore"):
        for base in (np.uint64(1_000_003), np.uint64(998_244_353)):
            powers = np.cumprod(np.full(int(lengths.max()), base, dtype=np.uint64))  # base**(position + 1)
            keys.append(np.add.reduceat(codes * powers[position], starts))
    order = keys[1].argsort()
    table = np.stack(keys, axis=1)[order]
    same = table[1:] == table[:-1]
    if (same[:, 1] & ~(same[:, 0] & same[:, 2])).any():  # one hash collides, the others differ
        table = np.stack(keys, axis=1)[np.lexsort(keys[::-1])]
        same = table[1:] == table[:-1]
    new = np.ones(len(table), dtype=bool)
    new[1:] = ~same.all(axis=1)
    return np.concatenate([counts, _run_lengths(new.nonzero()[0], len(table))])


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
