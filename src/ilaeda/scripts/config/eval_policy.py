"""The ``eval_policy`` experiment: evaluate a saved policy like a training run does.

``python -m ilaeda.scripts.eval_policy with policy_path=.../checkpoints/final/policy.pt dataset=1``.
``schema``, ``split`` and ``horizon`` default to those recorded in the policy file; without ``dataset``
the split's evaluation (held-out) datasets are used.
"""

from __future__ import annotations

import logging
import zipfile
from typing import Any

from ilaeda.algorithms.serialize import checkpoint_path_problem, policy_metadata
from ilaeda.contract import check_positive_int
from ilaeda.data.schema import load_schema
from ilaeda.data.splits import parse_split
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import new_experiment
from ilaeda.scripts.common import check_evaluation, check_seed
from ilaeda.scripts.ingredients.environment import ENV_OPTION_TYPES
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
    # that records no options (written before they were recorded; EDAEnv's defaults are used otherwise).
    env_options = dict[str, object]()
    locals()  # quieten linters: every local is a config entry


@eval_policy_ex.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """A policy file must be named and exist; schema, split and dataset must be valid when given."""
    if command_name != "eval_policy":
        return {}
    path = config["policy_path"]
    if not path:
        raise ConfigError("set policy_path=<checkpoint .pt file> (e.g. <log_dir>/checkpoints/final/policy.pt)")
    if problem := checkpoint_path_problem(str(path), "policy file"):
        raise ConfigError(problem)
    check_policy_file(str(path))
    check_seed(config)
    check_evaluation(config)
    check_horizon(config["horizon"])
    check_env_options(config["env_options"])
    if config["split"] is not None:
        parse_split(config["split"])
    check_schema(config, policy_metadata(str(path)))
    return {}


def check_env_options(options: object) -> None:
    """``env_options`` is a dict of known EDAEnv options with values of the right type."""
    if not isinstance(options, dict):
        raise ConfigError(f"env_options must be a dict such as {{'mask_back_at_root': True}}, got {options!r}")
    for key, value in options.items():
        if key not in ENV_OPTION_TYPES:
            raise ConfigError(f"env_options: unknown option {key!r}; use {', '.join(ENV_OPTION_TYPES)}")
        wanted = ENV_OPTION_TYPES[key]
        if type(value) is not wanted:  # bool is not taken for int, nor int for bool
            raise ConfigError(f"env_options.{key} must be a {wanted.__name__}, got {value!r}")
    if "min_length" in options:
        check_positive_int(options["min_length"], "env_options.min_length", minimum=0, error=ConfigError)


def check_policy_file(path: str) -> None:
    """A policy file must be a PyTorch checkpoint (a zip archive) before torch is asked to read it."""
    if not zipfile.is_zipfile(path):
        raise ConfigError(
            f"policy file {path!r} is not a PyTorch checkpoint; give the policy.pt a training run "
            "wrote (<log_dir>/checkpoints/final/policy.pt)"
        )


def check_horizon(horizon: object) -> None:
    """``horizon`` is None (the policy's) or a positive integer; 0 is not read as "the default"."""
    check_positive_int(horizon, "horizon", error=ConfigError, none="(or None: the policy's own)")


def check_schema(config: dict[str, Any], meta: dict[str, Any]) -> None:
    """The policy is scored only on its own schema (two schemas may have as many columns but other
    meanings); a given dataset must exist in that schema.
    """
    trained = meta.get("schema") or (parse_split(meta["split"]).schema if meta.get("split") else None)
    wanted = config["schema"] or (parse_split(config["split"]).schema if config["split"] else None)
    if trained and wanted and load_schema(wanted).name != trained:
        raise ConfigError(
            f"policy {config['policy_path']} was trained on schema {trained!r}, not {wanted!r}: "
            f"its actions mean other columns there; evaluate it on {trained} (schema={trained}) or "
            f"give a {wanted} policy"
        )
    name = wanted or trained
    if name is not None and config["dataset"] is not None:
        load_schema(name).check_dataset(config["dataset"])
