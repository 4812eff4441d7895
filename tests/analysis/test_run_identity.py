"""Run identity in the analysis: (algo, command, resolved-config hash, seed). Retries count once (the latest
COMPLETED run), runs whose configs differ are separate rows showing the differing keys, and the code version
of each run reaches the CSVs with a warning when versions are mixed. Real Sacred runs of the stand-in
experiment tests/analysis/fake_training.py.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import pytest

from ilaeda.analysis import aggregate_table, discover_runs, runs_table


def _cfg(root: Path, k: int) -> Path:
    path = root / "cfg" / f"gail_cyber_loo{k}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"split": f"cyber_loo{k}"}))
    return path


def _run(root: Path, label: str, seed: int, **updates: Any) -> Path:
    return fake.make_run(root / "sacred" / label, "gail", cfg=_cfg(root, 1), seed=seed, **updates)


def _set_version(run_dir: Path, commit: str, dirty: bool = False) -> None:
    record = json.loads((run_dir / "run.json").read_text())
    record["result"]["provenance"] = {"code_version": {"commit": commit, "dirty": dirty, "package_version": "0.1.0"}}
    (run_dir / "run.json").write_text(json.dumps(record))


def test_a_retry_counts_once_and_the_latest_completed_run_is_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = _run(tmp_path, "s0", 0)
    _run(tmp_path, "s1", 1)
    retry = _run(tmp_path, "s0-retry", 0)
    with caplog.at_level(logging.WARNING):
        runs, skipped = discover_runs([tmp_path / "sacred"])
    assert sorted((r.seed, str(r.path)) for r in runs) == [(0, str(retry)), (1, str(runs[1].path))]
    assert [s.path for s in skipped] == [str(first)] and str(retry) in skipped[0].reason
    assert str(first) in caplog.text  # the warning names the run left out
    row = aggregate_table(runs).iloc[0]
    assert row["n_runs"] == 2 and row["seeds"] == "0,1"
    assert row["benchmark.precision.n_seeds"] == 2


def test_runs_differing_in_a_config_value_are_separate_rows_with_the_key(tmp_path: Path) -> None:
    from ilaeda.provenance import config_hash

    for seed in (0, 1):
        _run(tmp_path, f"default-s{seed}", seed)
        _run(tmp_path, f"override-s{seed}", seed, n_steps=7)
    runs, skipped = discover_runs([tmp_path / "sacred"])
    assert len(runs) == 4 and not skipped
    assert sorted({r.algo for r in runs}) == ["gail[n_steps=5]", "gail[n_steps=7]"]
    aggregate = aggregate_table(runs)
    assert len(aggregate) == 2 and list(aggregate["n_runs"]) == [2, 2]
    assert list(aggregate["config_diff"]) == ["n_steps=5", "n_steps=7"]
    assert all(len(h.split(",")) == 1 for h in aggregate["config_hash"])
    table = runs_table(runs, 0)
    assert list(table["config_diff"]).count("n_steps=7") == 2
    assert {h for h in table["config_hash"]} == {r.config_hash[:12] for r in runs}
    assert runs[0].config_hash == config_hash(json.loads((runs[0].path / "config.json").read_text()))


def test_the_split_alone_does_not_make_a_variant(tmp_path: Path) -> None:
    fake.make_run(tmp_path / "sacred" / "a", "gail", cfg=_cfg(tmp_path, 1), seed=0)
    fake.make_run(tmp_path / "sacred" / "b", "gail", cfg=_cfg(tmp_path, 2), seed=0)
    runs, _ = discover_runs([tmp_path / "sacred"])
    assert [r.algo for r in runs] == ["gail", "gail"] and not any(r.config_diff for r in runs)


def test_code_version_reaches_the_tables_and_mixed_versions_warn(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _set_version(_run(tmp_path, "s0", 0), "a" * 40)
    _set_version(_run(tmp_path, "s1", 1), "b" * 40, dirty=True)
    with caplog.at_level(logging.WARNING):
        runs, _ = discover_runs([tmp_path / "sacred"])
    assert "2 code versions" in caplog.text and "aaaaaaaaaaaa" in caplog.text and "bbbbbbbbbbbb+dirty" in caplog.text
    assert list(runs_table(runs, 2)["code_version"]) == ["aaaaaaaaaaaa", "bbbbbbbbbbbb+dirty"]
    assert aggregate_table(runs).iloc[0]["code_versions"] == "aaaaaaaaaaaa,bbbbbbbbbbbb+dirty"
