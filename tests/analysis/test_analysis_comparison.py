"""ilaeda.analysis.comparison: the reference CSV, comparisons against it, and between algorithms."""

import math
from pathlib import Path

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import pandas as pd
import pytest
from scipy import stats as st

from ilaeda.analysis.comparison import REFERENCE_CSV, compare_to_reference, load_reference, pairwise_comparisons
from ilaeda.analysis.stats import pooled_stats, probability_of_improvement
from ilaeda.errors import DataError

REPO = Path(__file__).resolve().parents[2]


def write_ref(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ref.csv"
    path.write_text(text)
    return path


def test_committed_reference_loads() -> None:
    ref = load_reference(REFERENCE_CSV)
    assert len(ref) == 40
    assert set(ref["algo"]) == {"advEDA_released_gail"}
    assert set(ref["split"]) == {f"cyber_loo{k}" for k in range(1, 5)}
    assert set(ref["policy"]) == {"stochastic", "deterministic"}
    assert (ref["std_from"] == "std").all() and set(ref["unit"]) == {"sessions"}
    shared = (
        pd.read_csv(REPO.parent / "shared" / "data" / "reference_results.csv")
        if (REPO.parent / "shared" / "data" / "reference_results.csv").is_file()
        else None
    )
    if shared is not None:
        assert pd.read_csv(REFERENCE_CSV).equals(shared)


def test_margin_rows_become_std(tmp_path: Path) -> None:
    path = write_ref(
        tmp_path,
        "algo,split,policy,metric,mean,margin,confidence,n,unit\n"
        "x,cyber_loo1,stochastic,precision,0.3,0.05,0.95,5,seeds\n",
    )
    ref = load_reference(path)
    assert ref.loc[0, "std"] == pytest.approx(0.05 * math.sqrt(5) / st.t.ppf(0.975, 4))
    assert ref.loc[0, "std_from"] == "margin@0.95"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("algo,split,policy,metric,mean,std,n\nx,s,stochastic,p,1,1,2\n", "lack column(s) unit"),
        ("algo,split,policy,metric,mean,n,unit\nx,s,stochastic,p,1,2,sessions\n", "std or margin"),
        ("algo,split,policy,metric,mean,std,n,unit\nx,s,greedy,p,1,1,2,sessions\n", "line 2: policy 'greedy'"),
        ("algo,split,policy,metric,mean,std,n,unit\nx,s,stochastic,p,1,1,2,episodes\n", "unit 'episodes'"),
        (
            "algo,split,policy,metric,mean,std,n,unit\nx,s,stochastic,p,1,1,2,seeds\nx,s,stochastic,p,a,1,2,seeds\n",
            "line 3: mean, std",
        ),
        ("algo,split,policy,metric,mean,std,n,unit\nx,s,stochastic,p,1,-1,2,seeds\n", "must not be negative"),
        ("algo,split,policy,metric,mean,std,n,unit\nx,s,stochastic,p,1,1,2.5,seeds\n", "positive integer"),
        ("algo,split,policy,metric,mean,std,margin,n,unit\nx,s,stochastic,p,1,,0.1,5,seeds\n", "needs a confidence"),
        ("algo,split,policy,metric,mean,std,margin,n,unit\nx,s,stochastic,p,1,,,5,seeds\n", "give std, or margin"),
    ],
)
def test_bad_reference_rows(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_reference(write_ref(tmp_path, text))


def test_missing_reference_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read reference results"):
        load_reference(tmp_path / "nope.csv")


@pytest.fixture
def runs() -> list:
    return (
        [fake.record("gail", "cyber_loo1", s) for s in (0, 1, 2)]
        + [fake.record("bc", "cyber_loo1", s) for s in (0, 1)]
        + [fake.record("gail", "cyber_loo2", 0)]
    )


def test_compare_to_reference_seed_and_session_levels(runs: list) -> None:
    ref = load_reference(REFERENCE_CSV)
    table = compare_to_reference(runs, ref)
    # only gail (the default map) on splits we ran, both policies, 5 metrics, 2 levels
    assert set(table["algo"]) == {"gail"}
    assert set(table["split"]) == {"cyber_loo1", "cyber_loo2"}
    assert len(table) == 2 * 2 * 5 * 2
    row = table[
        (table.split == "cyber_loo1")
        & (table.policy == "stochastic")
        & (table.metric == "precision")
        & (table.level == "seeds")
    ].iloc[0]
    ours = [r.result["benchmark"]["precision"]["mean"] for r in runs[:3]]
    want = st.ttest_ind_from_stats(
        pd.Series(ours).mean(), pd.Series(ours).std(), 3, 0.298844, 0.089444, 60, equal_var=False
    )
    assert row.ours_mean == pytest.approx(sum(ours) / 3) and row.ours_n == 3 and row.ours_unit == "seeds"
    assert (row.ref_mean, row.ref_std, row.ref_n, row.ref_unit) == (0.298844, 0.089444, 60, "sessions")
    assert row.p_value == pytest.approx(want.pvalue) and row.t == pytest.approx(want.statistic)
    assert row.significant == (want.pvalue < 0.05)
    assert "units differ" in row.note
    sess = table[
        (table.split == "cyber_loo1")
        & (table.policy == "stochastic")
        & (table.metric == "precision")
        & (table.level == "sessions")
    ].iloc[0]
    stats = [r.result["benchmark"]["precision"] for r in runs[:3]]
    pm, ps, pn = pooled_stats([s["mean"] for s in stats], [s["std"] for s in stats], [s["n"] for s in stats])
    assert (sess.ours_mean, sess.ours_std, sess.ours_n) == pytest.approx((pm, ps, pn))
    assert sess.ours_n == 60
    # sessions of one run are not independent samples: described, never tested
    assert math.isnan(sess.p_value) and math.isnan(sess.t) and pd.isna(sess.significant)
    assert sess.test_unit == "none" and "not independent" in sess.note
    assert row.test_unit == "seeds"
    assert set(table.loc[table.level == "sessions", "test_unit"]) == {"none"}
    assert table.loc[table.level == "sessions", "p_value"].isna().all()


def test_comparison_holm_over_all_seed_level_tests(runs: list) -> None:
    ref = load_reference(REPO / "benchmarking" / "reference_results.csv")
    table = compare_to_reference(runs, ref)
    tested = table[table.p_value.notna()]
    m = len(tested)
    assert m == 10  # cyber_loo1 (3 seeds), 2 policies x 5 metrics; cyber_loo2 has one seed
    assert set(table.holm_family) == {f"all seed-level tests (m={m})"}
    p = sorted(tested.p_value)
    want = [min(1.0, (m - i) * p[i]) for i in range(m)]
    want = [max(want[: i + 1]) for i in range(m)]  # step-down: never smaller than the previous one
    assert sorted(tested.p_holm) == pytest.approx(want)
    assert table.loc[table.p_value.isna(), "p_holm"].isna().all()
    assert (tested.significant_holm == (tested.p_holm < 0.05)).all()


def test_n_below_two_gives_nan_and_a_warning(runs: list, caplog: pytest.LogCaptureFixture) -> None:
    ref = load_reference(REFERENCE_CSV)
    table = compare_to_reference(runs, ref)
    one_seed = table[(table.split == "cyber_loo2") & (table.level == "seeds")]
    assert one_seed["p_value"].isna().all() and one_seed["significant"].isna().all()
    assert one_seed["note"].str.contains("n<2").all()
    assert "fewer than 2 samples" in caplog.text


def test_algo_map_is_explicit_and_configurable(runs: list) -> None:
    ref = load_reference(REFERENCE_CSV)
    assert set(compare_to_reference(runs, ref, {"advEDA_released_gail": ["*"]})["algo"]) == {"gail", "bc"}
    assert set(compare_to_reference(runs, ref, {"advEDA_released_gail": ["bc"]})["algo"]) == {"bc"}
    empty = compare_to_reference(runs, ref, {"someone_else": ["gail"]})
    assert empty.empty and {"p_value", "ours_unit", "ref_unit", "note"} <= set(empty.columns)


def test_margin_reference_in_comparison(tmp_path: Path, runs: list) -> None:
    path = write_ref(
        tmp_path,
        "algo,split,policy,metric,mean,margin,confidence,n,unit\n"
        "paper,cyber_loo1,stochastic,precision,0.25,0.02,0.95,5,seeds\n",
    )
    table = compare_to_reference(runs, load_reference(path), {"paper": ["gail"]})
    row = table[table.level == "seeds"].iloc[0]
    s2 = 0.02 * math.sqrt(5) / st.t.ppf(0.975, 4)
    assert row.ref_std == pytest.approx(s2) and row.ref_std_from == "margin@0.95" and row.note == ""


def test_pairwise_comparisons(runs: list) -> None:
    table = pairwise_comparisons(runs, bootstrap_reps=300, bootstrap_seed=1)
    row = table[(table.split == "cyber_loo1") & (table.policy == "stochastic") & (table.metric == "precision")]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row.algo_x, row.algo_y, row.n_x, row.n_y) == ("bc", "gail", 2, 3)
    bc = [r.result["benchmark"]["precision"]["mean"] for r in runs[3:5]]
    gail = [r.result["benchmark"]["precision"]["mean"] for r in runs[:3]]
    assert row.prob_improvement == probability_of_improvement(bc, gail) == 0.0
    assert row.pi_low == row.pi_high == 0.0
    want = st.ttest_ind(bc, gail, equal_var=False)
    assert row.p_value == pytest.approx(want.pvalue)
    assert table[table.split == "cyber_loo2"].empty  # one algorithm there: no pair
    assert set(table.test_unit) == {"seeds"}
    fam = table[(table.policy == "stochastic") & (table.metric == "precision")]
    assert set(fam.holm_family) == {f"stochastic/precision (m={fam.p_value.notna().sum()})"}
    assert row.p_holm == pytest.approx(min(1.0, row.p_value))  # a family of one test
    again = pairwise_comparisons(runs, bootstrap_reps=300, bootstrap_seed=1)
    pd.testing.assert_frame_equal(table, again)
