"""Precision, T-BLEU-1/2/3 and EDA-Sim of one evaluation instance (definitions: docs/benchmark.md).

An instance is one candidate session scored against its dataset's reference set. Reference tokens,
tree-path counts, display trees and packed displays are computed once per reference set
(:class:`ReferenceSet`); a candidate costs a handful of set lookups, one vectorised distance matrix
and one Zhang–Shasha run per reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ilaeda.benchmark.bleu import BleuStats, clipped, closest_ref_length, max_ref_counts
from ilaeda.benchmark.distance import PackedDisplays, distance_matrix
from ilaeda.benchmark.simulate import Simulation
from ilaeda.benchmark.ted import UNIT_COST, OrderedTree, normalised_ted, tree_edit_distance
from ilaeda.benchmark.tokens import BACK_TOKEN, Path, path_counts
from ilaeda.eda.display import Display

#: Highest T-BLEU order reported.
MAX_ORDER = 3


def unique_displays(displays: Sequence[Display]) -> tuple[list[Display], list[int]]:
    """Distinct displays (by token, first occurrence order) and each input's index among them."""
    index: dict[str, int] = {}
    distinct: list[Display] = []
    labels = []
    for d in displays:
        label = index.get(d.token)
        if label is None:
            label = index[d.token] = len(distinct)
            distinct.append(d)
        labels.append(label)
    return distinct, labels


@dataclass(frozen=True)
class ReferenceSet:
    """Precomputed reference-side data of one dataset's reference sessions."""

    simulations: tuple[Simulation, ...]
    tokens: frozenset[str]  # every non-back reference token
    max_counts: tuple[dict[Path, int], ...]  # per order k = 1..MAX_ORDER: path → max count in one reference
    lengths: tuple[int, ...]  # token-list lengths
    trees: tuple[OrderedTree, ...]  # labels index `packed`
    packed: PackedDisplays

    @classmethod
    def build(cls, simulations: Sequence[Simulation]) -> ReferenceSet:
        if not simulations:
            raise ValueError("a reference set needs at least one reference session")
        tokens = frozenset(t for s in simulations for t in s.tokens if t != BACK_TOKEN)
        max_counts = tuple(
            max_ref_counts(path_counts(s.tokens, k) for s in simulations) for k in range(1, MAX_ORDER + 1)
        )
        distinct, labels = unique_displays([d for s in simulations for d in s.node_displays])
        trees, start = [], 0
        for s in simulations:
            trees.append(OrderedTree.from_parents(s.parents, labels[start : start + s.size]))
            start += s.size
        return cls(
            tuple(simulations),
            tokens,
            max_counts,
            tuple(len(s.tokens) for s in simulations),
            tuple(trees),
            PackedDisplays.pack(distinct),
        )


@dataclass(frozen=True)
class InstanceScore:
    """Scores of one instance, plus the sufficient statistics of corpus BLEU."""

    precision: float
    bleu: BleuStats
    eda_sim: float

    def t_bleu(self, n: int) -> float:
        return self.bleu.score(n)


def precision(sim: Simulation, refs: ReferenceSet) -> float:
    """Share of the candidate's distinct non-back tokens found in any reference."""
    distinct = {t for t in sim.tokens if t != BACK_TOKEN}
    return sum(t in refs.tokens for t in distinct) / len(distinct)


def bleu_stats(sim: Simulation, refs: ReferenceSet) -> BleuStats:
    """Clipped tree-path counts per order and the lengths for the brevity penalty."""
    nums, dens = [], []
    for k in range(1, MAX_ORDER + 1):
        num, den = clipped(path_counts(sim.tokens, k), refs.max_counts[k - 1])
        nums.append(num)
        dens.append(den)
    stats = BleuStats(MAX_ORDER)
    hyp_len = len(sim.tokens)
    stats.add(nums, dens, hyp_len, closest_ref_length(refs.lengths, hyp_len))
    return stats


def eda_sim(sim: Simulation, refs: ReferenceSet) -> float:
    """1 − min over references of the normalised tree edit distance."""
    distinct, labels = unique_displays(sim.node_displays)
    relabel = (2 * UNIT_COST) * distance_matrix(PackedDisplays.pack(distinct), refs.packed)
    tree = OrderedTree.from_parents(sim.parents, labels)
    rows = relabel.tolist()
    best = min(normalised_ted(tree_edit_distance(tree, ref, rows), tree.size, ref.size) for ref in refs.trees)
    return 1.0 - best


def score_instance(sim: Simulation, refs: ReferenceSet) -> InstanceScore:
    """All five metrics of one candidate against a reference set."""
    return InstanceScore(precision(sim, refs), bleu_stats(sim, refs), eda_sim(sim, refs))
