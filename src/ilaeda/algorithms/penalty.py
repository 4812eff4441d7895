"""The coherence-penalised learned reward for GAIL and AIRL (the ILAEDA method).

The generator's reward is ``r_learned(s, a, s') + λ · coherence_penalty`` where the penalty (≤ 0) is the
one the environment reports in ``info["coherence_penalty"]`` after every step (:mod:`ilaeda.eda.coherence`).
The penalty needs the session's action history, which is not in ``(s, a, s')``; the env knows it, so
the penalty is added by a :class:`~stable_baselines3.common.vec_env.VecEnvWrapper` stacked on top of
imitation's ``RewardVecEnvWrapper`` (``imitation.rewards.reward_wrapper``). The vectorised env copies the info
of an episode's last step before it auto-resets, so the last step's penalty counts too (the prior system
lost it). The discriminator never sees the penalty: only the RL reward changes, and AIRL's
``reward_test`` stays penalty-free.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from typing import Any

import numpy as np
from imitation.algorithms.adversarial.airl import AIRL
from imitation.algorithms.adversarial.common import AdversarialTrainer
from imitation.algorithms.adversarial.gail import GAIL
from stable_baselines3.common import callbacks
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvObs, VecEnvStepReturn

#: The info key the EDA environment reports the penalty under.
PENALTY_KEY = "coherence_penalty"


class CoherencePenaltyWrapper(VecEnvWrapper):
    """Adds ``coef · info["coherence_penalty"]`` to the (learned) reward of each step.

    Each step's info also gets ``learned_rew`` (the reward before the penalty) and ``penalty_rew``
    (``coef · penalty``). Per-episode sums of both parts are kept for logging and for the run's result.

    Args:
        venv: the env to wrap, normally imitation's ``RewardVecEnvWrapper``.
        coef: λ; 0 leaves the reward unchanged (plain GAIL/AIRL).
        ep_history: how many finished episodes the running statistics keep.
    """

    def __init__(self, venv: VecEnv, coef: float, ep_history: int = 100) -> None:
        super().__init__(venv)
        self.coef = float(coef)
        self.episode_learned: collections.deque[float] = collections.deque(maxlen=ep_history)
        self.episode_penalty: collections.deque[float] = collections.deque(maxlen=ep_history)
        self._cum_learned = np.zeros(self.num_envs)
        self._cum_penalty = np.zeros(self.num_envs)
        self.n_steps = 0
        self.sum_learned = 0.0
        self.sum_penalty = 0.0

    def reset(self) -> VecEnvObs:
        self._cum_learned[:] = 0.0
        self._cum_penalty[:] = 0.0
        return self.venv.reset()

    def step_async(self, actions: np.ndarray) -> None:
        self.venv.step_async(actions)

    def step_wait(self) -> VecEnvStepReturn:
        obs, rews, dones, infos = self.venv.step_wait()
        penalty = np.zeros(len(infos))
        for i, info in enumerate(infos):
            if PENALTY_KEY not in info:
                if self.coef != 0.0:
                    raise KeyError(
                        f"the environment did not report info[{PENALTY_KEY!r}]; the coherence "
                        "penalty needs the EDA environment (ilaeda/EDA-v0)"
                    )
                continue
            penalty[i] = float(info[PENALTY_KEY])
        learned = np.asarray(rews, dtype=np.float64)
        scaled = self.coef * penalty
        for info, lr, pr in zip(infos, learned, scaled):
            info["learned_rew"] = float(lr)
            info["penalty_rew"] = float(pr)
        self.n_steps += len(infos)
        self.sum_learned += float(learned.sum())
        self.sum_penalty += float(scaled.sum())
        self._cum_learned += learned
        self._cum_penalty += scaled
        done_mask = np.asarray(dones, dtype=bool)
        for env_index in np.flatnonzero(done_mask):
            self.episode_learned.append(float(self._cum_learned[env_index]))
            self.episode_penalty.append(float(self._cum_penalty[env_index]))
        self._cum_learned[done_mask] = 0.0
        self._cum_penalty[done_mask] = 0.0
        total = (learned + scaled).astype(np.asarray(rews).dtype, copy=False)
        return obs, total, dones, infos

    def stats(self) -> dict[str, float]:
        """Plain-JSON statistics: per-step means over all training steps, episode means over the last ones."""

        def mean(values: Iterable[float]) -> float:
            kept = list(values)
            return float(np.mean(kept)) if kept else float("nan")

        steps = max(self.n_steps, 1)
        return {
            "penalty_coef": self.coef,
            "train_steps": int(self.n_steps),
            "train_learned_per_step": self.sum_learned / steps,
            "train_penalty_per_step": self.sum_penalty / steps,
            "train_total_per_step": (self.sum_learned + self.sum_penalty) / steps,
            "last_episodes": len(self.episode_learned),
            "last_episodes_learned_return": mean(self.episode_learned),
            "last_episodes_penalty_return": mean(self.episode_penalty),
        }

    def make_log_callback(self) -> callbacks.BaseCallback:
        """An SB3 callback logging the two parts of the episode return at each rollout start."""
        return _PenaltyLogCallback(self)


class _PenaltyLogCallback(callbacks.BaseCallback):
    def __init__(self, wrapper: CoherencePenaltyWrapper) -> None:
        super().__init__()
        self.wrapper = wrapper

    def _on_step(self) -> bool:
        return True

    def _on_rollout_start(self) -> None:
        if not self.wrapper.episode_learned:
            return
        learned = float(np.mean(self.wrapper.episode_learned))
        penalty = float(np.mean(self.wrapper.episode_penalty))
        self.logger.record("rollout/ep_rew_learned_mean", learned)
        self.logger.record("rollout/ep_rew_penalty_mean", penalty)
        self.logger.record("rollout/ep_rew_penalised_mean", learned + penalty)


def install_coherence_penalty(trainer: AdversarialTrainer, coef: float) -> CoherencePenaltyWrapper:
    """Wrap ``trainer.venv_wrapped`` with the penalty and make it the generator's training env.

    Returns the wrapper (also stored as ``trainer.venv_penalty``).
    """
    if trainer.debug_use_ground_truth:
        raise ValueError(
            "the coherence penalty is added to the learned reward; it cannot be combined with debug_use_ground_truth"
        )
    wrapper = CoherencePenaltyWrapper(trainer.venv_wrapped, coef)
    trainer.venv_penalty = wrapper  # type: ignore[attr-defined]
    trainer.venv_train = wrapper
    trainer.gen_algo.set_env(wrapper)
    own = wrapper.make_log_callback()
    trainer.gen_callback = (
        callbacks.CallbackList([trainer.gen_callback, own])  # type: ignore[assignment]
        if trainer.gen_callback is not None
        else own
    )
    return wrapper


class PenalizedGAIL(GAIL):
    """GAIL whose generator reward is the discriminator reward plus ``penalty_coef · coherence_penalty``."""

    def __init__(self, *, penalty_coef: float = 1.0, **kwargs: Any) -> None:  # kwargs: GAIL's arguments
        super().__init__(**kwargs)
        self.penalty_coef = float(penalty_coef)
        install_coherence_penalty(self, self.penalty_coef)


class PenalizedAIRL(AIRL):
    """AIRL whose generator reward is the learned reward plus ``penalty_coef · coherence_penalty``."""

    def __init__(self, *, penalty_coef: float = 1.0, **kwargs: Any) -> None:  # kwargs: AIRL's arguments
        super().__init__(**kwargs)
        self.penalty_coef = float(penalty_coef)
        install_coherence_penalty(self, self.penalty_coef)
