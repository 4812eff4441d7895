"""The discriminator sees one canonical action in the absorbing state."""

from __future__ import annotations

import numpy as np
import torch as th
from imitation.rewards.reward_nets import BasicRewardNet

from ilaeda.algorithms.absorbing import AbsorbingActionMask
from ilaeda.envs import EDAEnv


def test_actions_are_ignored_only_in_the_absorbing_state() -> None:
    th.manual_seed(0)
    env = EDAEnv("cyber", (1,))
    indicator = env.observation_space.shape[0] - 1
    net = AbsorbingActionMask(BasicRewardNet(env.observation_space, env.action_space), indicator)
    rng = np.random.default_rng(0)
    live = rng.random((4, indicator + 1)).astype(np.float32)
    live[:, indicator] = 0.0
    absorbing = np.zeros_like(live)
    absorbing[:, indicator] = 1.0
    acts_a = np.stack([env.action_space.sample() for _ in range(4)])
    acts_b = np.stack([env.action_space.sample() for _ in range(4)])
    done = np.zeros(4, dtype=bool)

    def reward(obs: np.ndarray, acts: np.ndarray) -> np.ndarray:
        return net.predict(obs, acts, obs, done)

    np.testing.assert_array_equal(reward(absorbing, acts_a), reward(absorbing, acts_b))
    assert not np.allclose(reward(live, acts_a), reward(live, acts_b))
