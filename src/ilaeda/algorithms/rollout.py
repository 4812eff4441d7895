"""Generate EDA sessions with a policy, and time the environment.

:func:`generate_sessions` runs one :class:`~ilaeda.envs.EDAEnv` episode per session (cycling over the
env's datasets), with the policy's deterministic (mode) or stochastic (sampled) actions — within the env's
action masks when it has any (:func:`masked_predict`) — and keeps the actions up to STOP plus the
transitions (for scoring a learned reward on them).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, SupportsFloat, TypeVar, cast

import gymnasium as gym
import numpy as np
import torch as th
from stable_baselines3.common.policies import ActorCriticPolicy
from tqdm.auto import tqdm

from ilaeda.data.sessions import Action, Session, render_session
from ilaeda.envs import EDAEnv


class Predictor(Protocol):
    """Anything with SB3's ``predict(obs, deterministic=...)``."""

    def predict(
        self,
        observation: np.ndarray,
        state: tuple[np.ndarray, ...] | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...] | None]: ...


@dataclass
class GeneratedSession:
    """One generated session: its dataset, actions up to STOP, and the episode's transitions."""

    name: str
    dataset: int
    actions: tuple[Action, ...]
    obs: np.ndarray
    acts: np.ndarray
    penalties: np.ndarray
    stopped: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def session(self) -> Session:
        """As a :class:`~ilaeda.data.sessions.Session` (for the benchmark and the JSON format)."""
        return Session(self.name, self.actions)

    def text(self) -> list[str]:
        """Numbered text lines (plus ``STOP`` when the policy stopped)."""
        return render_session(self.actions) + (["    STOP"] if self.stopped else [])


def _actor_critic(policy: Predictor) -> ActorCriticPolicy:
    """``policy`` as an SB3 actor-critic policy (what sampling within action masks needs)."""
    from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy

    if isinstance(policy, ActorCriticPolicy):
        return policy
    if isinstance(policy, MaskableActorCriticPolicy):  # MaskablePPO's: the same members, typed more loosely
        return cast(ActorCriticPolicy, policy)
    raise TypeError(f"action masks need an SB3 actor-critic policy, not {type(policy).__name__}")


def masked_predict(
    policy: ActorCriticPolicy, observation: np.ndarray, mask: np.ndarray, deterministic: bool
) -> np.ndarray:
    """An action of an SB3 actor-critic policy with a ``MultiDiscrete`` space, forbidden values excluded.

    ``mask`` holds the allowed values of each component, concatenated (as ``EDAEnv.action_masks``). The
    policy's logits of forbidden values are set to −∞ before the mode is taken or a value is sampled
    (torch's global RNG), as sb3-contrib's maskable distributions do.
    """
    space = policy.action_space
    if not isinstance(space, gym.spaces.MultiDiscrete):
        raise TypeError(f"action masks need a MultiDiscrete action space, not {space}")
    nvec = [int(n) for n in space.nvec]
    obs_tensor, _ = policy.obs_to_tensor(observation[None])
    with th.no_grad():
        features = policy.extract_features(obs_tensor, policy.pi_features_extractor)
        if isinstance(features, tuple):  # separate actor and critic extractors: (actor's, critic's)
            features = features[0]
        logits = policy.action_net(policy.mlp_extractor.forward_actor(features))[0]
        logits = logits.masked_fill(~th.as_tensor(mask, dtype=th.bool, device=logits.device), -th.inf)
        parts = th.split(logits, nvec)
        if deterministic:
            action = [int(th.argmax(p)) for p in parts]
        else:
            action = [int(th.distributions.Categorical(logits=p).sample()) for p in parts]
    return np.asarray(action, dtype=np.int64)


def generate_sessions(
    policy: Predictor,
    env: EDAEnv,
    n_sessions: int,
    *,
    deterministic: bool,
    seed: int | None = None,
    datasets: Sequence[int] | None = None,
    prefix: str = "session",
    progress: bool = True,
) -> list[GeneratedSession]:
    """Roll the policy out for ``n_sessions`` full episodes.

    Args:
        policy: the policy (SB3 ``predict``).
        env: the evaluation env (its datasets are the evaluation datasets).
        n_sessions: number of sessions; session ``i`` runs on ``datasets[i % len(datasets)]``.
        deterministic: take the policy's most likely action instead of sampling.
        seed: seeds the env (term sampling) at the first reset.
        datasets: datasets to cycle over (default: all of the env's).
        prefix: session names are ``<prefix><i>``.
        progress: show a progress bar.
    """
    datasets = tuple(datasets or env.datasets)
    masked = _actor_critic(policy) if env.masks_active else None
    out: list[GeneratedSession] = []
    mode = "deterministic" if deterministic else "stochastic"
    bar = tqdm(range(n_sessions), desc=f"eval ({mode})", disable=not progress, leave=False, mininterval=1.0)
    for i in bar:
        obs, _ = env.reset(seed=seed if i == 0 else None, options={"dataset": datasets[i % len(datasets)]})
        observations, actions, penalties = [obs], [], []
        while True:
            if masked is not None:
                act = masked_predict(masked, obs, env.action_masks(), deterministic)
            else:
                act, _ = policy.predict(obs[None], deterministic=deterministic)
                act = np.asarray(act)[0]
            obs, _, terminated, truncated, info = env.step(act)
            observations.append(obs)
            actions.append(act)
            penalties.append(float(info.get("coherence_penalty", 0.0)))
            if terminated or truncated:
                break
        out.append(
            GeneratedSession(
                name=f"{prefix}{i}",
                dataset=env.dataset,
                actions=tuple(env.session),
                obs=np.stack(observations),
                acts=np.stack(actions),
                penalties=np.asarray(penalties),
                stopped=bool(env.stopped),
            )
        )
    bar.close()
    return out


ObsT = TypeVar("ObsT")
ActT = TypeVar("ActT")


class StepTimer(gym.Wrapper[ObsT, ActT, ObsT, ActT], Generic[ObsT, ActT]):
    """Accumulates the wall time spent inside the wrapped env's ``step`` and ``reset``."""

    def __init__(self, env: gym.Env[ObsT, ActT]) -> None:
        super().__init__(env)
        self.step_seconds = 0.0
        self.reset_seconds = 0.0
        self.n_steps = 0

    def step(self, action: ActT) -> tuple[ObsT, SupportsFloat, bool, bool, dict[str, Any]]:
        start = time.perf_counter()
        result = self.env.step(action)
        self.step_seconds += time.perf_counter() - start
        self.n_steps += 1
        return result

    def action_masks(self) -> np.ndarray:
        """The EDA env's action masks (MaskablePPO reads them through the vectorised env)."""
        masks: np.ndarray = self.env.unwrapped.action_masks()  # type: ignore[attr-defined]
        return masks

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[ObsT, dict[str, Any]]:
        start = time.perf_counter()
        result = self.env.reset(seed=seed, options=options)
        self.reset_seconds += time.perf_counter() - start
        return result
