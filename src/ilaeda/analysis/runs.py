"""Find the Sacred records of training runs and read their results.

A training run is a Sacred run directory holding ``run.json`` (status, command, experiment name = the
run name given with ``--name``, ``result``) and ``config.json`` (the resolved config, with ``seed``).
Its ``result`` follows the training contract::

    {"algo": "gail", "split": "cyber_loo1", "eval_dataset": 1, "seed": 0,
     "benchmark": {"precision": {"mean": .., "std": .., "n": ..}, ...},   # stochastic policy
     "benchmark_deterministic": {...}, "interestingness": {...}, "learned_reward": {...},
     "timing": {"wall_s": .., "env_steps": .., "env_steps_per_s": ..}}

:func:`discover_runs` walks source directories (following symlinks, each real directory once) and keeps
COMPLETED runs with such a result. Everything else is skipped with a reason that names the run:
FAILED / INTERRUPTED / other statuses, RUNNING without a result, unreadable or corrupt JSON, results
that do not follow the contract, and duplicates (the same directory reached twice, or a copy with the
same run name, command, config, seed and start time). Runs of the analysis itself and of Sacred's
built-in commands (``print_config``...) are ignored silently.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Sacred command -> algorithm label, used when a result has no ``algo`` (exhaustive, no guessing).
COMMAND_ALGOS: dict[str, str] = {"gail": "gail", "airl": "airl", "bc": "bc", "dagger": "dagger"}
#: Config-file name token -> (algorithm label, Sacred command); as in experiments/commands.py.
CONFIG_TOKENS: dict[str, tuple[str, str]] = {
    "gail": ("gail", "gail"), "airl": ("airl", "airl"), "bc": ("bc", "bc"),
    "dagger": ("dagger", "dagger"), "bcgail": ("bcgail", "gail"),
}
#: Result sections holding ``{metric: {"mean", "std", "n"}}``, by reference-CSV policy name.
POLICY_SECTIONS: dict[str, str] = {"stochastic": "benchmark", "deterministic": "benchmark_deterministic"}
#: Preferred metric order in tables and plots; other metrics follow alphabetically.
METRIC_ORDER: tuple[str, ...] = (
    "precision", "t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim", "length", "back_at_root")
#: Commands that never produce training results.
IGNORED_COMMANDS = frozenset({
    "analyze_imitation", "eval_policy", "print_config", "print_dependencies", "save_config",
    "print_named_configs"})


@dataclass(frozen=True)
class Skipped:
    """A run directory left out of the analysis, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class RunRecord:
    """One usable training run."""

    path: Path
    run: dict[str, Any]
    config: dict[str, Any]
    result: dict[str, Any]
    algo: str
    split: str
    seed: int | None
    eval_dataset: Any = None
    config_file: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def wall_s(self) -> float:
        """``timing.wall_s`` of the result, NaN when absent."""
        timing = self.result.get("timing")
        wall = timing.get("wall_s") if isinstance(timing, dict) else None
        return float(wall) if _is_number(wall) else math.nan

    @property
    def run_name(self) -> str:
        return str(self.run.get("experiment", {}).get("name", ""))

    @property
    def command(self) -> str:
        return str(self.run.get("command", ""))

    @property
    def status(self) -> str:
        return str(self.run.get("status", ""))

    def stats(self, section: str, metric: str) -> tuple[float, float, float] | None:
        """``(mean, std, n)`` of a metric in a result section, or None when absent or not numeric."""
        sec = self.result.get(section)
        entry = sec.get(metric) if isinstance(sec, dict) else None
        if not isinstance(entry, dict):
            return None
        try:
            values = tuple(float(entry[k]) for k in ("mean", "std", "n"))
        except (KeyError, TypeError, ValueError):
            return None
        return values  # type: ignore[return-value]


def split_source_dirs(source_dir_str: str | Sequence[str], split_str: str = ",") -> list[Path]:
    """Source directories from ``"a,b"`` (or a list), ``~`` expanded, empty pieces dropped."""
    pieces = source_dir_str.split(split_str) if isinstance(source_dir_str, str) else list(source_dir_str)
    return [Path(os.path.expanduser(p.strip())) for p in pieces if str(p).strip()]


def _walk_run_dirs(sources: Iterable[Path]) -> Iterator[Path]:
    """Directories holding a ``run.json``; each real directory once, by its plain path if it has one.

    A first pass does not follow symlinks; a second one does and yields only what the first missed.
    """
    sources = list(sources)
    seen: set[str] = set()
    for follow in (False, True):
        visited: set[str] = set()  # this pass; also stops symlink cycles
        for source in sources:
            for dirpath, dirnames, filenames in os.walk(source, followlinks=follow):
                real = os.path.realpath(dirpath)
                if real in visited:
                    dirnames[:] = []
                    continue
                visited.add(real)
                dirnames[:] = sorted(d for d in dirnames if d not in ("_sources", "_resources"))
                if real not in seen:
                    seen.add(real)
                    if "run.json" in filenames:
                        yield Path(dirpath)


def _load_object(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; OSError or ValueError when unreadable or not an object."""
    with open(path, encoding="utf-8") as f:
        value = json.load(f)
    if not isinstance(value, dict):
        raise ValueError(f"{path.name} is not an object")
    return value


def _config_file(run: dict[str, Any]) -> str | None:
    """The first config file named on the command line (``with file.json``), if any."""
    for name in (run.get("meta") or {}).get("named_configs") or []:
        if str(name).endswith((".json", ".yaml", ".yml")):
            return str(name)
    return None


def algo_label(result: dict[str, Any], command: str, config_file: str | None) -> str | None:
    """The algorithm label of a run.

    The config file's name token wins when it agrees with the Sacred command (so a ``bcgail_*.json``
    run of ``train_adversarial gail`` is ``bcgail``); then the result's ``algo``; then the command.
    """
    if config_file:
        tokens = Path(config_file).stem.split("_")
        token = tokens[1] if tokens[0] == "fast" and len(tokens) > 1 else tokens[0]
        if token in CONFIG_TOKENS and CONFIG_TOKENS[token][1] == command:
            return CONFIG_TOKENS[token][0]
    if isinstance(result.get("algo"), str) and result["algo"]:
        return str(result["algo"])
    return COMMAND_ALGOS.get(command)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _contract_problem(result: Any) -> str | None:
    """Why ``result`` does not follow the training contract, or None."""
    if not isinstance(result, dict):
        return "result is not a dict"
    bench = result.get("benchmark")
    if not isinstance(bench, dict) or not bench:
        return "result has no 'benchmark' section"
    for metric, entry in bench.items():
        if not isinstance(entry, dict) or not all(_is_number(entry.get(k)) for k in ("mean", "std", "n")):
            return f"benchmark.{metric} is not a {{mean, std, n}} of numbers"
    if not isinstance(result.get("split"), str):
        return "result has no 'split'"
    return None


def _identity(run: dict[str, Any], config: dict[str, Any]) -> str:
    exp = run.get("experiment") or {}
    return json.dumps([exp.get("name"), run.get("command"), config, config.get("seed"),
                       run.get("start_time")], sort_keys=True, default=str)


def discover_runs(
    sources: Sequence[Path | str],
    run_name: str | Sequence[str] | None = None,
) -> tuple[list[RunRecord], list[Skipped]]:
    """Usable training runs under ``sources`` (optionally only those named ``run_name``).

    Returns ``(runs, skipped)``; runs are sorted by (algo, split, seed, path). Each skipped run is
    also logged as a warning. Missing source directories are reported as skipped entries.
    """
    names = None if run_name is None else ({run_name} if isinstance(run_name, str) else set(run_name))
    runs: list[RunRecord] = []
    skipped: list[Skipped] = []
    identities: dict[str, Path] = {}
    paths = [Path(s) for s in sources]
    for source in paths:
        if not source.is_dir():
            skipped.append(Skipped(str(source), "source directory does not exist"))
    for path in _walk_run_dirs(p for p in paths if p.is_dir()):
        try:
            run = _load_object(path / "run.json")
        except (OSError, ValueError) as e:
            skipped.append(Skipped(str(path), f"unreadable run.json ({e})"))
            continue
        command = str(run.get("command", ""))
        exp = run.get("experiment") or {}
        if command in IGNORED_COMMANDS or Path(str(exp.get("mainfile", ""))).name == "analyze.py":
            continue
        if names is not None and exp.get("name") not in names:
            continue
        status = run.get("status")
        result = run.get("result")
        if status != "COMPLETED":
            if status == "RUNNING" and result is None:
                skipped.append(Skipped(str(path), "RUNNING without a result (still running, or killed)"))
                continue
            if status != "RUNNING":
                skipped.append(Skipped(str(path), f"status {status}"))
                continue
        try:
            config = _load_object(path / "config.json")
        except (OSError, ValueError) as e:
            skipped.append(Skipped(str(path), f"unreadable config.json ({e})"))
            continue
        problem = _contract_problem(result)
        if problem:
            skipped.append(Skipped(str(path), f"{status} but {problem}"))
            continue
        identity = _identity(run, config)
        if identity in identities:
            skipped.append(Skipped(str(path), f"duplicate of {identities[identity]}"))
            continue
        identities[identity] = path
        config_file = _config_file(run)
        algo = algo_label(result, command, config_file)
        if algo is None:
            skipped.append(Skipped(str(path), f"cannot tell the algorithm (command {command!r})"))
            continue
        seed = result.get("seed", config.get("seed"))
        if status == "RUNNING":
            logger.warning("run %s has status RUNNING but a result; included", path)
        runs.append(RunRecord(
            path=path, run=run, config=config, result=result, algo=algo, split=str(result["split"]),
            seed=int(seed) if _is_number(seed) else None, eval_dataset=result.get("eval_dataset"),
            config_file=config_file))
    for s in skipped:
        logger.warning("skipping run %s", s)
    runs.sort(key=lambda r: (r.algo, r.split, math.inf if r.seed is None else r.seed, str(r.path)))
    return runs, skipped


def metrics_of(runs: Iterable[RunRecord], section: str) -> list[str]:
    """Metric names present in ``section`` of any run, in :data:`METRIC_ORDER` then alphabetically."""
    found: set[str] = set()
    for r in runs:
        sec = r.result.get(section)
        found.update(k for k in (sec if isinstance(sec, dict) else {}) if r.stats(section, k) is not None)
    known = [m for m in METRIC_ORDER if m in found]
    return known + sorted(found - set(known))
