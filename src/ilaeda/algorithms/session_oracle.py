"""The session oracle: an *approximate* expert for DAgger built from recorded sessions.

DAgger asks its expert for an action in every state the learner visits; recorded sessions can only
answer for the states the analysts visited. The oracle answers with the recorded action of the
nearest recorded state (exact match when the observation was recorded, else the Euclidean nearest
neighbour over the demonstrations' observations); when several demonstrations recorded the same
state, it answers with their most frequent action, one vote per session (ties: first seen). It is
*not* a real analyst: far from the demonstrations its labels are guesses, which the docs disclose.

It is registered in imitation's ``policy_registry`` as ``"eda-sessions"``, so a config can say
``"expert": {"policy_type": "eda-sessions"}``; the loader reads the TRAINING demonstrations of a split
(never the held-out dataset's sessions).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import torch as th
from imitation.data.types import Trajectory
from imitation.policies.base import NonTrainablePolicy
from imitation.policies.serialize import policy_registry
from sklearn.neighbors import NearestNeighbors
from stable_baselines3.common.vec_env import VecEnv

from ilaeda.errors import ConfigError

#: The policy-registry key of the oracle.
REGISTRY_KEY = "eda-sessions"


class SessionOracle(NonTrainablePolicy):
    """Nearest recorded expert state → its recorded action.

    Args:
        observation_space: the env's observation space (flat ``Box``).
        action_space: the env's action space.
        demonstrations: expert trajectories (their ``obs[:-1]`` and ``acts`` are the lookup table).
    """

    def __init__(
        self,
        observation_space: gym.Space[np.ndarray],
        action_space: gym.Space[np.ndarray],
        demonstrations: Sequence[Trajectory],
    ) -> None:
        super().__init__(observation_space, action_space)
        if not demonstrations:
            raise ConfigError("the session oracle needs at least one demonstration")
        obs = np.concatenate([np.asarray(t.obs[:-1], dtype=np.float32) for t in demonstrations])
        acts = np.concatenate([np.asarray(t.acts) for t in demonstrations])
        if obs.ndim != 2 or obs.shape[1:] != tuple(observation_space.shape or ()):
            raise ConfigError(
                f"demonstration observations have shape {obs.shape[1:]}, the env's are {observation_space.shape}"
            )
        # One vote per demonstration per (state, action): the STOP padding of a short session repeats
        # its last state many times and must not outvote the other sessions through that state.
        votes: dict[bytes, Counter[tuple[int, ...]]] = {}
        start = 0
        for t in demonstrations:
            end = start + len(t.acts)
            pairs = dict.fromkeys(
                (ob.tobytes(), tuple(int(a) for a in np.atleast_1d(act)))
                for ob, act in zip(obs[start:end], acts[start:end])
            )
            for key, action in pairs:
                votes.setdefault(key, Counter())[action] += 1
            start = end
        keys = list(votes)
        self._table: dict[bytes, np.ndarray] = {}
        states, actions = [], []
        for key in keys:
            best = np.asarray(votes[key].most_common(1)[0][0], dtype=np.int64)
            self._table[key] = best
            states.append(np.frombuffer(key, dtype=np.float32))
            actions.append(best)
        self._states = np.stack(states)
        self._actions = np.stack(actions)
        self._nn = NearestNeighbors(n_neighbors=1).fit(self._states)
        self.n_states = len(self._states)
        self.n_queries = 0
        self.n_exact = 0
        self.sum_distance = 0.0

    def stats(self) -> dict[str, float]:
        """Lookup statistics: states known, queries, share answered exactly, mean distance of the rest."""
        inexact = self.n_queries - self.n_exact
        return {
            "states": self.n_states,
            "queries": self.n_queries,
            "exact_share": self.n_exact / self.n_queries if self.n_queries else float("nan"),
            "mean_nn_distance": self.sum_distance / inexact if inexact else 0.0,
        }

    def actions_for(self, observations: np.ndarray) -> np.ndarray:
        """The oracle's actions for a batch of observations (``(n, obs_dim)`` → ``(n, n_components)``)."""
        observations = np.asarray(observations, dtype=np.float32).reshape(-1, self._states.shape[1])
        out = np.empty((len(observations), self._actions.shape[1]), dtype=np.int64)
        missing = []
        for i, ob in enumerate(observations):
            hit = self._table.get(np.ascontiguousarray(ob).tobytes())
            if hit is None:
                missing.append(i)
            else:
                out[i] = hit
        if missing:
            dist, idx = self._nn.kneighbors(observations[missing])
            out[missing] = self._actions[idx[:, 0]]
            self.sum_distance += float(dist[:, 0].sum())
        self.n_queries += len(observations)
        self.n_exact += len(observations) - len(missing)
        return out

    def _predict(self, obs: th.Tensor | dict[str, th.Tensor], deterministic: bool = False) -> th.Tensor:
        if isinstance(obs, dict):
            raise TypeError("the session oracle needs flat Box observations")
        actions = self.actions_for(obs.detach().cpu().numpy())
        return th.as_tensor(actions, device=self.device)

    def _choose_action(self, obs: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
        if isinstance(obs, dict):
            raise TypeError("the session oracle needs flat Box observations")
        action: np.ndarray = self.actions_for(obs)[0]
        return action


def load_session_oracle(
    venv: VecEnv,
    *,
    split: str,
    horizon: int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    demonstrations: Sequence[Trajectory] | None = None,
    **demo_kwargs: Any,  # load_demonstrations' keyword options, of several types
) -> SessionOracle:
    """Policy-registry loader: the oracle over ``split``'s TRAINING demonstrations.

    Args:
        venv: the env the oracle will label (its spaces).
        split: split name, e.g. ``cyber_loo1``; only its training part is read.
        horizon: episode length of the demonstrations (default: ``options``' horizon, in ``demo_kwargs``).
        data_dir: data directory.
        demonstrations: use these trajectories instead of loading them.
        demo_kwargs: passed to :func:`ilaeda.demos.load_demonstrations` (e.g. ``include_references``).
    """
    if demonstrations is None:
        from ilaeda.demos import load_demonstrations

        demo_kwargs = {k: v for k, v in demo_kwargs.items() if k != "part"}
        demonstrations = load_demonstrations(split, part="train", horizon=horizon, data_dir=data_dir, **demo_kwargs)
    return SessionOracle(venv.observation_space, venv.action_space, demonstrations)


def register() -> None:
    """Register the oracle as ``"eda-sessions"`` in imitation's policy registry (idempotent)."""
    if REGISTRY_KEY not in policy_registry.keys():
        policy_registry.register(REGISTRY_KEY, value=load_session_oracle)
