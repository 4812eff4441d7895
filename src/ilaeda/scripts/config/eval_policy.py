"""The ``eval_policy`` experiment: evaluate a saved policy like a training run does.

``python -m ilaeda.scripts.eval_policy with policy_path=.../checkpoints/final/policy.pt dataset=1``.
``schema``, ``split``, ``horizon`` and the env options default to those recorded in the policy file;
without ``dataset`` the split's evaluation (held-out) datasets are used. The config hook resolves them
once, before the run starts, and records the resolved values in the config.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch as th

from ilaeda.algorithms.serialize import POLICY_FORMAT, checkpoint_path_problem, read_checkpoint
from ilaeda.contract import check_positive_int
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.splits import Split, parse_split
from ilaeda.envs import EDAEnv, EnvOptions
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import new_experiment
from ilaeda.scripts.common import check_evaluation, check_seed
from ilaeda.scripts.ingredients.logging import logging_ingredient
from ilaeda.scripts.ingredients.policy_evaluation import policy_evaluation_ingredient

eval_policy_ex = new_experiment("eval_policy", ingredients=[logging_ingredient, policy_evaluation_ingredient])


@eval_policy_ex.config
def defaults() -> None:
    policy_path = None  # a policy.pt written by train_adversarial / train_imitation
    dataset = None  # dataset number to evaluate on (default: the split's evaluation datasets)
    schema = None  # schema name (default: the policy's)
    split = None  # split whose evaluation datasets are used when dataset is None (default: the policy's)
    horizon = None  # episode length (default: the policy's)
    data_dir = None  # data directory (default: $ILAEDA_DATA_DIR, then the user cache)
    torch_num_threads = 1  # torch intra-op threads
    # Overrides of the env options the policy file records (its training env): e.g.
    # {"mask_back_at_root": True} masks BACK at the root when generating (a decoding constraint: the policy's
    # distribution renormalised over the other actions); {"episode_end": "terminate"} for a policy file
    # that records no options (written before they were recorded; EnvOptions' defaults are used otherwise).
    env_options = dict[str, object]()
    locals()  # quieten linters: every local is a config entry


@eval_policy_ex.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Resolve the inputs once, before the run starts (:func:`resolve_inputs`); a bad one is a ConfigError."""
    if command_name != "eval_policy":
        return {}
    check_seed(config)
    check_evaluation(config)
    return resolve_inputs(config)


def resolve_inputs(config: Mapping[str, Any]) -> dict[str, Any]:
    """Read the policy file once and resolve what the run evaluates: schema, split, dataset(s) and the full
    env options (the policy's recorded ones with the ``env_options`` overrides). Returned as config
    updates, so ``config.json`` records them and the run reads no metadata again.

    Raises:
        ConfigError: a missing, foreign or diverged (non-finite) policy file, a directory, a bad schema,
            split, dataset, horizon or env option, or options whose spaces the policy does not fit.
    """
    path = check_policy_path(config["policy_path"])
    check_positive_int(config["horizon"], "horizon", error=ConfigError, none="(or None: the policy's own)")
    payload = read_checkpoint(path, POLICY_FORMAT)
    meta = dict(payload.get("metadata") or {})
    split = parse_split(config["split"] or meta["split"]) if (config["split"] or meta.get("split")) else None
    schema = resolve_schema(config, meta, split)
    if config["dataset"] is not None:
        datasets: tuple[int, ...] = (schema.check_dataset(config["dataset"]),)
    elif split is not None:
        datasets = split.eval_datasets
    else:
        raise ConfigError(f"policy {path} records no split; set dataset=<n>")
    options = resolve_options(path, meta, config["horizon"], config["env_options"])
    check_fits(path, payload, EDAEnv(schema=schema, datasets=datasets, options=options), meta)
    check_finite(path, payload)
    return {
        "schema": schema.name,
        "split": None if split is None else split.name,
        "horizon": options.horizon,
        "env_options": options.to_json(),
    }


def check_policy_path(path: object) -> str:
    """The policy file, which must exist, be a file (a directory names the policy files inside it) and be a
    PyTorch checkpoint (a zip archive) before torch is asked to read it.
    """
    if not path:
        raise ConfigError("set policy_path=<checkpoint .pt file> (e.g. <log_dir>/checkpoints/final/policy.pt)")
    if problem := checkpoint_path_problem(str(path), "policy file"):
        raise ConfigError(problem)
    given = Path(str(path))
    if not zipfile.is_zipfile(given):
        raise ConfigError(
            f"policy file {path!r} is not a PyTorch checkpoint; give the policy.pt a training run "
            "wrote (<log_dir>/checkpoints/final/policy.pt)"
        )
    return str(path)


def resolve_schema(config: Mapping[str, Any], meta: Mapping[str, Any], split: Split | None) -> Schema:
    """The schema evaluated on: the given one, else the policy's. The policy is scored only on its own
    schema (two schemas may have as many columns but other meanings).
    """
    recorded = meta.get("schema") or (parse_split(meta["split"]).schema.name if meta.get("split") else None)
    wanted = config["schema"] or (split.schema.name if config["split"] and split else None)
    name = wanted or recorded
    if name is None:
        raise ConfigError(f"policy {config['policy_path']} records no schema; set schema=<name>")
    schema = load_schema(name)
    if recorded and schema.name != recorded:
        raise ConfigError(
            f"policy {config['policy_path']} was trained on schema {recorded!r}, not {schema.name!r}: "
            f"its actions mean other columns there; evaluate it on {recorded} (schema={recorded}) or "
            f"give a {schema.name} policy"
        )
    return schema


def resolve_options(path: str, meta: Mapping[str, Any], horizon: int | None, overrides: object) -> EnvOptions:
    """The policy's training env options (older files record none and get the defaults), its recorded
    horizon unless ``horizon`` is given, then the ``env_options`` overrides.
    """
    recorded = meta.get("env_options") or {}
    if not isinstance(recorded, Mapping):
        raise ConfigError(f"policy {path} records malformed env_options {recorded!r}; retrain or re-save it")
    if horizon is None:
        horizon = check_positive_int(
            recorded.get("horizon", meta.get("horizon", EnvOptions.horizon)),
            f"the horizon recorded in policy {path}",
            error=ConfigError,
            hint="; set horizon=<steps per episode> to evaluate it anyway",
        )
    base = EnvOptions.from_json({**recorded, "horizon": horizon}, prefix=f"policy {path}: env_options.")
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"env_options must be a dict such as {{'mask_back_at_root': True}}, got {overrides!r}")
    if "horizon" in overrides:
        raise ConfigError("env_options.horizon: set the episode length with horizon=<n>, not inside env_options")
    return EnvOptions.from_json(overrides, prefix="env_options.", base=base)


def check_fits(path: str, payload: Mapping[str, Any], env: EDAEnv, meta: Mapping[str, Any]) -> None:
    """The policy's recorded spaces must be the env's (the env options change the observation: observe_step
    adds features, no_stop removes STOP); the message names the options that differ from the policy's own.
    """
    obs = [int(x) for x in env.observation_space.shape or ()]
    nvec = [int(x) for x in env.codec.nvec]
    if list(payload.get("observation_shape") or ()) == obs and list(payload.get("action_nvec") or ()) == nvec:
        return
    trained = EnvOptions.from_json({k: v for k, v in (meta.get("env_options") or {}).items() if k != "horizon"})
    changed = {k: v for k, v in env.options.to_json().items() if k != "horizon" and trained.to_json()[k] != v}
    why = (
        f"env_options {changed} differ from the policy's training env ({ {k: trained.to_json()[k] for k in changed} }); "
        "drop those overrides"
        if changed
        else "another schema?"
    )
    raise ConfigError(
        f"policy {path} does not match the environment: it was trained for observations "
        f"{tuple(payload.get('observation_shape') or ())} and actions {list(payload.get('action_nvec') or ())}, "
        f"the env has observations {tuple(obs)} and actions {nvec} ({why})"
    )


def check_finite(path: str, payload: Mapping[str, Any]) -> None:
    """Every floating-point weight must be finite (a diverged training run saves NaN weights)."""
    state = payload.get("state_dict") or {}
    bad = [k for k, v in state.items() if th.is_tensor(v) and v.is_floating_point() and not th.isfinite(v).all()]
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        raise ConfigError(
            f"policy {path} has non-finite (NaN or infinite) weights in {bad[0]}{more}: its training diverged; "
            "evaluate an earlier checkpoint or retrain"
        )
