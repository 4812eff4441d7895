"""Statistics for comparing runs: Welch's t-test from summary statistics, the std behind a confidence
margin, pooling of per-run session statistics, t confidence intervals and the probability of
improvement with a bootstrap confidence interval; and rliable-style robust aggregates (interquartile
mean, stratified bootstrap intervals, probability of improvement over tasks, performance profiles),
Holm–Bonferroni adjustment and the normalised score.

Conventions: ``std`` is a sample standard deviation (ddof=1) unless a function says otherwise; results
that need at least two samples on each side are NaN otherwise (callers warn).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as st


@dataclass(frozen=True)
class Welch:
    """Welch's unequal-variance t-test of ``mean_x - mean_y``."""

    t: float
    df: float
    p_value: float


NAN_WELCH = Welch(math.nan, math.nan, math.nan)


@dataclass(frozen=True)
class Bootstrap:
    """How bootstrap intervals are drawn: replicates, confidence level and the RNG seed."""

    reps: int = 2000
    confidence: float = 0.95
    seed: int = 0


def std_from_margin(margin: float, n: int, confidence: float = 0.95) -> float:
    """Sample std behind a t-interval half-width: ``s = margin·√n / t_{(1+c)/2, n−1}``.

    A mean reported as ``m ± margin`` at confidence ``c`` over ``n`` samples has
    ``margin = t_{(1+c)/2, n−1} · s / √n``. NaN when ``n < 2``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    if n < 2:
        return math.nan
    return float(margin * math.sqrt(n) / st.t.ppf((1 + confidence) / 2, n - 1))


def t_halfwidth(std: float, n: float, confidence: float = 0.95) -> float:
    """Half-width of the t confidence interval of a mean of ``n`` samples with sample std ``std``."""
    if not n >= 2 or not math.isfinite(std):
        return math.nan
    return float(st.t.ppf((1 + confidence) / 2, n - 1) * std / math.sqrt(n))


def welch_test(mean_x: float, std_x: float, n_x: float, mean_y: float, std_y: float, n_y: float) -> Welch:
    """Welch's t-test from summary statistics (``scipy.stats.ttest_ind_from_stats(equal_var=False)``).

    NaN when either side has fewer than two samples, a non-finite input, or both stds are zero.
    """
    values = (mean_x, std_x, n_x, mean_y, std_y, n_y)
    if not all(math.isfinite(v) for v in values) or n_x < 2 or n_y < 2 or (std_x == 0 and std_y == 0):
        return NAN_WELCH
    vx, vy = std_x**2 / n_x, std_y**2 / n_y
    df = (vx + vy) ** 2 / (vx**2 / (n_x - 1) + vy**2 / (n_y - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = st.ttest_ind_from_stats(mean_x, std_x, n_x, mean_y, std_y, n_y, equal_var=False)
    return Welch(float(res.statistic), float(df), float(res.pvalue))


def one_sample_p(values: Sequence[float], mu: float) -> float:
    """Two-sided p of the one-sample t-test of ``mean(values) = mu``; NaN when the values do not vary."""
    if len(values) < 2 or float(np.std(values)) == 0:
        return math.nan
    return float(st.ttest_1samp(values, mu).pvalue)


def sample_p(x: Sequence[float], y: Sequence[float]) -> float:
    """Two-sided p of Welch's t-test of two samples (NaN with fewer than two values on either side)."""
    return welch_test(*sample_stats(x), *sample_stats(y)).p_value


def sample_stats(values: Sequence[float]) -> tuple[float, float, int]:
    """``(mean, std with ddof=1, n)`` of the finite values; std NaN when fewer than two."""
    arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    n = int(arr.size)
    if n == 0:
        return math.nan, math.nan, 0
    return float(arr.mean()), float(arr.std(ddof=1)) if n > 1 else math.nan, n


def pooled_stats(
    means: Sequence[float],
    stds: Sequence[float],
    ns: Sequence[float],
    ddof: int = 0,
) -> tuple[float, float, int]:
    """Mean and sample std (ddof=1) of the union of groups given only their ``(mean, std, n)``.

    ``ddof`` says how each group's std was computed (0: ``np.std`` over the group's n values).
    The pooled variance is ``(Σ (n_i − ddof)·s_i² + Σ n_i·(m_i − M)²) / (N − 1)`` with
    ``M = Σ n_i·m_i / N`` — exactly the std of the concatenated values.
    """
    m = np.asarray(means, dtype=float)
    s = np.asarray(stds, dtype=float)
    n = np.asarray(ns, dtype=float)
    keep = np.isfinite(m) & np.isfinite(s) & (n > 0)
    m, s, n = m[keep], s[keep], n[keep]
    total = float(n.sum())
    if total == 0:
        return math.nan, math.nan, 0
    mean = float((n * m).sum() / total)
    if total < 2:
        return mean, math.nan, int(total)
    ss = float(((n - ddof).clip(min=0) * s**2).sum() + (n * (m - mean) ** 2).sum())
    return mean, math.sqrt(ss / (total - 1)), int(total)


def probability_of_improvement(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    """``P(X > Y) + ½·P(X = Y)`` over all pairs of samples (the Mann–Whitney U statistic / (n_x·n_y))."""
    a = np.asarray(x, dtype=float)[:, None]
    b = np.asarray(y, dtype=float)[None, :]
    if a.size == 0 or b.size == 0:
        return math.nan
    return float((a > b).mean() + 0.5 * (a == b).mean())


def bootstrap_probability_of_improvement(
    x: Sequence[float],
    y: Sequence[float],
    reps: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``(P(X>Y), low, high)``: the point estimate and a percentile bootstrap interval.

    Each replicate resamples ``x`` and ``y`` independently with replacement; seeded, so repeatable.
    """
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    point = probability_of_improvement(xa, ya)
    if xa.size == 0 or ya.size == 0 or reps < 1:
        return point, math.nan, math.nan
    rng = np.random.default_rng(seed)
    xb = xa[rng.integers(0, xa.size, size=(reps, xa.size))][:, :, None]
    yb = ya[rng.integers(0, ya.size, size=(reps, ya.size))][:, None, :]
    samples = (xb > yb).mean(axis=(1, 2)) + 0.5 * (xb == yb).mean(axis=(1, 2))
    alpha = (1 - confidence) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return point, float(low), float(high)


# ---------------------------------------------------------------- robust aggregates (rliable's methodology)
#
# Agarwal et al., "Deep Reinforcement Learning at the Edge of the Statistical Precipice" (NeurIPS 2021):
# aggregate over all runs of all tasks (here: every (split, seed) run), report the interquartile mean
# next to the mean, and give confidence intervals from a *stratified* bootstrap (runs resampled with
# replacement within each task, so every replicate keeps every task).


def iqm(values: Sequence[float] | np.ndarray) -> float:
    """Interquartile mean: the mean of the middle 50 % (``scipy.stats.trim_mean(x, 0.25)``); NaN when empty."""
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size == 0:
        return math.nan
    return float(st.trim_mean(arr, 0.25))


def mean(values: Sequence[float] | np.ndarray) -> float:
    """Plain mean; NaN when empty."""
    arr = np.asarray(values, dtype=float).ravel()
    return float(arr.mean()) if arr.size else math.nan


def _percentile_interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    alpha = (1 - confidence) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return float(low), float(high)


def _resample(groups: Sequence[np.ndarray], rng: np.random.Generator, reps: int) -> list[np.ndarray]:
    """Per group, a ``(reps, n_group)`` array of values drawn with replacement within the group."""
    return [g[rng.integers(0, g.size, size=(reps, g.size))] for g in groups]


def stratified_bootstrap(
    groups: Sequence[Sequence[float]],
    statistic: str = "iqm",
    reps: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``(point, low, high)`` of ``statistic`` (``"iqm"`` or ``"mean"``) over the union of ``groups``.

    ``groups`` holds one sequence of run scores per task (split); each bootstrap replicate resamples
    every group with replacement, keeping its size, and computes the statistic over the union. The
    interval is the percentile interval at ``confidence`` (seeded, so repeatable). Empty groups are
    dropped; NaN throughout when nothing is left, and NaN bounds when ``reps < 1``.
    """
    if statistic not in ("iqm", "mean"):
        raise ValueError(f"statistic must be 'iqm' or 'mean', got {statistic!r}")
    arrays = [a for a in (np.asarray(g, dtype=float).ravel() for g in groups) if a.size]
    if not arrays:
        return math.nan, math.nan, math.nan
    point = (iqm if statistic == "iqm" else mean)(np.concatenate(arrays))
    if reps < 1:
        return point, math.nan, math.nan
    stacked = np.concatenate(_resample(arrays, np.random.default_rng(seed), reps), axis=1)
    samples = st.trim_mean(stacked, 0.25, axis=1) if statistic == "iqm" else stacked.mean(axis=1)
    return (point, *_percentile_interval(samples, confidence))


def _poi_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(X > Y) + ½·P(X = Y) for stacked samples: ``a`` is ``(reps, n)``, ``b`` is ``(reps, m)``."""
    x, y = a[:, :, None], b[:, None, :]
    return np.asarray((x > y).mean(axis=(1, 2)) + 0.5 * (x == y).mean(axis=(1, 2)))


def task_probability_of_improvement(
    x_groups: Sequence[Sequence[float]],
    y_groups: Sequence[Sequence[float]],
    reps: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float, int]:
    """rliable's probability of improvement of X over Y: ``(point, low, high, n_tasks)``.

    ``x_groups[k]`` and ``y_groups[k]`` are the run scores of X and Y on task k; tasks where either
    side has no run are dropped. The point is the mean over tasks of ``P(X_k > Y_k) + ½ P(X_k = Y_k)``
    (the Mann–Whitney U statistic over the task's run pairs, divided by ``n·m``); the interval is a
    percentile interval of a stratified bootstrap that resamples X's and Y's runs independently
    within each task.
    """
    pairs = [
        (np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()) for x, y in zip(x_groups, y_groups)
    ]
    pairs = [(x, y) for x, y in pairs if x.size and y.size]
    if not pairs:
        return math.nan, math.nan, math.nan, 0
    point = float(np.mean([probability_of_improvement(x, y) for x, y in pairs]))
    if reps < 1:
        return point, math.nan, math.nan, len(pairs)
    rng = np.random.default_rng(seed)
    per_task = [_poi_pairs(*_resample([x, y], rng, reps)) for x, y in pairs]
    return (point, *_percentile_interval(np.mean(per_task, axis=0), confidence), len(pairs))


def performance_profile(
    groups: Sequence[Sequence[float]],
    taus: Sequence[float] | np.ndarray,
    reps: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-score distribution: for each threshold τ, the fraction of runs scoring above τ.

    Returns ``(fraction, low, high)`` arrays over ``taus``; the band is a percentile interval of a
    stratified bootstrap over the runs of each task (NaN bands when ``reps < 1``).
    """
    arrays = [a for a in (np.asarray(g, dtype=float).ravel() for g in groups) if a.size]
    t = np.asarray(taus, dtype=float)
    if not arrays:
        nan = np.full(t.shape, math.nan)
        return nan, nan.copy(), nan.copy()
    values = np.concatenate(arrays)
    fraction = (values[:, None] > t[None, :]).mean(axis=0)
    if reps < 1:
        nan = np.full(t.shape, math.nan)
        return fraction, nan, nan.copy()
    stacked = np.concatenate(_resample(arrays, np.random.default_rng(seed), reps), axis=1)
    curves = (stacked[:, :, None] > t[None, None, :]).mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(curves, [alpha, 1 - alpha], axis=0)
    return fraction, low, high


def holm_bonferroni(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (step-down, monotone), in the input order.

    With the ``m`` finite p-values sorted ascending, ``adj_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j))``;
    a test is rejected at family-wise level α when its adjusted p is below α. NaN p-values (no test)
    stay NaN and do not count in ``m``.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, math.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = finite.size
    if m == 0:
        return [float(v) for v in out]
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return [float(v) for v in out]


def normalised_score(value: float, random: float, expert: float) -> float:
    """``(value − random) / (expert − random)``: 0 = the random agent, 1 = the experts; NaN if they tie."""
    if not all(math.isfinite(v) for v in (value, random, expert)) or expert == random:
        return math.nan
    return (value - random) / (expert - random)
