"""Session generation with a policy, and the env step timer."""

from __future__ import annotations

import numpy as np
import torch as th
from imitation.policies.base import RandomPolicy

from ilaeda.algorithms.rollout import StepTimer, generate_sessions
from ilaeda.data.sessions import Stop
from ilaeda.envs import EDAEnv


def test_sessions_cycle_datasets_and_are_reproducible() -> None:
    env = EDAEnv("cyber", datasets=(1, 2), horizon=6, episode_end="absorbing")
    policy = RandomPolicy(env.observation_space, env.action_space)
    env.action_space.seed(1)
    policy.action_space.seed(1)
    first = generate_sessions(policy, env, 4, deterministic=False, seed=5, progress=False)
    policy.action_space.seed(1)
    second = generate_sessions(policy, env, 4, deterministic=False, seed=5, progress=False)
    assert [s.dataset for s in first] == [1, 2, 1, 2]
    assert [s.actions for s in first] == [s.actions for s in second]
    for s in first:
        assert s.obs.shape == (7, env.observation_space.shape[0]) and s.acts.shape == (6, 6)
        assert len(s.actions) <= 6 and not any(isinstance(a, Stop) for a in s.actions)
        assert s.session.name == s.name and len(s.text()) >= len(s.actions)


def test_step_timer_counts() -> None:
    env = StepTimer(EDAEnv("cyber", datasets=(2,), horizon=3, episode_end="absorbing"))
    env.reset(seed=0)
    for _ in range(3):
        env.step(np.zeros(6, dtype=np.int64))
    assert env.n_steps == 3 and env.step_seconds > 0 and env.reset_seconds > 0


def test_masked_predict_never_takes_a_forbidden_value() -> None:
    from stable_baselines3.common.policies import ActorCriticPolicy

    from ilaeda.algorithms.rollout import masked_predict

    th.manual_seed(0)
    env = EDAEnv("cyber", (1,), mask_back_at_root=True, min_length=12)
    policy = ActorCriticPolicy(env.observation_space, env.action_space, lambda _: 0.0)
    obs, _ = env.reset(seed=0)
    mask = env.action_masks()
    for deterministic in (True, False):
        for _ in range(50 if not deterministic else 1):
            action = masked_predict(policy, obs, mask, deterministic)
            assert env.action_space.contains(action) and action[0] in (1, 2)
    only_group = mask.copy()
    only_group[:4] = [False, False, True, False]
    assert masked_predict(policy, obs, only_group, True)[0] == 2


def test_masked_sessions_with_either_actor_critic_and_a_clear_error_otherwise() -> None:
    import pytest
    from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
    from stable_baselines3.common.policies import ActorCriticPolicy

    env = EDAEnv("cyber", (1,), horizon=6, mask_back_at_root=True, min_length=6)
    for policy_class in (ActorCriticPolicy, MaskableActorCriticPolicy):
        th.manual_seed(0)
        policy = policy_class(env.observation_space, env.action_space, lambda _: 0.0)
        sessions = generate_sessions(policy, env, 2, deterministic=False, seed=0, progress=False)
        assert all(not s.stopped and len(s.actions) == 6 for s in sessions)  # STOP forbidden before min_length
    with pytest.raises(TypeError, match="action masks need an SB3 actor-critic policy, not RandomPolicy"):
        generate_sessions(
            RandomPolicy(env.observation_space, env.action_space), env, 1, deterministic=True, progress=False
        )
