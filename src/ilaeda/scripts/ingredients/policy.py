"""Policy ingredient: the actor-critic network shared by PPO (GAIL/AIRL), BC and DAgger.

SB3 ``ActorCriticPolicy`` with separate ``pi``/``vf`` MLPs (the prior system's ``[50, 50, 50]`` each,
tanh) and one categorical head per action component. Kept as plain values (activation by name) so a
checkpoint can record them and :func:`ilaeda.algorithms.serialize.load_policy` can rebuild the net.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.policies import ActorCriticPolicy

from ilaeda.algorithms.serialize import activation_class, build_policy
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

policy_ingredient = sacred.Ingredient("policy")


@policy_ingredient.config
def config() -> None:
    net_arch = {"pi": [50, 50, 50], "vf": [50, 50, 50]}  # hidden layers of the actor and the critic
    activation_fn = "tanh"  # tanh, relu, elu, leaky_relu or gelu
    ortho_init = True  # SB3's orthogonal initialisation
    locals()  # quieten linters: every local is a config entry


@policy_ingredient.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Reject a malformed architecture or activation before the run starts."""
    cfg = config["policy"]
    activation_class(cfg["activation_fn"])
    arch = cfg["net_arch"]
    layers = list(arch.values()) if isinstance(arch, Mapping) else [arch]
    if isinstance(arch, Mapping) and set(arch) - {"pi", "vf"}:
        raise ConfigError(f"policy.net_arch keys must be 'pi' and 'vf', got {sorted(arch)}")
    for sizes in layers:
        if not isinstance(sizes, (list, tuple)) or not all(isinstance(s, int) and s > 0 for s in sizes):
            raise ConfigError(f"policy.net_arch must hold lists of positive layer sizes, got {arch!r}")
    return {}


@policy_ingredient.capture
def plain_policy_kwargs(
    net_arch: Mapping[str, Sequence[int]] | Sequence[int], activation_fn: str, ortho_init: bool
) -> dict[str, Any]:
    """The policy kwargs as plain values (what checkpoints record)."""
    arch = {k: list(v) for k, v in net_arch.items()} if isinstance(net_arch, Mapping) else list(net_arch)
    return {"net_arch": arch, "activation_fn": str(activation_fn), "ortho_init": bool(ortho_init)}


def make_policy(observation_space: gym.Space[np.ndarray], action_space: gym.Space[np.ndarray]) -> ActorCriticPolicy:
    """A fresh policy for BC/DAgger."""
    return build_policy(observation_space, action_space, plain_policy_kwargs())
