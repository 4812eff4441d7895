"""ilaeda.analysis.runs: finding usable runs among real Sacred run directories (made by running the
stand-in experiment tests/analysis/fake_training.py), with failed, interrupted, killed, corrupt and
duplicate runs among them.
"""

import logging
from pathlib import Path
from typing import Any

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import pytest

from ilaeda.analysis.runs import algo_label, discover_runs, split_source_dirs


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("runs")
    made = fake.build_run_tree(root)
    made["root"] = root
    return made


def test_keeps_exactly_the_good_runs(tree: dict[str, Any]) -> None:
    runs, _ = discover_runs([tree["root"] / "sacred"], "run0")
    assert sorted(str(r.path) for r in runs) == sorted(str(p) for p in tree["good"])
    assert [(r.algo, r.split, r.seed) for r in runs] == sorted(
        [("gail", "cyber_loo1", s) for s in (0, 1, 2)]
        + [("gail", "cyber_loo2", s) for s in (0, 1)]
        + [("bc", f"cyber_loo{k}", s) for k in (1, 2) for s in (0, 1)]
        + [("bcgail", "cyber_loo1", s) for s in (0, 1)]
    )
    assert all(r.status == "COMPLETED" and r.run_name == "run0" for r in runs)


def test_skipped_runs_are_named_with_a_reason(tree: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        _, skipped = discover_runs([tree["root"] / "sacred"], "run0")
    reasons = {s.path: s.reason for s in skipped}
    bad = {k: str(v) for k, v in tree["bad"].items()}
    assert set(reasons) == set(bad.values())
    assert reasons[bad["failed"]] == "status FAILED"
    assert reasons[bad["interrupted"]] == "status INTERRUPTED"
    assert reasons[bad["killed"]].startswith("RUNNING without a result")
    assert reasons[bad["corrupt_run"]].startswith("unreadable run.json")
    assert reasons[bad["corrupt_config"]].startswith("unreadable config.json")
    assert reasons[bad["copy"]].startswith("retry of gail seed 0 with the same config")
    assert reasons[bad["copy"]].endswith(f"the latest COMPLETED run {tree['good'][0]} is kept")
    for path in bad.values():
        assert path in caplog.text


def test_symlinks_and_overlapping_sources_count_once(tree: dict[str, Any]) -> None:
    sacred = tree["root"] / "sacred"
    runs, _ = discover_runs([sacred, sacred / "run0-gail_cyber_loo1-s1", sacred / "links"], "run0")
    assert len(runs) == 11
    assert not any("links" in str(r.path) for r in runs)  # the plain path is preferred
    only_link, _ = discover_runs([sacred / "links"], "run0")
    assert [str(r.path) for r in only_link] == [str(tree["symlink"])]


def test_run_name_filter_and_ignored_commands(tree: dict[str, Any]) -> None:
    sacred = tree["root"] / "sacred"
    other, _ = discover_runs([sacred], "other")
    assert [str(r.path) for r in other] == [str(tree["other"])]
    both, skipped_both = discover_runs([sacred], ["run0", "other"])
    # "other" re-ran run0's gail cyber_loo1 seed 0 with the same config: one run, the later one
    assert len(both) == 11 and str(tree["other"]) in {str(r.path) for r in both}
    assert any(s.path == str(tree["good"][0]) and s.reason.startswith("retry of") for s in skipped_both)
    everything, skipped = discover_runs([sacred])
    assert len(everything) == 11  # print_config's run is ignored
    assert not any("printed" in s.path for s in skipped)


def test_missing_source_dir_is_reported(tmp_path: Path) -> None:
    runs, skipped = discover_runs([tmp_path / "nope"])
    assert runs == [] and skipped[0].reason == "source directory does not exist"


def test_results_outside_the_contract_are_skipped(tmp_path: Path) -> None:
    run_dir = fake.make_run(tmp_path / "s", "gail", seed=0)
    import json

    run = json.loads((run_dir / "run.json").read_text())
    run["result"]["benchmark"]["precision"] = "0.3 ± 0.1"
    (run_dir / "run.json").write_text(json.dumps(run))
    runs, skipped = discover_runs([tmp_path / "s"])
    assert runs == [] and "benchmark.precision is not a {mean, std, n}" in skipped[0].reason


def test_algo_label() -> None:
    assert algo_label({"algo": "gail"}, "gail", "benchmarking/bcgail_cyber_loo1.json") == "bcgail"
    assert algo_label({"algo": "gail"}, "gail", "fast_bcgail_cyber_loo1.json") == "bcgail"
    assert algo_label({"algo": "gail"}, "gail", "fast_bc_cyber_loo1.json") == "gail"  # command disagrees
    assert algo_label({}, "dagger", None) == "dagger"
    assert algo_label({}, "weird", None) is None


def test_split_source_dirs() -> None:
    assert split_source_dirs("a, b,,~/c") == [Path("a"), Path("b"), Path.home() / "c"]
    assert split_source_dirs("a;b", ";") == [Path("a"), Path("b")]
    assert split_source_dirs(["x", "y"]) == [Path("x"), Path("y")]


def test_runs_breaking_the_contract_are_named_and_left_out_of_every_table(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import json
    import math

    from ilaeda.analysis.tables import aggregate_table

    storage = tmp_path / "s"
    dirs = [fake.make_run(storage, "gail", seed=s) for s in range(4)]
    for run_dir, change in ((dirs[1], "nan"), (dirs[2], "missing")):
        run = json.loads((run_dir / "run.json").read_text())
        if change == "nan":
            run["result"]["benchmark"]["t_bleu_2"]["mean"] = math.nan
        else:
            del run["result"]["benchmark"]["t_bleu_2"]
        (run_dir / "run.json").write_text(json.dumps(run))
    with caplog.at_level(logging.WARNING):
        runs, skipped = discover_runs([storage])
    assert [r.seed for r in runs] == [0, 3]
    reasons = {s.path: s.reason for s in skipped}
    assert "t_bleu_2.mean is nan" in reasons[str(dirs[1])]
    assert "lacks the metric t_bleu_2" in reasons[str(dirs[2])]
    for bad in dirs[1:3]:
        assert len([line for line in caplog.text.splitlines() if str(bad) in line]) == 1
    row = aggregate_table(runs).iloc[0]
    assert row["n_runs"] == 2 and row["seeds"] == "0,3"
    assert all(row[f"benchmark.{m}.n_seeds"] == 2 for m in ("precision", "t_bleu_2", "eda_sim"))
