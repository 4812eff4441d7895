"""The study's outcome: trial counts, and the best trial as a training config with its provenance."""

from __future__ import annotations

import copy
import datetime
import json
import logging
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ilaeda._io import atomic_write, sha256_file
from ilaeda.provenance import code_version
from ilaeda.redaction import redact, split_password
from ilaeda.tuning.options import nested_set
from ilaeda.tuning.space import decode_params

if TYPE_CHECKING:
    import optuna

    from ilaeda.tuning.options import Settings

logger = logging.getLogger("ilaeda.tune")


def counts(study: optuna.Study) -> dict[str, int]:
    """Trials per state name."""
    out: dict[str, int] = {}
    for t in study.get_trials(deepcopy=False):
        out[t.state.name] = out.get(t.state.name, 0) + 1
    return out


def finished(study: optuna.Study) -> int:
    """Complete and pruned trials."""
    c = counts(study)
    return c.get("COMPLETE", 0) + c.get("PRUNED", 0)


def command_line(settings: Settings, argv: Sequence[str]) -> str:
    """The tune command as typed, with the storage password masked."""
    secrets = [split_password(settings.options["storage"] or "")[1] or ""]
    return " ".join(["python -m ilaeda.scripts.tune", *(shlex.quote(redact(arg, secrets)) for arg in argv)])


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

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if not complete:
        logger.warning("no completed trial yet: no tuned config written")
        return None
    best = max(complete, key=lambda t: (t.value, -t.number))
    config = copy.deepcopy(settings.base_config)
    for key, value in settings.train_updates.items():
        if key in ("environment.split", "seed"):
            continue
        nested_set(config, key, value)
    params = decode_params(best.params, settings.search_space)
    for key, value in params.items():
        nested_set(config, key, value)
    nested_set(config, "environment.split", settings.split)
    config_path, provenance_path = tuned_paths(settings)
    atomic_write(config_path, json.dumps(config, indent=2) + "\n")
    provenance = {
        "tuned_config": str(config_path),
        "algo": settings.algo,
        "study_name": settings.study_name,
        "storage": storage_text,
        "base_configs": {p: sha256_file(p) for p in settings.configs},
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
        "git_commit": code_version()["commit"],
        "written": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "command": command_line(settings, argv),
    }
    atomic_write(provenance_path, json.dumps(provenance, indent=2, default=str) + "\n")
    return config_path
