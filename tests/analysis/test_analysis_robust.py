"""ilaeda.analysis.robust: normalised scores, IQM/mean over (split × seed) runs, probability of improvement
across splits — against values computed by hand from the stand-in results (tests/analysis/fake_training.py).
"""

import math
from pathlib import Path

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import numpy as np
import pandas as pd
import pytest

from ilaeda.analysis.robust import (
    BASELINES_CSV,
    COMBINED,
    EXPERT_AGENT,
    RANDOM_AGENT,
    improvement_table,
    load_baselines,
    robust_table,
    run_score,
)
from ilaeda.analysis.stats import Bootstrap
from ilaeda.errors import DataError

REPO = Path(__file__).resolve().parents[2]


def write_baselines(tmp_path: Path) -> Path:
    """random 0.1 / experts 0.5 on dataset 1, random 0.2 / experts 0.6 on dataset 2, for every metric."""
    rows = ["schema,dataset,agent,metric,mean,std,n"]
    for dataset, (low, high) in {1: (0.1, 0.5), 2: (0.2, 0.6)}.items():
        for metric in ("precision", "t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim", "length"):
            rows += [
                f"cyber,{dataset},{RANDOM_AGENT},{metric},{low},0.1,100",
                f"cyber,{dataset},random-no-stop,{metric},9,0.1,100",
                f'cyber,{dataset},"{EXPERT_AGENT}",{metric},{high},0.1,7',
            ]
    path = tmp_path / "baselines.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def runs() -> list:
    return (
        [fake.record("gail", "cyber_loo1", s) for s in (0, 1, 2)]
        + [fake.record("gail", "cyber_loo2", s) for s in (0, 1)]
        + [fake.record("bc", "cyber_loo1", s) for s in (0, 1)]
        + [fake.record("bc", "cyber_loo2", 0)]
    )


def test_load_baselines(tmp_path: Path) -> None:
    base = load_baselines(write_baselines(tmp_path))
    assert base[("cyber", 1, "t_bleu_2")] == (0.1, 0.5) and base[("cyber", 2, "eda_sim")] == (0.2, 0.6)


def test_committed_baselines_match_the_docs() -> None:
    base = load_baselines(REPO / "benchmarking" / "baselines.csv")
    # docs/baselines.md, cyber dataset 1: random T-BLEU-2 0.016, expert 0.354; EDA-Sim 0.197 / 0.400
    assert base[("cyber", 1, "t_bleu_2")] == pytest.approx((0.016, 0.354), abs=5e-4)
    assert base[("cyber", 1, "eda_sim")] == pytest.approx((0.197, 0.400), abs=5e-4)
    assert {k[1] for k in base} == {1, 2, 3, 4}
    assert load_baselines(Path(str(BASELINES_CSV))) == base  # the package's copy is the same file


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema,dataset,agent,metric,mean\n", "lack column(s) std, n"),
        ("schema,dataset,agent,metric,mean,std,n\ncyber,one,random,p,1,0,1\n", "line 2: dataset must be an integer"),
        ("schema,dataset,agent,metric,mean,std,n\ncyber,1,random,p,inf,0,1\n", "line 2: mean must be finite"),
    ],
)
def test_bad_baselines(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "b.csv").write_text(text)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_baselines(tmp_path / "b.csv")
    with pytest.raises(DataError, match="cannot read baselines"):
        load_baselines(tmp_path / "missing.csv")


def test_run_score_normalised_by_the_eval_dataset(tmp_path: Path, runs: list) -> None:
    base = load_baselines(write_baselines(tmp_path))
    r1, r2 = runs[0], runs[3]  # gail on cyber_loo1 (dataset 1) and cyber_loo2 (dataset 2)
    raw1 = r1.result["benchmark"]["t_bleu_2"]["mean"]
    raw2 = r2.result["benchmark"]["t_bleu_2"]["mean"]
    assert run_score(r1, "benchmark", "t_bleu_2") == raw1
    assert run_score(r1, "benchmark", "t_bleu_2", base) == pytest.approx((raw1 - 0.1) / 0.4)
    assert run_score(r2, "benchmark", "t_bleu_2", base) == pytest.approx((raw2 - 0.2) / 0.4)
    eda = r1.result["benchmark"]["eda_sim"]["mean"]
    assert run_score(r1, "benchmark", COMBINED, base) == pytest.approx(((raw1 - 0.1) / 0.4 + (eda - 0.1) / 0.4) / 2)
    assert math.isnan(run_score(r1, "benchmark", COMBINED))  # combining needs normalisation
    assert math.isnan(run_score(r1, "benchmark", "back_at_root", base))  # no baseline for it
    assert math.isnan(run_score(r1, "benchmark", "nope"))


def test_robust_table_hand_computed(tmp_path: Path, runs: list) -> None:
    table = robust_table(runs, load_baselines(write_baselines(tmp_path)), Bootstrap(500, seed=1))
    row = table[
        (table.policy == "stochastic") & (table.metric == "precision") & (table.score == "raw") & (table.algo == "gail")
    ].iloc[0]
    values = [r.result["benchmark"]["precision"]["mean"] for r in runs[:5]]
    assert (row.n_runs, row.n_splits) == (5, 2)
    assert row["mean"] == pytest.approx(np.mean(values))
    middle = sorted(values)[1:4]  # trim_mean(·, 0.25) of 5 values cuts one at each end
    assert row.iqm == pytest.approx(np.mean(middle))
    assert row.mean_low <= row["mean"] <= row.mean_high and row.iqm_low <= row.iqm <= row.iqm_high
    assert "split × seed" in row.unit
    norm = table[
        (table.policy == "stochastic")
        & (table.metric == "precision")
        & (table.score == "normalised")
        & (table.algo == "gail")
    ].iloc[0]
    want = [(v - 0.1) / 0.4 for v in values[:3]] + [(v - 0.2) / 0.4 for v in values[3:]]
    assert norm["mean"] == pytest.approx(np.mean(want))
    assert set(table[table.score == "normalised"].metric) == {
        "precision",
        "t_bleu_1",
        "t_bleu_2",
        "t_bleu_3",
        "eda_sim",
        COMBINED,
    }
    bc = table[(table.metric == "length") & (table.algo == "bc") & (table.policy == "stochastic")].iloc[0]
    assert (bc.n_runs, bc.n_splits) == (3, 2)
    # one run per split: the stratified bootstrap cannot move, the interval is the point
    one = robust_table([runs[0], runs[3]], bootstrap=Bootstrap(200))
    assert (one.mean_low == one["mean"]).all() and (one.mean_high == one["mean"]).all()
    pd.testing.assert_frame_equal(
        table, robust_table(runs, load_baselines(write_baselines(tmp_path)), Bootstrap(500, seed=1))
    )


def test_robust_table_without_baselines_is_raw_only(runs: list) -> None:
    table = robust_table(runs, None, Bootstrap(50))
    assert set(table.score) == {"raw"} and COMBINED not in set(table.metric)


def test_improvement_table_hand_computed(runs: list) -> None:
    table = improvement_table(runs, None, Bootstrap(300, seed=0))
    row = table[(table.policy == "stochastic") & (table.metric == "precision")].iloc[0]
    assert (row.algo_x, row.algo_y, row.n_splits, row.n_runs_x, row.n_runs_y) == ("bc", "gail", 2, 3, 5)
    # stand-in scores: bc 0.25 + 0.01·seed + 0.02·k vs gail 0.30 + ...: bc is below gail in every pair
    assert (row.prob_improvement, row.pi_low, row.pi_high) == (0.0, 0.0, 0.0)
    assert row.ci_excludes_half
    length = table[(table.policy == "stochastic") & (table.metric == "length")].iloc[0]
    # length = 6 + seed for both: cyber_loo1 bc {6, 7} vs gail {6, 7, 8}: wins 1, ties 2 of 6 -> (1 + 1) / 6;
    # cyber_loo2 bc {6} vs gail {6, 7}: ties 1 of 2 -> 1/4; averaged over the two splits
    assert length.prob_improvement == pytest.approx((2 / 6 + 1 / 4) / 2)
    assert length.pi_low <= length.prob_improvement <= length.pi_high
    assert "within each split" in length.unit
