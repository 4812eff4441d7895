"""Hyper-parameter tuning on an Optuna study shared by any number of workers.

``python -m ilaeda.scripts.tune <algo> with <config.json> [key=value ...] [train.<key>=value ...]``
(``algo``: gail, airl, bcgail, bc, dagger; options and defaults in :mod:`ilaeda.scripts.config.tune`).

* **Training datasets only.** The config's split must be leave-one-out (``cyber_loo1``). A trial trains
  one run per (validation split, seed): ``cyber_loo1_val2`` trains on datasets 3 and 4 and is scored on
  2, and so on for every training dataset (``folds``); the held-out dataset 1 is never opened. At least
  two seeds per trial.
* **Objective** (maximised): per run, the weighted mean of the configured metrics (T-BLEU-2 and EDA-Sim)
  of the stochastic policy's sessions, normalised with the random-agent and expert baselines of the
  validation dataset; the trial's value is the mean over its runs. Trial attributes keep the raw metrics,
  the mean session length and every run.
* **Pruning**: after each run the running mean is reported; Optuna's MedianPruner stops poor trials.
* **Sharing and resuming.** Workers with the same study name and storage share the study; a worker stops
  when ``n_trials`` trials have finished (all workers together), so rerunning the command resumes an
  interrupted study. A trial whose worker died (SIGKILL, node failure) is marked failed and queued again
  — by the next worker on the same host for the default journal storage, by Optuna's heartbeat for an
  RDB storage. Completed trials are written to the storage when they end and are never lost.
* **Result**: the best trial as a ready-to-run training config ``<tuned_dir>/<algo>_<study>.json`` (the
  base config with the ``train.*`` updates and the best values; its split is the original one, so it trains on all training
  datasets and evaluates on the held-out one) and its provenance in ``<tuned_dir>/provenance/``.

A storage password is never accepted inside the URL: it comes from ``$ILAEDA_STORAGE_PASSWORD`` or an
owner-only ``storage_password_file``, and appears in no record, log, command line or file written here.
Bad input prints one ``tune: error: ...`` line and exits with status 2.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import datetime
import hashlib
import io
import json
import logging
import math
import os
import re
import socket
import stat
import subprocess
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ilaeda.contract import METRICS, SCRIPT_COMMANDS, check_positive_int
from ilaeda.errors import ConfigError, IlaedaError
from ilaeda.scripts.config.tune import DEFAULTS, PASSWORD_ENV, SEARCH_SPACES

if TYPE_CHECKING:
    import optuna

    from ilaeda.analysis.robust import Baselines
    from ilaeda.scripts._sacred import Experiment

logger = logging.getLogger("ilaeda.tune")

#: algorithm -> (training module under ilaeda.scripts, Sacred command)
ALGORITHMS: dict[str, tuple[str, str]] = SCRIPT_COMMANDS
USAGE = f"usage: python -m ilaeda.scripts.tune {{{','.join(ALGORITHMS)}}} with CONFIG.json [key=value ...]"
TRAIN_PREFIX = "train."
#: Updates every trial run gets: no session printing or progress bars in the workers' logs.
#: Updates of every trial run (``train.<key>=...`` overrides them): no printed sessions, progress bars or
#: session reports — a trial's runs are read by the objective, not by people.
QUIET = {
    "policy_evaluation.render": False,
    "policy_evaluation.progress": False,
    "policy_evaluation.report": False,
    "bc.progress_bar": False,
}
_SPEC_TYPES = ("float", "int", "categorical")
_REPO = Path(__file__).resolve().parents[3]


class UsageError(IlaedaError):
    """Bad tune input: one line, exit status 2."""


# ---------------------------------------------------------------- command line and options


def parse_value(text: str) -> object:
    """A ``key=value`` value: JSON, else a Python literal, else the string itself."""
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return text


@dataclass
class Invocation:
    """What the command line asked for."""

    algo: str
    configs: list[str]
    options: dict[str, Any]
    train_updates: dict[str, Any] = field(default_factory=dict)


def parse_argv(argv: Sequence[str]) -> Invocation:
    """``<algo> with <cfg.json>... key=value...`` → :class:`Invocation` (UsageError on bad input)."""
    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        raise UsageError(USAGE)
    algo = argv[0]
    if algo not in ALGORITHMS:
        raise UsageError(f"unknown algorithm {algo!r}; use one of {', '.join(ALGORITHMS)}")
    if len(argv) < 2 or argv[1] != "with":
        raise UsageError(f"expected 'with' after the algorithm ({USAGE})")
    configs: list[str] = []
    options = copy.deepcopy(DEFAULTS)
    train: dict[str, Any] = {}
    for token in argv[2:]:
        if "=" not in token:
            if not token.endswith(".json"):
                raise UsageError(f"{token!r} is neither a config file (*.json) nor key=value")
            if not Path(token).is_file():
                raise UsageError(f"config file {token!r} not found")
            configs.append(token)
            continue
        key, value = token.split("=", 1)
        if key.startswith(TRAIN_PREFIX) and len(key) > len(TRAIN_PREFIX):
            train[key[len(TRAIN_PREFIX) :]] = parse_value(value)
        elif key in DEFAULTS:
            options[key] = parse_value(value)
        else:
            raise UsageError(
                f"unknown tune option {key!r}; options: {', '.join(DEFAULTS)} "
                f"(training-config updates are written {TRAIN_PREFIX}<key>=value)"
            )
    if not configs:
        raise UsageError(f"no training config file given ({USAGE})")
    return Invocation(algo, configs, options, train)


def _nested_get(config: Mapping[str, Any], dotted: str) -> object:
    value: object = config
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _nested_set(config: dict[str, Any], dotted: str, value: object) -> None:
    parts = dotted.split(".")
    node = config
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def load_configs(paths: Sequence[str]) -> dict[str, Any]:
    """The config files merged in order (later keys win, nested dicts merged)."""
    merged: dict[str, Any] = {}

    def merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
        for k, v in new.items():
            if isinstance(v, Mapping) and isinstance(into.get(k), dict):
                merge(into[k], v)
            else:
                into[k] = copy.deepcopy(v)

    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UsageError(f"cannot read config file {path!r}: {e}") from None
        if not isinstance(data, dict):
            raise UsageError(f"config file {path!r} is not a JSON object")
        merge(merged, data)
    return merged


@dataclass
class Settings:
    """Validated options of one tuning worker."""

    algo: str
    configs: list[str]
    base_config: dict[str, Any]
    split: str
    val_splits: list[str]
    seeds: list[int]
    study_name: str
    options: dict[str, Any]
    train_updates: dict[str, Any]
    search_space: dict[str, dict[str, Any]]
    objective: dict[str, float]
    study_dir: Path

    @property
    def units(self) -> list[tuple[str, int]]:
        """(validation split, seed) of a trial's runs, seed-major: every prefix covers the splits evenly."""
        return [(split, seed) for seed in self.seeds for split in self.val_splits]


def load_search_space(algo: str, path: str | None, replace: bool) -> dict[str, dict[str, Any]]:
    """The algorithm's default space, updated from a JSON file (``null`` removes a key)."""
    space = {} if replace else copy.deepcopy(SEARCH_SPACES[algo])
    if path:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UsageError(f"cannot read search_space {path!r}: {e}") from None
        if not isinstance(data, dict):
            raise UsageError(f"search_space {path!r} must be a JSON object {{dotted key: spec or null}}")
        for key, spec in data.items():
            if spec is None:
                space.pop(key, None)
            else:
                space[key] = spec
    for key, spec in space.items():
        check_spec(key, spec)
    if not space:
        raise UsageError("the search space is empty")
    return space


def check_spec(key: str, spec: object) -> None:
    """One search-space entry must be a well-formed float, int or categorical spec."""
    where = f"search space entry {key!r}"
    if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", key):
        raise UsageError(f"{where}: keys are dotted training-config keys such as rl.rl_kwargs.learning_rate")
    if not isinstance(spec, Mapping) or spec.get("type") not in _SPEC_TYPES:
        raise UsageError(f'{where}: needs "type": one of {", ".join(_SPEC_TYPES)}')
    if spec["type"] == "categorical":
        choices = spec.get("choices")
        if not isinstance(choices, list) or not choices:
            raise UsageError(f'{where}: categorical needs a non-empty list "choices"')
        return
    low, high = spec.get("low"), spec.get("high")
    number = (int,) if spec["type"] == "int" else (int, float)
    if isinstance(low, bool) or isinstance(high, bool) or not isinstance(low, number) or not isinstance(high, number):
        raise UsageError(f'{where}: {spec["type"]} needs numbers "low" and "high"')
    if low > high:
        raise UsageError(f"{where}: low must not exceed high")
    if spec.get("log") and low <= 0:
        raise UsageError(f"{where}: a log scale needs low > 0")


def settings_from(inv: Invocation) -> Settings:
    """Validate the invocation (everything that can be checked before a trial runs)."""
    from ilaeda.data.splits import parse_split, validation_splits

    opts = inv.options
    base = load_configs(inv.configs)
    split = inv.train_updates.get("environment.split") or _nested_get(base, "environment.split")
    if not isinstance(split, str):
        raise UsageError("the config sets no environment.split (tuning needs a leave-one-out split, e.g. cyber_loo1)")
    try:
        outer = parse_split(split)
        all_val = validation_splits(outer)
    except ConfigError as e:
        raise UsageError(f"environment.split: {e}") from None
    folds = opts["folds"]
    if folds is None:
        val_splits = all_val
    else:
        if not isinstance(folds, list) or not folds or not all(isinstance(f, int) for f in folds):
            raise UsageError(f"folds must be null or a list of dataset numbers, got {folds!r}")
        wrong = [f for f in folds if f not in outer.train_datasets]
        if wrong:
            raise UsageError(
                f"folds: dataset {wrong[0]} is not a training dataset of {split} "
                f"({', '.join(map(str, outer.train_datasets))}); the held-out dataset is never tuned on"
            )
        val_splits = [f"{split}_val{f}" for f in dict.fromkeys(folds)]
    seeds = opts["seeds"]
    if (
        not isinstance(seeds, list)
        or len(set(seeds)) < 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)
    ):
        raise UsageError(f"seeds must list at least two distinct non-negative integers, got {seeds!r}")
    for key, minimum in (
        ("n_trials", 1),
        ("max_failed_trials", 1),
        ("pruner_startup_trials", 0),
        ("pruner_warmup_steps", 0),
        ("worker", 0),
    ):
        check_positive_int(opts[key], key, minimum=minimum, error=UsageError)
    if opts["timeout_s"] is not None and (not isinstance(opts["timeout_s"], (int, float)) or opts["timeout_s"] <= 0):
        raise UsageError(f"timeout_s must be null or a positive number, got {opts['timeout_s']!r}")
    check_positive_int(opts["sampler_seed"], "sampler_seed", minimum=0, error=UsageError, none="or null")
    if opts["pruner"] not in ("median", "none"):
        raise UsageError(f"pruner must be 'median' or 'none', got {opts['pruner']!r}")
    if opts["objective_policy"] not in ("stochastic", "deterministic"):
        raise UsageError("objective_policy must be 'stochastic' or 'deterministic'")
    objective = opts["objective"]
    if (
        not isinstance(objective, dict)
        or not objective
        or not all(isinstance(w, (int, float)) and not isinstance(w, bool) and w > 0 for w in objective.values())
    ):
        raise UsageError(f"objective must map metric names to positive weights, got {objective!r}")
    unknown = sorted(set(objective) - set(METRICS))
    if unknown:
        raise UsageError(f"objective: unknown metric {unknown[0]!r}; metrics: {', '.join(METRICS)}")
    name = opts["study_name"] or f"{inv.algo}_{split}"
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise UsageError(f"study_name={name!r}: use letters, digits, '.', '_' and '-' only")
    storage = opts["storage"]
    if storage is not None and not isinstance(storage, str):
        raise UsageError(f"storage must be null or an Optuna storage URL, got {storage!r}")
    space = load_search_space(inv.algo, opts["search_space"], bool(opts["search_space_replace"]))
    return Settings(
        algo=inv.algo,
        configs=inv.configs,
        base_config=base,
        split=split,
        val_splits=val_splits,
        seeds=list(dict.fromkeys(seeds)),
        study_name=name,
        options=opts,
        train_updates=inv.train_updates,
        search_space=space,
        objective={k: float(v) for k, v in objective.items()},
        study_dir=Path(opts["output_dir"]) / "tune" / name,
    )


# ---------------------------------------------------------------- storage and secrets


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with URL passwords (``//user:pw@``) and the given secrets replaced by ``***``."""
    text = re.sub(r"(//[^/:@\s]*:)[^@/\s]*@", r"\1***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def read_password(password_file: str | None, environ: Mapping[str, str] = os.environ) -> str | None:
    """The storage password: from ``password_file`` (owner-only permissions required), else the environment."""
    if password_file:
        path = Path(password_file).expanduser()
        try:
            info = path.stat()
        except OSError as e:
            raise UsageError(f"storage_password_file {password_file!r}: {e.strerror}") from None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise UsageError(
                f"storage_password_file {password_file!r} is readable by others; run chmod 600 {password_file}"
            )
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise UsageError(f"storage_password_file {password_file!r} belongs to another user")
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise UsageError(f"storage_password_file {password_file!r} is empty")
        return text
    return environ.get(PASSWORD_ENV) or None


def storage_url_with_password(url: str, password: str | None) -> str:
    """The RDB URL to connect with: ``password`` inserted for a URL with a user name (never logged).

    Raises UsageError when the URL itself carries a password.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise UsageError(
            f"storage {redact(url)!r} is not a database URL (e.g. sqlite:///study.db, postgresql://user@host/db)"
        ) from None
    if parsed.password is not None:
        raise UsageError(
            f"storage URL {redact(url)!r} contains a password; remove it and put the password in "
            f"${PASSWORD_ENV} or an owner-only file named by storage_password_file"
        )
    if password is None or not parsed.username:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)


def make_storage(settings: Settings) -> tuple[Any, str]:
    """The Optuna storage and a printable description of it (never with a password)."""
    import optuna
    import optuna.storages.journal

    url = settings.options["storage"]
    if not url:
        path = settings.study_dir / "journal.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        backend = optuna.storages.journal.JournalFileBackend(
            str(path), lock_obj=optuna.storages.journal.JournalFileOpenLock(str(path))
        )
        return optuna.storages.JournalStorage(backend), f"journal file {path}"
    password = read_password(settings.options["storage_password_file"])
    full = storage_url_with_password(url, password)
    from sqlalchemy.engine import make_url

    parsed = make_url(full)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    retry = (
        getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None) or optuna.storages.RetryFailedTrialCallback
    )
    try:
        storage = optuna.storages.RDBStorage(
            full, heartbeat_interval=60, grace_period=180, heartbeat_stale_trial_callback=retry(max_retry=3)
        )
    except Exception as e:  # any driver or connection error; the message may hold the URL
        raise UsageError(
            f"cannot open storage {redact(url)}: {redact(str(e).splitlines()[0], [password or ''])}"
        ) from None
    return storage, redact(url)


# ---------------------------------------------------------------- trials


def _choices(spec: Mapping[str, Any]) -> dict[Any, Any]:
    """Optuna's value of each categorical choice → the choice (lists and dicts travel as JSON strings)."""
    return {json.dumps(c) if isinstance(c, (list, dict)) else c: c for c in spec["choices"]}


def suggest(trial: optuna.Trial, space: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Sample every entry of the space; returns config values by dotted key."""
    values: dict[str, Any] = {}
    for key, spec in space.items():
        if spec["type"] == "float":
            values[key] = trial.suggest_float(key, spec["low"], spec["high"], log=bool(spec.get("log")))
        elif spec["type"] == "int":
            values[key] = trial.suggest_int(key, spec["low"], spec["high"], log=bool(spec.get("log")))
        else:
            choices = _choices(spec)
            values[key] = copy.deepcopy(choices[trial.suggest_categorical(key, list(choices))])
    return values


def decode_params(params: Mapping[str, Any], space: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Optuna's stored params back to config values (JSON-encoded categorical choices decoded)."""
    out = {}
    for key, value in params.items():
        spec = space.get(key)
        if spec is not None and spec["type"] == "categorical" and value in _choices(spec):
            out[key] = copy.deepcopy(_choices(spec)[value])
        else:
            out[key] = value
    return out


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

    section = "benchmark" if settings.options["objective_policy"] == "stochastic" else "benchmark_deterministic"
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
    import optuna.storages.journal

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
    import optuna.storages.journal

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


# ---------------------------------------------------------------- the study


def counts(study: optuna.Study) -> dict[str, int]:
    """Trials per state name."""
    out: dict[str, int] = {}
    for t in study.get_trials(deepcopy=False):
        out[t.state.name] = out.get(t.state.name, 0) + 1
    return out


def _finished(study: optuna.Study) -> int:
    c = counts(study)
    return c.get("COMPLETE", 0) + c.get("PRUNED", 0)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=_REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def tuned_paths(settings: Settings) -> tuple[Path, Path]:
    """Where the best config and its provenance go."""
    stem = (
        settings.study_name
        if settings.study_name.startswith(f"{settings.algo}_")
        else f"{settings.algo}_{settings.study_name}"
    )
    tuned = Path(settings.options["tuned_dir"])
    return tuned / f"{stem}.json", tuned / "provenance" / f"{stem}.json"


def write_best(study: optuna.Study, settings: Settings, storage_text: str, argv: Sequence[str]) -> Path | None:
    """Write the best trial as a training config (base config + ``train.*`` updates + best values) and its
    provenance.
    """
    import optuna
    import optuna.storages.journal

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        logger.warning("no completed trial yet: no tuned config written")
        return None
    best = max(complete, key=lambda t: (t.value, -t.number))
    config = copy.deepcopy(settings.base_config)
    for key, value in settings.train_updates.items():
        if key in ("environment.split", "seed"):
            continue
        _nested_set(config, key, value)
    params = decode_params(best.params, settings.search_space)
    for key, value in params.items():
        _nested_set(config, key, value)
    _nested_set(config, "environment.split", settings.split)
    config_path, provenance_path = tuned_paths(settings)
    _atomic_write(config_path, json.dumps(config, indent=2) + "\n")
    provenance = {
        "tuned_config": str(config_path),
        "algo": settings.algo,
        "study_name": settings.study_name,
        "storage": storage_text,
        "base_configs": {p: _sha256(p) for p in settings.configs},
        "train_updates": settings.train_updates,
        "split": settings.split,
        "validation_splits": settings.val_splits,
        "seeds": settings.seeds,
        "objective": settings.objective,
        "objective_policy": settings.options["objective_policy"],
        "normalised": bool(settings.options["normalise"]),
        "search_space": settings.search_space,
        "best_trial": best.number,
        "best_value": best.value,
        "best_params": params,
        "best_user_attrs": dict(best.user_attrs),
        "trials": counts(study),
        "git_commit": _git_commit(),
        "written": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "command": redact(" ".join(["python -m ilaeda.scripts.tune", *argv])),
    }
    _atomic_write(provenance_path, json.dumps(provenance, indent=2, default=str) + "\n")
    return config_path


def tune(settings: Settings, argv: Sequence[str] = ()) -> dict[str, Any]:
    """Run this worker until the study has ``n_trials`` finished trials; write the best config."""
    import optuna
    import optuna.storages.journal
    from optuna.trial import TrialState

    from ilaeda.analysis.robust import BASELINES_CSV, load_baselines

    opts = settings.options
    baselines = None
    if opts["normalise"]:
        path = Path(opts["baselines_csv"]) if opts["baselines_csv"] else Path(str(BASELINES_CSV))
        baselines = load_baselines(path)
        from ilaeda.data.splits import parse_split

        for split in settings.val_splits:
            parsed = parse_split(split)
            missing = [
                m for m in settings.objective if (parsed.schema.name, parsed.eval_datasets[0], m) not in baselines
            ]
            if missing:
                raise UsageError(
                    f"baselines {path} have no random/expert row for {parsed.schema.name} dataset "
                    f"{parsed.eval_datasets[0]}, metric {missing[0]} (or set normalise=False)"
                )
    check_config(settings)
    storage, storage_text = make_storage(settings)
    seed = opts["sampler_seed"]
    sampler = optuna.samplers.TPESampler(seed=None if seed is None else seed + opts["worker"])
    pruner = (
        optuna.pruners.MedianPruner(
            n_startup_trials=opts["pruner_startup_trials"], n_warmup_steps=opts["pruner_warmup_steps"]
        )
        if opts["pruner"] == "median"
        else optuna.pruners.NopPruner()
    )
    study = optuna.create_study(
        study_name=settings.study_name,
        storage=storage,
        sampler=sampler,
        pruner=pruner,
        direction="maximize",
        load_if_exists=True,
    )
    if "tune_settings" not in study.user_attrs:
        study.set_user_attr(
            "tune_settings",
            {
                "algo": settings.algo,
                "configs": settings.configs,
                "split": settings.split,
                "validation_splits": settings.val_splits,
                "seeds": settings.seeds,
                "objective": settings.objective,
                "search_space": settings.search_space,
                "git_commit": _git_commit(),
            },
        )
    requeue_dead_trials(study)
    print(
        f"tune: study {settings.study_name!r} in {storage_text}: {counts(study)}; target {opts['n_trials']} "
        f"finished trials; runs per trial: {len(settings.units)} ({', '.join(settings.val_splits)} × seeds "
        f"{settings.seeds})",
        flush=True,
    )

    def stop_when_done(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        c = counts(study)
        if (
            c.get("COMPLETE", 0) + c.get("PRUNED", 0) >= opts["n_trials"]
            or c.get("FAIL", 0) >= opts["max_failed_trials"]
        ):
            study.stop()

    if _finished(study) < opts["n_trials"] and counts(study).get("FAIL", 0) < opts["max_failed_trials"]:
        study.optimize(
            make_objective(settings, baselines),
            timeout=opts["timeout_s"],
            callbacks=[stop_when_done],
            catch=(Exception,),
            gc_after_trial=True,
        )
    final = counts(study)
    if final.get("FAIL", 0) >= opts["max_failed_trials"]:
        logger.warning(
            "%d failed trials (max_failed_trials=%d): stopped; see the trials' failure messages",
            final["FAIL"],
            opts["max_failed_trials"],
        )
    tuned_path = write_best(study, settings, storage_text, argv)
    best = None
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if complete:
        b = max(complete, key=lambda t: (t.value, -t.number))
        best = {"number": b.number, "value": b.value, "params": decode_params(b.params, settings.search_space)}
    summary = {
        "study": settings.study_name,
        "storage": storage_text,
        "trials": final,
        "best": best,
        "tuned_config": str(tuned_path) if tuned_path else None,
    }
    print("tune: " + json.dumps(summary, default=str), flush=True)
    return summary


def _fail(message: str, status: int = 2) -> NoReturn:
    print(f"tune: error: {message}", file=sys.stderr, flush=True)
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry; returns the exit status (2 for user errors, 130 when interrupted)."""
    from ilaeda.scripts.console import install_sigterm_handler

    argv = list(sys.argv[1:] if argv is None else argv)
    if not logger.handlers:  # own handler: Sacred resets the root logger's handlers and level for each run
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    install_sigterm_handler()
    secrets = [os.environ.get(PASSWORD_ENV, "")]
    try:
        settings = settings_from(parse_argv(argv))
        tune(settings, argv)
    except IlaedaError as e:
        _fail(redact(str(e), secrets))
    except KeyboardInterrupt:
        print("tune: interrupted; finished trials are kept, rerun the command to resume", file=sys.stderr)
        return 130
    return 0


def main_console() -> None:
    """Console entry point (``ilaeda-tune``)."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    main_console()
