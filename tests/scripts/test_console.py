"""The console entry points, run as subprocesses: one-line errors with exit status 2 for bad input,
one FileStorageObserver per run, SIGTERM → INTERRUPTED. The subprocesses run concurrently.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch as th
from gymnasium import spaces

from ilaeda.algorithms.serialize import build_policy, save_policy
from ilaeda.envs import EDAEnv

REPO = Path(__file__).resolve().parents[2]
FAST = {algo: str(REPO / "benchmarking" / f"fast_{algo}_cyber_loo1.json") for algo in ("gail", "bc", "dagger")}
QUIET = ["logging.log_format_strs=['csv']", "policy_evaluation.render=False"]


def _cmd(script: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"ilaeda.scripts.{script}", *args]


def _start(cmd: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def policy_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("policies")
    env = EDAEnv("cyber", datasets=(1,), horizon=12)
    kwargs = {"net_arch": {"pi": [8], "vf": [8]}, "activation_fn": "tanh"}
    other = build_policy(spaces.Box(0, 1, (10,), np.float32), env.action_space, kwargs)
    mismatched = save_policy(
        other,
        root / "mismatched.pt",
        policy_kwargs=kwargs,
        metadata={"schema": "cyber", "split": "cyber_loo1", "horizon": 12},
    )
    foreign = root / "foreign.pt"
    th.save(th.nn.Linear(3, 3), foreign)
    return {"mismatched": mismatched, "foreign": foreign}


#: name -> (script, arguments, text the error line must hold, hint it must hold or None)
ERROR_CASES = {
    "unknown_command": ("train_adversarial", ["bc", "with", FAST["gail"]], "unknown command 'bc'", "train_imitation"),
    "bcgail_is_not_a_command": (
        "train_adversarial",
        ["bcgail", "with", FAST["gail"]],
        "unknown command 'bcgail'",
        "bc_warm_start.enabled",
    ),
    "adversarial_command_in_imitation": (
        "train_imitation",
        ["gail", "with", FAST["bc"]],
        "unknown command 'gail'",
        "train_adversarial",
    ),
    "unknown_key": (
        "train_adversarial",
        ["gail", "with", FAST["gail"], "environment.spilt=cyber_loo2"],
        "unknown config key 'environment.spilt'",
        "split",
    ),
    "unknown_whole_dict_key": (
        "train_imitation",
        ["dagger", "with", FAST["dagger"], "dagger.rounds=3"],
        "unknown config key dagger.rounds",
        "total_timesteps",
    ),
    "missing_dataset": ("train_adversarial", ["gail", "with", FAST["gail"], "environment.split=cyber_loo9"], "9", None),
    "invalid_split": (
        "train_imitation",
        ["bc", "with", FAST["bc"], "environment.split=cyber-1"],
        "invalid split 'cyber-1'",
        None,
    ),
    "missing_config_file": (
        "train_adversarial",
        ["gail", "with", "benchmarking/nope.json"],
        "config file 'benchmarking/nope.json' not found",
        None,
    ),
    "unknown_expert": (
        "train_imitation",
        ["dagger", "with", FAST["dagger"], "expert.policy_type=oracle", *QUIET],
        "unknown expert.policy_type 'oracle'",
        "eda-sessions",
    ),
    "eval_without_policy": ("eval_policy", ["with", "dataset=1"], "set policy_path", None),
    "policy_mismatch": (
        "eval_policy",
        ["with", "policy_path={mismatched}", "dataset=1"],
        "does not match the environment",
        None,
    ),
    "foreign_policy_file": ("eval_policy", ["with", "policy_path={foreign}"], "not an ilaeda checkpoint", None),
}
#: The cases also run as real subprocesses (the rest run main_console in-process: same code, no startup).
SUBPROCESS_CASES = ("unknown_command", "unknown_key", "missing_dataset", "policy_mismatch")


def _case(name: str, files: dict[str, Path]) -> tuple[str, list[str], str, str | None]:
    script, args, must, hint = ERROR_CASES[name]
    return script, [a.format(**{k: str(v) for k, v in files.items()}) for a in args], must, hint


def _check(name: str, rc: int | None, out: str, err: str, must: str, hint: str | None) -> str | None:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    ok = rc == 2 and len(lines) == 1 and must in lines[0] and (hint is None or hint in lines[0])
    return None if ok and "Traceback" not in err + out else f"{name}: rc={rc} stderr={err[-800:]!r}"


def test_bad_input_subprocesses(policy_files: dict[str, Path], tmp_path: Path) -> None:
    procs = {}
    for name in SUBPROCESS_CASES:
        script, args, _, _ = _case(name, policy_files)
        procs[name] = _start(_cmd(script, *args), tmp_path)
    failures = []
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        _, _, must, hint = _case(name, policy_files)
        failures.append(_check(name, proc.returncode, out, err, must, hint))
    assert not [f for f in failures if f], "\n".join(f for f in failures if f)


@pytest.mark.parametrize("name", sorted(set(ERROR_CASES) - set(SUBPROCESS_CASES)))
def test_bad_input_in_process(
    name: str,
    policy_files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib

    from ilaeda.scripts import console

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(console, "install_sigterm_handler", lambda: None)
    script, args, must, hint = _case(name, policy_files)
    experiment = getattr(importlib.import_module(f"ilaeda.scripts.{script}"), f"{script}_ex")
    observers = list(experiment.observers)
    with pytest.raises(SystemExit) as exit_info:
        console.main_console(experiment, ["prog", *args])
    captured = capsys.readouterr()
    assert _check(name, exit_info.value.code, captured.out, captured.err, must, hint) is None
    assert experiment.observers == observers  # the default observer is removed again


def test_default_observer_and_interrupt(tmp_path: Path) -> None:
    ok_dir, term_dir = tmp_path / "ok", tmp_path / "term"
    ok_dir.mkdir()
    term_dir.mkdir()
    ok = _start(_cmd("train_imitation", "bc", "with", FAST["bc"], *QUIET), ok_dir)
    long = _start(_cmd("train_adversarial", "gail", "with", FAST["gail"], "total_timesteps=1000000", *QUIET), term_dir)
    run_json = term_dir / "output" / "sacred" / "train_adversarial" / "1" / "run.json"
    while not (run_json.is_file() and (term_dir / "output" / "gail").is_dir()):  # the run has started
        assert long.poll() is None, long.communicate()[1][-2000:]
        time.sleep(0.2)
    time.sleep(3)  # let training start
    long.send_signal(signal.SIGTERM)
    _, err = long.communicate(timeout=600)
    assert long.returncode == 130, err[-2000:]
    assert json.loads(run_json.read_text())["status"] == "INTERRUPTED"
    assert "error: interrupted" in err

    out, err = ok.communicate(timeout=600)
    assert ok.returncode == 0, err[-2000:]
    sacred_dir = ok_dir / "output" / "sacred" / "train_imitation"
    assert sorted(p.name for p in sacred_dir.iterdir()) == ["1", "_sources"]  # exactly one observer
    record = json.loads((sacred_dir / "1" / "run.json").read_text())
    assert record["status"] == "COMPLETED" and record["result"]["algo"] == "bc"
    assert "precision" in out  # the summary table
