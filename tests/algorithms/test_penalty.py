"""The coherence-penalised reward: the wrapper adds λ·penalty, including the episode's last step."""

from __future__ import annotations

import numpy as np
import pytest
import torch as th
from imitation.rewards.reward_wrapper import RewardVecEnvWrapper
from stable_baselines3.common.vec_env import DummyVecEnv

from ilaeda.algorithms.penalty import CoherencePenaltyWrapper
from ilaeda.envs import EDAEnv

HORIZON = 12
BACK = np.zeros(6, dtype=np.int64)  # action type 0 = BACK


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    th.set_num_threads(1)


def _venv(n: int = 2) -> DummyVecEnv:
    def make() -> EDAEnv:
        return EDAEnv("cyber", datasets=(2, 3), horizon=HORIZON, episode_end="absorbing")

    venv = DummyVecEnv([make] * n)
    venv.seed(0)
    return venv


def _constant_reward(obs: np.ndarray, acts: np.ndarray, next_obs: np.ndarray, dones: np.ndarray) -> np.ndarray:
    return np.full(len(obs), 0.5)


@pytest.mark.parametrize("coef", [0.0, 1.0, 2.5])
def test_reward_is_learned_plus_coef_times_penalty_including_the_last_step(coef: float) -> None:
    wrapped = CoherencePenaltyWrapper(RewardVecEnvWrapper(_venv(), _constant_reward), coef)
    wrapped.reset()
    rewards, penalties = [], []
    for _ in range(HORIZON):
        _, rews, dones, infos = wrapped.step(np.stack([BACK, BACK]))
        rewards.append(rews)
        penalties.append([info["coherence_penalty"] for info in infos])
        for info, r in zip(infos, rews):
            assert info["learned_rew"] == pytest.approx(0.5)
            assert r == pytest.approx(0.5 + coef * info["coherence_penalty"])
    assert dones.all()  # the last step: the vec env has auto-reset, the info is the last step's
    # every BACK at the root is penalised (−1), the last one too (the prior system lost it)
    assert np.array(penalties) == pytest.approx(np.full((HORIZON, 2), -1.0))
    assert list(wrapped.episode_penalty) == pytest.approx([-coef * HORIZON] * 2)
    assert list(wrapped.episode_learned) == pytest.approx([0.5 * HORIZON] * 2)
    stats = wrapped.stats()
    assert stats["penalty_coef"] == coef
    assert stats["train_steps"] == 2 * HORIZON
    assert stats["train_penalty_per_step"] == pytest.approx(-coef)
    assert stats["train_total_per_step"] == pytest.approx(0.5 - coef)


def test_missing_penalty_is_an_error_unless_coef_is_zero() -> None:
    import gymnasium as gym

    class NoInfo(gym.Wrapper):
        def step(self, action):  # type: ignore[no-untyped-def]
            obs, rew, term, trunc, _info = self.env.step(action)
            return obs, rew, term, trunc, {}

    venv = DummyVecEnv([lambda: NoInfo(EDAEnv("cyber", datasets=(2,), horizon=3, episode_end="absorbing"))])
    wrapped = CoherencePenaltyWrapper(RewardVecEnvWrapper(venv, _constant_reward), 1.0)
    wrapped.reset()
    with pytest.raises(KeyError, match="coherence_penalty"):
        wrapped.step(np.stack([BACK]))
    plain = CoherencePenaltyWrapper(RewardVecEnvWrapper(venv, _constant_reward), 0.0)
    plain.reset()
    _, rews, _, _ = plain.step(np.stack([BACK]))
    assert rews == pytest.approx([0.5])


def test_penalized_gail_trains_on_the_penalised_env() -> None:
    from imitation.data.types import Trajectory
    from imitation.rewards.reward_nets import BasicRewardNet
    from stable_baselines3 import PPO

    from ilaeda.algorithms import PenalizedAIRL, PenalizedGAIL
    from ilaeda.demos import load_demonstrations

    demos: list[Trajectory] = load_demonstrations("cyber_loo1", episode_end="absorbing")[:5]
    for cls in (PenalizedGAIL, PenalizedAIRL):
        venv = _venv()
        gen = PPO("MlpPolicy", venv, n_steps=24, batch_size=24, n_epochs=1, seed=0)
        trainer = cls(
            venv=venv,
            demonstrations=demos,
            demo_batch_size=24,
            gen_algo=gen,
            reward_net=BasicRewardNet(venv.observation_space, venv.action_space),
            penalty_coef=3.0,
        )
        assert isinstance(trainer.venv_train, CoherencePenaltyWrapper)
        assert trainer.venv_train.venv is trainer.venv_wrapped
        assert gen.get_env() is trainer.venv_train
        trainer.train(48)
        stats = trainer.venv_penalty.stats()
        assert stats["train_steps"] == 48
        assert stats["penalty_coef"] == 3.0
        if cls is PenalizedAIRL:  # the test reward is penalty-free: the wrapper is env-side
            assert not isinstance(trainer.reward_test, CoherencePenaltyWrapper)
