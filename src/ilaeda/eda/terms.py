"""Filter terms of a view, ordered by frequency, and the 26 frequency bins that select them.

Two candidate kinds:

* **values**: the distinct non-missing values of the column in the view, sorted by ascending count
  (ties in first-appearance order); a value's position is its cumulative relative frequency.
* **tokens** (CONTAINS / STARTS_WITH / ENDS_WITH on a schema text column): the word tokens of the
  view's cells (:func:`~ilaeda.eda.table.text_tokens`); a token's position is the share of rows
  containing it.

A bin ``b`` selects the candidate whose position is nearest to a point drawn uniformly in
``[EDGES[b], EDGES[b+1])``; high bins pick frequent terms, low bins rare ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ilaeda.data.sessions import STRING_OPERATORS

#: The 27 bin edges (26 bins) of AdvEDA's environment (github.com/abhijitmanatkar/AdversarialEDA).
BIN_EDGES = np.array(
    [
        0,
        4.8828125e-05,
        9.765625e-05,
        1.953125e-04,
        3.90625e-04,
        7.8125e-04,
        0.0015625,
        0.003125,
        0.00625,
        0.0125,
        0.025,
        0.05,
        0.1,
        0.15,
        0.2,
        0.25,
        0.3,
        0.35,
        0.4,
        0.45,
        0.5,
        0.55,
        0.6,
        0.7,
        0.8,
        0.9,
        1.0,
    ]
)
N_BINS = len(BIN_EDGES) - 1


def position_bin(position: float) -> int:
    """The bin holding a position in [0, 1] (1.0 falls in the last bin)."""
    index = int(np.searchsorted(BIN_EDGES, position, side="right")) - 1
    return min(max(index, 0), N_BINS - 1)


@dataclass(frozen=True)
class TermCandidates:
    """Candidate terms of one (view, column, operator kind), sorted by position.

    ``labels[order[i]]`` is the i-th term; :attr:`terms` builds the whole tuple only when asked.
    """

    labels: Sequence[str]
    order: np.ndarray
    positions: np.ndarray
    tokens: bool

    @cached_property
    def terms(self) -> tuple[str, ...]:
        labels = self.labels
        return tuple(labels[i] for i in self.order.tolist())

    def choose(self, bin_index: int, rng: np.random.Generator) -> str | None:
        """A term for ``bin_index`` (None when the view offers no term)."""
        if not len(self.order):
            return None
        low, high = BIN_EDGES[bin_index], BIN_EDGES[bin_index + 1]
        point = low + rng.random() * (high - low)
        return self.labels[int(self.order[int(np.argmin(np.abs(self.positions - point)))])]

    def position_of(self, term: str) -> float | None:
        """Position of ``term`` if it is a candidate."""
        index = self._index.get(term)
        return None if index is None else float(self.positions[index])

    @cached_property
    def _index(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.terms)}


def uses_tokens(operator: str, column: str, text_columns: frozenset[str]) -> bool:
    """Whether ``operator`` on ``column`` draws word tokens rather than whole values."""
    return operator in STRING_OPERATORS and column in text_columns


def stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``; small non-negative integers as uint16 (a radix sort)."""
    if (
        len(values)
        and values.min() >= 0
        and values.max() < 1 << 16
        and (values.dtype.kind in "iu" or np.all(values == np.floor(values)))
    ):
        return values.astype(np.uint16).argsort(kind="stable")
    return values.argsort(kind="stable")


def _none(tokens: bool) -> TermCandidates:
    return TermCandidates((), np.zeros(0, dtype=np.intp), np.zeros(0), tokens)


def value_candidates(
    codes: np.ndarray, strings: list[str], n_categories: int, counts: np.ndarray | None = None
) -> TermCandidates:
    """Whole-value candidates from the view's row codes (0 = missing), in row order.

    ``counts``: ``np.bincount(codes, minlength=n_categories + 1)`` when the caller has it.
    """
    if counts is None:
        counts = np.bincount(codes, minlength=n_categories + 1)
    n_present = int(len(codes) - counts[0])
    if n_present == 0:
        return _none(False)
    present = codes[codes > 0] if counts[0] else codes
    # the values in order of first appearance, then a stable sort by count: ties keep that order
    first = np.full(n_categories + 1, n_present, dtype=np.intp)
    first[present[::-1]] = np.arange(n_present - 1, -1, -1)
    is_first = np.zeros(n_present, dtype=bool)
    is_first[first[np.flatnonzero(counts[1:]) + 1]] = True
    values = present[is_first]
    order = values[stable_argsort(counts[values])]
    positions = counts[order].cumsum() / n_present
    return TermCandidates(strings, order - 1, positions, False)


def token_candidates(n_rows: int, category_counts: np.ndarray, incidence, vocabulary: list[str]) -> TermCandidates:  # type: ignore[no-untyped-def]
    """Word-token candidates: each token's share of the view's ``n_rows`` rows.

    ``category_counts``: rows per code (0 = missing) of the view.
    """
    if n_rows == 0:
        return _none(True)
    token_counts = incidence.T @ category_counts.astype(np.float64)
    present = np.flatnonzero(token_counts)
    order = present[stable_argsort(token_counts[present])]
    return TermCandidates(vocabulary, order, token_counts[order] / n_rows, True)
