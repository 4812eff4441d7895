"""ilaeda.scripts.analyze: the Sacred command and its command line, on real Sacred run directories
(stand-in experiment tests/analysis/fake_training.py) with failed, interrupted, killed, corrupt and
duplicate runs among them.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import pandas as pd
import pytest
from scipy import stats as st

from ilaeda.analysis.comparison import REFERENCE_CSV
from ilaeda.scripts.analyze import AnalyzeError, _has_file_storage_option
from ilaeda.scripts.config.analyze import analysis_ex


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("analyze")
    made = fake.build_run_tree(root / "out")
    made["root"] = root
    return made


def analyze(**updates: Any) -> dict[str, Any]:
    updates.setdefault("print_table", False)
    updates.setdefault("bootstrap_reps", 200)
    run = analysis_ex.run(command_name="analyze_imitation", config_updates=updates, options={"--capture": "sys"})
    assert run.status == "COMPLETED"
    return run.result


def cli(*updates: str, cwd: Path, options: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ilaeda.scripts.analyze", "analyze_imitation", *options, "with", *updates],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_command_line_end_to_end(tree: dict[str, Any]) -> None:
    root = tree["root"]
    res = cli(
        "source_dir_str=out/sacred",
        "run_name=run0",
        "csv_output_path=res/results.csv",
        "plot_dir=res/plots",
        "bootstrap_reps=200",
        "curve_keys=None",
        cwd=root,
    )
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    for path in tree["bad"].values():  # every skipped run is named in a warning
        assert str(path.relative_to(root)) in res.stderr
    table = pd.read_csv(root / "res" / "results.csv")
    assert len(table) == 11
    assert sorted(table["algo"].unique()) == ["bc", "bcgail", "gail"]
    assert (table["status"] == "COMPLETED").all()
    for name in ("aggregate", "comparison", "pairwise"):
        assert (root / "res" / f"results_{name}.csv").is_file()
    comparison = pd.read_csv(root / "res" / "results_comparison.csv")
    assert set(comparison["algo"]) == {"bcgail", "gail"}  # the default map; reference found from the repo
    pngs = sorted(p.name for p in (root / "res" / "plots").glob("*.png"))
    assert "metrics_cyber_loo1_stochastic.png" in pngs
    assert "curves_cyber_loo1_train_score.png" in pngs and "curves_cyber_loo1_train_loss.png" in pngs
    assert "Stochastic policy, per (algo, split)" in res.stdout
    assert (root / "output" / "sacred" / "analyze" / "1" / "run.json").is_file()

    # a second analysis over everything (its own earlier run included) finds the same runs
    again = cli(
        "source_dir_str=out/sacred,output/sacred",
        "run_name=None",
        "print_table=False",
        "csv_output_path=res/again.csv",
        "reference_csv=None",
        cwd=root,
    )
    assert again.returncode == 0, again.stderr
    assert len(pd.read_csv(root / "res" / "again.csv")) == 11  # "other" re-ran a run0 run: counted once
    assert "analyze" not in "".join(line for line in again.stderr.splitlines() if "skipping" in line)
    assert (root / "output" / "sacred" / "analyze" / "2").is_dir()
    assert not (root / "res" / "again_comparison.csv").exists()


def test_file_storage_option_replaces_the_default_observer(tmp_path: Path, tree: dict[str, Any]) -> None:
    res = cli(
        f"source_dir_str={tree['root'] / 'out' / 'sacred'}",
        "print_table=False",
        cwd=tmp_path,
        options=("--file_storage=mine",),
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "mine" / "1" / "run.json").is_file()
    assert not (tmp_path / "output").exists()
    assert _has_file_storage_option(["analyze_imitation", "-F", "x", "with", "a=1"])
    assert _has_file_storage_option(["analyze_imitation", "-Fx"])
    assert _has_file_storage_option(["analyze_imitation", "--file_storage", "x"])
    assert not _has_file_storage_option(["analyze_imitation", "with", "source_dir_str=-F"])


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        ({"source_dir_str": "nowhere"}, "no source directory exists"),
        ({"run_name": "nobody"}, "no usable training runs named 'nobody'"),
        ({"table_verbosity": 5}, "table_verbosity must be 0, 1, 2 or 3"),
        ({"reference_csv": "nope.csv", "comparison_csv": "c.csv"}, "reference results nope.csv not found"),
        ({"reference_algo_map": {"x": "gail"}}, "reference_algo_map must map"),
        ({"alpha": 5}, r"alpha must lie in \(0, 1\)"),
        ({"session_std_ddof": 2}, "session_std_ddof must be 0 or 1"),
        ({"bootstrap_reps": -1}, "bootstrap_reps must be a non-negative integer"),
        ({"bootstrap_reps": True}, "^bootstrap_reps must be a non-negative integer, got True$"),
        ({"curve_keys": ["("]}, "curve_keys: '\\(' is not a regular expression"),
        ({"curve_keys": 3}, "curve_keys must be None or a list"),
        ({"max_curve_plots": -1}, "max_curve_plots must be"),
        ({"csv_output_path": "/proc/nope/r.csv"}, "cannot write /proc/nope/r.csv"),
    ],
)
def test_bad_input_raises_analyze_error(tree: dict[str, Any], updates: dict[str, Any], message: str) -> None:
    config = {"source_dir_str": str(tree["root"] / "out" / "sacred"), "print_table": False, **updates}
    with pytest.raises(AnalyzeError, match=message):
        analysis_ex.run(command_name="analyze_imitation", config_updates=config, options={"--capture": "sys"})


def test_bad_input_on_the_command_line_is_one_clear_line(tree: dict[str, Any]) -> None:
    res = cli("source_dir_str=out/sacred", "run_name=nobody", cwd=tree["root"], options=("--file_storage=failed",))
    assert res.returncode == 2  # a user error, as in every other command
    assert "Traceback" not in res.stderr and 'File "' not in res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no usable training runs named 'nobody'" in errors[0]
    assert "run names there: other, run0" in errors[0]  # the names that exist
    assert not (tree["root"] / "failed").exists() or not list((tree["root"] / "failed").glob("*/run.json"))


def test_unknown_config_key_is_reported_by_sacred(tree: dict[str, Any]) -> None:
    res = cli("source_dir_str=out/sacred", "run_nam=run0", cwd=tree["root"], options=("--file_storage=x",))
    assert res.returncode == 2 and "run_nam" in res.stderr and "Traceback" not in res.stderr


def test_malformed_reference_is_reported(tree: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "ref.csv"
    bad.write_text("algo,split,policy,metric,mean,std,n,unit\nx,cyber_loo1,stochastic,precision,1,1,2,runs\n")
    with pytest.raises(AnalyzeError, match="unit 'runs'"):
        analysis_ex.run(
            command_name="analyze_imitation",
            options={"--capture": "sys"},
            config_updates={
                "source_dir_str": str(tree["root"] / "out" / "sacred"),
                "reference_csv": str(bad),
                "print_table": False,
            },
        )


def test_numbers_and_result(tree: dict[str, Any], tmp_path: Path) -> None:
    result = analyze(
        source_dir_str=str(tree["root"] / "out" / "sacred"),
        run_name="run0",
        csv_output_path=str(tmp_path / "r.csv"),
        table_verbosity=1,
        reference_csv=str(REFERENCE_CSV),
    )
    json.dumps(result)  # plain JSON for Sacred
    assert result["n_runs"] == 11 and result["n_skipped"] == 6
    assert sorted(s.split(":")[0] for s in result["skipped"]) == sorted(str(p) for p in tree["bad"].values())
    runs = pd.read_csv(tmp_path / "r.csv")
    assert "benchmark_deterministic.precision.mean" not in runs.columns  # verbosity 1
    agg = pd.read_csv(tmp_path / "r_aggregate.csv")
    gail = agg[(agg.algo == "gail") & (agg.split == "cyber_loo1")].iloc[0]
    seeds = runs[(runs.algo == "gail") & (runs.split == "cyber_loo1")]["benchmark.precision.mean"]
    assert gail["benchmark.precision.mean"] == pytest.approx(seeds.mean())
    assert gail["benchmark.precision.n_seeds"] == 3
    comp = pd.read_csv(tmp_path / "r_comparison.csv")
    row = comp[
        (comp.algo == "gail")
        & (comp.split == "cyber_loo1")
        & (comp.policy == "stochastic")
        & (comp.metric == "precision")
        & (comp.level == "seeds")
    ].iloc[0]
    want = st.ttest_ind_from_stats(seeds.mean(), seeds.std(ddof=1), 3, 0.298844, 0.089444, 60, equal_var=False)
    assert row.p_value == pytest.approx(want.pvalue)
    assert (row.ours_unit, row.ref_unit) == ("seeds", "sessions")
    pair = pd.read_csv(tmp_path / "r_pairwise.csv")
    assert {"prob_improvement", "pi_low", "pi_high", "p_value"} <= set(pair.columns)
    assert set(zip(pair.algo_x, pair.algo_y)) == {("bc", "bcgail"), ("bc", "gail"), ("bcgail", "gail")}


@pytest.mark.parametrize("verbosity", [0, 1, 2, 3])
def test_verbosity_levels(tree: dict[str, Any], tmp_path: Path, verbosity: int) -> None:
    analyze(
        source_dir_str=str(tree["root"] / "out" / "sacred"),
        run_name="run0",
        reference_csv=None,
        csv_output_path=str(tmp_path / "r.csv"),
        table_verbosity=verbosity,
    )
    table = pd.read_csv(tmp_path / "r.csv")
    assert len(table) == 11
    assert ("status" in table.columns) == (verbosity >= 1)
    assert ("benchmark.precision.summary" in table.columns) == (verbosity >= 2)
    assert any(c.startswith("config.") for c in table.columns) == (verbosity == 3)
    assert table["benchmark.precision.mean"].dtype.kind == "f"


def test_robust_and_improvement_csvs_and_profiles(tree: dict[str, Any], tmp_path: Path) -> None:
    baselines = Path(__file__).resolve().parents[2] / "benchmarking" / "baselines.csv"
    result = analyze(
        source_dir_str=str(tree["root"] / "out" / "sacred"),
        run_name="run0",
        reference_csv=None,
        csv_output_path=str(tmp_path / "r.csv"),
        plot_dir=str(tmp_path / "plots"),
        baselines_csv=str(baselines),
    )
    assert result["robust_csv"] == str(tmp_path / "r_robust.csv")
    assert result["improvement_csv"] == str(tmp_path / "r_improvement.csv")
    assert result["baselines_csv"] == str(baselines)
    runs = pd.read_csv(tmp_path / "r.csv")
    robust = pd.read_csv(tmp_path / "r_robust.csv")
    gail = robust[
        (robust.policy == "stochastic")
        & (robust.metric == "precision")
        & (robust.score == "raw")
        & (robust.algo == "gail")
    ].iloc[0]
    values = runs[runs.algo == "gail"]["benchmark.precision.mean"]
    assert gail.n_runs == len(values) and gail["mean"] == pytest.approx(values.mean())
    assert (robust.score == "normalised").any()
    improvement = pd.read_csv(tmp_path / "r_improvement.csv")
    assert {"prob_improvement", "pi_low", "pi_high", "unit"} <= set(improvement.columns)
    pair = pd.read_csv(tmp_path / "r_pairwise.csv")
    assert {"p_holm", "significant_holm", "holm_family", "test_unit"} <= set(pair.columns)
    for policy in ("stochastic", "deterministic"):
        assert str(tmp_path / "plots" / f"profiles_{policy}.png") in result["plots"]
        assert (tmp_path / "plots" / f"profiles_{policy}.png").stat().st_size > 1000
    # without baselines: raw scores only, still written
    analyze(
        source_dir_str=str(tree["root"] / "out" / "sacred"),
        run_name="run0",
        reference_csv=None,
        csv_output_path=str(tmp_path / "s.csv"),
        baselines_csv="",
    )
    assert set(pd.read_csv(tmp_path / "s_robust.csv").score) == {"raw"}
    # by default: the package's copy of benchmarking/baselines.csv
    default = analyze(
        source_dir_str=str(tree["root"] / "out" / "sacred"),
        run_name="run0",
        reference_csv=None,
        csv_output_path=str(tmp_path / "d.csv"),
    )
    assert Path(default["baselines_csv"]).resolve() == baselines.resolve()
    assert (pd.read_csv(tmp_path / "d_robust.csv").score == "normalised").any()


def test_a_source_dir_that_is_a_file_is_called_a_file(tree: dict[str, Any]) -> None:
    run_json = tree["good"][0] / "run.json"
    config = {"source_dir_str": str(run_json), "print_table": False}
    with pytest.raises(AnalyzeError, match=f"names {run_json}, which is a file, not a folder"):
        analysis_ex.run(command_name="analyze_imitation", config_updates=config, options={"--capture": "sys"})


def test_importing_analyze_prints_no_pkg_resources_warning() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import ilaeda.scripts.analyze"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "pkg_resources" not in done.stderr, done.stderr


def test_options_are_one_object_built_from_the_config(tmp_path: Path) -> None:
    from ilaeda.scripts import analyze
    from ilaeda.scripts.analyze_options import AnalyzeOptions
    from ilaeda.scripts.config.analyze import analysis_ex as ex

    config = {**ex.configurations[0]()}
    config.update(csv_output_path=str(tmp_path / "r.csv"), pairwise_csv=str(tmp_path / "p.csv"), curve_keys="loss")
    options = AnalyzeOptions.from_config(config)
    assert options.outputs["aggregate_csv"] == tmp_path / "r_aggregate.csv"
    assert options.outputs["improvement_csv"] == tmp_path / "r_improvement.csv"
    assert options.outputs["pairwise_csv"] == tmp_path / "p.csv"
    assert options.curve_keys == ["loss"] and options.sources == [Path("output/sacred")]
    with pytest.raises(AnalyzeError, match="alpha must lie"):
        AnalyzeOptions.from_config({**config, "alpha": 2})
    source = Path(analyze.__file__).read_text()
    assert "locals()" not in source and "_DISCOVERED" not in source and len(source.splitlines()) < 400
