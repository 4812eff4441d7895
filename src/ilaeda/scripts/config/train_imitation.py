"""The ``train_imitation`` experiment (BC, DAgger): defaults and named configs.

BC: the prior system's 100 epochs, batch 32, policy ``[50, 50, 50]`` for pi and vf. DAgger: the
session-oracle expert (``expert.policy_type="eda-sessions"``, an approximate expert; see
docs/experiments.md), the recorded sessions as round-0 data, a linear β schedule over
``beta_rampdown_rounds`` rounds, ``n_epochs_per_round`` BC epochs on all data after each round.
"""

from __future__ import annotations

import logging
from typing import Any, TypedDict

from ilaeda.contract import commands_of
from ilaeda.scripts._sacred import new_experiment
from ilaeda.scripts.common import check_evaluation, check_evaluation_data, check_keys, check_seed, positive_int_at
from ilaeda.scripts.ingredients.bc import bc_ingredient
from ilaeda.scripts.ingredients.demonstrations import demonstrations_ingredient
from ilaeda.scripts.ingredients.environment import environment_ingredient
from ilaeda.scripts.ingredients.expert import expert_ingredient
from ilaeda.scripts.ingredients.logging import logging_ingredient
from ilaeda.scripts.ingredients.policy import policy_ingredient
from ilaeda.scripts.ingredients.policy_evaluation import policy_evaluation_ingredient


class DaggerConfig(TypedDict):
    """The ``dagger`` entry (the integers are checked by :func:`validate` before a run starts)."""

    total_timesteps: int
    use_offline_rollouts: bool
    beta_rampdown_rounds: int
    n_epochs_per_round: int
    rollout_round_min_episodes: int
    rollout_round_min_timesteps: int


#: Keys of the ``dagger`` entry.
DAGGER_KEYS = frozenset(DaggerConfig.__annotations__)

# The environment comes first: the logging hook reads its split. No other hook reads another ingredient's
# config: the commands hand the expert the run's EnvOptions and demonstration settings.
train_imitation_ex = new_experiment(
    "train_imitation",
    ingredients=[
        environment_ingredient,
        logging_ingredient,
        demonstrations_ingredient,
        expert_ingredient,
        policy_ingredient,
        bc_ingredient,
        policy_evaluation_ingredient,
    ],
)


@train_imitation_ex.config
def defaults() -> None:
    dagger = {  # DAgger (SimpleDAggerTrainer) settings
        "total_timesteps": 20_000,  # env steps collected over all rounds
        "use_offline_rollouts": True,  # the recorded sessions are round-0 data
        "beta_rampdown_rounds": 15,  # β (share of expert actions executed) falls linearly to 0
        "n_epochs_per_round": 4,  # BC epochs on all data after each round
        "rollout_round_min_episodes": 8,
        "rollout_round_min_timesteps": 2_000,
    }
    torch_num_threads = 1  # torch intra-op threads
    locals()  # quieten linters: every local is a config entry


@train_imitation_ex.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """The ``dagger`` entry may only hold known keys; what a run needs is checked before it starts."""
    check_keys(config["dagger"], DAGGER_KEYS, "dagger")
    if command_name in commands_of("train_imitation"):
        check_seed(config)
        check_evaluation(config)
        check_evaluation_data(config)
    if command_name == "dagger":
        positive_int_at(config, "dagger.total_timesteps", " (env steps collected over all rounds)")
        for key in sorted(DAGGER_KEYS - {"total_timesteps", "use_offline_rollouts"}):
            positive_int_at(config, f"dagger.{key}")
    return {}


@train_imitation_ex.named_config
def fast() -> None:
    """Seconds-long smoke test: 2 BC epochs / 2 small DAgger rounds, 20 demonstrations, 2 eval sessions."""
    environment = {"num_vec": 2}
    bc = {"n_epochs": 2}
    dagger = {
        "total_timesteps": 96,
        "rollout_round_min_episodes": 2,
        "rollout_round_min_timesteps": 48,
        "n_epochs_per_round": 1,
    }
    demonstrations = {"n_expert_demos": 20}
    policy_evaluation = {"n_sessions": 2}
    locals()  # quieten linters: every local is a config entry
