"""The ``eval_policy`` experiment: evaluate a saved policy like a training run does.

``python -m ilaeda.scripts.eval_policy with policy_path=.../checkpoints/final/policy.pt dataset=1``.
``schema``, ``split`` and ``horizon`` default to those recorded in the policy file; without ``dataset``
the split's evaluation (held-out) datasets are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ilaeda.data.schema import load_schema
from ilaeda.data.splits import parse_split
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import new_experiment
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
    locals()  # quieten linters: every local is a config entry


@eval_policy_ex.config_hook
def validate(config: dict[str, Any], command_name: str, logger: Any) -> dict[str, Any]:
    """A policy file must be named and exist; schema, split and dataset must be valid when given."""
    if command_name != "eval_policy":
        return {}
    path = config["policy_path"]
    if not path:
        raise ConfigError("set policy_path=<checkpoint .pt file> (e.g. <log_dir>/checkpoints/final/policy.pt)")
    if not Path(str(path)).is_file():
        raise ConfigError(f"policy file {path!r} not found")
    if config["split"] is not None:
        parse_split(config["split"])
    if config["schema"] is not None:
        schema = load_schema(config["schema"])
        if config["dataset"] is not None:
            schema.check_dataset(config["dataset"])
    return {}
