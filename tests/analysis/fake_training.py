"""A tiny Sacred experiment standing in for the training scripts in tests.

Commands ``gail airl bc dagger`` return a result shaped like the training contract (deterministic in
algo, split and seed), log a learning curve to Sacred metrics and to ``<log_dir>/progress.csv``. Config
knobs make it fail (``fail=True``), get interrupted (``interrupt=True``) or run slowly (``sleep_s``) so
tests can produce FAILED, INTERRUPTED and RUNNING run directories with real Sacred.

Command line, like the real scripts (``python fake_training.py gail --capture=sys --name=run0``, then
the file storage option, ``with cfg.json seed=0 logging.log_root=OUT``). Sacred puts this docstring in
its usage text, which docopt parses: no line here may start with a dash.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import sacred

ex = sacred.Experiment("train_fake")
ex.add_config(
    split="cyber_loo1",
    n_sessions=20,
    n_steps=5,
    sleep_s=0.0,
    fail=False,
    interrupt=False,
    logging={"log_root": None, "log_dir": None},
)

ALGO_BASE = {"gail": 0.30, "airl": 0.20, "bc": 0.25, "dagger": 0.28}
METRICS = ("length", "precision", "t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim", "back_at_root")


@ex.config_hook
def _log_dir(config: dict, command_name: str, logger: Any) -> dict:
    """Like the real logging ingredient: ``log_dir = <log_root>/<command>/<split>/<unique>``."""
    log = dict(config["logging"])
    if log.get("log_dir") is None and log.get("log_root"):
        stamp = time.strftime("%Y%m%d_%H%M%S") + "_" + uuid.uuid4().hex[:6]
        log["log_dir"] = os.path.join(log["log_root"], command_name, config["split"], stamp)
    return {"logging": log}


def benchmark(algo: str, split: str, seed: int, n: int, shift: float = 0.0) -> dict[str, dict[str, float]]:
    """Deterministic contract-shaped benchmark stats."""
    base = ALGO_BASE.get(algo, 0.1) + 0.01 * seed + 0.02 * int(split[-1]) + shift
    out = {}
    for i, m in enumerate(METRICS):
        mean = 6.0 + seed if m == "length" else (0.5 if m == "back_at_root" else base - 0.03 * i)
        out[m] = {"mean": round(mean, 6), "std": round(0.05 + 0.01 * i + 0.001 * seed, 6), "n": n}
    return out


def _train(
    _run: Any,
    algo: str,
    split: str,
    n_sessions: int,
    n_steps: int,
    sleep_s: float,
    fail: bool,
    interrupt: bool,
    logging: dict,
    seed: int,
) -> dict[str, Any]:
    start = time.time()
    log_dir = logging.get("log_dir")
    rows = []
    for step in range(n_steps):
        value = ALGO_BASE[algo] * (step + 1) / n_steps + 0.001 * seed
        _run.log_scalar("train/score", value, step * 100)
        rows.append({"time/total_timesteps": step * 100, "train/loss": 1.0 / (step + 1 + seed)})
    if log_dir:
        os.makedirs(log_dir, exist_ok=True)
        with open(os.path.join(log_dir, "progress.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    if sleep_s:
        time.sleep(sleep_s)
    if fail:
        raise RuntimeError("training failed on purpose")
    if interrupt:
        raise KeyboardInterrupt
    wall = time.time() - start
    return {
        "algo": algo,
        "split": split,
        "eval_dataset": int(split[-1]),
        "seed": seed,
        "benchmark": benchmark(algo, split, seed, n_sessions),
        "benchmark_deterministic": benchmark(algo, split, seed, 1, shift=0.05),
        "interestingness": {"diversity": {"mean": 0.4, "std": 0.1, "n": n_sessions}},
        "learned_reward": {"mean": -0.1 * seed, "std": 0.2},
        "timing": {"wall_s": wall, "env_steps": 100 * n_steps, "env_steps_per_s": 100 * n_steps / max(wall, 1e-9)},
        "log_dir": log_dir,
    }


@ex.command
def gail(
    _run: Any,
    split: str,
    n_sessions: int,
    n_steps: int,
    sleep_s: float,
    fail: bool,
    interrupt: bool,
    logging: dict,
    seed: int,
) -> dict[str, Any]:
    """Stand-in for ``train_adversarial gail``."""
    return _train(_run, "gail", split, n_sessions, n_steps, sleep_s, fail, interrupt, logging, seed)


@ex.command
def airl(
    _run: Any,
    split: str,
    n_sessions: int,
    n_steps: int,
    sleep_s: float,
    fail: bool,
    interrupt: bool,
    logging: dict,
    seed: int,
) -> dict[str, Any]:
    """Stand-in for ``train_adversarial airl``."""
    return _train(_run, "airl", split, n_sessions, n_steps, sleep_s, fail, interrupt, logging, seed)


@ex.command
def bc(
    _run: Any,
    split: str,
    n_sessions: int,
    n_steps: int,
    sleep_s: float,
    fail: bool,
    interrupt: bool,
    logging: dict,
    seed: int,
) -> dict[str, Any]:
    """Stand-in for ``train_imitation bc``."""
    return _train(_run, "bc", split, n_sessions, n_steps, sleep_s, fail, interrupt, logging, seed)


@ex.command
def dagger(
    _run: Any,
    split: str,
    n_sessions: int,
    n_steps: int,
    sleep_s: float,
    fail: bool,
    interrupt: bool,
    logging: dict,
    seed: int,
) -> dict[str, Any]:
    """Stand-in for ``train_imitation dagger``."""
    return _train(_run, "dagger", split, n_sessions, n_steps, sleep_s, fail, interrupt, logging, seed)


def result(algo: str, split: str, seed: int, n_sessions: int = 20, shift: float = 0.0) -> dict[str, Any]:
    """A contract-shaped result without running anything (for unit tests of the analysis)."""
    return {
        "algo": algo,
        "split": split,
        "eval_dataset": int(split[-1]),
        "seed": seed,
        "benchmark": benchmark(algo, split, seed, n_sessions, shift),
        "benchmark_deterministic": benchmark(algo, split, seed, 1, shift + 0.05),
        "interestingness": {"diversity": {"mean": 0.4, "std": 0.1, "n": n_sessions}},
        "learned_reward": {"mean": -0.1 * seed, "std": 0.2},
        "timing": {"wall_s": 10.0 + seed, "env_steps": 500, "env_steps_per_s": 50.0},
    }


def record(algo: str, split: str, seed: int, **kwargs: Any) -> Any:
    """An ``ilaeda.analysis.runs.RunRecord`` holding :func:`result` (no run directory behind it)."""
    from ilaeda.analysis.runs import RunRecord

    res = result(algo, split, seed, **kwargs)
    return RunRecord(
        path=Path(f"/nonexistent/{algo}-{split}-s{seed}"),
        run={"experiment": {"name": "run0"}, "command": algo, "status": "COMPLETED"},
        config={"seed": seed},
        result=res,
        algo=algo,
        split=split,
        seed=seed,
        eval_dataset=res["eval_dataset"],
    )


def make_run(
    storage: Path, command: str, *, name: str = "run0", cfg: Path | None = None, seed: int = 0, **updates: Any
) -> Path:
    """Run the experiment in-process with a FileStorageObserver at ``storage``; return the run dir.

    Failures (``fail=True``) and interruptions (``interrupt=True``) are recorded by Sacred and swallowed.
    """
    try:
        ex.run(
            command_name=command,
            named_configs=[str(cfg)] if cfg else [],
            config_updates={"seed": seed, **updates},
            options={"--name": name, "--file_storage": str(storage), "--capture": "sys"},
        )
    except (RuntimeError, KeyboardInterrupt):
        pass
    return max((p for p in storage.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))


def start_cli_run(
    storage: Path, command: str, *, name: str = "run0", seed: int = 0, **updates: Any
) -> subprocess.Popen:
    """Start the experiment in a subprocess (sleeping 60 s); return once Sacred marked it RUNNING."""
    argv = [
        sys.executable,
        __file__,
        command,
        "--capture=sys",
        f"--name={name}",
        f"--file_storage={storage}",
        "with",
        f"seed={seed}",
        "sleep_s=60",
    ] + [f"{k}={v!r}" for k, v in updates.items()]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        runs = list(storage.glob("*/run.json"))
        try:
            if runs and json.loads(runs[0].read_text())["status"] == "RUNNING":
                return proc
        except (ValueError, KeyError):
            pass
        time.sleep(0.05)
    proc.kill()
    raise TimeoutError(f"run under {storage} did not start")


def build_run_tree(root: Path) -> dict[str, Any]:
    """Sacred runs under ``root/sacred`` covering analyze's cases; returns what was made.

    Good runs (name run0): gail cyber_loo1 seeds 0-2, gail cyber_loo2 seeds 0-1, bc both splits seeds 0-1,
    bcgail (config bcgail_*.json, command gail) cyber_loo1 seeds 0-1: 11 runs. Bad ones, one each:
    FAILED, INTERRUPTED (SIGINT), RUNNING without result (SIGKILL), corrupt run.json, corrupt config.json,
    a copied duplicate and a symlinked duplicate; plus a run named ``other`` and a ``print_config`` run.
    """
    sacred_dir = root / "sacred"
    cfg_dir = root / "cfg"
    cfg_dir.mkdir(parents=True, exist_ok=True)

    def cfg(algo: str, k: int) -> Path:
        path = cfg_dir / f"{algo}_cyber_loo{k}.json"
        path.write_text(json.dumps({"split": f"cyber_loo{k}"}))
        return path

    def storage(algo: str, k: int, seed: int, name: str = "run0") -> Path:
        return sacred_dir / f"{name}-{algo}_cyber_loo{k}-s{seed}"

    good = []
    for algo, command, k, seeds in [
        ("gail", "gail", 1, (0, 1, 2)),
        ("gail", "gail", 2, (0, 1)),
        ("bc", "bc", 1, (0, 1)),
        ("bc", "bc", 2, (0, 1)),
        ("bcgail", "gail", 1, (0, 1)),
    ]:
        for seed in seeds:
            good.append(
                make_run(
                    storage(algo, k, seed),
                    command,
                    cfg=cfg(algo, k),
                    seed=seed,
                    logging={"log_root": str(root / "logs")},
                )
            )
    bad: dict[str, Path] = {}
    bad["failed"] = make_run(storage("gail", 1, 3), "gail", cfg=cfg("gail", 1), seed=3, fail=True)
    interrupted = start_cli_run(storage("bc", 1, 3), "bc", seed=3)
    killed = start_cli_run(storage("gail", 2, 3), "gail", seed=3)
    interrupted.send_signal(signal.SIGINT)
    killed.kill()
    interrupted.wait(30)
    killed.wait(30)
    bad["interrupted"] = storage("bc", 1, 3) / "1"
    bad["killed"] = storage("gail", 2, 3) / "1"
    bad["corrupt_run"] = make_run(storage("bc", 2, 2), "bc", cfg=cfg("bc", 2), seed=2)
    text = (bad["corrupt_run"] / "run.json").read_text()
    (bad["corrupt_run"] / "run.json").write_text(text[: len(text) // 2])
    bad["corrupt_config"] = make_run(storage("airl", 1, 0), "airl", cfg=cfg("airl", 1), seed=0)
    (bad["corrupt_config"] / "config.json").write_text("{")
    bad["copy"] = good[0].parent / "7"
    shutil.copytree(good[0], bad["copy"])
    (sacred_dir / "links").mkdir()
    (sacred_dir / "links" / "again").symlink_to(good[1], target_is_directory=True)
    other = make_run(storage("gail", 1, 0, name="other"), "gail", name="other", cfg=cfg("gail", 1), seed=0)
    ex.run(
        command_name="print_config",
        options={"--file_storage": str(sacred_dir / "printed"), "--capture": "sys", "--name": "run0"},
    )
    return {"good": good, "bad": bad, "other": other, "symlink": sacred_dir / "links" / "again"}


def main() -> None:
    """Command-line entry, with no default observer (tests pass ``--file_storage``)."""
    ex.run_commandline()


if __name__ == "__main__":
    main()
