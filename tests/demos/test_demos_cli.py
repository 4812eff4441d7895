"""``python -m ilaeda.demos`` / ``ilaeda-demos``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ilaeda.demos.__main__ import main

from .conftest import filt, group, row


def test_report_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--json", "--cache-dir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sessions_kept"] == {"1": 150, "2": 102, "3": 88, "4": 75}
    assert report["actions_kept"] == {"group": 1316, "filter": 529, "back": 944}
    assert report["expert_actions"] == 2789
    assert 0.93 <= report["representable_fraction"] <= report["view_reproducible_fraction"]
    assert report["view_reproducible_fraction"] >= 0.95
    d2 = report["datasets"]["2"]
    assert d2["representable"]["group"] == {"actions": 348, "exact": 348, "view": 0, "none": 0}
    assert sum(d2["representable"]["filter"][k] for k in ("exact", "view", "none")) == 61
    assert report["prior"]["actions"]["back"] == 919


def test_report_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "sessions kept" in out and "415" in out and "representable expert actions" in out


def test_export_and_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--out", str(tmp_path / "out")]) == 0
    paths = capsys.readouterr().out.split()
    assert len(paths) == 4
    document = json.loads(Path(paths[1]).read_text())
    assert (document["schema"], document["dataset"], len(document["sessions"])) == ("cyber", 2, 102)
    assert document["sessions"][0]["name"].startswith("session")
    assert main(["build", "--split", "cyber_loo1", "--cache-dir", str(tmp_path / "c")]) == 0
    assert capsys.readouterr().out.strip() == "cyber_loo1 train: 265 trajectories, 1612 transitions"  # end at STOP
    build = ["build", "--split", "cyber_loo1", "--episode-end", "absorbing", "--cache-dir", str(tmp_path / "c")]
    assert main(build) == 0  # padded to the horizon
    assert capsys.readouterr().out.strip() == "cyber_loo1 train: 265 trajectories, 3180 transitions"
    assert main(["cache", "--cache-dir", str(tmp_path / "c")]) == 0
    assert "3 entries" in capsys.readouterr().out


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.run(
        [sys.executable, "-m", "ilaeda.demos", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_errors_exit_2_without_traceback(
    tmp_path: Path,
    actions_dir,
    monkeypatch,  # type: ignore[no-untyped-def]
    capsys,
) -> None:
    data = actions_dir([row(1, "group", group("ip_src")), row(2, "filter", '{"field": oops}', child=3)])
    result = run_cli("report", "--data-dir", str(data), "--no-cache")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    # a file that is not the pinned one is refused by its checksum before it is parsed
    assert result.stderr.startswith(f"error: data file {data / 'reactida' / 'actions.tsv'} is corrupt")
    assert "Traceback" not in result.stderr
    from ilaeda.demos.conversion import read_actions
    from ilaeda.errors import DataError

    with pytest.raises(DataError, match=r"malformed actions file .*line 3"):  # the parser still names the line
        read_actions(data / "reactida" / "actions.tsv")
    import ilaeda.data.locate

    monkeypatch.setattr(ilaeda.data.locate, "ensure_verified", lambda file, path, stamps: path)  # a stand-in file
    data = actions_dir([row(1, "filter", filt("ip_src", "x", 8), dataset=5)])
    assert main(["export", "--data-dir", str(data), "--out", str(tmp_path / "o")]) == 2
    assert "unknown dataset 5" in capsys.readouterr().err
    result = run_cli("build", "--split", "cyber_2", "--part", "test", "--test-fraction", "0", "--no-cache")
    assert result.returncode == 2 and "holds no demonstrations" in result.stderr


def test_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", "--horizon", "x"])
    assert info.value.code == 2
