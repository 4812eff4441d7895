"""``make run``'s module: BC→GAIL through the real Sacred experiment (here with the fast config), its
headline beside the random and released agents, the bar's verdict and the HTML report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch as th

from ilaeda.scripts import demo
from ilaeda.scripts.train_adversarial import train_adversarial_ex

REPO = Path(__file__).resolve().parents[2]


def test_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    th.set_num_threads(1)
    monkeypatch.chdir(tmp_path)
    assert demo.main([str(REPO / "benchmarking" / "fast_bcgail_cyber_loo1.json")]) == 0
    out = capsys.readouterr().out
    for text in (
        "this run (stochastic)",
        "this run (deterministic)",
        "released agent (stochastic)",
        "random agent",
        "random, 12 actions, no STOP",
        "group on key",
        "empty view",
        "repeated action",
        "T-BLEU-2",
        "EDA-Sim",
        "stochastic policy: m",
        "deterministic policy: m",
    ):
        assert text in out
    runs = [p for p in (tmp_path / "output" / "sacred" / "train_adversarial").iterdir() if p.name != "_sources"]
    assert len(runs) == 1
    record = json.loads((runs[0] / "run.json").read_text())
    assert record["status"] == "COMPLETED" and record["experiment"]["name"] == "demo"
    report = Path(record["result"]["log_dir"]) / "report" / "report.html"
    assert f"HTML report: {report}" in out and report.is_file()
    assert {"report.html", "report.ipynb"} <= set(record["artifacts"])


def test_verdict() -> None:
    random = {"t_bleu_2": {"mean": 0.052}, "eda_sim": {"mean": 0.197}}
    result = {
        "benchmark": {
            "length": {"mean": 9.0},
            "back_at_root": {"mean": 0.5},
            "t_bleu_2": {"mean": 0.06},
            "eda_sim": {"mean": 0.21},
        },
        "benchmark_deterministic": {
            "length": {"mean": 12.0},
            "back_at_root": {"mean": 0.0},
            "t_bleu_2": {"mean": 0.2},
            "eda_sim": {"mean": 0.19},
        },
    }
    stochastic, deterministic = demo.verdict(result, random)
    assert stochastic.startswith("stochastic policy: meets the bar") and "= 8.5 ≥ 8" in stochastic
    assert (
        deterministic.startswith("deterministic policy: misses the bar")
        and "eda_sim 0.190 ≤ random, 12 actions, no STOP 0.197" in deterministic
    )
    result["benchmark"]["back_at_root"]["mean"] = 2.0  # BACKs at the root change nothing: 7 actions count
    assert demo.verdict(result, random)[0].startswith("stochastic policy: misses the bar")


def test_the_bar_is_the_random_agent_without_stop() -> None:
    """Above the random agent that stops after ~3 actions, below the one that plays 12: the bar is missed."""
    from ilaeda.report.headline import FAIR_RANDOM_LABEL, RANDOM_LABEL, headline_frame, random_floors

    floors = random_floors("cyber", [1])
    short, fair = floors[RANDOM_LABEL]["t_bleu_2"]["mean"], floors[FAIR_RANDOM_LABEL]["t_bleu_2"]["mean"]
    between = (short + fair) / 2
    section = {
        "length": {"mean": 12.0, "std": 0.0, "n": 2},
        "back_at_root": {"mean": 0.0, "std": 0.0, "n": 2},
        "t_bleu_2": {"mean": between, "std": 0.0, "n": 2},
        "eda_sim": {"mean": 0.9, "std": 0.0, "n": 2},
    }
    result = {"benchmark": section, "benchmark_deterministic": section}
    lines = demo.verdict(result, floors[FAIR_RANDOM_LABEL])
    assert all("misses the bar" in line and f"≤ {FAIR_RANDOM_LABEL} {fair:.3f}" in line for line in lines)
    table = headline_frame(result, {}, floors).to_string(index=False)
    assert RANDOM_LABEL in table and FAIR_RANDOM_LABEL in table


def test_the_default_config_is_bc_gail_with_the_penalty() -> None:
    config = train_adversarial_ex.run(command_name="print_config", named_configs=[str(demo.DEFAULT_CONFIG)]).config
    assert config["bc_warm_start"]["enabled"] and config["reward"]["penalty_coef"] > 0
    assert config["environment"]["split"] == "cyber_loo1" and config["training_evaluation"]["interval"] > 0


def test_demo_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main([str(tmp_path / "missing.json")]) == 2
    assert "not found" in capsys.readouterr().err
