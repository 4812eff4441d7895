"""The headline table of a run: its benchmark scores (both policy modes) beside the released agents and two random agents.

* **released agent**: the authors' released GAIL agent of the same split, from
  ``benchmarking/reference_results.csv`` (``advEDA_released_gail``; no length is published);
* **random agent**: a uniformly random agent in :class:`~ilaeda.envs.EDAEnv` (every component of the
  ``MultiDiscrete`` action drawn uniformly, so STOP comes with probability 1/4 per step and its sessions
  are short, ~3 actions), scored like the run's sessions on the same held-out dataset(s):
  ``RANDOM_SESSIONS`` seeded episodes per dataset (the ``random`` row of ``docs/baselines.md``);
* **random, 12 actions, no STOP**: the same agent with STOP resampled, so it always plays ``RANDOM_HORIZON``
  actions (the ``random-no-stop`` row): the fair floor of an agent that plays 12 actions, since T-BLEU's
  brevity penalty crushes the short sessions of the first.

Rows: session length, BACKs at the root, the shares of degenerate actions
(:mod:`ilaeda.benchmark.degenerate`), the metrics. Cells are mean ± std over sessions.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ilaeda.analysis.comparison import REFERENCE_CSV
from ilaeda.benchmark.degenerate import DEGENERATE, DEGENERATE_LABELS, score_with_degenerate
from ilaeda.contract import EXTRA_METRICS, METRIC_LABELS, METRICS
from ilaeda.envs import EDAEnv
from ilaeda.errors import IlaedaError

logger = logging.getLogger(__name__)

#: Rows of the headline table, in order.
HEADLINE_KEYS = (*EXTRA_METRICS, *DEGENERATE, *METRICS)
#: Display names of the metrics.
METRIC_NAMES = {**METRIC_LABELS, **DEGENERATE_LABELS}
#: The released agents' reference algo in the reference CSV.
RELEASED_ALGO = "advEDA_released_gail"
RANDOM_SESSIONS = 100
RANDOM_SEED = 0
#: Episode length of the random agents (the environment's default horizon).
RANDOM_HORIZON = 12
#: Column names of the two random floors: with STOP (short sessions) and the fair one, always 12 actions.
RANDOM_LABEL = "random agent"
FAIR_RANDOM_LABEL = f"random, {RANDOM_HORIZON} actions, no STOP"


def random_sessions(
    schema: str,
    dataset: int,
    n: int,
    seed: int,
    stop: bool = True,
    horizon: int = RANDOM_HORIZON,
    data_dir: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """``n`` episodes of a uniformly random agent as JSON sessions (``stop=False`` resamples STOP)."""
    # "absorbing": the agent keeps drawing actions after STOP, so its seeded sessions are those always measured
    env = EDAEnv(schema, (dataset,), horizon, data_dir=data_dir, episode_end="absorbing")
    env.action_space.seed(seed)
    sessions = []
    for i in range(n):
        env.reset(seed=seed + i)
        done, info = False, dict[str, Any]()
        while not done:
            action = env.action_space.sample()
            while not stop and action[0] == 3:
                action = env.action_space.sample()
            _, _, terminated, truncated, info = env.step(action)
            done = terminated or truncated
        sessions.append({"name": f"random{i}", "actions": info["session"]})
    return sessions


def random_agent_scores(
    schema: str,
    datasets: Sequence[int],
    n: int = RANDOM_SESSIONS,
    seed: int = RANDOM_SEED,
    data_dir: str | os.PathLike[str] | None = None,
    stop: bool = True,
) -> dict[str, dict[str, float]]:
    """``{key: {"mean", "std", "n"}}`` of the random agent's sessions pooled over ``datasets`` (std ddof 0).

    ``stop=False``: the agent without STOP. Memoised per process (the agent and its scores depend only on
    the arguments).
    """
    scores = _random_agent_scores(
        str(schema), tuple(int(d) for d in datasets), int(n), int(seed), str(data_dir) if data_dir else None, stop
    )
    return {k: dict(v) for k, v in scores.items()}


def random_floors(
    schema: str, datasets: Sequence[int], data_dir: str | os.PathLike[str] | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """Both random agents' scores by column name: :data:`RANDOM_LABEL` and :data:`FAIR_RANDOM_LABEL`."""
    return {
        label: random_agent_scores(schema, datasets, data_dir=data_dir, stop=stop)
        for label, stop in ((RANDOM_LABEL, True), (FAIR_RANDOM_LABEL, False))
    }


@functools.lru_cache(maxsize=16)
def _random_agent_scores(
    schema: str, datasets: tuple[int, ...], n: int, seed: int, data_dir: str | None, stop: bool
) -> dict[str, dict[str, float]]:
    rows: list[dict[str, Any]] = []
    for dataset in datasets:
        sessions = random_sessions(schema, dataset, n, seed, stop, data_dir=data_dir)
        rows += score_with_degenerate(sessions, schema, dataset, data_dir=data_dir, with_interestingness=False).sessions
    out = {}
    for key in HEADLINE_KEYS:
        values = np.array([float(r[key]) for r in rows])
        out[key] = {"mean": float(values.mean()), "std": float(values.std()), "n": len(values)}
    return out


def released_agent_scores(
    split: str, reference_csv: str | os.PathLike[str] | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """``{policy: {metric: {"mean", "std", "n"}}}`` of the released agent of ``split`` ({} when unknown)."""
    path = Path(reference_csv) if reference_csv else Path(str(REFERENCE_CSV))
    if not path.is_file():
        logger.warning("reference results %s not found; no released-agent column", path)
        return {}
    try:
        from ilaeda.analysis.comparison import load_reference

        frame = load_reference(path)
    except IlaedaError as e:
        logger.warning("%s; no released-agent column", e)
        return {}
    frame = frame[(frame["algo"] == RELEASED_ALGO) & (frame["split"] == split)]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for rec in frame.to_dict("records"):
        out.setdefault(rec["policy"], {})[rec["metric"]] = {
            "mean": float(rec["mean"]),
            "std": float(rec["std"]),
            "n": int(rec["n"]),
        }
    return out


def _cell(entry: Mapping[str, Any] | None, key: str) -> str:
    if not entry or entry.get("mean") is None:
        return "–"
    digits = 1 if key in EXTRA_METRICS else 3
    std = entry.get("std")
    return f"{entry['mean']:.{digits}f}" + (f" ± {std:.{digits}f}" if std is not None else "")


def headline_frame(
    result: Mapping[str, Any],
    released: Mapping[str, Mapping[str, Any]],
    floors: Mapping[str, Mapping[str, Any]] | None,
) -> pd.DataFrame:
    """One row per metric: the run (stochastic, deterministic), the released agent (both), the random floors.

    ``floors``: column name → scores, as :func:`random_floors` returns.
    """
    columns = {
        "this run (stochastic)": result.get("benchmark") or {},
        "this run (deterministic)": result.get("benchmark_deterministic") or {},
    }
    if released:
        columns["released agent (stochastic)"] = released.get("stochastic") or {}
        columns["released agent (deterministic)"] = released.get("deterministic") or {}
    columns.update(floors or {})
    rows = [
        {
            "metric": METRIC_NAMES.get(key, key),
            **{name: _cell(values.get(key), key) for name, values in columns.items()},
        }
        for key in HEADLINE_KEYS
    ]
    frame = pd.DataFrame(rows)
    n = {
        name: next((v.get("n") for v in values.values() if isinstance(v, Mapping) and v.get("n")), None)
        for name, values in columns.items()
    }
    frame.loc[len(frame)] = {"metric": "sessions (n)", **{k: str(v) if v else "–" for k, v in n.items()}}
    return frame


def headline(
    result: Mapping[str, Any], schema: str, datasets: Sequence[int], data_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """The headline table of a run's result (computes both random agents on ``datasets``)."""
    split = result.get("split")
    released = released_agent_scores(split) if split else {}
    floors = random_floors(schema, datasets, data_dir=data_dir) if datasets else None
    return headline_frame(result, released, floors)
