"""Bad input to the training and evaluation commands is refused before any work starts: one ``error:`` line,
exit status 2, no Sacred run directory left behind (run in-process through ``console.main_console``).
"""

from __future__ import annotations

import importlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ilaeda.algorithms.serialize import build_policy, save_policy
from ilaeda.envs import EDAEnv

REPO = Path(__file__).resolve().parents[2]
FAST = {algo: str(REPO / "benchmarking" / f"fast_{algo}_cyber_loo1.json") for algo in ("gail", "bc", "dagger")}
QUIET = ["logging.log_format_strs=['csv']", "policy_evaluation.render=False"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    env = EDAEnv("cyber", datasets=(1,), horizon=12)
    kwargs = {"net_arch": {"pi": [8], "vf": [8]}, "activation_fn": "tanh"}
    policy = build_policy(env.observation_space, env.action_space, kwargs)
    cyber = save_policy(
        policy,
        root / "cyber.pt",
        policy_kwargs=kwargs,
        metadata={
            "algo": "bc",
            "schema": "cyber",
            "split": "cyber_loo1",
            "horizon": 12,
            "train_datasets": [2, 3, 4],
            "eval_datasets": [1],
        },
    )
    (root / "text.pt").write_text("not a policy\n")
    (root / "list.json").write_text("[1, 2]")
    (root / "broken.json").write_text('{"total_timesteps": ')
    (root / "a_file").write_text("")
    return {
        "cyber": cyber,
        "text": root / "text.pt",
        "list": root / "list.json",
        "broken": root / "broken.json",
        "a_file": root / "a_file",
        "folder": root,
    }


#: name -> (script, arguments, text the error line must hold)
CASES = {
    "seed_negative": ("train_adversarial", ["gail", "with", FAST["gail"], "seed=-1"], "seed must be an integer"),
    "seed_text": ("train_imitation", ["bc", "with", FAST["bc"], "seed=abc"], "got 'abc'"),
    "timesteps_text": (
        "train_adversarial",
        ["gail", "with", FAST["gail"], "total_timesteps=abc"],
        "total_timesteps must be a positive integer",
    ),
    "timesteps_negative": (
        "train_adversarial",
        ["gail", "with", FAST["gail"], "total_timesteps=-5"],
        "total_timesteps must be a positive integer, got -5",
    ),
    "timesteps_fraction": ("train_adversarial", ["airl", "with", FAST["gail"], "total_timesteps=1.5"], "got 1.5"),
    "timesteps_below_a_round": (
        "train_adversarial",
        ["gail", "with", FAST["gail"], "total_timesteps=10"],
        "less than one round",
    ),
    "batch_not_multiple": (
        "train_adversarial",
        ["gail", "with", FAST["gail"], "rl.batch_size=95"],
        "multiple of environment.num_vec",
    ),
    "n_sessions_zero_adversarial": (
        "train_adversarial",
        ["gail", "with", FAST["gail"], "policy_evaluation.n_sessions=0"],
        "n_sessions",
    ),
    "n_sessions_zero_imitation": (
        "train_imitation",
        ["bc", "with", FAST["bc"], "policy_evaluation.n_sessions=0"],
        "n_sessions",
    ),
    "dagger_timesteps": (
        "train_imitation",
        ["dagger", "with", FAST["dagger"], "dagger.total_timesteps=0"],
        "dagger.total_timesteps",
    ),
    "dagger_rounds_whole_float": (
        "train_imitation",
        ["dagger", "with", FAST["dagger"], "dagger.beta_rampdown_rounds=2.0"],
        "dagger.beta_rampdown_rounds must be a positive integer, got 2.0; write 2 (an integer, no decimal point)",
    ),
    "dagger_min_episodes_zero": (
        "train_imitation",
        ["dagger", "with", FAST["dagger"], "dagger.rollout_round_min_episodes=0"],
        "dagger.rollout_round_min_episodes must be a positive integer, got 0",
    ),
    "bc_epochs_fraction": (
        "train_imitation",
        ["bc", "with", FAST["bc"], "bc.n_epochs=2.5"],
        "bc.n_epochs must be a positive integer, got 2.5 (or set bc.n_batches)",
    ),
    "bc_batches_fraction": (
        "train_imitation",
        ["bc", "with", FAST["bc"], "bc.n_batches=2.5"],
        "bc.n_batches must be a positive integer or null, got 2.5",
    ),
    "bc_warm_start_log_interval": (
        "train_adversarial",
        ["gail", "with", FAST["gail"], "bc.log_interval=0"],
        "bc.log_interval must be a positive integer, got 0",
    ),
    "config_is_a_list": ("train_adversarial", ["gail", "with", "{list}"], "must hold one JSON object"),
    "config_not_json": ("train_imitation", ["bc", "with", "{broken}"], "{broken}' is not valid JSON"),
    "log_root_under_a_file": (
        "train_imitation",
        ["bc", "with", FAST["bc"], "logging.log_root={a_file}/out"],
        "is a file, not a folder",
    ),
    "eval_horizon_zero": ("eval_policy", ["with", "policy_path={cyber}", "horizon=0"], "horizon must be"),
    "eval_horizon_text": ("eval_policy", ["with", "policy_path={cyber}", "horizon=abc"], "got 'abc'"),
    "eval_other_schema": (
        "eval_policy",
        ["with", "policy_path={cyber}", "schema=flights", "dataset=1"],
        "trained on schema 'cyber', not 'flights'",
    ),
    "eval_other_schema_by_split": (
        "eval_policy",
        ["with", "policy_path={cyber}", "split=flights_loo2"],
        "trained on schema 'cyber'",
    ),
    "eval_text_file": ("eval_policy", ["with", "policy_path={text}"], "is not a PyTorch checkpoint"),
    "eval_seed": ("eval_policy", ["with", "policy_path={cyber}", "seed=-3"], "seed must be"),
    "eval_policy_folder": (
        "eval_policy",
        ["with", "policy_path={folder}"],
        "policy file {folder} is a folder, not a file; pass the .pt file inside it (cyber.pt, text.pt lie there)",
    ),
    "eval_mask_text": (
        "eval_policy",
        ["with", "policy_path={cyber}", "env_options.mask_back_at_root=yes"],
        "env_options.mask_back_at_root must be true or false",
    ),
    "eval_env_option": (
        "eval_policy",
        ["with", "policy_path={cyber}", "env_options.horizon=3"],
        "env_options.horizon: set the episode length with horizon=<n>",
    ),
}


def _run(
    script: str,
    args: list[str],
    storage: Path,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[object, str]:
    from ilaeda.scripts import console

    monkeypatch.setattr(console, "install_sigterm_handler", lambda: None)
    experiment = getattr(importlib.import_module(f"ilaeda.scripts.{script}"), f"{script}_ex")
    argv = ["prog", *(a.format(**{k: str(v) for k, v in files.items()}) for a in args)]
    argv.insert(2 if script != "eval_policy" else 1, f"--file_storage={storage}")
    with pytest.raises(SystemExit) as exit_info:
        console.main_console(experiment, argv)
    return exit_info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_before_the_run_with_one_line(
    name: str,
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    script, args, must = CASES[name]
    storage = tmp_path / "sacred"
    code, err = _run(script, args, storage, files, monkeypatch, capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    assert must.format(**{k: str(v) for k, v in files.items()}) in lines[0], lines[0]
    assert not storage.exists() or not [p for p in storage.iterdir() if p.name != "_sources"]  # nothing recorded
    assert not (tmp_path / "output").exists()


def test_file_storage_under_a_regular_file(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = _run(
        "train_imitation", ["bc", "with", FAST["bc"]], files["a_file"] / "sacred", files, monkeypatch, capsys
    )
    assert code == 2 and err.count("\n") == 1 and "--file_storage" in err and "is a file, not a folder" in err


def test_eval_on_a_training_dataset_warns_and_is_labelled(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ilaeda.scripts.eval_policy import eval_policy_ex

    common = {
        "policy_path": str(files["cyber"]),
        "seed": 0,
        "logging": {"log_root": str(tmp_path)},
        "policy_evaluation": {"n_sessions": 1, "render": False, "progress": False},
    }
    result = eval_policy_ex.run(config_updates={**common, "dataset": 2}).result
    assert "warning: dataset(s) 2 were among the policy's training datasets" in capsys.readouterr().err
    assert result["dataset_role"] == "training" and result["split"] is None and result["policy_split"] == "cyber_loo1"
    held_out = eval_policy_ex.run(config_updates=common).result
    assert "warning" not in capsys.readouterr().err
    assert held_out["dataset_role"] == "held-out" and held_out["split"] == "cyber_loo1"
    assert held_out["eval_dataset"] == 1


def _wait_until_torch_is_loading(proc: subprocess.Popen[str]) -> None:
    """Return once ``proc`` has mapped torch's library: ilaeda (imported first) has installed its Ctrl-C handling,
    and importing the rest of torch, imitation and Sacred still takes seconds of CPU time.
    """
    while proc.poll() is None:
        try:
            if "libtorch" in Path(f"/proc/{proc.pid}/maps").read_text():
                return
        except OSError:  # the process is just ending
            pass
        time.sleep(0.01)
    pytest.fail(f"the command ended before it imported torch: {proc.communicate()[1][-2000:]}")


def test_ctrl_c_during_start_up_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ilaeda.scripts.train_adversarial", "gail", "with", FAST["gail"]],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_until_torch_is_loading(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=600)
    assert "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: interrupted"), err
    assert proc.returncode != 0
    assert (
        not (tmp_path / "output").exists()
        or json.dumps(sorted(map(str, (tmp_path / "output").rglob("run.json")))) == "[]"
    )


@pytest.mark.parametrize(("script", "algo"), [("train_imitation", "bc"), ("train_adversarial", "gail")])
@pytest.mark.parametrize("damage", ["corrupt", "missing"])
def test_a_bad_held_out_dataset_is_refused_before_training(
    script: str,
    algo: str,
    damage: str,
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os
    import shutil

    from ilaeda.data import integrity

    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    shutil.copytree(Path(os.environ["ILAEDA_DATA_DIR"]) / "atena", data / "atena")
    held_out = data / "atena" / "datasets" / "cyber" / "1.tsv"  # cyber_loo1 evaluates on dataset 1
    if damage == "corrupt":
        held_out.chmod(0o644)
        held_out.write_bytes(held_out.read_bytes()[:1000])
    else:
        held_out.unlink()
    monkeypatch.setenv("ILAEDA_DATA_DIR", str(data))
    monkeypatch.setenv("ILAEDA_CACHE_DIR", str(tmp_path / "cache"))  # no cached copy to fall back on
    monkeypatch.setenv("ILAEDA_DATA_BASE_URL", "http://127.0.0.1:9/")  # a download fails at once
    monkeypatch.setattr(integrity, "_VERIFIED", set())
    storage = tmp_path / "sacred"
    started = time.monotonic()
    code, err = _run(script, [algo, "with", FAST[algo], *QUIET], storage, files, monkeypatch, capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    assert "1.tsv" in lines[0] and ("corrupt" if damage == "corrupt" else "not available locally") in lines[0], lines[0]
    assert not storage.exists() or not [p for p in storage.iterdir() if p.name != "_sources"]  # no FAILED run
    assert time.monotonic() - started < 60


#: A command line tool's start-up, interrupted inside the weak-reference callback that drops a module's import
#: lock (``_get_module_lock.<locals>.cb``): where a Ctrl-C landed by chance while torch & co. were imported.
INTERRUPTED_IMPORT = """
import signal, sys
sys.argv[:] = ["-m"]  # as under `python -m ilaeda.scripts...`
import ilaeda

def interrupt_in_lock_callback(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "cb" and frame.f_code.co_filename.startswith("<frozen importlib"):
        sys.settrace(None)
        signal.raise_signal(signal.SIGINT)

sys.settrace(interrupt_in_lock_callback)
import colorsys
sys.settrace(None)
print("went on starting", flush=True)
"""


def test_ctrl_c_inside_the_import_machinery_is_one_line() -> None:
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_IMPORT], capture_output=True, text=True, timeout=600)
    assert done.stderr == "error: interrupted while importing modules (stopped there)\n", done.stderr
    assert done.returncode == 130 and done.stdout == ""
