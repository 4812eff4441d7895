"""``make run``'s module: a fast GAIL through the real Sacred experiment, its table and one session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch as th

from ilaeda.scripts import demo


def test_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    th.set_num_threads(1)
    monkeypatch.chdir(tmp_path)
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "t_bleu_3" in out and "eda_sim" in out
    assert "one generated session" in out
    runs = [p for p in (tmp_path / "output" / "sacred" / "train_adversarial").iterdir() if p.name != "_sources"]
    assert len(runs) == 1
    record = json.loads((runs[0] / "run.json").read_text())
    assert record["status"] == "COMPLETED" and record["experiment"]["name"] == "demo"


def test_demo_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main([str(tmp_path / "missing.json")]) == 2
    assert "not found" in capsys.readouterr().err
