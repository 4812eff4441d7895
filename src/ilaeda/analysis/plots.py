"""PNG plots (matplotlib, Agg backend): metric bars with 95% confidence intervals, and learning curves.

* ``metrics_<split>_<policy>.png``: one panel per metric; one bar per algorithm = mean over seeds, the
  error bar its 95% t-interval across seeds (none with a single seed), dots = the seeds; the mapped
  reference (if any) as a dashed line with its 95% interval shaded (over its own unit, e.g. sessions).
  Intervals are clipped to the metric's range (:data:`METRIC_RANGES`: scores in [0, 1], lengths ≥ 0).
* ``curves_<split>_<key>.png``: one line per algorithm = mean over its runs (interpolated on the
  steps all runs cover), shaded between the lowest and highest run; a curve of one point is a marker.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ilaeda.analysis.curves import Curve
from ilaeda.analysis.runs import POLICY_SECTIONS, RunRecord, metrics_of
from ilaeda.analysis.stats import sample_stats, t_halfwidth
from ilaeda.contract import EXTRA_METRICS, METRICS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

logger = logging.getLogger(__name__)

#: The values a metric can take (intervals drawn are clipped to them); metrics not listed are unbounded.
METRIC_RANGES: dict[str, tuple[float, float]] = {
    **{m: (0.0, 1.0) for m in METRICS},
    **{m: (0.0, math.inf) for m in EXTRA_METRICS},
}


def clipped_interval(metric: str, center: float, half: float) -> tuple[float, float]:
    """``(below, above)``: the parts of ``center ± half`` that lie inside the metric's range."""
    lo, hi = METRIC_RANGES.get(metric, (-math.inf, math.inf))
    return max(0.0, min(half, center - lo)), max(0.0, min(half, hi - center))


def _colors(runs: Sequence[RunRecord]) -> dict[str, str]:
    """One colour per algorithm, the same in every figure."""
    return {a: f"C{i % 10}" for i, a in enumerate(sorted({r.algo for r in runs}))}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "x"


def _save(fig: plt.Figure, path: Path) -> Path:
    """Lay out, write and close a figure."""
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_metric_bars(
    runs: Sequence[RunRecord],
    out_dir: str | Path,
    reference: pd.DataFrame | None = None,
    algo_map: Mapping[str, Sequence[str]] | None = None,
) -> list[Path]:
    """Write one bar figure per (split, policy); return the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    colors = _colors(runs)
    written = []
    for policy, section in POLICY_SECTIONS.items():
        metrics = metrics_of(runs, section)
        if not metrics:
            continue
        for split in sorted({r.split for r in runs}):
            members = [r for r in runs if r.split == split]
            algos = sorted({r.algo for r in members})
            fig, axes = plt.subplots(1, len(metrics), figsize=(2.2 + 1.9 * len(metrics), 3.6), squeeze=False)
            for ax, metric in zip(axes[0], metrics):
                for i, algo in enumerate(algos):
                    vals = [
                        s[0] for s in (r.stats(section, metric) for r in members if r.algo == algo) if s is not None
                    ]
                    mean, std, n = sample_stats(vals)
                    ci = t_halfwidth(std, n)
                    yerr = None if math.isnan(ci) else np.array([clipped_interval(metric, mean, ci)]).T
                    ax.bar(i, mean, color=colors[algo], alpha=0.8, yerr=yerr, capsize=4)
                    ax.plot([i] * len(vals), vals, "k.", ms=4)
                _reference_line(ax, reference, algo_map, split, policy, metric, algos)
                ax.set_xticks(range(len(algos)), algos, rotation=45, ha="right", fontsize=8)
                ax.set_title(metric, fontsize=9)
            fig.suptitle(f"{split}, {policy} policy: mean over seeds, 95% CI", fontsize=10)
            written.append(_save(fig, out_dir / f"metrics_{_safe(split)}_{policy}.png"))
    return written


def _reference_line(
    ax: Axes,
    reference: pd.DataFrame | None,
    algo_map: Mapping[str, Sequence[str]] | None,
    split: str,
    policy: str,
    metric: str,
    algos: Sequence[str],
) -> None:
    if reference is None or not len(reference):
        return
    rows = reference[(reference["split"] == split) & (reference["policy"] == policy) & (reference["metric"] == metric)]
    for k, ref in enumerate(rows.to_dict("records")):
        targets = (algo_map or {}).get(ref["algo"], [])
        if not ("*" in targets or set(targets) & set(algos)):
            continue
        half = t_halfwidth(ref["std"], ref["n"])
        ax.axhline(ref["mean"], color="k", ls="--", lw=1, label=ref["algo"] if k == 0 else None)
        if not math.isnan(half):
            below, above = clipped_interval(metric, ref["mean"], half)
            ax.axhspan(ref["mean"] - below, ref["mean"] + above, color="k", alpha=0.1)
        ax.legend(fontsize=6, loc="lower right")


def _mean_curve(curves: Sequence[Curve]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steps, mean, min and max of curves interpolated on the steps all of them cover."""
    if len(curves) == 1:
        c = curves[0]
        return c.steps, c.values, c.values, c.values
    lo = max(c.steps[0] for c in curves)
    hi = min(c.steps[-1] for c in curves)
    grid = np.unique(np.concatenate([c.steps for c in curves]))
    grid = grid[(grid >= lo) & (grid <= hi)]
    if grid.size == 0:
        c = curves[0]
        return c.steps, c.values, c.values, c.values
    stack = np.vstack([np.interp(grid, c.steps, c.values) for c in curves])
    return grid, stack.mean(axis=0), stack.min(axis=0), stack.max(axis=0)


def plot_learning_curves(
    runs: Sequence[RunRecord],
    curves: Mapping[str, Mapping[str, Curve]],
    out_dir: str | Path,
    keys: Sequence[str] | None = None,
    max_plots: int = 30,
) -> list[Path]:
    """Write one figure per (split, key); ``curves`` maps a run's path (str) to its curves.

    ``keys``: regular expressions selecting keys (None: every key); at most ``max_plots`` figures,
    with a warning naming how many were left out.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    patterns = [re.compile(k) for k in keys] if keys else None
    jobs: list[tuple[str, str]] = []
    for split in sorted({r.split for r in runs}):
        found = sorted({k for r in runs if r.split == split for k in curves.get(str(r.path), {})})
        jobs += [(split, k) for k in found if patterns is None or any(p.search(k) for p in patterns)]
    if len(jobs) > max_plots:
        logger.warning("%d learning-curve plots, writing the first %d (set curve_keys to choose)", len(jobs), max_plots)
        jobs = jobs[:max_plots]
    colors = _colors(runs)
    written = []
    for split, key in jobs:
        fig, ax = plt.subplots(figsize=(5.5, 3.6))
        members = [r for r in runs if r.split == split]
        for algo in sorted({r.algo for r in members}):
            cs = [
                curves[str(r.path)][key]
                for r in members
                if r.algo == algo and key in curves.get(str(r.path), {}) and curves[str(r.path)][key].steps.size
            ]
            if not cs:
                continue
            steps, mean, low, high = _mean_curve(cs)
            ax.plot(
                steps,
                mean,
                color=colors[algo],
                label=f"{algo} ({len(cs)} runs)",
                marker="o" if steps.size == 1 else None,
            )  # one point: a line would draw nothing
            if len(cs) > 1:
                ax.fill_between(steps, low, high, color=colors[algo], alpha=0.2)
        ax.set_xlabel("step")
        ax.set_title(f"{split}: {key}", fontsize=9)
        ax.legend(fontsize=7)
        written.append(_save(fig, out_dir / f"curves_{_safe(split)}_{_safe(key)}.png"))
    return written


def plot_performance_profiles(
    runs: Sequence[RunRecord],
    out_dir: str | Path,
    baselines: Mapping[tuple[str, int, str], tuple[float, float]] | None = None,
    reps: int = 2000,
    seed: int = 0,
) -> list[Path]:
    """``profiles_<policy>.png``: per metric, the fraction of runs (split × seed) scoring above τ.

    One panel per metric, one line per algorithm with its stratified-bootstrap 95 % band (Agarwal et
    al., 2021). Scores are normalised (random = 0, experts = 1) where ``baselines`` cover the metric,
    else raw (the panel title says which).
    """
    from ilaeda.analysis.robust import COMBINED, COMBINED_OF, NORMALISED_METRICS, score_groups
    from ilaeda.analysis.stats import performance_profile

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    colors = _colors(runs)
    written = []
    for policy, section in POLICY_SECTIONS.items():
        metrics = [m for m in metrics_of(runs, section) if m not in EXTRA_METRICS]
        if baselines and set(COMBINED_OF) <= set(metrics):
            metrics.append(COMBINED)
        panels = []
        for metric in metrics:
            norm = bool(baselines) and (metric in NORMALISED_METRICS or metric == COMBINED)
            groups = score_groups(runs, section, metric, baselines if norm else None)
            if groups:
                panels.append((metric, norm, groups))
        if not panels:
            continue
        fig, axes = plt.subplots(1, len(panels), figsize=(1.5 + 3.0 * len(panels), 3.4), squeeze=False)
        for ax, (metric, norm, groups) in zip(axes[0], panels):
            values = np.concatenate([np.asarray(v, dtype=float) for g in groups.values() for v in g.values()])
            lo, hi = (
                (min(0.0, float(values.min())), max(1.0, float(values.max())))
                if norm
                else (float(values.min()), float(values.max()))
            )
            taus = np.linspace(lo, hi if hi > lo else lo + 1.0, 101)
            for algo, per_split in sorted(groups.items()):
                frac, low, high = performance_profile(list(per_split.values()), taus, reps, seed=seed)
                n = sum(len(v) for v in per_split.values())
                ax.plot(taus, frac, color=colors[algo], label=f"{algo} ({n} runs)")
                if not np.isnan(low).all():
                    ax.fill_between(taus, low, high, color=colors[algo], alpha=0.2)
            ax.set_xlabel(("normalised " if norm else "") + "score τ", fontsize=8)
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(metric + (" (normalised)" if norm else " (raw)"), fontsize=9)
            ax.legend(fontsize=6)
        axes[0][0].set_ylabel("fraction of runs > τ")
        fig.suptitle(
            f"{policy} policy: performance profiles over (split × seed) runs, 95% bootstrap bands", fontsize=10
        )
        written.append(_save(fig, out_dir / f"profiles_{policy}.png"))
    return written
