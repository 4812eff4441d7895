"""The scripted analyst as DAgger's expert: labels every env of a VecEnv with the analyst's action."""

from pathlib import Path

import numpy as np
import pytest
from imitation.policies import serialize
from stable_baselines3.common.vec_env import DummyVecEnv

import ilaeda.scripts.ingredients.expert  # noqa: F401  (the ingredient registers the expert)
from ilaeda.data.sessions import Stop
from ilaeda.envs.codec import ActionCodec
from ilaeda.envs.eda_env import EDAEnv
from ilaeda.errors import ConfigError
from ilaeda.synthetic.analysts import EventHunter, current_state, run_session
from ilaeda.synthetic.bundle import write_bundle
from ilaeda.synthetic.events import EVENT_KINDS


@pytest.fixture(scope="module")
def schema_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = write_bundle(tmp_path_factory.mktemp("expert") / "b", 2_000, 2, 3, EVENT_KINDS, name="synthetic_expert_test")
    return str(Path(root) / "schema.json")


def _venv(schema_path: str, episode_end: str = "terminate") -> DummyVecEnv:
    return DummyVecEnv(
        [lambda d=d: EDAEnv(schema=schema_path, datasets=(d,), episode_end=episode_end) for d in (1, 2)]  # type: ignore[misc]
    )


def test_labels_are_the_analysts_actions_on_each_envs_state(schema_path: str) -> None:
    venv = _venv(schema_path)
    expert = serialize.load_policy("scripted", venv, analyst="hunter")
    obs = venv.reset()
    envs = [venv.envs[0], venv.envs[1]]
    hunter = EventHunter()
    expected = [run_session(hunter, env.engine(), "h").actions for env in envs]
    for step in range(max(map(len, expected))):
        labels, _ = expert.predict(obs)
        for i, env in enumerate(envs):
            if step >= len(expected[i]):
                assert labels[i][0] == 3  # stopped: STOP
                continue
            action = expected[i][step]
            vector = ActionCodec(env.schema).encode(action, env.engine(), current_state(expected[i][:step])).vector
            assert labels[i].tolist() == vector.tolist(), (i, step, action)
            if not isinstance(action, Stop) or not env.stopped:
                env.step_action(action)  # follow the analyst exactly (the codec draws terms within a bin)
        obs = np.stack([env._observation() for env in envs])
    assert [env.session for env in envs] == [list(e[:-1]) for e in expected]


def test_without_stop_the_analysts_stop_becomes_back(schema_path: str) -> None:
    venv = _venv(schema_path, "no_stop")
    expert = serialize.load_policy("scripted", venv, analyst="summariser")
    obs = venv.reset()
    env = venv.envs[0]
    for action in run_session(expert.analyst, env.engine(), "s").actions[:-1]:
        env.step_action(action)
    labels, _ = expert.predict(np.stack([env._observation(), obs[1]]))
    assert labels[0][0] == 0  # BACK


def test_bad_loader_arguments_are_config_errors(schema_path: str) -> None:
    venv = _venv(schema_path)
    with pytest.raises(ConfigError, match="unknown scripted analyst 'oracle'; valid: hunter, summariser"):
        serialize.load_policy("scripted", venv, analyst="oracle")
    with pytest.raises(ConfigError, match=r"epsilon must be a number in \[0, 1\]"):
        serialize.load_policy("scripted", venv, epsilon=2)
    expert = serialize.load_policy("scripted", venv, analyst="hunter", epsilon=0.5, seed=1)
    assert expert.analyst.name == "hunter-eps0.5"
    with pytest.raises(ConfigError, match="one observation per env"):
        expert.predict(venv.reset()[:1])


def test_dagger_trains_with_the_scripted_expert_through_the_sacred_command(tmp_path: Path) -> None:
    import torch as th

    from ilaeda.scripts.train_imitation import train_imitation_ex

    th.set_num_threads(1)
    config = Path(__file__).resolve().parents[2] / "benchmarking" / "fast_dagger_cyber_loo1.json"
    run = train_imitation_ex.run(
        command_name="dagger",
        named_configs=[str(config)],
        config_updates={
            "seed": 0,
            "logging": {"log_root": str(tmp_path / "output")},
            "expert": {"policy_type": "scripted", "loader_kwargs": {"analyst": "hunter"}},
        },
        options={"--file_storage": str(tmp_path / "sacred"), "--name": "pytest"},
    )
    assert run.status == "COMPLETED"
    assert run.result["expert"] == {"policy_type": "scripted", "approximate": False}
    assert run.result["dagger_rounds"] >= 1 and run.result["timing"]["env_steps"] >= 96
