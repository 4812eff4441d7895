"""Train BC or DAgger.

``python -m ilaeda.scripts.train_imitation bc|dagger with benchmarking/bc_cyber_loo1.json seed=0``

BC trains the policy on the split's training demonstrations. DAgger (imitation's
``SimpleDAggerTrainer``) rolls out on the training datasets and labels every visited state with the
expert's action; the expert is the session oracle (``expert.policy_type="eda-sessions"``), an
APPROXIMATE expert (nearest recorded state → its recorded action), or a scripted analyst
(``expert.policy_type="scripted"``, :mod:`ilaeda.synthetic.expert`), a true one. Both are evaluated on
the held-out dataset like the adversarial runs and save ``<log_dir>/checkpoints/final/policy.pt`` (state
dict).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
from imitation.algorithms import dagger as dagger_algo

from ilaeda.algorithms.session_oracle import SessionOracle
from ilaeda.contract import RunResult
from ilaeda.scripts import console
from ilaeda.scripts._sacred import Run
from ilaeda.scripts.common import save_final_policy
from ilaeda.scripts.config.train_imitation import DaggerConfig, train_imitation_ex
from ilaeda.scripts.ingredients import bc as bc_ing
from ilaeda.scripts.ingredients import demonstrations
from ilaeda.scripts.ingredients import environment as env_ing
from ilaeda.scripts.ingredients import expert as expert_ing
from ilaeda.scripts.ingredients import policy as policy_ing
from ilaeda.scripts.training_run import TrainingRun

logger = logging.getLogger(__name__)


@train_imitation_ex.command
def bc(_run: Run, seed: int, torch_num_threads: int, environment: Mapping[str, Any]) -> RunResult:
    """Behaviour cloning on the split's training demonstrations."""
    run = TrainingRun.start(_run, seed, torch_num_threads)
    trajectories = demonstrations.get_expert_trajectories(run.split, run.options, environment["data_dir"])
    spaces = env_ing.make_space_env()
    policy = policy_ing.make_policy(spaces.observation_space, spaces.action_space)
    trainer = bc_ing.make_bc(policy, trajectories, run.custom_logger, np.random.default_rng(seed))
    run.watch.lap("setup_s")
    trainer.train(**bc_ing.train_kwargs())
    run.watch.lap("train_s")
    policy_path = save_final_policy(trainer.policy, run.log_dir / "checkpoints" / "final", run.metadata("bc"), _run)
    extra = demonstrations.summary(trajectories)
    return run.finish(trainer.policy, "bc", env_timing={"env_steps": 0}, extra=extra, policy_path=policy_path)


@train_imitation_ex.command
def dagger(
    _run: Run,
    seed: int,
    torch_num_threads: int,
    environment: Mapping[str, Any],
    dagger: DaggerConfig,
    expert: Mapping[str, Any],
) -> RunResult:
    """DAgger with the session-oracle expert (approximate), seeded with the recorded sessions."""
    run = TrainingRun.start(_run, seed, torch_num_threads)
    trajectories = None
    if dagger["use_offline_rollouts"]:
        trajectories = demonstrations.get_expert_trajectories(run.split, run.options, environment["data_dir"])
    rng = np.random.default_rng(seed)
    with env_ing.make_venv(seed=seed, log_dir=run.log_dir) as venv:
        oracle = expert_ing.get_expert_policy(
            venv,
            split=run.split,
            options=run.options,
            data_dir=environment["data_dir"],
            demonstration_kwargs=demonstrations.demonstration_kwargs(),
        )
        policy = policy_ing.make_policy(venv.observation_space, venv.action_space)
        bc_trainer = bc_ing.make_bc(policy, None, run.custom_logger, rng)
        trainer = dagger_algo.SimpleDAggerTrainer(
            venv=venv,
            scratch_dir=run.log_dir / "scratch",
            expert_policy=oracle,
            rng=rng,
            expert_trajs=trajectories,
            bc_trainer=bc_trainer,
            beta_schedule=dagger_algo.LinearBetaSchedule(dagger["beta_rampdown_rounds"]),
            custom_logger=run.custom_logger,
        )
        run.watch.lap("setup_s")
        bc_kwargs = {**bc_ing.train_kwargs(), "n_epochs": dagger["n_epochs_per_round"]}
        bc_kwargs.pop("n_batches", None)
        trainer.train(  # the dagger.* integers are checked by the config hook
            dagger["total_timesteps"],
            rollout_round_min_episodes=dagger["rollout_round_min_episodes"],
            rollout_round_min_timesteps=dagger["rollout_round_min_timesteps"],
            bc_train_kwargs=bc_kwargs,
        )
        run.watch.lap("train_s")
        env_timing = env_ing.timing_of(venv)
    final = run.log_dir / "checkpoints" / "final"
    # imitation types DAgger's policy BasePolicy; ours is an ActorCriticPolicy.
    policy_path = save_final_policy(trainer.policy, final, run.metadata("dagger"), _run)  # type: ignore[arg-type]
    oracle_stats = oracle.stats() if isinstance(oracle, SessionOracle) else {}
    extra = {
        **(demonstrations.summary(trajectories) if trajectories else {}),
        "dagger_rounds": trainer.round_num,
        "expert": {"policy_type": expert["policy_type"], "approximate": bool(oracle_stats), **oracle_stats},
    }
    return run.finish(trainer.policy, "dagger", env_timing=env_timing, extra=extra, policy_path=policy_path)


def main_console() -> None:
    """Console entry point (``ilaeda-train-imitation``)."""
    console.main_console(train_imitation_ex)


if __name__ == "__main__":  # pragma: no cover
    main_console()
