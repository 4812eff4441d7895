"""The ``train_adversarial`` experiment (GAIL, AIRL, BC→GAIL): defaults and named configs.

Defaults are the prior system's setting (AdvEDA's GAIL; benchmarking/README.md): 8 envs × 48 PPO steps = 384
steps per round, PPO minibatch 32, policy ``[50, 50, 50]`` for pi and vf, 100,000 generator steps, 192 expert
samples per discriminator batch, a 768-sample generator replay buffer, 2 discriminator updates per
round. ``bc_warm_start.enabled`` pre-trains the generator policy with BC (``bc.*``) on the same
demonstrations (BC→GAIL). Real grids use the JSON files in ``benchmarking/``.
"""

from __future__ import annotations

import logging
from typing import Any

from imitation.algorithms.adversarial.common import AdversarialTrainer

from ilaeda.contract import ADVERSARIAL_TRAINERS, check_positive_int
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import new_experiment
from ilaeda.scripts.common import (
    check_evaluation,
    check_evaluation_data,
    check_keys,
    check_rounds,
    check_seed,
    init_parameters,
)
from ilaeda.scripts.ingredients.bc import bc_ingredient
from ilaeda.scripts.ingredients.demonstrations import demonstrations_ingredient
from ilaeda.scripts.ingredients.environment import environment_ingredient
from ilaeda.scripts.ingredients.logging import logging_ingredient
from ilaeda.scripts.ingredients.policy import policy_ingredient
from ilaeda.scripts.ingredients.policy_evaluation import policy_evaluation_ingredient
from ilaeda.scripts.ingredients.reward import reward_ingredient
from ilaeda.scripts.ingredients.rl import rl_ingredient
from ilaeda.scripts.ingredients.training_evaluation import training_evaluation_ingredient

#: ``algorithm_kwargs`` keys (passed to the GAIL/AIRL constructor).
ALGORITHM_KWARGS = init_parameters(
    AdversarialTrainer.__init__,
    exclude=(
        "self",
        "demonstrations",
        "venv",
        "gen_algo",
        "reward_net",
        "log_dir",
        "custom_logger",
        "debug_use_ground_truth",
        "disc_opt_cls",
    ),
)

# The environment comes first: later config hooks (logging's log_dir) read its split.
train_adversarial_ex = new_experiment(
    "train_adversarial",
    ingredients=[
        environment_ingredient,
        logging_ingredient,
        demonstrations_ingredient,
        reward_ingredient,
        rl_ingredient,
        policy_ingredient,
        bc_ingredient,
        policy_evaluation_ingredient,
        training_evaluation_ingredient,
    ],
)


@train_adversarial_ex.config
def defaults() -> None:
    total_timesteps = 100_000  # generator env steps (rounds = total_timesteps // rl.batch_size)
    algorithm_kwargs = {  # GAIL/AIRL constructor arguments
        "demo_batch_size": 192,  # expert samples per discriminator batch (+ as many generator samples)
        "gen_replay_buffer_capacity": 768,  # generator samples kept for the discriminator (2 rounds)
        "n_disc_updates_per_round": 2,
    }
    checkpoint_interval = 0  # save every N rounds too (0: only the final checkpoint, <0: none)
    bc_warm_start = {"enabled": False}  # pre-train the generator policy with BC (bc.*) first
    torch_num_threads = 1  # torch intra-op threads (small nets: 1 is fastest and deterministic)
    locals()  # quieten linters: every local is a config entry


@train_adversarial_ex.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Whole-dict entries may only hold known keys; numbers must be numbers."""
    check_keys(config["algorithm_kwargs"], ALGORITHM_KWARGS, "algorithm_kwargs")
    check_positive_int(
        config["algorithm_kwargs"].get("demo_batch_size"), "algorithm_kwargs.demo_batch_size", error=ConfigError
    )
    check_keys(config["bc_warm_start"], {"enabled"}, "bc_warm_start")
    if command_name in ADVERSARIAL_TRAINERS:  # what a run needs, checked before it starts
        check_seed(config)
        check_rounds(config)
        check_evaluation(config)
        check_evaluation_data(config)
    return {}


@train_adversarial_ex.named_config
def fast() -> None:
    """Seconds-long smoke test: 2 envs, 2 rounds of 96 steps, 20 demonstrations, 2 eval sessions."""
    total_timesteps = 192
    algorithm_kwargs = {"demo_batch_size": 32, "gen_replay_buffer_capacity": 96}
    environment = {"num_vec": 2}
    rl = {"batch_size": 96, "rl_kwargs": {"n_epochs": 2}}
    demonstrations = {"n_expert_demos": 20}
    policy_evaluation = {"n_sessions": 2}
    bc = {"n_epochs": 2}
    locals()  # quieten linters: every local is a config entry
