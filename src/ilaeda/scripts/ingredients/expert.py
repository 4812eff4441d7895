"""Expert ingredient: the policy DAgger queries, looked up in imitation's ``policy_registry``.

Default ``policy_type="eda-sessions"``: the session oracle (:mod:`ilaeda.algorithms.session_oracle`),
an APPROXIMATE expert answering with the recorded action of the nearest recorded state of the split's
training demonstrations. Its loader arguments default to the environment's split, horizon and data
directory and to the demonstrations ingredient's options (filled in by a config hook, so
``config.json`` records them).
"""

from __future__ import annotations

import logging
from typing import Any

from imitation.policies import serialize
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.vec_env import VecEnv

import ilaeda.algorithms  # registers "eda-sessions"
import ilaeda.synthetic.expert  # noqa: F401  (registers "scripted": a scripted analyst, docs/synthetic.md)
from ilaeda.algorithms.session_oracle import REGISTRY_KEY
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

expert_ingredient = sacred.Ingredient("expert")


@expert_ingredient.config
def config() -> None:
    policy_type = REGISTRY_KEY  # a key of imitation's policy_registry
    loader_kwargs = {}  # type: ignore[var-annotated]  # a Sacred config scope  # arguments of the loader (for eda-sessions: split, horizon, data_dir...)
    locals()  # quieten linters: every local is a config entry


@expert_ingredient.config_hook
def hook(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Default the session oracle's loader arguments to the environment and demonstrations config."""
    expert = config["expert"]
    if expert["policy_type"] != REGISTRY_KEY:
        return {}
    env = config.get("environment") or {}
    demos = config.get("demonstrations") or {}
    defaults = {
        "split": env.get("split"),
        "horizon": env.get("horizon"),
        "data_dir": env.get("data_dir"),
        "include_references": demos.get("include_references", False),
        "test_fraction": demos.get("test_fraction", 0.3),
        "seed": demos.get("split_seed", 0),
        "cache_dir": demos.get("cache_dir"),
        "episode_end": env.get("episode_end", "absorbing"),
        "observe_step": env.get("observe_step", False),
        "absorbing": demos.get("absorbing", "keep"),
        "long_sessions": demos.get("long_sessions", "cut"),
        "window_stride": demos.get("window_stride"),
        "chain": demos.get("chain_sessions", False),
    }
    kwargs = {**defaults, **dict(expert["loader_kwargs"])}
    return {"loader_kwargs": kwargs}


@expert_ingredient.capture
def get_expert_policy(venv: VecEnv, policy_type: str, loader_kwargs: dict[str, Any]) -> BasePolicy:
    """Load the expert named by ``policy_type`` for ``venv``."""
    if policy_type not in serialize.policy_registry.keys():
        raise ConfigError(
            f"unknown expert.policy_type {policy_type!r}; registered: "
            f"{', '.join(sorted(serialize.policy_registry.keys()))}"
        )
    try:
        return serialize.load_policy(policy_type, venv, **dict(loader_kwargs))
    except TypeError as exc:
        raise ConfigError(f"expert.loader_kwargs do not fit policy type {policy_type!r}: {exc}") from None
