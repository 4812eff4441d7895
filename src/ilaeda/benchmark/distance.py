"""The benchmark's display distance (docs/benchmark.md), scalar and vectorised.

* data: per column present in both displays, ``Σ_{m ∈ unique, entropy} [v1≠v2]·(1/2 − min/(2·max))``
  (nulls ignored); raw = |column symmetric difference| + Σ columns; scaled =
  ``2·raw / (|cols1| + |cols2| + raw)``.
* granularity: both ungrouped → 0; exactly one grouped → 1; else with GD / AD the symmetric
  differences of grouped / aggregated columns and I = (aggregated in both) − GD:
  ``cgd = |GD ∪ AD| + Σ_{c∈I} d_c`` (d_c = 0 if both scores are 0, ``1 − min/max`` if the data
  distance is 0, else 1), ``normed = 2·cgd / (|group ∪ agg attrs 1| + |… 2| + cgd)``,
  ``meta = Σ_{globals} [v1≠v2]·(1/3 − min/(3·max))``; granularity = (normed + meta) / 2.
* distance = (1.5·data + granularity) / 2.

Sums run in a fixed order, so results do not depend on hash order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ilaeda.eda.display import Display


def _ratio_term(a: float, b: float, weight: float) -> float:
    """``[a≠b]·(w − w·min/max)``, the per-value dissimilarity."""
    if a == b:
        return 0.0
    hi, lo = max(a, b), min(a, b)
    return weight - weight * (lo / hi) if hi != 0 else weight


def data_distance(d1: Display, d2: Display) -> float:
    """Scaled data-layer distance."""
    values1 = {c: (u, e) for c, u, e in zip(d1.columns, d1.unique, d1.entropy)}
    values2 = {c: (u, e) for c, u, e in zip(d2.columns, d2.unique, d2.entropy)}
    common = [c for c in d1.columns if c in values2]
    raw = float(len(values1) + len(values2) - 2 * len(common))
    for c in common:
        (u1, e1), (u2, e2) = values1[c], values2[c]
        raw += _ratio_term(u1, u2, 0.5) + _ratio_term(e1, e2, 0.5)
    total = len(values1) + len(values2) + raw
    return 2 * raw / total if total else 0.0


def granularity_distance(d1: Display, d2: Display, data: float) -> float:
    """Granularity-layer distance; ``data`` is the pair's data distance."""
    g1, g2 = d1.granularity, d2.granularity
    if g1 is None and g2 is None:
        return 0.0
    if g1 is None or g2 is None:
        return 1.0
    group1, group2 = set(g1.group_attrs), set(g2.group_attrs)
    agg1, agg2 = dict(g1.agg_attrs), dict(g2.agg_attrs)
    gd = group1 ^ group2
    ad = set(agg1) ^ set(agg2)
    cgd = float(len(gd | ad))
    for c in d1.columns:  # schema order, for a deterministic sum
        if c in agg1 and c in agg2 and c not in gd:
            s1, s2 = agg1[c], agg2[c]
            if s1 == 0 and s2 == 0:
                continue
            if data == 0:
                hi = max(s1, s2)
                cgd += 1 - min(s1, s2) / hi if hi != 0 else 1.0
            else:
                cgd += 1.0
    denom = len(group1 | set(agg1)) + len(group2 | set(agg2)) + cgd
    normed = 2 * cgd / denom if denom else 0.0
    meta = sum(_ratio_term(a, b, 1 / 3) for a, b in zip(g1.globals, g2.globals))
    return (normed + meta) / 2


def display_distance(d1: Display, d2: Display) -> float:
    """``(1.5·data + granularity) / 2``."""
    data = data_distance(d1, d2)
    return (1.5 * data + granularity_distance(d1, d2, data)) / 2


@dataclass(frozen=True)
class PackedDisplays:
    """Displays of one schema as arrays, for vectorised distances."""

    unique: np.ndarray  # (N, K)
    entropy: np.ndarray  # (N, K)
    grouped: np.ndarray  # (N,) bool
    group: np.ndarray  # (N, K) bool
    agg: np.ndarray  # (N, K) bool
    score: np.ndarray  # (N, K) aggregated-column scores (0 elsewhere)
    globals: np.ndarray  # (N, 3)

    def __len__(self) -> int:
        return len(self.grouped)

    @classmethod
    def pack(cls, displays: Sequence[Display]) -> PackedDisplays:
        """Pack displays that share one column list."""
        if not displays:
            raise ValueError("nothing to pack")
        columns = displays[0].columns
        index = {c: i for i, c in enumerate(columns)}
        n, k = len(displays), len(columns)
        group = np.zeros((n, k), dtype=bool)
        agg = np.zeros((n, k), dtype=bool)
        score = np.zeros((n, k))
        glob = np.zeros((n, 3))
        grouped = np.zeros(n, dtype=bool)
        for row, d in enumerate(displays):
            if d.columns != columns:
                raise ValueError("displays of different column lists cannot be packed together")
            g = d.granularity
            if g is None:
                continue
            grouped[row] = True
            glob[row] = g.globals
            for c in g.group_attrs:
                group[row, index[c]] = True
            for c, s in g.agg_attrs:
                agg[row, index[c]] = True
                score[row, index[c]] = s
        unique = np.array([d.unique for d in displays], dtype=np.float64).reshape(n, k)
        entropy = np.array([d.entropy for d in displays], dtype=np.float64).reshape(n, k)
        return cls(unique, entropy, grouped, group, agg, score, glob)


def _pair_terms(a: np.ndarray, b: np.ndarray, weight: float) -> np.ndarray:
    """Vectorised ``[a≠b]·(w − w·min/max)`` for broadcast arrays."""
    hi, lo = np.maximum(a, b), np.minimum(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(hi != 0, lo / np.where(hi != 0, hi, 1.0), 0.0)
    return np.where(a != b, weight - weight * ratio, 0.0)


def distance_matrix(a: PackedDisplays, b: PackedDisplays) -> np.ndarray:
    """``(len(a), len(b))`` matrix of display distances."""
    k = a.unique.shape[1]
    ua, ub = a.unique[:, None, :], b.unique[None, :, :]
    ea, eb = a.entropy[:, None, :], b.entropy[None, :, :]
    raw = (_pair_terms(ua, ub, 0.5) + _pair_terms(ea, eb, 0.5)).sum(axis=2)
    data = 2 * raw / (2 * k + raw)

    ga, gb = a.group[:, None, :], b.group[None, :, :]
    aa, ab = a.agg[:, None, :], b.agg[None, :, :]
    gd = ga ^ gb
    ad = aa ^ ab
    inter = aa & ab & ~gd
    sa, sb = a.score[:, None, :], b.score[None, :, :]
    both_zero = (sa == 0) & (sb == 0)
    hi = np.maximum(sa, sb)
    with np.errstate(divide="ignore", invalid="ignore"):
        close = np.where(hi != 0, 1 - np.minimum(sa, sb) / np.where(hi != 0, hi, 1.0), 1.0)
    d_c = np.where(both_zero, 0.0, np.where((data == 0)[:, :, None], close, 1.0))
    cgd = (gd | ad).sum(axis=2) + np.where(inter, d_c, 0.0).sum(axis=2)
    size_a = (a.group | a.agg).sum(axis=1)[:, None]
    size_b = (b.group | b.agg).sum(axis=1)[None, :]
    denom = size_a + size_b + cgd
    normed = np.where(denom > 0, 2 * cgd / np.where(denom > 0, denom, 1.0), 0.0)
    meta = _pair_terms(a.globals[:, None, :], b.globals[None, :, :], 1 / 3).sum(axis=2)
    gran = (normed + meta) / 2
    both = a.grouped[:, None] & b.grouped[None, :]
    one = a.grouped[:, None] ^ b.grouped[None, :]
    gran = np.where(both, gran, np.where(one, 1.0, 0.0))
    return np.asarray((1.5 * data + gran) / 2)
