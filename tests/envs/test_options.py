"""EnvOptions: one default per option, one validation, one JSON form; every consumer built from one value
honours it (env, demonstrations, replays, the session oracle, the demonstrations ingredient, checkpoints,
eval_policy's resolution).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sacred import Experiment
from stable_baselines3.common.vec_env import DummyVecEnv

from ilaeda.algorithms.serialize import build_policy, save_policy
from ilaeda.algorithms.session_oracle import load_session_oracle
from ilaeda.data.schema import load_schema
from ilaeda.data.sessions import Back, Group, Session
from ilaeda.data.splits import parse_split
from ilaeda.demos import load_demonstrations
from ilaeda.demos.replay import replay_sessions
from ilaeda.envs import EDAEnv, EnvOptions
from ilaeda.errors import ConfigError
from ilaeda.scripts.common import checkpoint_metadata
from ilaeda.scripts.config.eval_policy import resolve_inputs
from ilaeda.scripts.ingredients import demonstrations
from ilaeda.scripts.ingredients.environment import build_env_options, environment_ingredient

#: Every option away from its default: absorbing padding, step features, both masks, horizon 6.
OPTIONS = EnvOptions(horizon=6, episode_end="absorbing", observe_step=True, mask_back_at_root=True, min_length=2)
OBS = 154 + 2  # three displays + absorbing indicator, + step and depth


def test_one_default_per_option() -> None:
    assert EnvOptions() == EnvOptions(horizon=12, episode_end="terminate", observe_step=False)
    assert EDAEnv("cyber", (1,)).options == EnvOptions()  # the env's default is EnvOptions'
    assert environment_ingredient.configurations[0]()["episode_end"] == EnvOptions().episode_end  # and Sacred's


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"episode_end": "bogus"}, "x.episode_end must be one of absorbing, terminate, no_stop"),
        ({"min_length": 13}, "x.min_length=13 is longer than the horizon (12)"),
        ({"min_length": -1}, "x.min_length must be a non-negative integer"),
        ({"horizon": 2.0}, "x.horizon must be a positive integer, got 2.0; write 2"),
        ({"observe_step": "yes"}, "x.observe_step must be true or false"),
        ({"steps": 3}, "x.steps is not an env option"),
    ],
)
def test_bad_options_are_one_clear_error(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        EnvOptions.from_json(changes, prefix="x.")
    assert message in str(info.value)


def test_json_round_trip_and_old_keywords() -> None:
    assert EnvOptions.from_json(OPTIONS.to_json()) == OPTIONS
    assert EnvOptions.from_json({"horizon": 6}, base=OPTIONS) == OPTIONS  # absent keys keep the base's
    old = EDAEnv(
        "cyber", (1,), horizon=6, episode_end="absorbing", observe_step=True, mask_back_at_root=True, min_length=2
    )
    assert old.options == OPTIONS and EDAEnv("cyber", (1,), options=OPTIONS, min_length=0).min_length == 0


def _checked(trajectories: list[Any]) -> None:
    assert trajectories and all(t.obs.shape == (OPTIONS.horizon + 1, OBS) for t in trajectories)  # padded, stepped
    assert all(t.acts.shape == (OPTIONS.horizon, 6) for t in trajectories)


def test_every_consumer_honours_one_env_options(tmp_path: Path) -> None:
    env = EDAEnv.for_split("cyber_loo1", options=OPTIONS)
    assert env.observation_space.shape == (OBS,) and env.horizon == 6 and env.masks_active
    env.reset(seed=0)
    assert env.action_masks()[:4].tolist() == [False, True, True, False]  # BACK at the root, early STOP

    _checked(load_demonstrations("cyber_loo1", options=OPTIONS, cache_dir=tmp_path))
    session = Session("s", (Group("ip_src", "packet_number", "count"), Back()))
    _checked(replay_sessions([session], load_schema("cyber"), 2, horizon=6).trajectories(options=OPTIONS))

    venv = DummyVecEnv([lambda: EDAEnv.for_split("cyber_loo1", options=OPTIONS)])
    oracle = load_session_oracle(venv, split="cyber_loo1", options=OPTIONS, cache_dir=str(tmp_path))
    assert (oracle._states[:, 153] == 1).any()  # its table holds the absorbing padding (and step features)

    ex = Experiment("options", ingredients=[demonstrations.demonstrations_ingredient])

    @ex.main
    def main() -> list[Any]:
        return demonstrations.get_expert_trajectories(parse_split("cyber_loo1"), OPTIONS, None)

    run = ex.run(config_updates={"demonstrations": {"n_expert_demos": 5, "cache_dir": str(tmp_path)}})
    _checked(run.result)
    assert len(run.result) == 5

    meta = checkpoint_metadata("bc", parse_split("cyber_loo1"), OPTIONS, 0)
    assert EnvOptions.from_json(meta["env_options"]) == OPTIONS and meta["horizon"] == 6
    policy = build_policy(env.observation_space, env.action_space, {"net_arch": [8]})
    path = save_policy(policy, tmp_path / "policy.pt", policy_kwargs={"net_arch": [8]}, metadata=meta)
    config = {"policy_path": str(path), "horizon": None, "split": None, "schema": None, "dataset": None}
    resolved = resolve_inputs({**config, "env_options": {}})
    assert EnvOptions.from_json(resolved["env_options"]) == OPTIONS and resolved["horizon"] == 6


def test_the_sacred_config_builds_the_options() -> None:
    config = {"split": "cyber_loo1", "num_vec": 1, **OPTIONS.to_json()}
    assert build_env_options(config) == OPTIONS
    with pytest.raises(ConfigError, match=r"environment\.min_length=7 is longer than the horizon"):
        build_env_options({**config, "min_length": 7})
