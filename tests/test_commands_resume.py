"""experiments/commands.py: input checks and the ``--skip_completed`` identity (config content + seed), and a
fault-injection test: a grid of real fast runs under GNU parallel killed with SIGKILL at seeded random
moments, resumed with ``--skip_completed``, then analyzed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from script_modules import load

REPO = Path(__file__).resolve().parents[1]
COMMANDS = REPO / "experiments" / "commands.py"
FAKE_DIR = REPO / "tests" / "analysis"


commands = load("ilaeda_experiments_commands", COMMANDS)
fake = load("fake_training", FAKE_DIR / "fake_training.py")
slurm = load("ilaeda_tests_slurm", REPO / "tests" / "slurm.py")


def run_commands(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(COMMANDS), *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_commands_py_uses_only_the_standard_library() -> None:
    done = subprocess.run([sys.executable, "-I", "-S", str(COMMANDS), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr  # no site-packages, no ilaeda


@pytest.mark.parametrize(
    "content",
    [
        {},
        {"split": "cyber_loo1"},
        {"b": [1, 2.5, None], "a": {"z": True, "y": "é"}},
        *[json.loads(p.read_text()) for p in sorted((REPO / "benchmarking").glob("*.json"))],
    ],
)
def test_the_config_file_hash_copy_agrees_with_ilaeda(content: dict) -> None:
    from ilaeda.provenance import config_file_hash

    assert commands.config_file_hash(content) == config_file_hash(content)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--remote", "--time=abc"], "--time='abc' is not a Slurm time limit"),
        (["--remote", "--time=1:2:3:4"], "--time="),
        (["--remote", "--mem=lots"], "--mem='lots'"),
        (["--output_dir=a_file"], "a_file is a file, not a folder"),
        (["--output_dir=a_file/below"], "a_file is a file, not a folder"),
        (["--cfg_pattern=bad/*.json"], "must hold one JSON object"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "gail_cyber_loo1.json").write_text('{"split": "cyber_loo1"}')
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "gail_cyber_loo1.json").write_text("[]")
    (tmp_path / "a_file").write_text("")
    res = run_commands("--name=r", "--output_dir=o", "--cfg_pattern=gail_*.json", *args, cwd=tmp_path)
    assert res.returncode == 2 and res.stdout == "", res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and message in res.stderr, res.stderr


def test_good_slurm_times_pass(tmp_path: Path) -> None:
    (tmp_path / "gail_cyber_loo1.json").write_text('{"split": "cyber_loo1"}')
    for value in ("90", "30:00", "12:00:00", "1-00:00:00", "2-12", "infinite"):
        res = run_commands(
            "--name=r", "--output_dir=o", "--cfg_pattern=gail_*.json", "--remote", f"--time={value}", cwd=tmp_path
        )
        assert res.returncode == 0 and f"--time={value}" in res.stdout, res.stderr


def _lines(tmp_path: Path) -> list[str]:
    res = run_commands(
        "--name=run0", "--cfg_pattern=cfg/*.json", "--seeds=0", "--output_dir=out", "--skip_completed", cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()


def test_an_edited_config_is_not_completed(tmp_path: Path) -> None:
    """Older records (no recorded hash, the stand-in experiment): the file's values must match the config."""
    cfg = tmp_path / "cfg" / "gail_cyber_loo1.json"
    cfg.parent.mkdir()
    cfg.write_text(json.dumps({"split": "cyber_loo1", "n_steps": 5}))
    fake.make_run(tmp_path / "out" / "sacred" / "run0-gail_cyber_loo1-s0", "gail", cfg=cfg, seed=0)
    assert _lines(tmp_path) == []
    cfg.write_text(json.dumps({"n_steps": 5, "split": "cyber_loo1"}, indent=4))  # same content, other layout
    assert _lines(tmp_path) == []
    cfg.write_text(json.dumps({"split": "cyber_loo1", "n_steps": 7}))  # edited: must run again
    assert len(_lines(tmp_path)) == 1


def test_recorded_config_file_hashes_decide(tmp_path: Path) -> None:
    """Records of the training scripts carry the config file's hash: it decides, whatever the values."""
    from ilaeda.provenance import config_file_hash

    cfg = tmp_path / "cfg" / "gail_cyber_loo1.json"
    cfg.parent.mkdir()
    content = {"environment": {"split": "cyber_loo1"}, "total_timesteps": 192}
    cfg.write_text(json.dumps(content))
    run_dir = tmp_path / "out" / "sacred" / "run0-gail_cyber_loo1-s0" / "1"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({**content, "seed": 0}))
    record = {
        "status": "COMPLETED",
        "command": "gail",
        "experiment": {"name": "run0"},
        "info": {"config_files": {str(cfg): config_file_hash(content)}},
        "result": {"split": "cyber_loo1"},
    }
    (run_dir / "run.json").write_text(json.dumps(record))
    assert _lines(tmp_path) == []
    record["info"]["config_files"] = {str(cfg): config_file_hash({**content, "total_timesteps": 384})}
    (run_dir / "run.json").write_text(json.dumps(record))
    assert len(_lines(tmp_path)) == 1  # the run used another version of the file


# ---------------------------------------------------------------- fault injection (real fast runs)

GRID = ("fast_bc_cyber_loo1.json", "fast_gail_cyber_loo1.json")
SEEDS = (0, 1)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (GNU parallel starts each job in a process group of its own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and every process below it, with no chance to clean up (parallel stopped first)."""
    os.kill(pid, signal.SIGSTOP)  # no new job starts while the tree is collected
    for victim in [*_descendants(pid), pid]:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _is_training(pid: int) -> bool:
    try:
        return b"ilaeda.scripts.train_" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _statuses(out: Path) -> list[str]:
    found = []
    for run_json in sorted((out / "sacred").glob("*/*/run.json")):
        try:
            run = json.loads(run_json.read_text())
            found.append(run["status"] if run.get("result") is not None or run["status"] != "RUNNING" else "KILLED")
        except (ValueError, KeyError):
            found.append("CORRUPT")
    return found


@pytest.mark.integration
@pytest.mark.slow
def test_grid_killed_at_random_moments_resumes_and_counts_each_run_once(tmp_path: Path) -> None:
    slurm.require_tools("parallel")
    cfg_dir = tmp_path / "benchmarking"
    cfg_dir.mkdir()
    for name in GRID:
        (cfg_dir / name).write_text((REPO / "benchmarking" / name).read_text())
    out = tmp_path / "out"
    base = [
        "--name=fi",
        "--cfg_pattern=benchmarking/fast_*.json",
        "--seeds",
        ",".join(map(str, SEEDS)),
        f"--output_dir={out}",
        f"--python={sys.executable}",
        "--skip_completed",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    quiet = " logging.log_format_strs=\"['csv']\" policy_evaluation.render=False policy_evaluation.progress=False"
    rng = random.Random(12)
    trials = []
    start = time.time()
    for trial in range(3):  # two killed attempts, then a last one left to finish
        todo = run_commands(*base, cwd=tmp_path)
        assert todo.returncode == 0, todo.stderr
        lines = [line + quiet for line in todo.stdout.splitlines()]
        if not lines:
            break
        before = len(_statuses(out))
        began = time.time()
        proc = subprocess.Popen(
            ["parallel", "--halt", "never", "-j", "2"],
            stdin=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        proc.stdin.write("\n".join(lines) + "\n")
        proc.stdin.close()
        entry: dict[str, object] = {"trial": trial, "lines": len(lines)}
        if trial < 2:  # a seeded random moment after the first run of this attempt has a Sacred record
            # (early in the first attempt; a little later in the second)
            while len(_statuses(out)) == before and proc.poll() is None:
                time.sleep(0.2)
            try:
                # soon enough after the first record that runs are still going on a fast, idle machine
                proc.wait(timeout=rng.uniform(0.3, 1.5) if trial == 0 else rng.uniform(0.5, 3.0))
            except subprocess.TimeoutExpired:
                entry["killed_at_s"] = round(time.time() - began, 1)
                entry["runs_killed"] = sum(1 for p in _descendants(proc.pid) if _is_training(p))
                _kill_tree(proc.pid)
                proc.wait(timeout=30)
        else:
            proc.wait(timeout=300)
        statuses = _statuses(out)
        entry.update(
            completed=statuses.count("COMPLETED"), records_left_unfinished=len(statuses) - statuses.count("COMPLETED")
        )
        trials.append(entry)
    wall = time.time() - start
    assert run_commands(*base, cwd=tmp_path).stdout == ""  # nothing left to do

    analysis = subprocess.run(
        [
            sys.executable,
            "-m",
            "ilaeda.scripts.analyze",
            "analyze_imitation",
            f"--file_storage={out / 'analysis'}",
            "with",
            f"source_dir_str={out / 'sacred'}",
            "run_name=fi",
            f"csv_output_path={out / 'results.csv'}",
            "bootstrap_reps=20",
            "reference_csv=None",
            "print_table=False",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert analysis.returncode == 0, analysis.stderr[-3000:]
    import pandas as pd

    table = pd.read_csv(out / "results.csv")
    got = sorted(zip(table["algo"], table["seed"]))
    assert got == sorted((algo, seed) for algo in ("bc", "gail") for seed in SEEDS)  # each (config, seed) once
    aggregate = pd.read_csv(out / "results_aggregate.csv")
    assert list(aggregate["n_runs"]) == [len(SEEDS)] * len(GRID)
    assert all(s == ",".join(map(str, SEEDS)) for s in aggregate["seeds"])
    statuses = _statuses(out)
    killed = len(statuses) - statuses.count("COMPLETED")
    assert statuses.count("COMPLETED") == len(GRID) * len(SEEDS)  # no run completed twice, none lost
    assert killed >= 1 and sum(int(t.get("runs_killed", 0)) for t in trials) >= 1  # the kills hit running runs
    print(
        f"\nfault injection: {json.dumps(trials)}; {killed} unfinished records left by kills, "
        f"{sum(int(t['lines']) for t in trials[1:])} lines resumed, {len(table)} runs counted, {wall:.0f} s"
    )
