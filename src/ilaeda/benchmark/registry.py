"""How each metric of the contract's registry (:data:`ilaeda.contract.METRIC_REGISTRY`) is computed: its
per-session function and its corpus aggregator. ``score_sessions`` builds its rows and corpus row from here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ilaeda.benchmark.bleu import BleuStats
from ilaeda.benchmark.metrics import MAX_ORDER, InstanceScore
from ilaeda.benchmark.simulate import Simulation

#: The scored rows of a corpus and its summed BLEU statistics.
CorpusFn = Callable[[Sequence[Mapping[str, Any]], BleuStats], float]


@dataclass(frozen=True)
class MetricFunctions:
    """A metric's value for one session (its simulation and instance score) and for a corpus of them."""

    session: Callable[[Simulation, InstanceScore], float]
    corpus: CorpusFn


def mean(values: Iterable[float]) -> float:
    """The exact mean (``math.fsum``) of a non-empty iterable."""
    values = list(values)
    return math.fsum(values) / len(values)


def _mean_of(name: str) -> CorpusFn:
    """The corpus value of a metric averaged over sessions."""
    return lambda rows, _: mean(r[name] for r in rows)


def _t_bleu(n: int) -> MetricFunctions:
    """T-BLEU-n: per session its own BLEU; for the corpus, BLEU of the summed statistics (corpus BLEU)."""
    return MetricFunctions(lambda _, score: score.t_bleu(n), lambda _, bleu: bleu.score(n))


#: Metric name -> its functions; a test checks these are exactly the contract's registered metrics.
METRIC_FUNCTIONS: dict[str, MetricFunctions] = {
    "precision": MetricFunctions(lambda _, score: score.precision, _mean_of("precision")),
    **{f"t_bleu_{n}": _t_bleu(n) for n in range(1, MAX_ORDER + 1)},
    "eda_sim": MetricFunctions(lambda _, score: score.eda_sim, _mean_of("eda_sim")),
    "length": MetricFunctions(lambda sim, _: sim.length, _mean_of("length")),
    "back_at_root": MetricFunctions(lambda sim, _: sim.back_at_root, _mean_of("back_at_root")),
}
