"""Training-evaluation ingredient: benchmark metrics measured periodically during training.

Every ``interval`` rounds the current policy plays ``n_sessions`` sessions per policy mode on the split's
**training** datasets (never the held-out one: these curves may guide choices without touching the test
data), cycling over the datasets; each session is scored alone against its dataset's gold references.
The means are logged as Sacred metrics (``metrics.json``, which ``analyze`` plots as learning curves)
under ``train_eval/<mode>/<key>`` (key: ``length`` and the five benchmark metrics) against the number of
generator steps so far. ``interval = 0`` turns it off. The policy's sampling uses its own seeded torch RNG
stream, so training is unchanged by the evaluation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import torch as th

from ilaeda.algorithms.rollout import Predictor, generate_sessions
from ilaeda.benchmark import METRICS, score_sessions
from ilaeda.contract import check_positive_int
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import Run, sacred
from ilaeda.scripts.ingredients import environment

if TYPE_CHECKING:
    from ilaeda.envs import EDAEnv

training_evaluation_ingredient = sacred.Ingredient("training_evaluation")

#: Logged keys per mode.
KEYS = ("length", *METRICS)
PREFIX = "train_eval"


@training_evaluation_ingredient.config
def config() -> None:
    interval = 10  # evaluate every N training rounds (0: never); the final round is always evaluated
    n_sessions = 3  # sessions per policy mode and evaluation, cycling over the training datasets
    locals()  # quieten linters: every local is a config entry


@training_evaluation_ingredient.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    cfg = config.get("training_evaluation") or {}
    for key, low in (("interval", 0), ("n_sessions", 1)):
        check_positive_int(cfg.get(key), f"training_evaluation.{key}", minimum=low, error=ConfigError)
    return {}


def evaluate_on_training(policy: Predictor, env: EDAEnv, n_sessions: int, seed: int) -> dict[str, float]:
    """``{"<mode>/<key>": mean}`` over ``n_sessions`` sessions per mode on ``env``'s datasets."""
    out: dict[str, float] = {}
    for k, (mode, deterministic) in enumerate((("stochastic", False), ("deterministic", True))):
        with th.random.fork_rng(devices=[]):
            th.manual_seed(seed + k)
            sessions = generate_sessions(
                policy, env, n_sessions, deterministic=deterministic, seed=seed + k, prefix=f"{mode}_", progress=False
            )
        rows: list[dict[str, Any]] = []
        for dataset in sorted({s.dataset for s in sessions}):
            rows += score_sessions(
                [s.session for s in sessions if s.dataset == dataset],
                env.schema,
                dataset,
                data_dir=env.data_dir,
                with_interestingness=False,
            ).sessions
        for key in KEYS:
            out[f"{mode}/{key}"] = float(np.mean([r[key] for r in rows]))
    return out


@training_evaluation_ingredient.capture
def make_callback(
    policy: Predictor,
    run: Run | None,
    seed: int,
    n_rounds: int,
    steps: Callable[[], int],
    interval: int,
    n_sessions: int,
) -> Callable[[int], None]:
    """A per-round callback ``(round_num) -> None`` logging the training-dataset metrics every ``interval`` rounds.

    Args:
        policy: the policy being trained (read at call time).
        run: the Sacred run (metrics go to its ``metrics.json``); None: nothing is logged.
        seed: seeds the evaluation sessions.
        n_rounds: number of training rounds (the last one is always evaluated).
        steps: the generator's step count so far (the curves' x axis).
        interval: evaluate every ``interval`` rounds (0: never; config ``training_evaluation.interval``).
        n_sessions: sessions generated per evaluation.
    """
    if interval <= 0 or run is None:
        return lambda round_num: None
    env = environment.make_eval_env(datasets=environment.get_split().train_datasets)

    def callback(round_num: int) -> None:
        if (round_num + 1) % interval and round_num + 1 != n_rounds:
            return
        values = evaluate_on_training(policy, env, n_sessions, seed)
        step = int(steps())
        for key, value in values.items():
            run.log_scalar(f"{PREFIX}/{key}", value, step)

    return callback
