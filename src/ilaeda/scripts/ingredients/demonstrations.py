"""Demonstrations ingredient: the expert trajectories of the split's TRAINING part.

Recorded REACT-IDA sessions replayed through the env (:func:`ilaeda.demos.load_demonstrations`),
shaped for the training env (``environment.episode_end`` and ``observe_step``): with
``episode_end="absorbing"`` each trajectory is padded to the horizon with its absorbing transitions
(``absorbing="keep"``), so the discriminator learns when experts stop; with ``"terminate"`` it ends at
STOP; with ``"no_stop"`` only windows of ``horizon`` real actions are used (``chain_sessions`` makes
them from each dataset's chain of sessions). Never the held-out dataset's sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from imitation.data.types import Trajectory

from ilaeda.contract import check_positive_int
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

demonstrations_ingredient = sacred.Ingredient("demonstrations")


@demonstrations_ingredient.config
def config() -> None:
    n_expert_demos = None  # use N trajectories drawn with split_seed (None: all)
    include_references = True  # add the gold reference sessions of the training datasets (never the held-out's)
    test_fraction = 0.3  # share of sessions held out per dataset in non-leave-one-out splits
    split_seed = 0  # seed of that within-dataset train/test split (not the run seed)
    long_sessions = "cut"  # sessions longer than the horizon: "cut" or "windows"
    window_stride = None  # steps between window starts with long_sessions="windows" or chain_sessions (None: horizon)
    chain_sessions = False  # chain each dataset's sessions (BACKs to the root between them) into windows
    absorbing = "keep"  # "keep": pad with the absorbing steps after STOP (episode_end="absorbing"); "drop": end at STOP
    cache_dir = None  # replay cache (default: the user cache dir)
    locals()  # quieten linters: every local is a config entry


@demonstrations_ingredient.named_config
def fast() -> None:
    n_expert_demos = 20  # noqa: F841


@demonstrations_ingredient.capture
def get_expert_trajectories(
    split: str,
    horizon: int,
    data_dir: str | None,
    n_expert_demos: int | None,
    include_references: bool,
    test_fraction: float,
    split_seed: int,
    long_sessions: str,
    absorbing: str,
    cache_dir: str | None,
    window_stride: int | None,
    chain_sessions: bool,
    episode_end: str = "absorbing",
    observe_step: bool = False,
) -> list[Trajectory]:
    """The training demonstrations of ``split`` (optionally a seeded sample of ``n_expert_demos``)."""
    from ilaeda.demos import load_demonstrations

    check_positive_int(window_stride, "demonstrations.window_stride", error=ConfigError, none="or null")
    if episode_end == "no_stop" and not (chain_sessions or long_sessions == "windows" or include_references):
        logger_note = (
            "with environment.episode_end='no_stop' only windows of the whole horizon are "
            "demonstrations; set demonstrations.chain_sessions=true or include_references=true"
        )
        raise ConfigError(logger_note)
    trajectories = load_demonstrations(
        split,
        part="train",
        include_references=include_references,
        test_fraction=test_fraction,
        seed=split_seed,
        horizon=horizon,
        long_sessions=long_sessions,  # type: ignore[arg-type]
        absorbing=absorbing,  # type: ignore[arg-type]
        data_dir=data_dir,
        cache_dir=cache_dir,
        episode_end=episode_end,
        observe_step=observe_step,
        window_stride=window_stride,
        chain=bool(chain_sessions),
    )
    if n_expert_demos is not None:
        check_positive_int(n_expert_demos, "demonstrations.n_expert_demos", error=ConfigError, none="or null")
        if n_expert_demos > len(trajectories):
            raise ConfigError(
                f"demonstrations.n_expert_demos={n_expert_demos} but split {split!r} has only "
                f"{len(trajectories)} training demonstrations"
            )
        chosen = np.random.default_rng(split_seed).choice(len(trajectories), n_expert_demos, replace=False)
        trajectories = [trajectories[i] for i in sorted(chosen)]
    return list(trajectories)


def n_transitions(trajectories: Sequence[Trajectory]) -> int:
    """Number of (s, a) pairs in the trajectories."""
    return sum(len(t.acts) for t in trajectories)


def check_batch_size(trajectories: Sequence[Trajectory], batch_size: int, key: str) -> None:
    """imitation's data loader needs at least one full batch; say which key to lower if not."""
    total = n_transitions(trajectories)
    if int(batch_size) > total:
        raise ConfigError(
            f"{key}={batch_size} exceeds the {total} expert transitions "
            f"({len(trajectories)} demonstrations); lower {key} or use more demonstrations"
        )


def summary(trajectories: Sequence[Trajectory]) -> dict[str, Any]:
    """Counts for the result."""
    return {"n_expert_demos": len(trajectories), "n_expert_transitions": n_transitions(trajectories)}
