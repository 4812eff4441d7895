"""Learning curves of training runs, read from whatever logs a run left behind.

Sources, in order of preference (a key found in an earlier source hides the same key in later ones):

1. Sacred's ``metrics.json`` in the run directory (``_run.log_scalar``):
   ``{key: {"steps": [...], "values": [...]}}``.
2. ``progress.csv`` files (stable-baselines3 / imitation CSV logger) under the run's log directories:
   one column per key; the step column is the first whose name is, or ends with ``/`` +, one of
   :data:`STEP_COLUMNS` (so ``mean/gen/time/total_timesteps`` for GAIL/AIRL, ``dagger/total_timesteps``,
   ``bc/samples_so_far``), else the row number. Empty cells are skipped.
3. TensorBoard event files (``events.out.tfevents.*``) under the run's log directories: every scalar
   tag (read with ``tensorboard``'s EventAccumulator, no TensorFlow needed).

A run's log directories are ``config["logging"]["log_dir"]`` and ``result["log_dir"]`` when present
(relative paths are resolved against the current directory, i.e. run analyze from where training ran),
plus the Sacred run directory itself. Unreadable files are skipped with a warning; a run with no logs
simply has no curves.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ilaeda.analysis.runs import RunRecord
from ilaeda.contract import HEADLINE_METRICS

logger = logging.getLogger(__name__)

#: Default learning-curve keys (regular expressions): the generator's learned (discriminator) reward, the
#: coherence penalty and their sum as the generator optimises it (GAIL/AIRL; the environment's own reward,
#: ``ep_rew_mean``, is always 0 and is left out), the discriminator's accuracy, BC's loss, DAgger's episode
#: reward, and the benchmark metrics measured during training on the training datasets (``train_eval/``).
DEFAULT_CURVE_KEYS = (
    r"^mean/gen/rollout/ep_rew_(learned|penalty|penalised)_mean$",
    r"^mean/disc/disc_acc$",
    r"^bc/loss$",
    r"^dagger/mean_episode_reward$",
    rf"^train_eval/(stochastic|deterministic)/({'|'.join(('length', *HEADLINE_METRICS))})$",
)
STEP_COLUMNS = ("time/total_timesteps", "total_timesteps", "timesteps", "samples_so_far", "global_step", "step")
MAX_FILES_PER_RUN = 200


@dataclass(frozen=True)
class Curve:
    """Values of one logged key against steps (sorted by step)."""

    steps: np.ndarray
    values: np.ndarray
    source: str

    @staticmethod
    def make(steps: ArrayLike, values: ArrayLike, source: str) -> Curve:
        s = np.asarray(steps, dtype=float)
        v = np.asarray(values, dtype=float)
        keep = np.isfinite(s) & np.isfinite(v)
        order = np.argsort(s[keep], kind="stable")
        return Curve(s[keep][order], v[keep][order], source)


def _merge(into: dict[str, Curve], new: dict[str, Curve]) -> None:
    """Add curves; the same key from several files of one source is concatenated."""
    for key, curve in new.items():
        if key in into and into[key].source.split(":")[0] == curve.source.split(":")[0]:
            old = into[key]
            into[key] = Curve.make(np.r_[old.steps, curve.steps], np.r_[old.values, curve.values], old.source)
        elif key not in into:
            into[key] = curve


def read_sacred_metrics(path: str | Path) -> dict[str, Curve]:
    """Curves from a Sacred ``metrics.json``; entries without numeric steps/values are skipped."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    curves = {}
    for key, entry in (data or {}).items():
        try:
            steps, values = entry["steps"], entry["values"]
            if len(steps) == len(values) and len(values):
                curves[str(key)] = Curve.make(steps, values, f"metrics.json:{path}")
        except (KeyError, TypeError, ValueError):
            continue
    return curves


def _float(cell: str) -> float:
    try:
        return float(cell)
    except (TypeError, ValueError):
        return math.nan


def read_progress_csv(path: str | Path) -> dict[str, Curve]:
    """Curves from a ``progress.csv``: every numeric column against the step column."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    columns = {k: np.array([_float(r.get(k, "")) for r in rows]) for k in rows[0] if k}
    step_key = next(
        (
            k
            for name in STEP_COLUMNS
            for k in columns
            if (k == name or k.endswith("/" + name)) and np.isfinite(columns[k]).any()
        ),
        None,
    )
    steps = columns.pop(step_key) if step_key else np.arange(len(rows), dtype=float)
    return {k: Curve.make(steps, v, f"progress.csv:{path}") for k, v in columns.items() if np.isfinite(v).any()}


def read_tensorboard(path: str | Path) -> dict[str, Curve]:
    """Scalar curves from one TensorBoard event file (or a directory of them)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(path), size_guidance={"scalars": 0})
    acc.Reload()
    curves = {}
    for tag in acc.Tags().get("scalars", []):
        events = acc.Scalars(tag)
        curves[tag] = Curve.make([e.step for e in events], [e.value for e in events], f"tensorboard:{path}")
    return curves


def log_dirs(run: RunRecord) -> list[Path]:
    """Directories that may hold a run's logs (existing ones only, each once)."""
    candidates: list[Any] = [(run.config.get("logging") or {}).get("log_dir"), run.result.get("log_dir")]
    out: list[Path] = []
    for c in candidates:
        if isinstance(c, str) and c and Path(c).is_dir():
            p = Path(c)
            if all(os.path.realpath(p) != os.path.realpath(o) for o in out):
                out.append(p)
    return out


def _files(root: Path, predicate: Callable[[str], bool]) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if predicate(name):
                found.append(Path(dirpath) / name)
                if len(found) >= MAX_FILES_PER_RUN:
                    return found
    return found


def run_curves(run: RunRecord) -> dict[str, Curve]:
    """All curves of a run (see the module docstring for sources and precedence)."""
    curves: dict[str, Curve] = {}
    readers: list[tuple[Any, Path]] = []
    if (run.path / "metrics.json").is_file():
        readers.append((read_sacred_metrics, run.path / "metrics.json"))
    dirs = log_dirs(run)
    for d in dirs:
        readers += [(read_progress_csv, p) for p in _files(d, lambda n: n == "progress.csv")]
    for d in dirs:
        readers += [(read_tensorboard, p) for p in _files(d, lambda n: n.startswith("events.out.tfevents"))]
    for reader, path in readers:
        try:
            _merge(curves, reader(path))
        except Exception as e:
            logger.warning("cannot read curves from %s: %s", path, e)
    return curves
