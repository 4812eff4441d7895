"""ilaeda.analysis.stats: Welch's test, std from a margin, pooling, probability of improvement."""

import math

import numpy as np
import pytest
from scipy import stats as st

from ilaeda.analysis.stats import (
    bootstrap_probability_of_improvement,
    pooled_stats,
    probability_of_improvement,
    sample_stats,
    std_from_margin,
    t_halfwidth,
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
    mean, std, n = pooled_stats([g.mean() for g in groups], [g.std(ddof=ddof) if len(g) > ddof else 0.0
                                                               for g in groups], [len(g) for g in groups], ddof)
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
