"""Statistics for comparing runs: Welch's t-test from summary statistics, the std behind a confidence
margin, pooling of per-run session statistics, t confidence intervals and the probability of
improvement with a bootstrap confidence interval.

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


def sample_stats(values: Sequence[float]) -> tuple[float, float, int]:
    """``(mean, std with ddof=1, n)`` of the finite values; std NaN when fewer than two."""
    arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    n = int(arr.size)
    if n == 0:
        return math.nan, math.nan, 0
    return float(arr.mean()), float(arr.std(ddof=1)) if n > 1 else math.nan, n


def pooled_stats(
    means: Sequence[float], stds: Sequence[float], ns: Sequence[float], ddof: int = 0,
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


def probability_of_improvement(x: Sequence[float], y: Sequence[float]) -> float:
    """``P(X > Y) + ½·P(X = Y)`` over all pairs of samples (the Mann–Whitney U statistic / (n_x·n_y))."""
    a = np.asarray(x, dtype=float)[:, None]
    b = np.asarray(y, dtype=float)[None, :]
    if a.size == 0 or b.size == 0:
        return math.nan
    return float((a > b).mean() + 0.5 * (a == b).mean())


def bootstrap_probability_of_improvement(
    x: Sequence[float], y: Sequence[float], reps: int = 2000, confidence: float = 0.95, seed: int = 0,
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
