"""eval_policy resolves its inputs once, in its config hook: bad inputs are one ``error:`` line with exit
status 2 before the run starts (no Sacred record), and a good run reads the policy file twice at most
(metadata and checks, then the weights).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch as th

from ilaeda.algorithms import serialize
from ilaeda.algorithms.serialize import build_policy, save_policy
from ilaeda.data.splits import parse_split
from ilaeda.envs import EDAEnv, EnvOptions
from ilaeda.scripts import console
from ilaeda.scripts.common import checkpoint_metadata
from ilaeda.scripts.eval_policy import eval_policy_ex

KWARGS = {"net_arch": {"pi": [8], "vf": [8]}, "activation_fn": "tanh"}
TRAINED = EnvOptions(horizon=12, episode_end="terminate")


def _save(path: Path, metadata: dict[str, Any], nan: bool = False) -> Path:
    env = EDAEnv("cyber", (1,), options=TRAINED)
    policy = build_policy(env.observation_space, env.action_space, KWARGS)
    if nan:
        with th.no_grad():
            next(policy.parameters()).fill_(float("nan"))
    return save_policy(policy, path, policy_kwargs=KWARGS, metadata=metadata)


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("policies")
    meta = checkpoint_metadata("bc", parse_split("cyber_loo1"), TRAINED, 0)
    old_style = {"algo": "bc", "schema": "cyber", "split": "cyber_loo1"}  # no env_options recorded
    run_dir = root / "run"
    return {
        "good": _save(root / "good.pt", meta),
        "nan": _save(root / "nan.pt", meta, nan=True),
        "half_horizon": _save(root / "half.pt", {**old_style, "horizon": 12.5}),
        "text_horizon": _save(root / "text.pt", {**old_style, "horizon": "twelve"}),
        "run_dir": run_dir,
        "inside": _save(run_dir / "checkpoints" / "final" / "policy.pt", meta),
    }


def _eval(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(console, "install_sigterm_handler", lambda: None)
    argv = ["prog", f"--file_storage={tmp_path / 'sacred'}", "with", *args, "logging.log_format_strs=['csv']"]
    try:
        console.main_console(eval_policy_ex, argv)
    except SystemExit as exc:
        return exc.code
    return 0


#: name -> (policy, extra arguments, text the error line must hold)
CASES = {
    "min_length_over_horizon": ("good", ["env_options.min_length=100"], "min_length=100 is longer than the horizon"),
    "unknown_episode_end": ("good", ["env_options.episode_end=bogus"], "env_options.episode_end must be one of"),
    "observe_step_mismatch": (
        "good",
        ["env_options.observe_step=True"],
        "env_options {'observe_step': True} differ from the policy's training env",
    ),
    "nan_weights": ("nan", [], "non-finite (NaN or infinite) weights"),
    "fractional_horizon": ("half_horizon", [], "horizon recorded in policy"),
    "text_horizon": ("text_horizon", [], "horizon recorded in policy"),
    "directory": ("run_dir", [], "is a folder, not a file; pass the .pt file inside it (checkpoints/final/policy.pt"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_before_the_run(
    name: str,
    policies: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    policy, extra, must = CASES[name]
    code = _eval([f"policy_path={policies[policy]}", "dataset=1", *extra], tmp_path, monkeypatch)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    assert must in lines[0], lines[0]
    if name == "directory":
        assert str(policies["inside"].relative_to(policies["run_dir"])) in lines[0]  # names the file to pass
    assert not (tmp_path / "sacred").exists() or not [p for p in (tmp_path / "sacred").iterdir() if p.name.isdigit()]


def test_inputs_resolved_once_and_recorded(
    policies: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = serialize.read_checkpoint

    def counting(path: Any, expected_format: str) -> dict[str, Any]:
        reads.append(str(path))
        return real(path, expected_format)

    monkeypatch.setattr(serialize, "read_checkpoint", counting)
    monkeypatch.setattr("ilaeda.scripts.config.eval_policy.read_checkpoint", counting, raising=False)
    args = [f"policy_path={policies['good']}", "env_options.mask_back_at_root=True", "policy_evaluation.n_sessions=1"]
    assert _eval([*args, "policy_evaluation.n_sessions_deterministic=1"], tmp_path, monkeypatch) == 0
    assert len(reads) <= 2  # the hook's one read (metadata, checks), then the weights
    (run_dir,) = [p for p in (tmp_path / "sacred").iterdir() if p.name.isdigit()]
    config = json.loads((run_dir / "config.json").read_text())
    wanted = TRAINED.replace(mask_back_at_root=True).to_json()
    assert config["env_options"] == wanted and config["horizon"] == 12 and config["split"] == "cyber_loo1"
    assert json.loads((run_dir / "run.json").read_text())["result"]["env_options"] == wanted
