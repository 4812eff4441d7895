"""What every training command starts with (its split, env options, logger and stopwatch) and how it ends
(the final policy saved, evaluated on the held-out datasets, the result returned).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilaeda.algorithms.lean import lean_torch
from ilaeda.contract import RunResult
from ilaeda.data.splits import Split
from ilaeda.envs.options import EnvOptions
from ilaeda.scripts.common import Stopwatch, checkpoint_metadata, evaluate_and_finish
from ilaeda.scripts.ingredients import environment
from ilaeda.scripts.ingredients import logging as logging_ing
from ilaeda.scripts.ingredients.policy_evaluation import RewardFn

if TYPE_CHECKING:
    from imitation.util.logger import HierarchicalLogger

    from ilaeda.algorithms.rollout import Predictor
    from ilaeda.scripts._sacred import Run


@dataclass
class TrainingRun:
    """One training run of a Sacred command: its configuration as objects, its clock and its output folder."""

    run: Run
    seed: int
    watch: Stopwatch
    split: Split
    options: EnvOptions
    custom_logger: HierarchicalLogger
    log_dir: Path

    @classmethod
    def start(cls, run: Run, seed: int, torch_num_threads: int) -> TrainingRun:
        """Start the clock, limit torch's threads, set up logging and build the split and env options."""
        watch = Stopwatch()
        lean_torch(torch_num_threads)
        split = environment.get_split()
        custom_logger, log_dir = logging_ing.setup_logging()
        return cls(run, seed, watch, split, environment.env_options(), custom_logger, log_dir)

    def metadata(self, label: str) -> dict[str, Any]:
        """What the run's checkpoints record besides their weights."""
        return checkpoint_metadata(label, self.split, self.options, self.seed)

    def finish(
        self,
        policy: Predictor,
        label: str,
        *,
        env_timing: Mapping[str, Any],
        extra: Mapping[str, Any],
        policy_path: Path | None,
        learned_reward: Mapping[str, Any] | None = None,
        reward_fn: RewardFn | None = None,
    ) -> RunResult:
        """Evaluate ``policy`` on the held-out datasets and return the run's result (labelled ``label``)."""
        return evaluate_and_finish(
            policy,
            algo=label,
            run=self.run,
            seed=self.seed,
            log_dir=self.log_dir,
            watch=self.watch,
            env_timing=env_timing,
            learned_reward=learned_reward or {},
            extra=extra,
            reward_fn=reward_fn,
            policy_path=policy_path,
        )
