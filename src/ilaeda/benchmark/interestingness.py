"""ATENA-style interestingness measures of a session (defined in ``docs/benchmark.md``).

* ``filter_exceptionality``: per FILTER step, the largest KL divergence ``KL(child ‖ parent)``
  (nats) between a column's value distribution in the filtered view and in the view it was applied
  to, over the columns other than the filtered one (missing cells ignored; an empty view scores 0);
  mean over FILTER steps.
* ``group_compaction``: per GROUP step, ``1 − groups/rows`` (rows = rows with a non-missing key;
  0 when there is no group); mean over GROUP steps.
* ``group_conciseness``: per GROUP step, the compaction gain divided by the number of grouping
  columns, and 0 when the view has fewer than two groups; mean over GROUP steps.
* ``diversity``: per FILTER/GROUP step, the smallest display distance between the new display and
  every display shown earlier in the session; mean over those steps.
* ``coherence_penalty``: the environment's coherence penalty (the ILAEDA repetition penalty,
  :mod:`ilaeda.eda.coherence`) summed over the steps (≤ 0).

Every mean is 0 when the session has no step of its kind.
"""

from __future__ import annotations

import numpy as np

from ilaeda.benchmark.distance import PackedDisplays, distance_matrix
from ilaeda.benchmark.metrics import unique_displays
from ilaeda.benchmark.simulate import Simulation
from ilaeda.data.sessions import Filter, Group
from ilaeda.eda.coherence import coherence_penalty
from ilaeda.eda.display import Display
from ilaeda.eda.engine import DisplayEngine

#: Names of the measures, in report order.
MEASURES = ("filter_exceptionality", "group_compaction", "group_conciseness", "diversity", "coherence_penalty")
#: Short display names of the measures in tables.
MEASURE_LABELS = {
    "filter_exceptionality": "filter exc.",
    "group_compaction": "compaction",
    "group_conciseness": "conciseness",
    "diversity": "diversity",
    "coherence_penalty": "coherence",
}


def kl_exceptionality(engine: DisplayEngine, parent: tuple[Filter, ...], child: tuple[Filter, ...], skip: str) -> float:
    """Largest ``KL(child ‖ parent)`` over the columns other than ``skip``."""
    if child == parent:
        return 0.0
    best = 0.0
    for column in engine.schema.columns:
        if column == skip:
            continue
        p = engine.value_counts(child, column)
        p_total = p.sum()
        if p_total == 0:
            continue
        q = engine.value_counts(parent, column)
        nz = p > 0
        p_n = p[nz] / p_total
        q_n = q[nz] / q.sum()  # the child view is a subset of the parent view: q > 0 where p > 0
        best = max(best, float(np.sum(p_n * np.log(p_n / q_n))))
    return best


def compaction_gain(display: Display) -> float:
    """``1 − groups/rows`` of a grouped display (0 when ungrouped or without groups)."""
    g = display.granularity
    if g is None or g.inverse_ngroups == 0:
        return 0.0
    return 1.0 - g.inverse_size_mean


def conciseness(display: Display) -> float:
    """Compaction gain per grouping column; 0 for fewer than two groups."""
    g = display.granularity
    if g is None or g.inverse_ngroups == 0 or g.inverse_ngroups > 0.5:
        return 0.0
    return compaction_gain(display) / len(g.group_attrs)


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def interestingness(sim: Simulation, engine: DisplayEngine) -> dict[str, float]:
    """All measures of one simulated session."""
    exceptional, compaction, concise, diverse = [], [], [], []
    penalty = 0.0
    distinct, labels = unique_displays(sim.node_displays)
    dist = distance_matrix(*(2 * (PackedDisplays.pack(distinct),))) if len(distinct) > 1 else None
    for t, action in enumerate(sim.actions):
        before, after = sim.states[t], sim.states[t + 1]
        penalty += coherence_penalty(sim.actions[: t + 1], before.is_root)
        if not isinstance(action, (Filter, Group)):
            continue
        node = sim.step_nodes[t]
        display = sim.node_displays[node]
        if dist is not None:
            earlier = [labels[j] for j in range(node)]
            diverse.append(float(dist[labels[node], earlier].min()))
        else:
            diverse.append(0.0)
        if isinstance(action, Filter):
            exceptional.append(kl_exceptionality(engine, before.filters, after.filters, action.column))
        else:
            compaction.append(compaction_gain(display))
            concise.append(conciseness(display))
    return {
        "filter_exceptionality": _mean(exceptional),
        "group_compaction": _mean(compaction),
        "group_conciseness": _mean(concise),
        "diversity": _mean(diverse),
        "coherence_penalty": penalty,
    }
