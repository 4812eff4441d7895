"""Environment ingredient: the vectorised training env and the evaluation env of a dataset split.

Training uses only the split's TRAINING datasets (``EDAEnv.for_split(split, "train")`` semantics: each
reset draws one of them with the env's seeded RNG); the held-out dataset is touched only by
:func:`make_eval_env`. The env options (horizon, ``episode_end``, ``observe_step``, the masks) are config
keys of this ingredient; :func:`build_env_options` turns them into the one
:class:`~ilaeda.envs.options.EnvOptions` every consumer gets. Each sub-env is
``gym.make(gym_id, schema=, datasets=, options=, data_dir=)``
(checker disabled), wrapped in SB3's ``Monitor`` (CSV in ``<log_dir>/monitor``) and a
:class:`~ilaeda.algorithms.rollout.StepTimer`, in a ``DummyVecEnv`` (``parallel=False``, the prior
system's setting) or a forkserver ``SubprocVecEnv``. ``episode_end`` says what STOP does
(:mod:`ilaeda.envs.eda_env`): with ``"absorbing"`` and ``"no_stop"`` the horizon is fixed; with
``"terminate"`` episodes vary in length and the trainers set imitation's ``allow_variable_horizon``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Callable, Generator, Mapping, Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv

import ilaeda.envs  # noqa: F401  (registers ilaeda/EDA-v0)
from ilaeda.algorithms.rollout import StepTimer
from ilaeda.contract import check_positive_int
from ilaeda.data.splits import Split, parse_split
from ilaeda.envs import ENV_ID, EDAEnv
from ilaeda.envs.options import OPTION_NAMES, EnvOptions
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

environment_ingredient = sacred.Ingredient("environment")


@environment_ingredient.config
def config() -> None:
    gym_id = ENV_ID  # the registered EDA environment
    split = "cyber_loo1"  # <schema>_loo<k> (train on the others, evaluate on k), <schema>_<k> or <schema>_all
    # The env options, with EnvOptions' defaults (the one place they are written; docs/environment.md, "Options"):
    horizon = EnvOptions.horizon  # steps per episode (at most, with episode_end="terminate")
    episode_end = EnvOptions.episode_end  # what STOP does: "terminate" (the default), "absorbing", "no_stop"
    observe_step = EnvOptions.observe_step  # add the step index and stack depth (÷ horizon) to the observation
    mask_back_at_root = EnvOptions.mask_back_at_root  # action masks forbid BACK at the root (MaskablePPO)
    min_length = EnvOptions.min_length  # action masks forbid STOP before this many actions (MaskablePPO)
    num_vec = 8  # sub-envs in the training VecEnv
    parallel = False  # SubprocVecEnv instead of DummyVecEnv
    data_dir = None  # data directory (default: $ILAEDA_DATA_DIR, then the user cache)
    locals()  # quieten linters: every local is a config entry


@environment_ingredient.named_config
def fast() -> None:
    num_vec = 2  # noqa: F841


def build_env_options(environment: Mapping[str, Any]) -> EnvOptions:
    """The one :class:`EnvOptions` of a config's ``environment`` section (validated, errors naming
    ``environment.<option>``); every consumer of a run gets this value.
    """
    return EnvOptions.from_json(
        {name: environment[name] for name in OPTION_NAMES if name in environment}, prefix="environment."
    )


@environment_ingredient.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Reject a bad split, gym id, env option or env count before the run starts."""
    env = config["environment"]
    if env["gym_id"] != ENV_ID:
        raise ConfigError(f"environment.gym_id must be {ENV_ID!r} (the only EDA env), got {env['gym_id']!r}")
    parse_split(env["split"])
    build_env_options(env)
    check_positive_int(env["num_vec"], "environment.num_vec", error=ConfigError)
    return {}


@environment_ingredient.capture
def get_split(split: str) -> Split:
    """The parsed split (schema, training and evaluation datasets)."""
    return parse_split(split)


@environment_ingredient.capture
def env_options(_config: dict[str, Any]) -> EnvOptions:
    """The run's env options, built from the ingredient's config (:func:`build_env_options`)."""
    return build_env_options(_config)


def _env_kwargs(split: Split, part: str, options: EnvOptions, data_dir: str | None) -> dict[str, Any]:
    return {"schema": split.schema, "datasets": split.datasets(part), "options": options, "data_dir": data_dir}


def uses_masks() -> bool:
    """Whether the env's action masks forbid anything (the generator is then MaskablePPO)."""
    return bool(make_space_env().masks_active)


def absorbing_indicator() -> int | None:
    """Index of the observation's absorbing indicator when STOP leads to an absorbing state, else None."""
    if env_options().episode_end != "absorbing":
        return None
    return int(make_space_env().displays_vector().shape[0])


def _make_env(
    gym_id: str, kwargs: dict[str, Any], seed: int, monitor_path: str | None
) -> gym.Env[np.ndarray, np.ndarray]:
    env = gym.make(gym_id, disable_env_checker=True, **kwargs)
    env.reset(seed=seed)
    env.action_space.seed(seed)
    return StepTimer(Monitor(env, monitor_path))


def env_seeds(seed: int, n: int, stream: int = 0) -> list[int]:
    """``n`` distinct 31-bit seeds derived from the run seed (``stream`` separates uses)."""
    return [int(s) for s in np.random.SeedSequence([int(seed), stream]).generate_state(n) % (2**31 - 1)]


@contextlib.contextmanager
@environment_ingredient.capture
def make_venv(
    gym_id: str,
    split: str,
    num_vec: int,
    parallel: bool,
    data_dir: str | None,
    seed: int,
    log_dir: str | os.PathLike[str] | None = None,
) -> Generator[VecEnv, None, None]:
    """The training VecEnv over the split's training datasets (closed on exit)."""
    kwargs = _env_kwargs(parse_split(split), "train", env_options(), data_dir)
    monitor_dir = None
    if log_dir is not None:
        monitor_dir = Path(log_dir) / "monitor"
        monitor_dir.mkdir(parents=True, exist_ok=True)
    fns: list[Callable[[], gym.Env[np.ndarray, np.ndarray]]] = [
        functools.partial(
            _make_env, gym_id, kwargs, s, None if monitor_dir is None else str(monitor_dir / f"mon{i:03d}")
        )
        for i, s in enumerate(env_seeds(seed, num_vec))
    ]
    venv: VecEnv = SubprocVecEnv(fns, start_method="forkserver") if parallel else DummyVecEnv(fns)
    try:
        yield venv
    finally:
        venv.close()


@environment_ingredient.capture
def make_space_env(split: str, data_dir: str | None) -> EDAEnv:
    """An (unreset) env over the training datasets, for its spaces only (nothing is loaded)."""
    return EDAEnv(**_env_kwargs(parse_split(split), "train", env_options(), data_dir))


@environment_ingredient.capture
def make_eval_env(split: str, data_dir: str | None, datasets: Sequence[int] | None = None) -> EDAEnv:
    """The evaluation env: the split's evaluation (held-out) datasets, or ``datasets`` when given."""
    parsed = parse_split(split)
    kwargs = _env_kwargs(parsed, "eval", env_options(), data_dir)
    if datasets is not None:
        kwargs["datasets"] = tuple(int(d) for d in datasets)
    return EDAEnv(**kwargs)


def timing_of(venv: VecEnv) -> dict[str, float]:
    """Seconds spent inside the sub-envs' ``step``/``reset`` and the number of steps, summed."""
    try:
        step_s = venv.get_attr("step_seconds")
        reset_s = venv.get_attr("reset_seconds")
        steps = venv.get_attr("n_steps")
    except (AttributeError, EOFError, BrokenPipeError):  # pragma: no cover - closed or foreign env
        return {}
    return {"env_step_s": float(sum(step_s)), "env_reset_s": float(sum(reset_s)), "env_steps": int(sum(steps))}
