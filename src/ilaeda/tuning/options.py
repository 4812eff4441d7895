"""Tune's command line and options: ``<algo> with <cfg.json>... key=value...`` → validated :class:`Settings`."""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ilaeda.contract import METRICS, SCRIPT_COMMANDS, check_positive_int
from ilaeda.errors import ConfigError
from ilaeda.redaction import query_password_key, redact, redact_url
from ilaeda.scripts.config.tune import DEFAULTS, PASSWORD_ENV
from ilaeda.tuning import UsageError, read_json_object
from ilaeda.tuning.space import load_search_space

#: algorithm -> (training module under ilaeda.scripts, Sacred command)
ALGORITHMS: dict[str, tuple[str, str]] = SCRIPT_COMMANDS
USAGE = f"usage: python -m ilaeda.scripts.tune {{{','.join(ALGORITHMS)}}} with CONFIG.json [key=value ...]"
TRAIN_PREFIX = "train."


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


def help_text() -> str:
    """``--help``: the usage line and every option with its default."""
    options = "\n".join(f"  {key}={json.dumps(value)}" for key, value in DEFAULTS.items())
    return (
        f"{USAGE}\n\nTune the hyper-parameters of ALGO on the training datasets of CONFIG's leave-one-out split.\n"
        f"Options (key=value; defaults shown, described in ilaeda/scripts/config/tune.py):\n{options}\n"
        f"Training-config updates for every trial: {TRAIN_PREFIX}<dotted key>=value\n"
    )


def parse_argv(argv: Sequence[str]) -> Invocation:
    """``<algo> with <cfg.json>... key=value...`` → :class:`Invocation` (UsageError on bad input)."""
    argv = list(argv)
    if not argv:
        raise UsageError(f"{USAGE} (--help lists the options)")
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


def nested_get(config: Mapping[str, Any], dotted: str) -> object:
    """``config[a][b]`` for ``"a.b"``, None when a part is missing."""
    value: object = config
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def nested_set(config: dict[str, Any], dotted: str, value: object) -> None:
    """Set ``config[a][b] = value`` for ``"a.b"``, creating the dicts on the way."""
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
        merge(merged, read_json_object(path, "config file"))
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


def check_storage_option(storage: object) -> None:
    """``storage`` must be None or a URL whose query holds no password."""
    if storage is None:
        return
    if not isinstance(storage, str) or "://" not in storage:
        raise UsageError(
            f"storage must be null or a database URL such as sqlite:///study.db, got {redact(repr(storage))}"
        )
    key = query_password_key(storage)
    if key is not None:
        raise UsageError(
            f"storage {redact_url(storage)}: a password in the query ({key}=...) is not accepted; write it as "
            f"user:password@host or set ${PASSWORD_ENV}"
        )


def settings_from(inv: Invocation) -> Settings:
    """Validate the invocation (everything that can be checked before a trial runs)."""
    from ilaeda.data.splits import parse_split, validation_splits

    opts = inv.options
    base = load_configs(inv.configs)
    split = inv.train_updates.get("environment.split") or nested_get(base, "environment.split")
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
    check_storage_option(opts["storage"])
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
