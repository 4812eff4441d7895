"""RL ingredient: the generator of GAIL/AIRL, SB3 PPO (sb3-contrib's MaskablePPO when the env has
action masks: ``environment.mask_back_at_root`` or ``environment.min_length``).

``batch_size`` is the number of env steps per PPO update (= per adversarial round), split evenly over
the ``environment.num_vec`` sub-envs (``n_steps = batch_size // num_vec``; the prior system: 8 × 48 =
384). ``rl_kwargs`` go to ``PPO(...)`` as they are (``batch_size`` there is the PPO minibatch).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecEnv

from ilaeda.algorithms.lean import foreach_optimizer
from ilaeda.algorithms.serialize import sb3_policy_kwargs
from ilaeda.contract import check_positive_int
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

if TYPE_CHECKING:
    from sb3_contrib import MaskablePPO

rl_ingredient = sacred.Ingredient("rl")

#: ``rl_kwargs`` keys PPO accepts (the rest is set by ilaeda).
PPO_KWARGS = frozenset(
    {
        "learning_rate",
        "batch_size",
        "n_epochs",
        "gamma",
        "gae_lambda",
        "clip_range",
        "clip_range_vf",
        "normalize_advantage",
        "ent_coef",
        "vf_coef",
        "max_grad_norm",
        "use_sde",
        "sde_sample_freq",
        "target_kl",
        "stats_window_size",
    }
)


@rl_ingredient.config
def config() -> None:
    batch_size = 384  # env steps per PPO update / adversarial round (n_steps = batch_size // num_vec)
    rl_kwargs = {  # passed to stable_baselines3.PPO (SB3 defaults = the prior system's settings)
        "batch_size": 32,  # PPO minibatch
        "n_epochs": 10,
        "learning_rate": 3e-4,
        "gamma": 0.99,
        "gae_lambda": 0.95,
        "clip_range": 0.2,
        "ent_coef": 0.0,
        "vf_coef": 0.5,
        "max_grad_norm": 0.5,
    }
    device = "cpu"  # torch device of the generator
    locals()  # quieten linters: every local is a config entry


@rl_ingredient.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """``rl.rl_kwargs`` may only hold PPO arguments."""
    kwargs = config["rl"]["rl_kwargs"]
    if not isinstance(kwargs, Mapping):
        raise ConfigError(f"rl.rl_kwargs must be a JSON object, got {kwargs!r}")
    unknown = sorted(set(kwargs) - PPO_KWARGS)
    if unknown:
        extra = " (set rl.batch_size instead)" if unknown[0] == "n_steps" else ""
        raise ConfigError(
            f"unknown config key rl.rl_kwargs.{unknown[0]}{extra}; valid keys of rl.rl_kwargs: "
            f"{', '.join(sorted(PPO_KWARGS))}"
        )
    return {}


@rl_ingredient.capture
def make_rl_algo(
    venv: VecEnv,
    policy_kwargs: Mapping[str, Any],
    seed: int,
    batch_size: int,
    rl_kwargs: Mapping[str, Any],
    device: str,
    masked: bool = False,
) -> PPO | MaskablePPO:
    """PPO (``masked``: MaskablePPO) on ``venv`` with ``n_steps = batch_size // num_envs``."""
    check_positive_int(batch_size, "rl.batch_size", error=ConfigError)
    if batch_size % venv.num_envs:
        raise ConfigError(f"rl.batch_size={batch_size} must be a multiple of environment.num_vec={venv.num_envs}")
    kwargs = dict(rl_kwargs)
    if "n_steps" in kwargs:
        raise ConfigError("set rl.batch_size (env steps per update), not rl.rl_kwargs.n_steps")
    minibatch = kwargs.get("batch_size", 64)
    if isinstance(minibatch, int) and minibatch > batch_size:
        raise ConfigError(f"rl.rl_kwargs.batch_size={minibatch} (PPO minibatch) exceeds rl.batch_size={batch_size}")
    algo_class: type[PPO] | type[MaskablePPO] = PPO
    if masked:
        from sb3_contrib import MaskablePPO

        algo_class = MaskablePPO
    try:
        algo = algo_class(
            "MlpPolicy",
            venv,
            n_steps=batch_size // venv.num_envs,
            seed=int(seed),
            device=device,
            policy_kwargs=sb3_policy_kwargs(policy_kwargs),
            verbose=0,
            **kwargs,
        )
    except TypeError as exc:
        raise ConfigError(f"rl.rl_kwargs has an argument PPO does not take: {exc}") from None
    foreach_optimizer(algo.policy.optimizer)
    return algo
