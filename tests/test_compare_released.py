"""experiments/compare_released.py: pooled session statistics, seed-level tests, the released agents' shape."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from scipy import stats
from script_modules import REPO, load

compare = load("compare_released", REPO / "experiments" / "compare_released.py")
METRICS = ("length", "back_at_root", "t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim", "precision")


def _results_csv(path: Path) -> None:
    """Two splits × two seeds; every metric of run (split k, seed s) has mean 0.1·k + 0.01·s, std 0.1, n 60."""
    fields = ["algo", "split", "seed"] + [f"benchmark.{m}.{x}" for m in METRICS for x in ("mean", "std", "n")]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        for k in (1, 2):
            for s in (0, 1):
                row = {"algo": "bcgail", "split": f"cyber_loo{k}", "seed": str(s)}
                for m in METRICS:
                    row |= {
                        f"benchmark.{m}.mean": 0.1 * k + 0.01 * s,
                        f"benchmark.{m}.std": 0.1,
                        f"benchmark.{m}.n": 60,
                    }
                writer.writerow(row)


def _reference_csv(path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["split", "policy", "metric", "mean", "std", "n"])
        writer.writeheader()
        for k in (1, 2):
            for m in METRICS[2:]:
                writer.writerow(
                    {"split": f"cyber_loo{k}", "policy": "stochastic", "metric": m, "mean": 0.1, "std": 0.05, "n": 60}
                )


def _released(path: Path, back: float) -> None:
    stat = {"mean": back, "std": 0.1, "n": 60}
    splits = {f"cyber_loo{k}": {"length": {"mean": 11.0, "std": 1.0, "n": 60}, "back_at_root": stat} for k in (1, 2)}
    path.write_text("noise\n" + json.dumps({"policy": "stochastic", "splits": splits}) + "\n| table |\n")


def _row(out: str, metric: str) -> list[str]:
    line = next(x for x in out.splitlines() if x.startswith(f"| {metric} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_pooled_equals_the_union_of_the_groups() -> None:
    a, b = [1.0, 2.0, 3.0], [5.0, 7.0]
    mean, std, n = compare.pooled([(2.0, math.sqrt(2 / 3), 3), (6.0, 1.0, 2)])
    assert n == 5 and mean == pytest.approx(sum(a + b) / 5)
    assert std == pytest.approx(stats.tstd(a + b))


def test_metrics_against_the_reference_and_the_released_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _results_csv(tmp_path / "r.csv")
    _reference_csv(tmp_path / "ref.csv")
    _released(tmp_path / "rel.txt", back=0.01)
    compare.main(
        [
            str(tmp_path / "r.csv"),
            "--reference",
            str(tmp_path / "ref.csv"),
            "--released_runs",
            str(tmp_path / "rel.txt"),
        ]
    )
    out = capsys.readouterr().out
    ours = compare.pooled([(0.1 * k + 0.01 * s, 0.1, 60) for k in (1, 2) for s in (0, 1)])
    theirs = compare.pooled([(0.01, 0.1, 60), (0.01, 0.1, 60)])
    welch = stats.ttest_ind_from_stats(*ours, *theirs, equal_var=False).pvalue
    seed_p = stats.ttest_1samp([0.15, 0.16], 0.01).pvalue
    cells = _row(out, "back_at_root")
    assert cells[1].startswith(f"{ours[0]:.3f}") and cells[2].startswith("0.010")
    assert cells[4] == f"{welch:.2g}" and cells[6] == f"{seed_p:.2g}"
    assert _row(out, "t_bleu_2")[2].startswith("0.100")


def test_without_released_runs_the_shape_rows_have_no_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _results_csv(tmp_path / "r.csv")
    _reference_csv(tmp_path / "ref.csv")
    compare.main([str(tmp_path / "r.csv"), "--reference", str(tmp_path / "ref.csv")])
    assert _row(capsys.readouterr().out, "length")[2] == "-"


def test_a_file_without_a_json_line_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _results_csv(tmp_path / "r.csv")
    _reference_csv(tmp_path / "ref.csv")
    (tmp_path / "bad.txt").write_text("no json here\n")
    with pytest.raises(SystemExit) as info:
        compare.main(
            [
                str(tmp_path / "r.csv"),
                "--reference",
                str(tmp_path / "ref.csv"),
                "--released_runs",
                str(tmp_path / "bad.txt"),
            ]
        )
    assert info.value.code == 2 and "no JSON line" in capsys.readouterr().err


def test_a_missing_source_is_one_line_with_exit_status_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    _reference_csv(tmp_path / "ref.csv")
    for args in ([str(tmp_path / "no_such_folder")], [str(tmp_path), "--reference", str(tmp_path / "nope.csv")]):
        if len(args) > 1:
            _results_csv(tmp_path / "r.csv")
            args[0] = str(tmp_path / "r.csv")
        done = subprocess.run(
            [sys.executable, str(REPO / "experiments" / "compare_released.py"), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert "reference CSV" in done.stderr and "not found" in done.stderr


def test_a_folder_of_sacred_runs_is_read_like_the_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for k in (1, 2):
        for s in (0, 1):
            bench = {m: {"mean": 0.1 * k + 0.01 * s, "std": 0.1, "n": 60} for m in METRICS}
            result = {"algo": "bcgail", "split": None, "policy_split": f"cyber_loo{k}", "seed": s, "benchmark": bench}
            run = tmp_path / "runs" / f"r{k}{s}" / "1" / "run.json"
            run.parent.mkdir(parents=True)
            run.write_text(json.dumps({"status": "COMPLETED", "result": result}))
    (tmp_path / "runs" / "failed" / "1").mkdir(parents=True)
    (tmp_path / "runs" / "failed" / "1" / "run.json").write_text(json.dumps({"status": "FAILED", "result": None}))
    _results_csv(tmp_path / "r.csv")
    _reference_csv(tmp_path / "ref.csv")
    compare.main([str(tmp_path / "runs"), "--reference", str(tmp_path / "ref.csv")])
    from_folder = capsys.readouterr().out
    compare.main([str(tmp_path / "r.csv"), "--reference", str(tmp_path / "ref.csv")])
    assert from_folder == capsys.readouterr().out and "4 runs" in from_folder


def test_versus_reads_the_other_runs_from_another_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _results_csv(tmp_path / "a.csv")
    _results_csv(tmp_path / "b.csv")
    compare.main(
        [str(tmp_path / "a.csv"), "--algo", "bcgail", "--versus", "bcgail", "--versus_source", str(tmp_path / "b.csv")]
    )
    row = _row(capsys.readouterr().out, "t_bleu_2")
    assert row[3] == "+0.000" and row[4] == "1"  # the same runs on both sides: no difference, p = 1
