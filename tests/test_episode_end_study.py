"""experiments/episode_end_study.py: the command lines it runs and the selection rule."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("episode_end_study", REPO / "experiments" / "episode_end_study.py")
study = importlib.util.module_from_spec(spec)
spec.loader.exec_module(study)


def test_command_lines_train_on_inner_splits_with_the_variant(tmp_path: Path) -> None:
    run_id, argv = study.command(tmp_path, "select", "no_stop", "bcgail", "bcgail", "cyber_loo1_val2", 3, [])
    assert run_id == "select-no_stop-bcgail-cyber_loo1_val2-s3"
    assert argv[2:4] == ["ilaeda.scripts.train_adversarial", "gail"]
    assert "benchmarking/bcgail_cyber_loo1.json" in argv and "environment.split=cyber_loo1_val2" in argv
    assert "environment.episode_end=no_stop" in argv and "seed=3" in argv
    assert all(split.split("_val")[0] != "cyber_loo" + split[-1] for split in study.INNER_SPLITS)


def _record(out: Path, run_id: str, length: float, score: float) -> None:
    bench = {k: {"mean": score, "std": 0.0, "n": 60} for k in study.SCORE_METRICS}
    bench.update(length={"mean": length, "std": 0.0, "n": 60}, back_at_root={"mean": 0.0, "std": 0.0, "n": 60})
    path = out / "sacred" / run_id / "1" / "run.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"status": "COMPLETED", "result": {"benchmark": bench}}))


def test_selection_prefers_the_best_score_among_long_sessions(tmp_path: Path) -> None:
    for split in study.INNER_SPLITS:
        _record(tmp_path, f"select-absorbing-bcgail-{split}-s0", length=3.0, score=0.9)  # short: not eligible
        _record(tmp_path, f"select-terminate-bcgail-{split}-s0", length=12.0, score=0.3)
        _record(tmp_path, f"select-no_stop-bcgail-{split}-s0", length=12.0, score=0.2)
    chosen, table = study.select(tmp_path, [0], min_length=10.0)
    assert chosen == "terminate" and table["absorbing"]["score"] == 0.9 and table["terminate"]["n_runs"] == 4


def test_selection_among_the_given_variants_only(tmp_path: Path) -> None:
    for split in study.INNER_SPLITS:
        _record(tmp_path, f"select-terminate-bcgail-{split}-s0", length=12.0, score=0.3)
        _record(tmp_path, f"select-terminate_masked-bcgail-{split}-s0", length=12.0, score=0.2)
    chosen, table = study.select(tmp_path, [0], min_length=10.0, variants=["terminate_masked"])
    assert chosen == "terminate_masked" and set(table) == {"terminate_masked"}
    assert "environment.mask_back_at_root=True" in study.VARIANTS["terminate_masked"]


def test_completed_runs_are_not_run_again(tmp_path: Path) -> None:
    _record(tmp_path, "grid-terminate-bc-cyber_loo1-s0", length=12.0, score=0.3)
    fail = [sys.executable, "-c", "raise SystemExit(3)"]
    jobs = [("grid-terminate-bc-cyber_loo1-s0", fail), ("grid-terminate-bc-cyber_loo2-s0", fail)]
    codes = study.run_all(jobs, 2, tmp_path, deadline=float("inf"))
    assert codes == {"grid-terminate-bc-cyber_loo1-s0": -2, "grid-terminate-bc-cyber_loo2-s0": 3}


def test_unknown_validation_variant_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        study.main(["--out", str(tmp_path), "--select_variants", "terminate,bogus", "--only", "none"])
    assert exit_info.value.code == 2 and "unknown bogus" in capsys.readouterr().err
