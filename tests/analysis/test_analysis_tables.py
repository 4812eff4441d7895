"""ilaeda.analysis.tables: the per-run table by verbosity, and per-(algo, split) aggregates."""

import math

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import numpy as np
import pytest

from ilaeda.analysis.stats import pooled_stats
from ilaeda.analysis.tables import aggregate_table, runs_table

METRICS = ["precision", "t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim", "length", "back_at_root"]


@pytest.fixture
def runs() -> list:
    return [fake.record("gail", "cyber_loo1", s) for s in (0, 1, 2)] + [fake.record("bc", "cyber_loo2", 0)]


def test_verbosity_0(runs: list) -> None:
    table = runs_table(runs, 0)
    assert list(table.columns) == ["algo", "split", "eval_dataset", "seed", "config_hash", "code_version"] + [
        f"benchmark.{m}.mean" for m in METRICS
    ]
    assert len(table) == 4


def test_verbosity_1_has_numeric_mean_std_n_length_and_wall_time(runs: list) -> None:
    table = runs_table(runs, 1)
    for m in METRICS:
        for stat in ("mean", "std", "n"):
            assert table[f"benchmark.{m}.{stat}"].dtype == np.float64
    assert {"run_name", "status", "timing.wall_s", "benchmark.length.mean"} <= set(table.columns)
    assert not any("deterministic" in c or c.endswith("summary") for c in table.columns)
    assert table.loc[0, "benchmark.precision.mean"] == runs[0].result["benchmark"]["precision"]["mean"]
    assert table.loc[1, "timing.wall_s"] == 11.0


def test_verbosity_2_and_3(runs: list) -> None:
    table = runs_table(runs, 2)
    assert {
        "command",
        "run_dir",
        "benchmark_deterministic.precision.mean",
        "interestingness.diversity.mean",
        "learned_reward.mean",
        "timing.env_steps_per_s",
        "benchmark.precision.summary",
    } <= set(table.columns)
    assert table.loc[0, "benchmark.precision.summary"] == "0.29 ± 0.06 (n=20)"
    assert table["benchmark.precision.mean"].dtype == np.float64
    full = runs_table(runs, 3)
    assert "config.seed" in full.columns and set(table.columns) < set(full.columns)


def test_bad_verbosity(runs: list) -> None:
    with pytest.raises(ValueError, match="table_verbosity"):
        runs_table(runs, 4)


def test_missing_metric_is_nan() -> None:
    r = fake.record("gail", "cyber_loo1", 0)
    del r.result["benchmark"]["eda_sim"]
    other = fake.record("gail", "cyber_loo1", 1)
    table = runs_table([r, other], 1)
    assert math.isnan(table.loc[0, "benchmark.eda_sim.mean"])
    assert not math.isnan(table.loc[1, "benchmark.eda_sim.mean"])


def test_aggregate(runs: list) -> None:
    agg = aggregate_table(runs)
    assert list(agg[["algo", "split"]].itertuples(index=False, name=None)) == [
        ("bc", "cyber_loo2"),
        ("gail", "cyber_loo1"),
    ]
    gail = agg.iloc[1]
    means = [r.result["benchmark"]["precision"]["mean"] for r in runs[:3]]
    assert gail["n_runs"] == 3 and gail["seeds"] == "0,1,2" and gail["eval_dataset"] == "1"
    assert gail["benchmark.precision.mean"] == pytest.approx(np.mean(means))
    assert gail["benchmark.precision.std"] == pytest.approx(np.std(means, ddof=1))
    assert gail["benchmark.precision.n_seeds"] == 3
    from scipy import stats as st

    assert gail["benchmark.precision.ci95"] == pytest.approx(st.t.ppf(0.975, 2) * np.std(means, ddof=1) / np.sqrt(3))
    stats = [r.result["benchmark"]["precision"] for r in runs[:3]]
    pooled = pooled_stats([s["mean"] for s in stats], [s["std"] for s in stats], [s["n"] for s in stats])
    assert (
        gail["benchmark.precision.pooled_mean"],
        gail["benchmark.precision.pooled_std"],
        gail["benchmark.precision.pooled_n"],
    ) == pytest.approx(pooled)
    assert gail["timing.wall_s.mean"] == 11.0
    bc = agg.iloc[0]
    assert bc["benchmark.precision.n_seeds"] == 1 and math.isnan(bc["benchmark.precision.std"])
    assert math.isnan(bc["benchmark.precision.ci95"])
