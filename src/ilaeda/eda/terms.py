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

from dataclasses import dataclass

import numpy as np

from ilaeda.data.sessions import STRING_OPERATORS

#: The 27 bin edges (26 bins) of AdvEDA's environment (github.com/abhijitmanatkar/AdversarialEDA).
BIN_EDGES = np.array([
    0, 4.8828125e-05, 9.765625e-05, 1.953125e-04, 3.90625e-04, 7.8125e-04, 0.0015625, 0.003125,
    0.00625, 0.0125, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8,
    0.9, 1.0,
])
N_BINS = len(BIN_EDGES) - 1


def position_bin(position: float) -> int:
    """The bin holding a position in [0, 1] (1.0 falls in the last bin)."""
    index = int(np.searchsorted(BIN_EDGES, position, side="right")) - 1
    return min(max(index, 0), N_BINS - 1)


@dataclass(frozen=True)
class TermCandidates:
    """Candidate terms of one (view, column, operator kind), sorted by position."""

    terms: tuple[str, ...]
    positions: np.ndarray
    tokens: bool

    def choose(self, bin_index: int, rng: np.random.Generator) -> str | None:
        """A term for ``bin_index`` (None when the view offers no term)."""
        if not self.terms:
            return None
        low, high = BIN_EDGES[bin_index], BIN_EDGES[bin_index + 1]
        point = low + rng.random() * (high - low)
        return self.terms[int(np.argmin(np.abs(self.positions - point)))]

    def position_of(self, term: str) -> float | None:
        """Position of ``term`` if it is a candidate."""
        index = self._index().get(term)
        return None if index is None else float(self.positions[index])

    def _index(self) -> dict[str, int]:
        cache = self.__dict__.get("_lookup")
        if cache is None:
            cache = {t: i for i, t in enumerate(self.terms)}
            object.__setattr__(self, "_lookup", cache)
        return cache


def uses_tokens(operator: str, column: str, text_columns: frozenset[str]) -> bool:
    """Whether ``operator`` on ``column`` draws word tokens rather than whole values."""
    return operator in STRING_OPERATORS and column in text_columns


def value_candidates(codes: np.ndarray, strings: list[str], n_categories: int) -> TermCandidates:
    """Whole-value candidates from the view's row codes (0 = missing)."""
    present = codes[codes > 0]
    if len(present) == 0:
        return TermCandidates((), np.zeros(0), False)
    counts = np.bincount(present, minlength=n_categories + 1)
    first = np.full(n_categories + 1, len(present), dtype=np.int64)
    first[present[::-1]] = np.arange(len(present) - 1, -1, -1)
    values = np.flatnonzero(counts)
    order = values[np.lexsort((first[values], counts[values]))]
    positions = np.cumsum(counts[order]) / len(present)
    return TermCandidates(tuple(strings[c - 1] for c in order), positions, False)


def token_candidates(codes: np.ndarray, incidence, vocabulary: list[str]) -> TermCandidates:  # type: ignore[no-untyped-def]
    """Word-token candidates: each token's share of the view's rows."""
    if len(codes) == 0:
        return TermCandidates((), np.zeros(0), True)
    category_counts = np.bincount(codes, minlength=incidence.shape[0]).astype(np.float64)
    token_counts = incidence.T @ category_counts
    present = np.flatnonzero(token_counts)
    order = present[np.argsort(token_counts[present], kind="stable")]
    return TermCandidates(tuple(vocabulary[t] for t in order), token_counts[order] / len(codes), True)
