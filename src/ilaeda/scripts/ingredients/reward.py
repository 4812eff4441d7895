"""Reward ingredient: the discriminator / reward network and the coherence-penalty coefficient.

GAIL: ``BasicRewardNet`` over (state, one-hot action), hidden ``hid_sizes`` (the prior system's 32-32),
no output normalisation (imitation's GAIL reward is the discriminator's logit, which bypasses it anyway). AIRL:
``BasicShapedRewardNet`` (reward ``hid_sizes``, potential ``potential_hid_sizes``, ``discount_factor``),
optionally wrapped in ``NormalizedRewardNet(RunningNorm)``. ``penalty_coef`` is λ of the generator's
reward ``r_learned + λ · coherence_penalty`` (0 = plain GAIL/AIRL). With an absorbing state
(``absorbing_indicator`` given), the learned reward sees one canonical action in it
(:class:`~ilaeda.algorithms.absorbing.AbsorbingActionMask`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from imitation.rewards import reward_nets
from imitation.util import networks
from stable_baselines3.common.vec_env import VecEnv

from ilaeda.algorithms.absorbing import AbsorbingActionMask
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

reward_ingredient = sacred.Ingredient("reward")


@reward_ingredient.config
def config() -> None:
    penalty_coef = 1.0  # λ: generator reward = learned reward + λ · coherence penalty (0 = off)
    hid_sizes = [32, 32]  # hidden layers of the reward net (discriminator)
    potential_hid_sizes = [32, 32]  # AIRL: hidden layers of the shaping potential
    discount_factor = 0.99  # AIRL: γ of the shaping term
    normalize_input = False  # RunningNorm on the net's inputs
    normalize_output = True  # AIRL: RunningNorm on the reward it gives the generator
    locals()  # quieten linters: every local is a config entry


@reward_ingredient.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """The penalty coefficient must be a number."""
    coef = config["reward"]["penalty_coef"]
    if isinstance(coef, bool) or not isinstance(coef, (int, float)):
        raise ConfigError(f"reward.penalty_coef must be a number, got {coef!r}")
    return {}


@reward_ingredient.capture
def make_reward_net(
    venv: VecEnv,
    algo: str,
    hid_sizes: Sequence[int],
    potential_hid_sizes: Sequence[int],
    discount_factor: float,
    normalize_input: bool,
    normalize_output: bool,
    absorbing_indicator: int | None = None,
) -> reward_nets.RewardNet:
    """The reward net of ``algo`` (``"gail"`` or ``"airl"``) for ``venv``'s spaces.

    ``absorbing_indicator``: index of the observation's absorbing indicator, when the env has an absorbing
    state whose actions the reward must ignore.
    """
    norm = networks.RunningNorm if normalize_input else None
    base: reward_nets.RewardNet = reward_nets.BasicRewardNet(
        venv.observation_space,
        venv.action_space,
        hid_sizes=tuple(int(h) for h in hid_sizes),
        normalize_input_layer=norm,
    )
    if absorbing_indicator is not None:
        base = AbsorbingActionMask(base, absorbing_indicator)
    if algo == "gail":
        return base
    if algo == "airl":
        potential = reward_nets.BasicPotentialMLP(
            venv.observation_space, hid_sizes=tuple(int(h) for h in potential_hid_sizes)
        )
        net: reward_nets.RewardNet = reward_nets.ShapedRewardNet(base, potential, float(discount_factor))
        if normalize_output:
            net = reward_nets.NormalizedRewardNet(net, networks.RunningNorm)
        return net
    raise ConfigError(f"no reward net for algorithm {algo!r}")


@reward_ingredient.capture
def get_penalty_coef(penalty_coef: float) -> float:
    """λ."""
    return float(penalty_coef)
