"""ilaeda.analysis.plots: PNG files for metric bars and learning curves."""

import logging
from pathlib import Path

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import pytest

from ilaeda.analysis.comparison import REFERENCE_CSV, load_reference
from ilaeda.analysis.curves import Curve
from ilaeda.analysis.plots import plot_learning_curves, plot_metric_bars

PNG = b"\x89PNG\r\n\x1a\n"




@pytest.fixture
def runs() -> list:
    return [fake.record(a, f"cyber_loo{k}", s) for a in ("gail", "bc") for k in (1, 2) for s in (0, 1)] + [
        fake.record("airl", "cyber_loo1", 0)]


def test_metric_bars(tmp_path: Path, runs: list) -> None:
    ref = load_reference(REFERENCE_CSV)
    paths = plot_metric_bars(runs, tmp_path / "plots", ref, {"advEDA_released_gail": ["gail"]})
    names = sorted(p.name for p in paths)
    assert names == sorted(f"metrics_cyber_loo{k}_{p}.png" for k in (1, 2) for p in ("stochastic", "deterministic"))
    assert all(p.read_bytes().startswith(PNG) for p in paths)
    assert plot_metric_bars(runs, tmp_path / "noref")  # without a reference too


def test_learning_curves(tmp_path: Path, runs: list, caplog: pytest.LogCaptureFixture) -> None:
    curves = {}
    for i, r in enumerate(runs):
        curves[str(r.path)] = {
            "train/score": Curve.make([0, 10, 20 + i], [0.1, 0.2 + i / 100, 0.3], "test"),
            "loss": Curve.make([0, 5], [1.0, 0.5], "test"),
        }
    paths = plot_learning_curves(runs, curves, tmp_path, keys=["score"])
    assert sorted(p.name for p in paths) == ["curves_cyber_loo1_train_score.png", "curves_cyber_loo2_train_score.png"]
    assert all(p.read_bytes().startswith(PNG) for p in paths)
    with caplog.at_level(logging.WARNING):
        assert len(plot_learning_curves(runs, curves, tmp_path, max_plots=3)) == 3
    assert "writing the first 3" in caplog.text
    assert plot_learning_curves(runs, {}, tmp_path) == []
