"""Pieces shared by the training experiments: key checks, checkpoints, evaluation and the result."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import torch as th
from stable_baselines3.common.policies import ActorCriticPolicy

from ilaeda.algorithms.serialize import save_policy
from ilaeda.benchmark.summary import plain_json
from ilaeda.contract import POLICY_SECTIONS, RunResult, check_positive_int, result_problem
from ilaeda.data.locate import locate
from ilaeda.data.splits import Split, parse_split
from ilaeda.envs.options import EnvOptions
from ilaeda.errors import ConfigError
from ilaeda.provenance import code_version, config_files_hashes
from ilaeda.report import write_run_report
from ilaeda.scripts.ingredients import environment, policy_evaluation
from ilaeda.scripts.ingredients import policy as policy_ing

if TYPE_CHECKING:
    from ilaeda.algorithms.rollout import Predictor
    from ilaeda.scripts._sacred import Run

logger = logging.getLogger(__name__)


def check_keys(value: object, allowed: Iterable[str], key: str) -> None:
    """A dict config entry captured whole may only hold ``allowed`` keys (clear error otherwise)."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be a JSON object, got {value!r}")
    allowed = set(allowed)
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ConfigError(f"unknown config key {key}.{unknown[0]}; valid keys of {key}: {', '.join(sorted(allowed))}")


#: Seeds numpy and torch accept: 0 .. 2**32 - 1.
MAX_SEED = 2**32 - 1


def _lookup(config: Mapping[str, Any], dotted: str) -> Any:  # a config value, of any JSON type
    value: Any = config
    for part in dotted.split("."):
        value = value[part]
    return value


def positive_int_at(config: Mapping[str, Any], dotted: str, hint: str = "") -> int:
    """``config[dotted]`` as a positive integer (bools, floats and strings refused with one line)."""
    value: int = check_positive_int(_lookup(config, dotted), dotted, error=ConfigError, hint=hint)
    return value


def check_seed(config: Mapping[str, Any]) -> None:
    """``seed``, when given, must be an integer numpy and torch accept (Sacred draws one when unset)."""
    seed = config.get("seed")
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"seed must be an integer from 0 to {MAX_SEED}, got {seed!r} (e.g. seed=0)")


def check_evaluation(config: Mapping[str, Any]) -> None:
    """The end-of-run evaluation's settings (checked before training, not after it)."""
    positive_int_at(config, "policy_evaluation.n_sessions", " (sessions generated per policy mode)")


def check_evaluation_data(config: Mapping[str, Any]) -> None:
    """A training run's ``environment.split``: every held-out dataset it will evaluate on, and its gold
    references, located and verified now.

    A missing or corrupt file raises :class:`~ilaeda.errors.DataError` (one line with the fix) before any
    training; on a grid that saves every run of the split its training. Cheap: a verified file is stamped
    (:mod:`ilaeda.data.integrity`), so this costs a ``stat`` per file.
    """
    env = config.get("environment") or {}
    split = parse_split(str(env.get("split")))
    schema = split.schema
    for dataset in split.eval_datasets:
        for files in (schema.datasets, schema.references):
            if dataset in files:
                locate(files[dataset], env.get("data_dir"))


def check_rounds(config: Mapping[str, Any]) -> None:
    """Adversarial training: ``total_timesteps`` covers at least one round of ``rl.batch_size`` steps,
    a multiple of ``environment.num_vec``.
    """
    batch = positive_int_at(config, "rl.batch_size", " (env steps per round)")
    num_vec = positive_int_at(config, "environment.num_vec")
    if batch % num_vec:
        raise ConfigError(f"rl.batch_size={batch} must be a multiple of environment.num_vec={num_vec}")
    total = positive_int_at(config, "total_timesteps", f" (generator env steps; one round is rl.batch_size={batch})")
    if total < batch:
        raise ConfigError(
            f"total_timesteps={total} is less than one round (rl.batch_size={batch}); "
            f"set total_timesteps to {batch} or more"
        )


def init_parameters(fn: Callable[..., Any], exclude: Iterable[str] = ()) -> set[str]:
    """Keyword parameters of a callable (e.g. a constructor) minus ``exclude``."""
    params = inspect.signature(fn).parameters
    return {n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)} - set(exclude)


def eval_dataset_value(split: Split) -> int | list[int]:
    """The result's ``eval_dataset``: the dataset number, or the list of them."""
    return split.eval_datasets[0] if len(split.eval_datasets) == 1 else list(split.eval_datasets)


def checkpoint_metadata(algo: str, split: Split, options: EnvOptions, seed: int, **extra: object) -> dict[str, Any]:
    """What a policy checkpoint records besides its weights (the env options it was trained with too, in
    :meth:`EnvOptions.to_json` form; ``horizon`` also on its own, as older readers expect).
    """
    return {
        "algo": algo,
        "split": split.name,
        "schema": split.schema.name,
        "horizon": options.horizon,
        "train_datasets": list(split.train_datasets),
        "eval_datasets": list(split.eval_datasets),
        "seed": int(seed),
        "torch": th.__version__,
        "env_options": options.to_json(),
        **extra,
    }


def save_final_policy(
    policy: ActorCriticPolicy, directory: Path, metadata: Mapping[str, Any], run: Run | None = None
) -> Path:
    """``<directory>/policy.pt`` (state dict + metadata), added as the Sacred artifact ``policy.pt``."""
    path = save_policy(
        policy, directory / "policy.pt", policy_kwargs=policy_ing.plain_policy_kwargs(), metadata=metadata
    )
    if run is not None:
        run.add_artifact(str(path), "policy.pt")
    return path


class Stopwatch:
    """Wall-clock phases of a run."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: dict[str, float] = {}
        self._phase_start = self.start

    def lap(self, name: str) -> float:
        now = time.perf_counter()
        self.marks[name] = now - self._phase_start
        self._phase_start = now
        return self.marks[name]

    @property
    def wall(self) -> float:
        return time.perf_counter() - self.start


def timing_section(watch: Stopwatch, env_timing: Mapping[str, Any]) -> dict[str, Any]:
    """``timing``: wall_s, env_steps, env_steps_per_s (training throughput) and the phases."""
    train_s = watch.marks.get("train_s", 0.0)
    steps = int(env_timing.get("env_steps", 0))
    env_s = float(env_timing.get("env_step_s", 0.0)) + float(env_timing.get("env_reset_s", 0.0))
    out: dict[str, Any] = {
        "wall_s": watch.wall,
        "env_steps": steps,
        "env_steps_per_s": steps / train_s if train_s > 0 else 0.0,
        **{k: v for k, v in watch.marks.items()},
    }
    if steps:
        out["env_time_s"] = env_s
        out["env_time_share"] = env_s / train_s if train_s > 0 else None
    return out


def provenance_section(run: Run | None) -> dict[str, Any]:
    """``provenance``: the code version that produced a result and the hashes of its JSON config files."""
    files = (getattr(run, "info", None) or {}).get("config_files")
    if files is None:  # a run not created by ilaeda's Experiment
        files = config_files_hashes((getattr(run, "meta_info", None) or {}).get("named_configs"))
    return {"code_version": code_version(), "config_files": dict(files)}


def evaluate_and_finish(
    policy: Predictor,
    *,
    algo: str,
    run: Run | None,
    seed: int,
    log_dir: Path,
    watch: Stopwatch,
    env_timing: Mapping[str, Any],
    learned_reward: Mapping[str, Any],
    extra: Mapping[str, Any],
    reward_fn: policy_evaluation.RewardFn | None = None,
    policy_path: Path | None = None,
    title: str = "",
) -> RunResult:
    """Evaluate on the held-out dataset(s), build the plain-JSON :class:`~ilaeda.contract.RunResult` and print
    the summary table.
    """
    split = environment.get_split()
    eval_env = environment.make_eval_env()
    eval_seed = environment.env_seeds(seed, 1, stream=1)[0]
    sections = policy_evaluation.evaluate(
        policy, eval_env, seed=eval_seed, out_dir=log_dir, run=run, reward_fn=reward_fn
    )
    learned = dict(learned_reward)
    if "learned_reward_eval" in sections:
        learned["eval_return"] = sections.pop("learned_reward_eval")
    watch.lap("eval_s")
    result: dict[str, Any] = {
        "algo": algo,
        "split": split.name,
        "eval_dataset": eval_dataset_value(split),
        "seed": int(seed),
        **{section: sections.pop(section) for section in POLICY_SECTIONS.values()},
        "interestingness": sections.pop("interestingness"),
        "interestingness_deterministic": sections.pop("interestingness_deterministic"),
        "learned_reward": learned,
        "timing": timing_section(watch, env_timing),
        **sections,
        **dict(extra),
        "log_dir": str(log_dir),
        "provenance": provenance_section(run),
    }
    if policy_path is not None:
        result["policy_path"] = str(policy_path)
    result = plain_json(result)
    problem = result_problem(result)
    if problem is not None:  # the run and its checkpoints are kept; only the analysis will leave it out
        logger.warning(
            "the training result does not follow the run-result contract (%s); analyze will skip it", problem
        )
    policy_evaluation.print_summary(
        result, title or f"{algo} on {split.name}: held-out dataset(s) {', '.join(map(str, split.eval_datasets))}"
    )
    if policy_evaluation.report_enabled():
        write_run_report(result, log_dir, run, data_dir=eval_env.data_dir)  # warns, never fails the run
    return cast(RunResult, result)
