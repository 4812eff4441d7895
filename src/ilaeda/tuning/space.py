"""Search spaces: the algorithms' defaults merged with a user's file, checked, sampled and decoded."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ilaeda.contract import ALGORITHMS
from ilaeda.scripts.config.tune import SEARCH_SPACES
from ilaeda.tuning import UsageError, read_json_object

if TYPE_CHECKING:
    import optuna

_SPEC_TYPES = ("float", "int", "categorical")


def load_search_space(algo: str, path: str | None, replace: bool) -> dict[str, dict[str, Any]]:
    """The algorithm's default space, updated from a JSON file (``null`` removes a key)."""
    if not replace and not (ALGORITHMS[algo].search_space and algo in SEARCH_SPACES):
        raise UsageError(
            f"{algo} has no default search space (algorithms with one: {', '.join(SEARCH_SPACES)}); add one to "
            "ilaeda/scripts/config/tune.py or give search_space=FILE.json search_space_replace=True"
        )
    space = {} if replace else copy.deepcopy(SEARCH_SPACES[algo])
    if path:
        data = read_json_object(path, "search_space", "a JSON object {dotted key: spec or null}")
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
