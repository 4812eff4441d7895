"""Train GAIL or AIRL (with the coherence penalty), optionally warm-started by BC.

``python -m ilaeda.scripts.train_adversarial gail|airl with benchmarking/gail_cyber_loo1.json seed=0``

Per run: the split's training demonstrations; a VecEnv over its training datasets; PPO generator;
``PenalizedGAIL``/``PenalizedAIRL`` (learned reward + ``reward.penalty_coef`` · coherence penalty);
checkpoints (state dicts) in ``<log_dir>/checkpoints/final``; evaluation on the held-out dataset
(:mod:`ilaeda.scripts.ingredients.policy_evaluation`); the plain-JSON result in ``run.json``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from imitation.algorithms.adversarial.common import AdversarialTrainer

from ilaeda.algorithms import penalty
from ilaeda.algorithms.lean import foreach_optimizer
from ilaeda.algorithms.serialize import save_reward_net
from ilaeda.contract import ADVERSARIAL_TRAINERS, RunResult
from ilaeda.errors import ConfigError
from ilaeda.scripts import console
from ilaeda.scripts._sacred import Run
from ilaeda.scripts.common import save_final_policy
from ilaeda.scripts.config.train_adversarial import train_adversarial_ex
from ilaeda.scripts.ingredients import bc as bc_ing
from ilaeda.scripts.ingredients import demonstrations, reward, rl, training_evaluation
from ilaeda.scripts.ingredients import environment as env_ing
from ilaeda.scripts.ingredients import policy as policy_ing
from ilaeda.scripts.training_run import TrainingRun

logger = logging.getLogger(__name__)

#: Sacred command -> adversarial trainer class.
TRAINERS = {command: getattr(penalty, trainer) for command, trainer in ADVERSARIAL_TRAINERS.items()}


def _save(trainer: AdversarialTrainer, directory: Path, metadata: Mapping[str, Any], run: Run | None = None) -> Path:
    """Policy and reward-net state dicts of a trainer."""
    directory.mkdir(parents=True, exist_ok=True)
    # imitation types the generator's policy BasePolicy; ours is an ActorCriticPolicy.
    policy_path = save_final_policy(trainer.policy, directory, metadata, run)  # type: ignore[arg-type]
    reward_path = save_reward_net(trainer.reward_train, directory / "reward_net.pt", metadata)
    if run is not None:
        run.add_artifact(str(reward_path), "reward_net.pt")
    return policy_path


@train_adversarial_ex.capture
def train_adversarial(
    algo: str,
    _run: Run,
    seed: int,
    total_timesteps: int,
    algorithm_kwargs: Mapping[str, Any],
    checkpoint_interval: int,
    bc_warm_start: Mapping[str, Any],
    torch_num_threads: int,
    environment: Mapping[str, Any],
) -> RunResult:
    """Train ``algo`` (``gail`` or ``airl``), evaluate it and return the result."""
    run = TrainingRun.start(_run, seed, torch_num_threads)
    watch, options, custom_logger, log_dir = run.watch, run.options, run.custom_logger, run.log_dir
    warm = bool(bc_warm_start["enabled"])
    label = f"bc{algo}" if warm else algo
    total_timesteps = int(total_timesteps)
    checkpoint_interval = int(checkpoint_interval)
    trajectories = demonstrations.get_expert_trajectories(run.split, options, environment["data_dir"])
    demonstrations.check_batch_size(
        trajectories, algorithm_kwargs.get("demo_batch_size", 0), "algorithm_kwargs.demo_batch_size"
    )
    metadata = run.metadata(label)
    with env_ing.make_venv(seed=seed, log_dir=log_dir) as venv:
        net = reward.make_reward_net(venv, algo=algo, absorbing_indicator=env_ing.absorbing_indicator())
        gen_algo = rl.make_rl_algo(
            venv, policy_kwargs=policy_ing.plain_policy_kwargs(), seed=seed, masked=env_ing.uses_masks()
        )
        if total_timesteps < gen_algo.n_steps * venv.num_envs:
            raise ConfigError(
                f"total_timesteps={total_timesteps} is less than one round "
                f"(rl.batch_size={gen_algo.n_steps * venv.num_envs})"
            )
        watch.lap("setup_s")
        if warm:
            bc_trainer = bc_ing.make_bc(gen_algo.policy, trajectories, custom_logger, np.random.default_rng(seed))
            bc_trainer.train(**bc_ing.train_kwargs())
            watch.lap("bc_warm_start_s")
        trainer = TRAINERS[algo](
            venv=venv,
            demonstrations=trajectories,
            gen_algo=gen_algo,
            reward_net=net,
            log_dir=log_dir,
            custom_logger=custom_logger,
            penalty_coef=reward.get_penalty_coef(),
            allow_variable_horizon=options.variable_horizon,
            **dict(algorithm_kwargs),
        )
        foreach_optimizer(trainer._disc_opt)

        train_eval = training_evaluation.make_callback(
            trainer.policy, _run, seed, total_timesteps // trainer.gen_train_timesteps, lambda: gen_algo.num_timesteps
        )

        def callback(round_num: int, /) -> None:
            if checkpoint_interval > 0 and round_num % checkpoint_interval == 0:
                _save(trainer, log_dir / "checkpoints" / f"{round_num:05d}", metadata)
            train_eval(round_num)

        trainer.train(total_timesteps, callback)
        watch.lap("train_s")
        env_timing = {**env_ing.timing_of(venv), "env_steps": int(gen_algo.num_timesteps)}
        learned = trainer.venv_penalty.stats()
    policy_path = None
    if checkpoint_interval >= 0:
        policy_path = _save(trainer, log_dir / "checkpoints" / "final", metadata, _run)
    extra = {
        **demonstrations.summary(trajectories),
        "n_rounds": total_timesteps // trainer.gen_train_timesteps,
        "bc_warm_start": warm,
    }
    reward_fn = trainer.reward_test.predict_processed
    return run.finish(
        trainer.policy,
        label,
        env_timing=env_timing,
        extra=extra,
        policy_path=policy_path,
        learned_reward=learned,
        reward_fn=reward_fn,
    )


@train_adversarial_ex.command
def gail() -> RunResult:
    """GAIL; its reward is the discriminator's plus reward.penalty_coef × the coherence penalty."""
    result: RunResult = train_adversarial(algo="gail")
    return result


@train_adversarial_ex.command
def airl() -> RunResult:
    """AIRL; its reward is the learned reward plus reward.penalty_coef × the coherence penalty."""
    result: RunResult = train_adversarial(algo="airl")
    return result


def main_console() -> None:
    """Console entry point (``ilaeda-train-adversarial``)."""
    console.main_console(train_adversarial_ex)


if __name__ == "__main__":  # pragma: no cover
    main_console()
