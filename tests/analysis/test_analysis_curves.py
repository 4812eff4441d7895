"""ilaeda.analysis.curves: reading learning curves from Sacred metrics, progress.csv and TensorBoard."""

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from ilaeda.analysis.curves import read_progress_csv, read_sacred_metrics, read_tensorboard, run_curves
from ilaeda.analysis.runs import RunRecord


def _record(run_dir: Path, log_dir: Path | None) -> RunRecord:
    return RunRecord(
        path=run_dir,
        run={},
        config={"logging": {"log_dir": str(log_dir) if log_dir else None}},
        result={},
        algo="gail",
        split="cyber_loo1",
        seed=0,
    )


def test_sacred_metrics(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    path.write_text(
        json.dumps(
            {
                "a": {"steps": [2, 0, 1], "values": [3.0, 1.0, 2.0], "timestamps": ["x", "y", "z"]},
                "broken": {"steps": [0]},
                "mismatch": {"steps": [0, 1], "values": [1.0]},
            }
        )
    )
    curves = read_sacred_metrics(path)
    assert list(curves) == ["a"]
    assert curves["a"].steps.tolist() == [0, 1, 2] and curves["a"].values.tolist() == [1.0, 2.0, 3.0]


def test_progress_csv_step_column_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "progress.csv"
    path.write_text("time/total_timesteps,gen/loss,disc/acc,note\n100,1.0,,x\n200,0.5,0.7,y\n300,,0.8,z\n")
    curves = read_progress_csv(path)
    assert set(curves) == {"gen/loss", "disc/acc"}
    assert curves["gen/loss"].steps.tolist() == [100, 200]
    assert curves["disc/acc"].values.tolist() == pytest.approx([0.7, 0.8])


def test_progress_csv_without_step_column_uses_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "progress.csv"
    path.write_text("loss\n3\n2\n1\n")
    assert read_progress_csv(path)["loss"].steps.tolist() == [0, 1, 2]
    (tmp_path / "empty.csv").write_text("")
    assert read_progress_csv(tmp_path / "empty.csv") == {}


def test_tensorboard_scalars(tmp_path: Path) -> None:
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(tmp_path / "tb"))
    for step in range(5):
        writer.add_scalar("mean/gen/rollout/ep_rew_mean", step * 0.5, step * 10)
    writer.close()
    curves = read_tensorboard(tmp_path / "tb")
    curve = curves["mean/gen/rollout/ep_rew_mean"]
    assert curve.steps.tolist() == [0, 10, 20, 30, 40]
    assert np.allclose(curve.values, [0, 0.5, 1.0, 1.5, 2.0])


def test_run_curves_precedence_and_tolerance(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    run_dir, log_dir = tmp_path / "sacred" / "1", tmp_path / "logs" / "gail" / "x"
    run_dir.mkdir(parents=True)
    (log_dir / "sub").mkdir(parents=True)
    (run_dir / "metrics.json").write_text(json.dumps({"score": {"steps": [0, 1], "values": [1.0, 2.0]}}))
    (log_dir / "progress.csv").write_text("step,score,loss\n0,9,1.0\n1,9,0.5\n")
    (log_dir / "sub" / "progress.csv").write_text("step,loss\n2,0.25\n")
    (log_dir / "events.out.tfevents.123.host").write_bytes(b"\x00garbage")
    with caplog.at_level(logging.WARNING):
        curves = run_curves(_record(run_dir, log_dir))
    assert curves["score"].values.tolist() == [1.0, 2.0]  # metrics.json wins
    assert curves["loss"].steps.tolist() == [0, 1, 2]  # two progress.csv files concatenated
    assert set(curves) == {"score", "loss"}
    assert run_curves(_record(tmp_path / "nothing", None)) == {}
    assert run_curves(_record(run_dir, tmp_path / "missing")).keys() == {"score"}
