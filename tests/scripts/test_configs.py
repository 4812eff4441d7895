"""benchmarking/*.json: the grid is complete, every file passes ``print_config`` under the experiment
its name implies, and unknown or bad keys are rejected before a run starts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ilaeda.contract import ALGORITHMS, config_token
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred
from ilaeda.scripts.train_adversarial import train_adversarial_ex
from ilaeda.scripts.train_imitation import train_imitation_ex

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarking"
ALGOS = tuple(ALGORITHMS)
SCRIPTS = {"train_adversarial": train_adversarial_ex, "train_imitation": train_imitation_ex}
EXPERIMENT = {token: SCRIPTS[algorithm.script] for token, algorithm in ALGORITHMS.items()}
CONFIGS = sorted(BENCH.glob("*.json")) + sorted(BENCH.glob("settings/*.json"))


def algo_of(path: Path) -> str:
    """The algorithm token, as experiments/commands.py reads it."""
    return config_token(path.stem)


def test_grid_is_complete() -> None:
    names = {p.name for p in CONFIGS}
    for algo in ALGOS:
        for k in (1, 2, 3, 4):
            assert f"{algo}_cyber_loo{k}.json" in names
        for k in (1, 2):
            assert f"fast_{algo}_cyber_loo{k}.json" in names
    assert all(algo_of(p) in ALGOS for p in CONFIGS)
    settings = {p.name for p in BENCH.glob("settings/*.json")}
    for algo in ("gail", "bcgail"):
        for k in (1, 2, 3, 4):
            assert {f"{algo}_cyber_loo{k}_absorbing.json", f"{algo}_cyber_loo{k}_nostop.json"} <= settings


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_print_config(path: Path) -> None:
    algo = algo_of(path)
    run = EXPERIMENT[algo].run(command_name="print_config", named_configs=[str(path)])
    config = run.config
    split = re.search(r"cyber_loo\d", path.stem).group(0)
    assert config["environment"]["split"] == split and config["environment"]["horizon"] == 12
    assert "algo" not in json.loads(path.read_text())  # the algorithm comes from the command
    setting = {"absorbing": "absorbing", "nostop": "no_stop"}.get(path.stem.split("_")[-1], "terminate")
    assert config["environment"]["episode_end"] == setting
    assert config["demonstrations"]["include_references"] is True
    if algo in ("gail", "airl", "bcgail"):
        assert config["bc_warm_start"]["enabled"] is (algo == "bcgail")
        assert config["reward"]["penalty_coef"] == 1.0
    if algo == "dagger":
        assert config["expert"]["policy_type"] == "eda-sessions"
    if not path.stem.startswith("fast_"):  # the prior system's setting
        assert config["policy"]["net_arch"] == {"pi": [50, 50, 50], "vf": [50, 50, 50]}
        assert config["policy_evaluation"]["n_sessions"] == 60  # the released agents' protocol
        assert config["policy_evaluation"]["n_sessions_deterministic"] == 10
        if algo in ("gail", "airl", "bcgail"):
            assert config["total_timesteps"] == 100_000 and config["environment"]["num_vec"] == 8
            assert config["rl"]["batch_size"] == 384 and config["rl"]["rl_kwargs"]["batch_size"] == 32
            assert config["algorithm_kwargs"] == {
                "demo_batch_size": 192,
                "gen_replay_buffer_capacity": 768,
                "n_disc_updates_per_round": 2,
            }
        if algo in ("bc", "bcgail"):
            assert config["bc"]["n_epochs"] == 100 and config["bc"]["batch_size"] == 32


@pytest.mark.parametrize(
    ("updates", "error", "match"),
    [
        ({"environment": {"spilt": "cyber_loo1"}}, sacred.utils.ConfigAddedError, "spilt"),
        ({"nonsense": 1}, sacred.utils.ConfigAddedError, "nonsense"),
        ({"algorithm_kwargs": {"demo_batchsize": 3}}, ConfigError, "algorithm_kwargs.demo_batchsize"),
        ({"rl": {"rl_kwargs": {"n_steps": 3}}}, ConfigError, "rl.batch_size"),
        ({"bc_warm_start": {"enable": True}}, ConfigError, "bc_warm_start.enable"),
        ({"environment": {"split": "cyber_loo9"}}, ConfigError, "9"),
        ({"environment": {"split": "nonsense"}}, ConfigError, "invalid split"),
        ({"environment": {"num_vec": 0}}, ConfigError, "num_vec"),
        ({"policy": {"activation_fn": "swish"}}, ConfigError, "activation"),
        ({"reward": {"penalty_coef": "high"}}, ConfigError, "penalty_coef"),
    ],
)
def test_bad_config_is_rejected_before_the_run(updates: dict, error: type, match: str, tmp_path: Path) -> None:
    with pytest.raises(error, match=match):
        train_adversarial_ex.run(
            command_name="gail",
            named_configs=[str(BENCH / "fast_gail_cyber_loo1.json")],
            config_updates=updates,
            options={"--file_storage": str(tmp_path)},
        )
    assert not [p for p in tmp_path.iterdir() if p.name != "_sources"]  # no run was recorded


def test_bad_dagger_keys() -> None:
    with pytest.raises(ConfigError, match=r"dagger\.total_steps"):
        train_imitation_ex.run(command_name="print_config", config_updates={"dagger": {"total_steps": 3}})


@pytest.mark.parametrize("experiment", [train_adversarial_ex, train_imitation_ex], ids=["adversarial", "imitation"])
def test_fast_named_config(experiment) -> None:  # type: ignore[no-untyped-def]
    config = experiment.run(command_name="print_config", named_configs=["fast"]).config
    assert config["environment"]["num_vec"] == 2 and config["policy_evaluation"]["n_sessions"] == 2
    assert config["demonstrations"]["n_expert_demos"] == 20
