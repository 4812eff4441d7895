"""Corpus BLEU over tree paths, equivalent to NLTK's ``corpus_bleu`` with ``method1`` smoothing.

NLTK semantics kept exactly (``nltk.translate.bleu_score``, NLTK 3.10):

* per instance and order k: numerator = Σ candidate path counts clipped by the maximum count in
  any single reference; denominator = max(1, number of candidate paths);
* numerators and denominators are summed over instances (unreduced fractions);
* brevity penalty over summed lengths: r = Σ closest reference length (ties → the shorter one),
  c = Σ candidate lengths; BP = 1 if c > r, 0 if c = 0, else exp(1 − r/c);
* a zero unigram numerator scores 0; ``method1`` replaces a zero numerator by ε = 0.1;
* score = BP · exp(fsum(w_k · ln p_k)) with uniform weights 1/n.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

#: An n-gram (or tree path) key.
K = TypeVar("K", bound=Hashable)
#: ``method1`` smoothing epsilon (NLTK's default).
EPSILON = 0.1


def closest_ref_length(ref_lengths: Iterable[int], hyp_len: int) -> int:
    """The reference length closest to ``hyp_len`` (ties broken towards the shorter), as NLTK."""
    return min(ref_lengths, key=lambda r: (abs(r - hyp_len), r))


def brevity_penalty(closest_ref_len: int, hyp_len: int) -> float:
    """NLTK's brevity penalty."""
    if hyp_len > closest_ref_len:
        return 1.0
    if hyp_len == 0:
        return 0.0
    return math.exp(1 - closest_ref_len / hyp_len)


def max_ref_counts(ref_counters: Iterable[Mapping[K, int]]) -> dict[K, int]:
    """Per item, the maximum count in any single reference (the clipping bound)."""
    out: dict[K, int] = {}
    for counter in ref_counters:
        for item, count in counter.items():
            if count > out.get(item, 0):
                out[item] = count
    return out


def clipped(hyp_counts: Mapping[K, int], max_counts: Mapping[K, int]) -> tuple[int, int]:
    """(clipped numerator, denominator ≥ 1) of NLTK's ``modified_precision``."""
    numerator = sum(min(c, max_counts.get(item, 0)) for item, c in hyp_counts.items())
    return numerator, max(1, sum(hyp_counts.values()))


@dataclass
class BleuStats:
    """Sufficient statistics of corpus BLEU: per-order sums and summed lengths."""

    max_order: int
    numerators: list[int] = field(default_factory=list)
    denominators: list[int] = field(default_factory=list)
    hyp_len: int = 0
    ref_len: int = 0

    def __post_init__(self) -> None:
        if not self.numerators:
            self.numerators = [0] * self.max_order
            self.denominators = [0] * self.max_order

    def add(self, numerators: Sequence[int], denominators: Sequence[int], hyp_len: int, ref_len: int) -> None:
        """Add one instance."""
        for k in range(self.max_order):
            self.numerators[k] += numerators[k]
            self.denominators[k] += denominators[k]
        self.hyp_len += hyp_len
        self.ref_len += ref_len

    def merge(self, other: BleuStats) -> None:
        """Add another corpus' statistics."""
        self.add(other.numerators, other.denominators, other.hyp_len, other.ref_len)

    def score(self, n: int) -> float:
        """BLEU with uniform weights over orders 1..n."""
        if not 1 <= n <= self.max_order:
            raise ValueError(f"order {n} outside 1..{self.max_order}")
        if self.numerators[0] == 0:
            return 0.0
        bp = brevity_penalty(self.ref_len, self.hyp_len)
        w = 1 / n
        logs = []
        for k in range(n):
            num, den = self.numerators[k], self.denominators[k]
            p = EPSILON / den if num == 0 else num / den
            logs.append(w * math.log(p))
        return bp * math.exp(math.fsum(logs))


def corpus_bleu(
    list_of_references: Sequence[Sequence[Sequence[Hashable]]], hypotheses: Sequence[Sequence[Hashable]], n: int = 4
) -> float:
    """Plain n-gram corpus BLEU (uniform weights, ``method1``), for tests against NLTK semantics."""
    stats = BleuStats(n)
    for refs, hyp in zip(list_of_references, hypotheses):
        nums, dens = [], []
        for k in range(1, n + 1):
            maxc = max_ref_counts(_ngrams(r, k) for r in refs)
            num, den = clipped(_ngrams(hyp, k), maxc)
            nums.append(num)
            dens.append(den)
        stats.add(nums, dens, len(hyp), closest_ref_length((len(r) for r in refs), len(hyp)))
    return stats.score(n)


def _ngrams(seq: Sequence[Hashable], k: int) -> Counter[tuple[Hashable, ...]]:
    return Counter(tuple(seq[i : i + k]) for i in range(len(seq) - k + 1))
