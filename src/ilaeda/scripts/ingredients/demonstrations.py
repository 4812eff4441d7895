"""Demonstrations ingredient: the expert trajectories of the split's TRAINING part.

Recorded REACT-IDA sessions replayed through the env (:func:`ilaeda.demos.load_demonstrations`),
shaped for the training env (its :class:`~ilaeda.envs.options.EnvOptions`, built by the environment
ingredient: ``episode_end``, ``observe_step``, ``horizon``): with
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
from ilaeda.data.splits import Split
from ilaeda.envs.options import EnvOptions
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
def demonstration_kwargs(
    include_references: bool,
    test_fraction: float,
    split_seed: int,
    long_sessions: str,
    absorbing: str,
    cache_dir: str | None,
    window_stride: int | None,
    chain_sessions: bool,
) -> dict[str, Any]:
    """:func:`ilaeda.demos.load_demonstrations`'s keywords from this ingredient's config (also what the
    session-oracle expert loads its demonstrations with).
    """
    check_positive_int(window_stride, "demonstrations.window_stride", error=ConfigError, none="or null")
    return {
        "include_references": include_references,
        "test_fraction": test_fraction,
        "seed": split_seed,
        "long_sessions": long_sessions,
        "absorbing": absorbing,
        "cache_dir": cache_dir,
        "window_stride": window_stride,
        "chain": bool(chain_sessions),
    }


@demonstrations_ingredient.capture
def get_expert_trajectories(
    split: Split, options: EnvOptions, data_dir: str | None, n_expert_demos: int | None, split_seed: int
) -> list[Trajectory]:
    """The training demonstrations of ``split`` for an env with ``options`` (optionally a seeded sample of
    ``n_expert_demos``).
    """
    from ilaeda.demos import load_demonstrations

    kwargs = demonstration_kwargs()
    if options.episode_end == "no_stop" and not (
        kwargs["chain"] or kwargs["long_sessions"] == "windows" or kwargs["include_references"]
    ):
        raise ConfigError(
            "with environment.episode_end='no_stop' only windows of the whole horizon are "
            "demonstrations; set demonstrations.chain_sessions=true or include_references=true"
        )
    trajectories = load_demonstrations(split, part="train", options=options, data_dir=data_dir, **kwargs)
    if n_expert_demos is not None:
        check_positive_int(n_expert_demos, "demonstrations.n_expert_demos", error=ConfigError, none="or null")
        if n_expert_demos > len(trajectories):
            raise ConfigError(
                f"demonstrations.n_expert_demos={n_expert_demos} but split {split.name!r} has only "
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
