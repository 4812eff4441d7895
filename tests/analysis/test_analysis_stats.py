"""ilaeda.analysis.stats: Welch's test, std from a margin, pooling, probability of improvement, robust
aggregates (IQM, stratified bootstrap, performance profiles), Holm–Bonferroni, normalised score.
"""

import math

import numpy as np
import pytest
from scipy import stats as st

from ilaeda.analysis.stats import (
    bootstrap_probability_of_improvement,
    holm_bonferroni,
    iqm,
    normalised_score,
    performance_profile,
    pooled_stats,
    probability_of_improvement,
    sample_stats,
    std_from_margin,
    stratified_bootstrap,
    t_halfwidth,
    task_probability_of_improvement,
    welch_test,
)


def test_std_from_margin_uses_sqrt_n() -> None:
    # imitation's Table 2: BC Ant 1953 ± 123 (95% margin, n = 5)
    expected = 123 * math.sqrt(5) / st.t.ppf(0.975, 4)
    assert std_from_margin(123, 5, 0.95) == pytest.approx(expected)
    assert std_from_margin(123, 5, 0.95) == pytest.approx(99.07, abs=0.01)  # not 123·5/t = 221.5
    assert std_from_margin(1.0, 10, 0.9) == pytest.approx(math.sqrt(10) / st.t.ppf(0.95, 9))


def test_margin_round_trip() -> None:
    for n, conf in [(2, 0.95), (5, 0.95), (60, 0.99), (10, 0.8)]:
        assert t_halfwidth(std_from_margin(0.3, n, conf), n, conf) == pytest.approx(0.3)


def test_std_from_margin_edge_cases() -> None:
    assert math.isnan(std_from_margin(1.0, 1))
    with pytest.raises(ValueError, match="confidence"):
        std_from_margin(1.0, 5, 95)


def test_welch_matches_scipy_unequal_variances() -> None:
    args = (0.30, 0.01, 3, 0.2988, 0.0894, 60)
    ref = st.ttest_ind_from_stats(*args, equal_var=False)
    got = welch_test(*args)
    assert got.t == pytest.approx(ref.statistic)
    assert got.p_value == pytest.approx(ref.pvalue)
    student = st.ttest_ind_from_stats(*args, equal_var=True)
    assert got.p_value != pytest.approx(student.pvalue)
    vx, vy = 0.01**2 / 3, 0.0894**2 / 60
    assert got.df == pytest.approx((vx + vy) ** 2 / (vx**2 / 2 + vy**2 / 59))


def test_welch_against_raw_samples() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 1, 7), rng.normal(0.5, 2, 12)
    ref = st.ttest_ind(x, y, equal_var=False)
    got = welch_test(x.mean(), x.std(ddof=1), 7, y.mean(), y.std(ddof=1), 12)
    assert got.p_value == pytest.approx(ref.pvalue)


def test_welch_nan_cases() -> None:
    assert math.isnan(welch_test(1, 0.1, 1, 2, 0.1, 10).p_value)
    assert math.isnan(welch_test(1, math.nan, 3, 2, 0.1, 10).p_value)
    assert math.isnan(welch_test(1, 0.0, 3, 2, 0.0, 10).p_value)
    one_sided_zero = welch_test(0.3, 0.02, 3, 0.375, 0.0, 10)  # deterministic reference: std 0
    assert 0 < one_sided_zero.p_value < 0.05 and one_sided_zero.df == pytest.approx(2)


def test_sample_stats() -> None:
    assert sample_stats([1.0, 2.0, 3.0]) == pytest.approx((2.0, 1.0, 3))
    mean, std, n = sample_stats([4.0])
    assert (mean, n) == (4.0, 1) and math.isnan(std)
    assert sample_stats([math.nan, 2.0, 4.0])[2] == 2
    assert sample_stats([])[2] == 0


@pytest.mark.parametrize("ddof", [0, 1])
def test_pooled_stats_equal_stats_of_concatenated_samples(ddof: int) -> None:
    rng = np.random.default_rng(0)
    groups = [rng.normal(m, s, n) for m, s, n in [(0.3, 0.1, 20), (0.5, 0.05, 20), (0.2, 0.2, 7), (0.4, 0.0, 1)]]
    mean, std, n = pooled_stats(
        [g.mean() for g in groups],
        [g.std(ddof=ddof) if len(g) > ddof else 0.0 for g in groups],
        [len(g) for g in groups],
        ddof,
    )
    allv = np.concatenate(groups)
    assert n == len(allv)
    assert mean == pytest.approx(allv.mean())
    assert std == pytest.approx(allv.std(ddof=1))


def test_pooled_stats_edge_cases() -> None:
    assert pooled_stats([], [], [])[2] == 0
    mean, std, n = pooled_stats([0.5], [0.0], [1])
    assert (mean, n) == (0.5, 1) and math.isnan(std)


def test_probability_of_improvement() -> None:
    assert probability_of_improvement([2, 3], [0, 1]) == 1.0
    assert probability_of_improvement([0, 1], [2, 3]) == 0.0
    assert probability_of_improvement([1, 1], [1, 1]) == 0.5
    assert probability_of_improvement([1, 3], [2]) == 0.5
    assert math.isnan(probability_of_improvement([], [1]))


def test_bootstrap_probability_of_improvement_is_seeded() -> None:
    x, y = [0.3, 0.35, 0.32, 0.28], [0.25, 0.31, 0.27]
    a = bootstrap_probability_of_improvement(x, y, reps=500, seed=3)
    b = bootstrap_probability_of_improvement(x, y, reps=500, seed=3)
    assert a == b
    point, low, high = a
    assert point == probability_of_improvement(x, y)
    assert 0 <= low <= point <= high <= 1
    assert bootstrap_probability_of_improvement(x, y, reps=500, seed=4) != a
    assert bootstrap_probability_of_improvement([1.0, 2.0], [0.0], reps=100)[1:] == (1.0, 1.0)


# ---------------------------------------------------------------- robust aggregates, hand-computed


def test_iqm_hand_computed() -> None:
    assert iqm([1, 2, 3, 4, 5, 6, 7, 8]) == pytest.approx(4.5)  # the middle four: 3, 4, 5, 6
    assert iqm([100, 1, 4, 2, 3]) == pytest.approx(3.0)  # one cut at each end of 5: 2, 3, 4
    assert iqm([1, 2, 3, 1000]) == pytest.approx(2.5)  # the outlier does not move it
    assert math.isnan(iqm([]))


def test_stratified_bootstrap_keeps_every_task() -> None:
    # one run per task: every replicate is the same union, so the interval collapses to the point
    assert stratified_bootstrap([[1.0], [3.0]], "mean", reps=500) == (2.0, 2.0, 2.0)
    assert stratified_bootstrap([[1.0], [3.0]], "iqm", reps=500) == (2.0, 2.0, 2.0)
    # one task of two runs {0, 1}: replicate means 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4
    point, low, high = stratified_bootstrap([[0.0, 1.0]], "mean", reps=4000, seed=3)
    assert (point, low, high) == (0.5, 0.0, 1.0)
    point, low, high = stratified_bootstrap([[0.0, 1.0]], "mean", reps=4000, confidence=0.4, seed=3)
    assert low == high == 0.5  # the central 40 % of the replicates are all 1/2
    assert stratified_bootstrap([[2.0, 2.0], []], "mean", reps=10) == (2.0, 2.0, 2.0)  # empty task dropped
    nan = stratified_bootstrap([[], []], "iqm")
    assert all(math.isnan(v) for v in nan)
    assert math.isnan(stratified_bootstrap([[1.0, 2.0]], "mean", reps=0)[1])
    with pytest.raises(ValueError, match="statistic"):
        stratified_bootstrap([[1.0]], "median")


def test_stratified_bootstrap_is_seeded() -> None:
    groups = [[0.1, 0.5, 0.3], [0.9, 0.2]]
    assert stratified_bootstrap(groups, reps=300, seed=5) == stratified_bootstrap(groups, reps=300, seed=5)


def test_task_probability_of_improvement_hand_computed() -> None:
    # task 1: pairs (1,0) win, (1,3) loss, (2,0) win, (2,3) loss -> 1/2; task 2: a tie -> 1/2
    point, low, high, n = task_probability_of_improvement([[1, 2], [5]], [[0, 3], [5]], reps=200)
    assert (point, n) == (0.5, 2) and 0.0 <= low <= point <= high <= 1.0
    # X always above Y on its only task: 1 in every replicate
    assert task_probability_of_improvement([[2.0]], [[1.0]], reps=200) == (1.0, 1.0, 1.0, 1)
    # X = {1, 3} vs Y = {2}: resampled X gives 0, 1/2 or 1 -> the interval spans [0, 1]
    assert task_probability_of_improvement([[1.0, 3.0]], [[2.0]], reps=4000, seed=2) == (0.5, 0.0, 1.0, 1)
    # average over tasks, not over pooled runs: task a 1.0, task b 0.0 -> 0.5
    assert task_probability_of_improvement([[9.0], [0.0]], [[8.0], [1.0]], reps=0)[0] == 0.5
    # a task missing on one side is dropped
    assert task_probability_of_improvement([[1.0], []], [[0.0], [5.0]], reps=0)[::3] == (1.0, 1)
    assert math.isnan(task_probability_of_improvement([[]], [[1.0]])[0])


def test_performance_profile_hand_computed() -> None:
    frac, low, high = performance_profile([[0.1, 0.5], [0.9]], [0.0, 0.5, 1.0], reps=0)
    assert frac.tolist() == pytest.approx([1.0, 1 / 3, 0.0])  # 0.5 is not above 0.5
    assert np.isnan(low).all() and np.isnan(high).all()
    frac, low, high = performance_profile([[0.2], [0.8]], [0.5], reps=100)
    assert (frac[0], low[0], high[0]) == (0.5, 0.5, 0.5)  # one run per task: no spread


def test_holm_bonferroni_hand_computed() -> None:
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 -> max(0.06, 0.04) = 0.06
    assert holm_bonferroni([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # NaN (no test) is kept and does not count in m
    got = holm_bonferroni([0.02, math.nan, 0.5])
    assert got[0] == pytest.approx(0.04) and math.isnan(got[1]) and got[2] == pytest.approx(0.5)
    assert holm_bonferroni([0.6, 0.7]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert holm_bonferroni([]) == []


def test_holm_agrees_with_a_rejection_count() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.1, 12)
    adj = np.asarray(holm_bonferroni(p))
    order = np.argsort(p)
    # Holm rejects the k smallest where k is the first i with p_(i) > alpha / (m - i)
    alpha, m = 0.05, len(p)
    k = next((i for i in range(m) if p[order[i]] > alpha / (m - i)), m)
    assert set(np.flatnonzero(adj < alpha)) == set(order[:k])


def test_normalised_score() -> None:
    assert normalised_score(0.3, 0.1, 0.5) == pytest.approx(0.5)
    assert normalised_score(0.1, 0.1, 0.5) == 0.0 and normalised_score(0.5, 0.1, 0.5) == 1.0
    assert normalised_score(0.0, 0.1, 0.5) == pytest.approx(-0.25)
    assert math.isnan(normalised_score(0.3, 0.2, 0.2)) and math.isnan(normalised_score(math.nan, 0, 1))
