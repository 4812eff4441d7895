"""Robust aggregates across splits and seeds (rliable's methodology) and the normalised A-EDA score.

Unit of every statistic here: one **run** = one trained agent = one (split, seed), scored by the mean of
its evaluation sessions. Sessions of one run are never treated as independent samples (a deterministic
policy's sessions are near-identical, and all of them share the run's seed).

* :func:`robust_table`: per (policy, metric, score kind, algo) the mean and the interquartile mean (IQM)
  over all runs of all splits, each with a 95 % stratified-bootstrap interval (runs resampled within
  each split; Agarwal et al., NeurIPS 2021).
* :func:`improvement_table`: per pair of algorithms, the probability of improvement P(X > Y) averaged
  over the splits both ran, with a stratified-bootstrap interval.
* Score kinds: ``raw`` (the metric as scored) and ``normalised``: ``(x − random) / (expert − random)``
  with the random agent's and the gold references' (each scored against the others) means on the run's
  evaluation dataset(s), read from a baselines CSV (:data:`BASELINES_CSV`, shipped with the package: a
  link to ``benchmarking/baselines.csv``, written by ``benchmarks/baselines.py --csv``). 0 = random, 1 = the experts, so splits (datasets) and metrics can
  be combined; the pseudo-metric ``tbleu2_edasim`` is the mean of the normalised T-BLEU-2 and EDA-Sim.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ilaeda.analysis.runs import POLICY_SECTIONS, RunRecord, metrics_of
from ilaeda.analysis.stats import Bootstrap, normalised_score, stratified_bootstrap, task_probability_of_improvement
from ilaeda.analysis.tables import read_table
from ilaeda.contract import HEADLINE_METRICS, METRICS
from ilaeda.errors import DataError

logger = logging.getLogger(__name__)

#: The measured baselines shipped with the package (``ilaeda/analysis/baselines.csv``).
BASELINES_CSV = resources.files("ilaeda.analysis") / "baselines.csv"
BASELINE_COLUMNS = ("schema", "dataset", "agent", "metric", "mean", "std", "n")
RANDOM_AGENT = "random"
EXPERT_AGENT = "expert (leave-one-out)"
#: Metrics a normalised score is given for (those with random and expert baselines).
NORMALISED_METRICS = METRICS
#: The combined pseudo-metric: mean of these normalised metrics (the tuning objective's pair).
COMBINED = "tbleu2_edasim"
COMBINED_OF = HEADLINE_METRICS
RUN_UNIT = "runs (one per split × seed); bootstrap stratified by split"
ROBUST_COLUMNS = [
    "policy",
    "metric",
    "score",
    "algo",
    "n_runs",
    "n_splits",
    "mean",
    "mean_low",
    "mean_high",
    "iqm",
    "iqm_low",
    "iqm_high",
    "unit",
]
IMPROVEMENT_COLUMNS = [
    "policy",
    "metric",
    "score",
    "algo_x",
    "algo_y",
    "n_splits",
    "n_runs_x",
    "n_runs_y",
    "prob_improvement",
    "pi_low",
    "pi_high",
    "ci_excludes_half",
    "unit",
]

Baselines = Mapping[tuple[str, int, str], tuple[float, float]]


def load_baselines(path: str | Path) -> dict[tuple[str, int, str], tuple[float, float]]:
    """``{(schema, dataset, metric): (random mean, expert mean)}`` from a baselines CSV.

    Raises:
        DataError: the file is unreadable, lacks a column, or a row is malformed (the message names it).
    """
    path = Path(path)
    df = read_table(path, "baselines")
    missing = [c for c in BASELINE_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(
            f"baselines {path} lack column(s) {', '.join(missing)} (write it with benchmarks/baselines.py --csv)"
        )
    found: dict[tuple[str, int, str], dict[str, float]] = {}
    for i, rec in enumerate(df.to_dict("records"), start=2):
        try:
            dataset, value = int(rec["dataset"]), float(rec["mean"])
        except (TypeError, ValueError):
            raise DataError(f"{path}, line {i}: dataset must be an integer and mean a number") from None
        if not math.isfinite(value):
            raise DataError(f"{path}, line {i}: mean must be finite")
        found.setdefault((str(rec["schema"]), dataset, str(rec["metric"])), {})[str(rec["agent"])] = value
    return {k: (v[RANDOM_AGENT], v[EXPERT_AGENT]) for k, v in found.items() if RANDOM_AGENT in v and EXPERT_AGENT in v}


def _schema_of(split: str) -> str:
    """The schema part of a split name (``cyber_loo1`` → ``cyber``)."""
    return split.split("_", 1)[0]


def _datasets(eval_dataset: object) -> list[int]:
    values = eval_dataset if isinstance(eval_dataset, (list, tuple)) else [eval_dataset]
    out = []
    for v in values:
        if not isinstance(v, (int, float, str)):
            return []
        try:
            out.append(int(v))
        except ValueError:
            return []
    return out


def run_score(run: RunRecord, section: str, metric: str, baselines: Baselines | None = None) -> float:
    """A run's score: its session mean of ``metric`` (raw), or normalised when ``baselines`` is given.

    Normalising uses the random and expert means averaged over the run's evaluation datasets; NaN when
    the run lacks the metric or a baseline is missing. ``metric=COMBINED`` (normalised only) is the mean
    of the normalised :data:`COMBINED_OF` metrics.
    """
    if metric == COMBINED:
        if baselines is None:
            return math.nan
        parts = [run_score(run, section, m, baselines) for m in COMBINED_OF]
        return float(np.mean(parts)) if all(math.isfinite(p) for p in parts) else math.nan
    stats = run.stats(section, metric)
    if stats is None or not math.isfinite(stats[0]):
        return math.nan
    if baselines is None:
        return stats[0]
    datasets = _datasets(run.eval_dataset)
    keys = [(_schema_of(run.split), d, metric) for d in datasets]
    if not keys or any(k not in baselines for k in keys):
        return math.nan
    random = float(np.mean([baselines[k][0] for k in keys]))
    expert = float(np.mean([baselines[k][1] for k in keys]))
    return normalised_score(stats[0], random, expert)


def score_groups(
    runs: Sequence[RunRecord], section: str, metric: str, baselines: Baselines | None = None
) -> dict[str, dict[str, list[float]]]:
    """``{algo: {split: [run scores]}}`` (finite scores only)."""
    out: dict[str, dict[str, list[float]]] = {}
    for r in runs:
        value = run_score(r, section, metric, baselines)
        if math.isfinite(value):
            out.setdefault(r.algo, {}).setdefault(r.split, []).append(value)
    return out


def _kinds(
    runs: Sequence[RunRecord], section: str, baselines: Baselines | None
) -> list[tuple[str, str, Baselines | None]]:
    """(metric, score kind, baselines) triples to report for a section."""
    metrics = metrics_of(runs, section)
    kinds: list[tuple[str, str, Baselines | None]] = [(m, "raw", None) for m in metrics]
    if baselines:
        normalised = [m for m in NORMALISED_METRICS if m in metrics]
        kinds += [(m, "normalised", baselines) for m in normalised]
        if all(m in metrics for m in COMBINED_OF):
            kinds.append((COMBINED, "normalised", baselines))
    return kinds


def _scored(
    runs: Sequence[RunRecord], baselines: Baselines | None
) -> Iterator[tuple[str, str, str, dict[str, dict[str, list[float]]]]]:
    """``(policy, metric, score kind, {algo: {split: scores}})`` of every table row group."""
    for policy, section in POLICY_SECTIONS.items():
        for metric, kind, base in _kinds(runs, section, baselines):
            yield policy, metric, kind, score_groups(runs, section, metric, base)


def robust_table(
    runs: Sequence[RunRecord], baselines: Baselines | None = None, bootstrap: Bootstrap | None = None
) -> pd.DataFrame:
    """Mean and IQM over all (split × seed) runs per algorithm, with stratified-bootstrap intervals."""
    rows: list[dict[str, Any]] = []
    bootstrap = bootstrap or Bootstrap()
    reps, confidence, seed = bootstrap.reps, bootstrap.confidence, bootstrap.seed
    for policy, metric, kind, groups in _scored(runs, baselines):
        for algo in sorted(groups):
            per_split = list(groups[algo].values())
            m = stratified_bootstrap(per_split, "mean", reps, confidence, seed)
            q = stratified_bootstrap(per_split, "iqm", reps, confidence, seed)
            rows.append(
                {
                    "policy": policy,
                    "metric": metric,
                    "score": kind,
                    "algo": algo,
                    "n_runs": sum(len(g) for g in per_split),
                    "n_splits": len(per_split),
                    "mean": m[0],
                    "mean_low": m[1],
                    "mean_high": m[2],
                    "iqm": q[0],
                    "iqm_low": q[1],
                    "iqm_high": q[2],
                    "unit": RUN_UNIT,
                }
            )
    return pd.DataFrame(rows, columns=ROBUST_COLUMNS)


def improvement_table(
    runs: Sequence[RunRecord], baselines: Baselines | None = None, bootstrap: Bootstrap | None = None
) -> pd.DataFrame:
    """P(X > Y) per pair of algorithms, averaged over the splits both ran, with a bootstrap interval.

    ``ci_excludes_half``: the interval lies wholly above or below 0.5 (no pair-wise test is implied
    beyond that). Rows only for the raw score of each metric and for :data:`COMBINED` (a normalisation
    is monotone per split, so P(X > Y) of a normalised metric equals the raw one).
    """
    rows: list[dict[str, Any]] = []
    bootstrap = bootstrap or Bootstrap()
    reps, confidence, seed = bootstrap.reps, bootstrap.confidence, bootstrap.seed
    for policy, metric, kind, groups in _scored(runs, baselines):
        if kind == "normalised" and metric != COMBINED:
            continue
        for ax, ay in itertools.combinations(sorted(groups), 2):
            splits = sorted(set(groups[ax]) & set(groups[ay]))
            if not splits:
                continue
            xs = [groups[ax][s] for s in splits]
            ys = [groups[ay][s] for s in splits]
            point, low, high, n = task_probability_of_improvement(xs, ys, reps, confidence, seed)
            excludes = None if math.isnan(low) else bool(low > 0.5 or high < 0.5)
            rows.append(
                {
                    "policy": policy,
                    "metric": metric,
                    "score": kind,
                    "algo_x": ax,
                    "algo_y": ay,
                    "n_splits": n,
                    "n_runs_x": sum(map(len, xs)),
                    "n_runs_y": sum(map(len, ys)),
                    "prob_improvement": point,
                    "pi_low": low,
                    "pi_high": high,
                    "ci_excludes_half": excludes,
                    "unit": "runs (seeds) within each split; P averaged over splits; bootstrap stratified by split",
                }
            )
    return pd.DataFrame(rows, columns=IMPROVEMENT_COLUMNS)
