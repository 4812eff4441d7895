"""ilaeda.runrecords: the one reader of Sacred run records, and the scripts that read records through it."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest

from ilaeda import runrecords
from ilaeda.data.sessions import Session

REPO = Path(__file__).resolve().parents[1]


def _record(folder: Path, status: str = "COMPLETED", result: object = None, **run: object) -> Path:
    folder.mkdir(parents=True)
    record = {"status": status, "result": {"split": "cyber_loo1"} if result is None else result, **run}
    (folder / "run.json").write_text(json.dumps(record))
    (folder / "config.json").write_text(json.dumps({"seed": 7}))
    return folder


def test_walk_finds_nested_runs_once_and_skips_sacred_sources(tmp_path: Path) -> None:
    a = _record(tmp_path / "train_adversarial" / "1")
    b = _record(tmp_path / "train_imitation" / "deep" / "2")
    _record(tmp_path / "train_adversarial" / "_sources" / "x")
    (tmp_path / "link").symlink_to(tmp_path / "train_imitation", target_is_directory=True)
    assert list(runrecords.walk_run_dirs([tmp_path])) == [a, b]
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    c = _record(elsewhere / "3")
    (tmp_path / "shared").symlink_to(elsewhere, target_is_directory=True)
    assert list(runrecords.walk_run_dirs([tmp_path])) == [a, b, tmp_path / "shared" / "3"]
    assert c.name == "3" and list(runrecords.walk_run_dirs([tmp_path], follow_links=False)) == [a, b]


def test_completed_runs_yield_only_completed_records_with_a_result(tmp_path: Path) -> None:
    done = _record(tmp_path / "1", result={"split": "cyber_loo2"})
    _record(tmp_path / "2", status="FAILED")
    _record(tmp_path / "3", result={})
    (tmp_path / "4").mkdir()
    (tmp_path / "4" / "run.json").write_text("{not json")
    found = list(runrecords.completed_runs([tmp_path]))
    assert [(d, r) for d, _, r in found] == [(done, {"split": "cyber_loo2"})]
    assert runrecords.seed(runrecords.read_config(done)) == 7
    assert runrecords.read_info(done) == {}


def test_config_files_and_their_hashes() -> None:
    run = {"meta": {"named_configs": ["fast", "a.json", "b.yaml"]}, "info": {"config_files": {"a.json": "h1"}}}
    assert runrecords.config_files(run) == ["a.json", "b.yaml"]
    assert runrecords.config_files(run, (".json",)) == ["a.json"]
    assert runrecords.config_file_hashes(run) == {"h1"}
    older = {"result": {"provenance": {"config_files": {"a.json": "h2"}}}}
    assert runrecords.config_file_hashes(older) == {"h2"}
    assert runrecords.config_file_hashes({}) == frozenset()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}


@pytest.mark.parametrize("script", ["commands.py", "episode_end_study.py", "rescore_runs.py", "compare_released.py"])
def test_scripts_read_records_through_runrecords(script: str) -> None:
    text = (REPO / "experiments" / script).read_text()
    assert "runrecords" in text
    assert "rglob(" not in text and "os.walk(" not in text and '"run.json"' not in text
    assert '"benchmark"' not in text and '"benchmark_deterministic"' not in text  # contract.POLICY_SECTIONS
    assert not any(m.startswith("ilaeda.scripts") for m in _imports(REPO / "experiments" / script))
    assert "scipy" not in _imports(REPO / "experiments" / script)  # statistics come from ilaeda.analysis.stats


def test_commands_uses_the_package_reader() -> None:
    from script_modules import COMMANDS, load

    commands = load("commands", COMMANDS)
    assert commands.is_alive is commands.runrecords.is_alive
    assert os.path.samefile(commands.runrecords.__file__, runrecords.__file__)


def test_rescore_runs_rescores_completed_records_only(tmp_path: Path) -> None:
    from script_modules import load

    from ilaeda.benchmark import score_sessions
    from ilaeda.benchmark.summary import BENCHMARK_KEYS
    from ilaeda.data.sessions import Filter, Group, Stop, sessions_to_json

    rescore = load("rescore_runs", REPO / "experiments" / "rescore_runs.py")
    sessions = [[Group("ip_src", "", "count"), Stop()], [Filter("eth_src", "EQ", "x"), Stop()]]
    doc = sessions_to_json([Session(f"s{i}", tuple(a)) for i, a in enumerate(sessions)], schema="cyber", dataset=1)
    stale = {k: {"mean": -1.0, "std": 0.0, "n": 2} for k in BENCHMARK_KEYS}
    result = {"split": "cyber_loo1", "session_files": {"stochastic": ["s.json"], "deterministic": ["s.json"]}}
    done = _record(
        tmp_path / "src" / "gail" / "1", result={**result, "benchmark": stale, "benchmark_deterministic": stale}
    )
    (done / "s.json").write_text(json.dumps(doc))
    _record(tmp_path / "src" / "gail" / "2", status="FAILED")
    assert rescore.main([str(tmp_path / "src"), str(tmp_path / "dest")]) == 0
    copied = [p.relative_to(tmp_path / "dest") for p in (tmp_path / "dest").rglob("run.json")]
    assert copied == [Path("gail/1/run.json")]
    new = json.loads((tmp_path / "dest" / "gail" / "1" / "run.json").read_text())["result"]
    rows = score_sessions(doc, "cyber", 1, with_interestingness=False).sessions
    for section in ("benchmark", "benchmark_deterministic"):
        assert new[section]["eda_sim"]["mean"] == pytest.approx(sum(r["eda_sim"] for r in rows) / 2)
    assert new["rescored"]["changed_metrics"] == {
        "stochastic": len(BENCHMARK_KEYS),
        "deterministic": len(BENCHMARK_KEYS),
    }
    assert (tmp_path / "dest" / "gail" / "1" / "config.json").is_file()
