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
        fake.record("airl", "cyber_loo1", 0)
    ]


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


def _capture_figures(monkeypatch: pytest.MonkeyPatch) -> list:
    """The figures the plot functions draw, kept open for inspection."""
    import matplotlib.pyplot as plt

    from ilaeda.analysis import plots

    kept: list = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: kept.append(fig) or path)
    monkeypatch.setattr(plt, "close", lambda *a: None)
    return kept


def test_confidence_bars_are_clipped_to_the_metric_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = _capture_figures(monkeypatch)
    # two seeds far apart: the t-interval (df=1) is far wider than [0, 1]
    runs = [fake.record("gail", "cyber_loo1", 0, shift=0.65), fake.record("gail", "cyber_loo1", 1, shift=-0.3)]
    plot_metric_bars(runs, tmp_path)
    ax_by_title = {ax.get_title(): ax for ax in figures[0].axes}
    for metric, (lo, hi) in (("precision", (0.0, 1.0)), ("eda_sim", (0.0, 1.0)), ("length", (0.0, None))):
        ax = ax_by_title[metric]
        ends = [y for line in ax.lines for y in line.get_ydata() if line.get_marker() == "_"]  # the caps
        assert ends, metric
        assert min(ends) >= lo - 1e-12 and (hi is None or max(ends) <= hi + 1e-12), (metric, ends)
    assert ax_by_title["precision"].get_ylim()[0] >= -0.1 and ax_by_title["precision"].get_ylim()[1] <= 1.1


def test_a_one_point_learning_curve_is_drawn_as_a_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = _capture_figures(monkeypatch)
    run = fake.record("bc", "cyber_loo1", 0)
    plot_learning_curves([run], {str(run.path): {"bc/loss": Curve.make([100], [0.5], "test")}}, tmp_path)
    (line,) = figures[0].axes[0].lines
    assert list(line.get_xdata()) == [100] and line.get_marker() not in (None, "None", "", " ")
