"""Displays: the feature summary of a view (data layer, granularity layer, globals).

Formulas (AdvEDA's environment and the benchmark's simulator): per column ``unique = u/m``, ``nulls = (n−m)/n``, a
normalised entropy; when grouped, per column the aggregated-column score, 2 for grouping columns,
−1 otherwise, plus ``inverse_ngroups``, ``inverse_size_mean`` and ``site_std``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Granularity:
    """The grouping part of a display."""

    group_attrs: tuple[str, ...]
    agg_attrs: tuple[tuple[str, float], ...]  # (column, score), in the order first aggregated
    inverse_ngroups: float
    inverse_size_mean: float
    site_std: float

    @property
    def globals(self) -> tuple[float, float, float]:
        return (self.inverse_ngroups, self.inverse_size_mean, self.site_std)


@dataclass(frozen=True)
class Display:
    """Feature summary of one view; equal displays have equal :attr:`token`."""

    columns: tuple[str, ...]
    unique: tuple[float, ...]
    nulls: tuple[float, ...]
    entropy: tuple[float, ...]
    granularity: Granularity | None = None

    @cached_property
    def token(self) -> str:
        """Canonical rendering (full float precision), stable across processes."""
        data = ";".join(
            f"{c}:{u!r},{n!r},{e!r}" for c, u, n, e in zip(self.columns, self.unique, self.nulls, self.entropy)
        )
        g = self.granularity
        if g is None:
            return f"D[{data}]G[None]"
        aggs = ",".join(f"{c}={s!r}" for c, s in g.agg_attrs)
        return (
            f"D[{data}]G[{','.join(g.group_attrs)}|{aggs}|{g.inverse_ngroups!r},{g.inverse_size_mean!r},{g.site_std!r}]"
        )

    def granularity_vector(self) -> np.ndarray:
        """Per column: aggregated score, 2 (grouped), −1 (neither); all −1 when ungrouped."""
        return np.array(self._granularity_values(), dtype=np.float64)

    def _granularity_values(self) -> list[float]:
        out = [-1.0] * len(self.columns)
        g = self.granularity
        if g is not None:
            index = {c: i for i, c in enumerate(self.columns)}
            for c in g.group_attrs:
                out[index[c]] = 2.0
            for c, score in g.agg_attrs:
                out[index[c]] = score
        return out

    @cached_property
    def vector(self) -> np.ndarray:
        """Observation vector (float32): 3 data values per column, granularity per column, 3 globals."""
        values = [value for triple in zip(self.unique, self.nulls, self.entropy) for value in triple]
        values += self._granularity_values()
        values += self.granularity.globals if self.granularity is not None else (0.0, 0.0, 0.0)
        vec = np.array(values, dtype=np.float64).astype(np.float32)  # rounded to float32 from float64, as before
        vec.setflags(write=False)
        return vec

    @staticmethod
    def vector_size(n_columns: int) -> int:
        return 4 * n_columns + 3
