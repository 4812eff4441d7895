"""The session oracle (approximate DAgger expert): exact lookup, nearest neighbour, registry, DAgger."""

from __future__ import annotations

import numpy as np
import pytest
import torch as th
from imitation.data.types import Trajectory
from imitation.policies.serialize import load_policy, policy_registry
from stable_baselines3.common.vec_env import DummyVecEnv

from ilaeda.algorithms import REGISTRY_KEY, SessionOracle
from ilaeda.demos import load_demonstrations
from ilaeda.envs import EDAEnv
from ilaeda.errors import ConfigError


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    th.set_num_threads(1)


@pytest.fixture(scope="module")
def demos() -> list[Trajectory]:
    return load_demonstrations("cyber_loo1")[:30]


@pytest.fixture(scope="module")
def venv() -> DummyVecEnv:
    return DummyVecEnv([lambda: EDAEnv("cyber", datasets=(2, 3, 4), horizon=12)] * 2)


def test_recorded_states_get_a_recorded_action(demos: list[Trajectory], venv: DummyVecEnv) -> None:
    oracle = SessionOracle(venv.observation_space, venv.action_space, demos)
    recorded: dict[bytes, set[tuple[int, ...]]] = {}
    for t in demos:
        for ob, act in zip(t.obs[:-1], t.acts):
            recorded.setdefault(np.asarray(ob, np.float32).tobytes(), set()).add(tuple(int(a) for a in act))
    obs = np.concatenate([t.obs[:-1] for t in demos]).astype(np.float32)
    actions = oracle.actions_for(obs)
    for ob, act in zip(obs, actions):
        assert tuple(int(a) for a in act) in recorded[ob.tobytes()]
    assert oracle.stats()["exact_share"] == 1.0
    # through the SB3 policy API too (batched, deterministic)
    predicted, _ = oracle.predict(obs[:7], deterministic=True)
    assert np.array_equal(predicted, actions[:7])


def test_shared_states_answer_the_most_frequent_action_one_vote_per_session(venv: DummyVecEnv) -> None:
    dim = venv.observation_space.shape[0]
    state = np.zeros(dim, np.float32)
    stop, group = [3, 0, 0, 0, 0, 0], [2, 1, 0, 0, 0, 0]
    # one session stops here and is padded with STOP (4 labels), two sessions group here
    padded = Trajectory(np.stack([state] * 5), np.array([stop] * 4), None, True)
    grouping = [Trajectory(np.stack([state, state + 1]), np.array([group]), None, True) for _ in range(2)]
    oracle = SessionOracle(venv.observation_space, venv.action_space, [padded, *grouping])
    assert oracle.actions_for(state[None]).tolist() == [group]


def test_unseen_states_get_the_nearest_recorded_action(demos: list[Trajectory], venv: DummyVecEnv) -> None:
    oracle = SessionOracle(venv.observation_space, venv.action_space, demos)
    base = np.asarray(demos[0].obs[3], np.float32)
    expected = oracle.actions_for(base[None])[0]
    answer = oracle.actions_for((base + 1e-4)[None])[0]
    assert np.array_equal(answer, expected)
    stats = oracle.stats()
    assert stats["queries"] == 2 and stats["exact_share"] == 0.5 and stats["mean_nn_distance"] > 0


def test_registered_for_json_configs(demos: list[Trajectory], venv: DummyVecEnv) -> None:
    assert REGISTRY_KEY == "eda-sessions" and REGISTRY_KEY in policy_registry.keys()
    oracle = load_policy("eda-sessions", venv, split="cyber_loo1", demonstrations=demos)
    assert isinstance(oracle, SessionOracle)
    loaded = load_policy("eda-sessions", venv, split="cyber_loo1", horizon=12)  # training sessions only
    assert loaded.n_states >= oracle.n_states


def test_rejects_empty_or_mismatched_demonstrations(venv: DummyVecEnv) -> None:
    with pytest.raises(ConfigError):
        SessionOracle(venv.observation_space, venv.action_space, [])
    bad = Trajectory(np.zeros((2, 5), np.float32), np.zeros((1, 6), np.int64), None, True)
    with pytest.raises(ConfigError, match="shape"):
        SessionOracle(venv.observation_space, venv.action_space, [bad])


def test_drives_simple_dagger(demos: list[Trajectory], venv: DummyVecEnv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from imitation.algorithms import bc, dagger

    rng = np.random.default_rng(0)
    oracle = SessionOracle(venv.observation_space, venv.action_space, demos)
    learner = bc.BC(observation_space=venv.observation_space, action_space=venv.action_space, rng=rng, batch_size=16)
    trainer = dagger.SimpleDAggerTrainer(
        venv=venv, scratch_dir=tmp_path, expert_policy=oracle, rng=rng, expert_trajs=demos[:3], bc_trainer=learner
    )
    trainer.train(
        48,
        rollout_round_min_episodes=1,
        rollout_round_min_timesteps=24,
        bc_train_kwargs={"n_epochs": 1, "progress_bar": False, "log_rollouts_venv": None},
    )
    assert trainer.round_num >= 2
    assert oracle.stats()["queries"] >= 48
