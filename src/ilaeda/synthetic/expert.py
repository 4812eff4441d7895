"""A scripted analyst as DAgger's expert: a *true* interactive expert, ``expert.policy_type="scripted"``.

DAgger asks its expert for an action in every state the learner reaches. A scripted analyst answers on
any history (:mod:`ilaeda.synthetic.analysts`), so this policy reads each env's state from the VecEnv it
was loaded for — the env's dataset and the session so far (``EDAEnv.session``), which works for a
``DummyVecEnv`` and a ``SubprocVecEnv`` alike — asks the analyst, and encodes the answer with the env's
codec. The observations only fix how many envs answer: they must be the VecEnv's, in its order (DAgger's
collector calls its expert that way). A STOP where the env has none (``episode_end="no_stop"``) becomes
BACK; an env already stopped gets STOP (its action is ignored).

Loader arguments (``expert.loader_kwargs``): ``analyst`` (``hunter`` or ``summariser``), ``epsilon`` (the
:class:`~ilaeda.synthetic.analysts.Noisy` variant when > 0) and ``seed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import torch as th
from imitation.policies.base import NonTrainablePolicy
from imitation.policies.serialize import policy_registry
from stable_baselines3.common.vec_env import VecEnv

from ilaeda.data.schema import Schema
from ilaeda.data.sessions import Back, Stop
from ilaeda.eda.engine import DisplayEngine
from ilaeda.envs.codec import ActionCodec
from ilaeda.errors import ConfigError
from ilaeda.synthetic.analysts import Analyst, EventHunter, Noisy, Summariser, current_state

#: The policy-registry key.
REGISTRY_KEY = "scripted"
ANALYSTS: dict[str, Callable[[], EventHunter | Summariser]] = {"hunter": EventHunter, "summariser": Summariser}


class ScriptedExpert(NonTrainablePolicy):
    """Each env's session so far → the analyst's action, as an action vector of the env."""

    def __init__(
        self,
        observation_space: gym.Space[np.ndarray],
        action_space: gym.Space[np.ndarray],
        venv: VecEnv,
        analyst: Analyst,
    ) -> None:
        super().__init__(observation_space, action_space)
        self.venv = venv
        self.analyst = analyst
        self.n_queries = 0

    def _attr(self, name: str) -> list[Any]:
        """An attribute of every env, read through its wrappers (in the env's process for a SubprocVecEnv)."""
        return self.venv.env_method("get_wrapper_attr", name)

    def actions_now(self) -> np.ndarray:
        """The analyst's action vector for every env of the VecEnv, in its current state."""
        schema: Schema = self._attr("schema")[0]
        data_dir = self._attr("data_dir")[0]
        rows = []
        for dataset, session, stopped, episode_end in zip(
            self._attr("dataset"),
            self._attr("session"),
            self._attr("stopped"),
            self._attr("episode_end"),
        ):
            codec = ActionCodec(schema, allow_stop=episode_end != "no_stop")
            engine = DisplayEngine.for_dataset(schema, dataset, data_dir)
            action = Stop() if stopped else self.analyst.act(engine, session)
            if isinstance(action, Stop) and not codec.allow_stop:
                action = Back()
            rows.append(codec.encode(action, engine, current_state(session)).vector)
        self.n_queries += len(rows)
        return np.stack(rows)

    def _predict(self, obs: th.Tensor | dict[str, th.Tensor], deterministic: bool = False) -> th.Tensor:
        if isinstance(obs, dict) or len(obs) != self.venv.num_envs:
            raise ConfigError(
                "the scripted expert answers for the VecEnv it was loaded for: give it one observation per env"
            )
        return th.as_tensor(self.actions_now(), device=self.device)

    def _choose_action(self, obs: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError("the scripted expert answers for all envs at once (_predict)")


def load_scripted_expert(
    venv: VecEnv, *, analyst: str = "hunter", epsilon: float = 0.0, seed: int = 0
) -> ScriptedExpert:
    """Policy-registry loader (``expert.loader_kwargs``: ``analyst``, ``epsilon``, ``seed``)."""
    if analyst not in ANALYSTS:
        raise ConfigError(f"unknown scripted analyst {analyst!r}; valid: {', '.join(ANALYSTS)}")
    if not isinstance(epsilon, (int, float)) or not 0.0 <= float(epsilon) <= 1.0:
        raise ConfigError(f"expert.loader_kwargs.epsilon must be a number in [0, 1], got {epsilon!r}")
    base = ANALYSTS[analyst]()
    policy: Analyst = Noisy(base, float(epsilon), int(seed)) if epsilon > 0 else base
    return ScriptedExpert(venv.observation_space, venv.action_space, venv, policy)


def register() -> None:
    """Register the scripted expert as ``"scripted"`` in imitation's policy registry (idempotent)."""
    if REGISTRY_KEY not in policy_registry.keys():
        policy_registry.register(REGISTRY_KEY, value=load_scripted_expert)


register()
