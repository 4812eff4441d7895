"""BC ingredient: behaviour cloning (the BC command, DAgger's learner and the BC→GAIL warm start).

imitation's ``BC`` with its own Adam optimiser (``optimizer_kwargs``; the prior system's BC used Adam's
default lr 1e-3 whatever its config said), loss ``−log π(a|s) − ent_weight·H + l2_weight·‖θ‖²``.
``n_epochs`` passes over the demonstrations (``n_batches`` instead, when set). DAgger trains
``dagger.n_epochs_per_round`` epochs per round instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from imitation.algorithms import bc as bc_algo
from imitation.data.types import Trajectory
from imitation.util import logger as imit_logger
from stable_baselines3.common.policies import ActorCriticPolicy

from ilaeda.algorithms.lean import foreach_optimizer
from ilaeda.contract import check_positive_int
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

bc_ingredient = sacred.Ingredient("bc")


@bc_ingredient.config
def config() -> None:
    batch_size = 32  # transitions per gradient step
    n_epochs = 100  # passes over the demonstrations (BC command, warm start)
    n_batches = None  # gradient steps instead of epochs (overrides n_epochs when set)
    optimizer_kwargs = {"lr": 1e-3}  # Adam
    ent_weight = 1e-3  # entropy bonus weight
    l2_weight = 0.0  # weight decay
    log_interval = 500  # gradient steps between logger dumps
    progress_bar = True  # tqdm over batches
    locals()  # quieten linters: every local is a config entry


@bc_ingredient.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """The ``bc`` integers, checked before the run starts (``n_epochs`` only when ``n_batches`` is unset)."""
    cfg = config["bc"]
    for key in ("batch_size", "log_interval"):
        check_positive_int(cfg[key], f"bc.{key}", error=ConfigError)
    if check_positive_int(cfg["n_batches"], "bc.n_batches", error=ConfigError, none="or null") is None:
        check_positive_int(cfg["n_epochs"], "bc.n_epochs", error=ConfigError, hint=" (or set bc.n_batches)")
    return {}


@bc_ingredient.capture
def make_bc(
    policy: ActorCriticPolicy,
    demonstrations: Sequence[Trajectory] | None,
    custom_logger: imit_logger.HierarchicalLogger,
    rng: np.random.Generator,
    batch_size: int,
    optimizer_kwargs: Mapping[str, Any],
    ent_weight: float,
    l2_weight: float,
) -> bc_algo.BC:
    """A BC trainer that trains ``policy`` in place."""
    check_positive_int(batch_size, "bc.batch_size", error=ConfigError)
    if demonstrations is not None:
        total = sum(len(t.acts) for t in demonstrations)
        if batch_size > total:
            raise ConfigError(
                f"bc.batch_size={batch_size} exceeds the {total} expert transitions; "
                "lower bc.batch_size or use more demonstrations"
            )
    trainer = bc_algo.BC(
        observation_space=policy.observation_space,
        action_space=policy.action_space,
        rng=rng,
        policy=policy,
        demonstrations=demonstrations,
        batch_size=batch_size,
        optimizer_kwargs=dict(optimizer_kwargs),
        ent_weight=float(ent_weight),
        l2_weight=float(l2_weight),
        custom_logger=custom_logger,
    )
    foreach_optimizer(trainer.optimizer)
    return trainer


@bc_ingredient.capture
def train_kwargs(n_epochs: int | None, n_batches: int | None, log_interval: int, progress_bar: bool) -> dict[str, Any]:
    """Arguments of ``BC.train`` for a full BC run (no rollouts: the env has no reward)."""
    if n_batches is None and not n_epochs:
        raise ConfigError("set bc.n_epochs or bc.n_batches")
    kwargs: dict[str, Any] = {
        "log_interval": int(log_interval),
        "progress_bar": bool(progress_bar),
        "log_rollouts_venv": None,
    }
    if n_batches is not None:
        kwargs["n_batches"] = int(n_batches)
    else:
        kwargs["n_epochs"] = int(n_epochs)  # type: ignore[arg-type]
    return kwargs
