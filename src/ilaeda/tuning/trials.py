"""One trial: its runs (a Sacred run per validation split and seed), scores, pruning; dead workers' trials."""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import socket
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ilaeda.contract import POLICY_SECTIONS
from ilaeda.errors import ConfigError, IlaedaError
from ilaeda.tuning import UsageError
from ilaeda.tuning.options import ALGORITHMS
from ilaeda.tuning.space import suggest

if TYPE_CHECKING:
    import optuna

    from ilaeda.analysis.robust import Baselines
    from ilaeda.scripts._sacred import Experiment
    from ilaeda.tuning.options import Settings

#: Updates of every trial run (``train.<key>=...`` overrides them): no printed sessions, progress bars or
#: session reports — a trial's runs are read by the objective, not by people.
QUIET = {
    "policy_evaluation.render": False,
    "policy_evaluation.progress": False,
    "policy_evaluation.report": False,
    "bc.progress_bar": False,
}
logger = logging.getLogger("ilaeda.tune")


def _experiment(algo: str) -> Experiment:
    import importlib

    script = ALGORITHMS[algo][0]
    importlib.import_module(f"ilaeda.scripts.{script}")  # registers the commands
    experiment: Experiment = getattr(importlib.import_module(f"ilaeda.scripts.config.{script}"), f"{script}_ex")
    return experiment


def trial_updates(settings: Settings, params: Mapping[str, Any], split: str, seed: int) -> dict[str, Any]:
    """Config updates of one run of a trial (dotted keys; Sacred nests them)."""
    return {
        **QUIET,
        **settings.train_updates,
        **params,
        "environment.split": split,
        "seed": seed,
        "logging.log_root": str(settings.study_dir / "logs"),
    }


def check_config(settings: Settings) -> None:
    """Build (not run) a trial's config with every parameter at its lower end; config errors → UsageError."""
    from ilaeda.scripts.console import ConfigAddedError, format_config_added

    params: dict[str, Any] = {}
    for key, spec in settings.search_space.items():
        params[key] = spec["choices"][0] if spec["type"] == "categorical" else spec["low"]
    ex = _experiment(settings.algo)
    updates = trial_updates(settings, params, settings.val_splits[0], settings.seeds[0])
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            ex.run(
                "print_config", config_updates=updates, named_configs=settings.configs, options={"--loglevel": "ERROR"}
            )
    except ConfigAddedError as e:
        raise UsageError(format_config_added(e, ex)) from None
    except IlaedaError as e:
        raise UsageError(str(e)) from None


def run_unit(settings: Settings, trial_number: int, params: Mapping[str, Any], split: str, seed: int) -> dict[str, Any]:
    """Train and evaluate one run in this process (a Sacred run recorded under the study directory)."""
    ex = _experiment(settings.algo)
    storage = settings.study_dir / "sacred" / f"t{trial_number:04d}-{split}-s{seed}"
    run = ex.run(
        ALGORITHMS[settings.algo][1],
        config_updates=trial_updates(settings, params, split, seed),
        named_configs=settings.configs,
        options={
            "--name": f"tune-{settings.study_name}",
            "--file_storage": str(storage),
            "--capture": "sys",
            "--loglevel": "WARNING",
        },
    )
    return {"result": run.result, "run_dir": str(storage / str(run._id))}


def unit_score(
    result: Mapping[str, Any], settings: Settings, baselines: Baselines | None, split: str
) -> dict[str, Any]:
    """Score of one run: the weighted mean of the objective metrics (normalised), plus raw values."""
    from ilaeda.analysis.stats import normalised_score
    from ilaeda.data.splits import parse_split

    section = POLICY_SECTIONS[settings.options["objective_policy"]]
    bench = result.get(section) or {}
    parsed = parse_split(split)
    raw = {m: float(bench[m]["mean"]) for m in settings.objective}
    parts = {}
    for metric, value in raw.items():
        if baselines is None:
            parts[metric] = value
        else:
            random, expert = baselines[(parsed.schema.name, parsed.eval_datasets[0], metric)]
            parts[metric] = normalised_score(value, random, expert)
    total = sum(settings.objective.values())
    score = sum(w * parts[m] for m, w in settings.objective.items()) / total
    length = bench.get("length", {}).get("mean")
    return {"split": split, "score": score, **raw, "length": float(length) if length is not None else None}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def requeue_dead_trials(study: optuna.Study) -> list[int]:
    """Mark RUNNING trials of dead workers on this host FAILED and queue their parameters again."""
    import optuna

    host, me = socket.gethostname(), os.getpid()
    requeued = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        pid = t.user_attrs.get("pid")
        if t.user_attrs.get("host") != host or not isinstance(pid, int) or pid == me or _alive(pid):
            continue
        try:
            study._storage.set_trial_user_attr(t._trial_id, "failed_because", f"worker pid {pid} died")
            if not study._storage.set_trial_state_values(t._trial_id, optuna.trial.TrialState.FAIL):
                continue
        except (RuntimeError, optuna.exceptions.UpdateFinishedTrialError):
            continue  # another worker got there first
        study.enqueue_trial(t.params, user_attrs={"retry_of": t.number})
        requeued.append(t.number)
        logger.warning("trial %d: its worker (pid %d) died; marked failed and queued again", t.number, pid)
    return requeued


def make_objective(settings: Settings, baselines: Baselines | None) -> Callable[[optuna.Trial], float]:
    """The Optuna objective: train every unit, report the running mean, prune, return the mean score."""
    import optuna

    def objective(trial: optuna.Trial) -> float:
        trial.set_user_attr("host", socket.gethostname())
        trial.set_user_attr("pid", os.getpid())
        trial.set_user_attr("worker", settings.options["worker"])
        params = suggest(trial, settings.search_space)
        units: list[dict[str, Any]] = []
        try:
            for step, (split, seed) in enumerate(settings.units, start=1):
                unit = run_unit(settings, trial.number, params, split, seed)
                units.append(
                    {**unit_score(unit["result"], settings, baselines, split), "seed": seed, "run_dir": unit["run_dir"]}
                )
                running = float(sum(u["score"] for u in units) / len(units))
                trial.set_user_attr("runs", units)
                for key in (*settings.objective, "length"):
                    values = [u[key] for u in units if u.get(key) is not None]
                    trial.set_user_attr(key, float(sum(values) / len(values)) if values else None)
                trial.report(running, step)
                if step < len(settings.units) and trial.should_prune():
                    raise optuna.TrialPruned(f"running objective {running:.4f} after {step} runs")
        except KeyboardInterrupt:
            study = trial.study
            study.enqueue_trial(trial.params, user_attrs={"retry_of": trial.number})
            raise
        finally:
            requeue_dead_trials(trial.study)
        value = float(sum(u["score"] for u in units) / len(units))
        if not math.isfinite(value):
            raise ConfigError(f"trial {trial.number}: objective is not finite ({value})")
        return value

    return objective
