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
that do not follow the contract, and retries. Runs of the analysis itself and of Sacred's built-in
commands (``print_config``...) are ignored silently.

A run is identified by its algorithm, Sacred command, the hash of its full resolved config
(:func:`ilaeda.provenance.config_hash`, without the seed and log locations) and its seed. Several runs
with one identity (a retry, a copy, the same directory reached twice) count once: the latest COMPLETED
one is kept and a warning names the others. Runs of one algorithm whose configs differ in any value
(other than the split) are *variants*: their label becomes ``algo[key=value, ...]`` with the differing
keys, so every table, test and plot keeps them apart.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ilaeda import contract, runrecords
from ilaeda.provenance import config_hash, strip_volatile, version_label

logger = logging.getLogger(__name__)

#: Result sections holding ``{metric: {"mean", "std", "n"}}``, by reference-CSV policy name.
POLICY_SECTIONS: dict[str, str] = contract.POLICY_SECTIONS
#: Preferred metric order in tables and plots; other metrics follow alphabetically.
METRIC_ORDER: tuple[str, ...] = contract.METRIC_ORDER
#: Commands that never produce training results.
IGNORED_COMMANDS = frozenset(
    {"analyze_imitation", "eval_policy", "print_config", "print_dependencies", "save_config", "print_named_configs"}
)


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
    eval_dataset: object = None  # the result's JSON value, as recorded (normally int | list[int])
    config_file: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: :func:`ilaeda.provenance.config_hash` of ``config``.
    config_hash: str = ""
    #: The algorithm label before any variant suffix.
    base_algo: str = ""
    #: The config values that set this run apart from other runs of its algorithm (see :func:`label_variants`).
    config_diff: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_algo = self.base_algo or self.algo
        self.config_hash = self.config_hash or config_hash(self.config)

    @property
    def code_version(self) -> str:
        """The code version recorded in the result (``commit[+dirty]``, ``package X`` or ``unknown``)."""
        provenance = self.result.get("provenance")
        return version_label(provenance.get("code_version") if isinstance(provenance, dict) else None)

    @property
    def identity(self) -> tuple[str, str, str, int | None]:
        """``(algo, command, config hash, seed)``: runs sharing it are retries of one experiment."""
        return self.base_algo, self.command, self.config_hash, self.seed

    def wall_s(self) -> float:
        """``timing.wall_s`` of the result, NaN when absent."""
        timing = self.result.get("timing")
        wall = timing.get("wall_s") if isinstance(timing, dict) else None
        return float(wall) if contract.is_number(wall) else math.nan

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


def algo_label(result: dict[str, Any], command: str, config_file: str | None) -> str | None:
    """The algorithm label of a run.

    The config file's name token wins when it agrees with the Sacred command (so a ``bcgail_*.json``
    run of ``train_adversarial gail`` is ``bcgail``); then the result's ``algo``; then the command.
    """
    if config_file:
        algorithm = contract.ALGORITHMS.get(contract.config_token(Path(config_file).stem))
        if algorithm is not None and algorithm.command == command:
            return algorithm.label
    if isinstance(result.get("algo"), str) and result["algo"]:
        return str(result["algo"])
    return contract.COMMAND_LABELS.get(command)


def _recency(record: RunRecord) -> tuple[bool, str]:
    """Sort key: COMPLETED before RUNNING, then the latest stop (or start) time."""
    run = record.run
    return record.status == "COMPLETED", str(run.get("stop_time") or run.get("start_time") or "")


def deduplicate(runs: Sequence[RunRecord]) -> tuple[list[RunRecord], list[Skipped]]:
    """One run per :attr:`RunRecord.identity`: the latest COMPLETED one; the others as skipped retries."""
    groups: dict[tuple[Any, ...], list[RunRecord]] = {}
    for r in runs:
        groups.setdefault(r.identity, []).append(r)
    kept, skipped = [], []
    for members in groups.values():
        members.sort(key=lambda r: str(r.path))  # ties: the first path
        members.sort(key=_recency, reverse=True)
        kept.append(members[0])
        for other in members[1:]:
            skipped.append(
                Skipped(
                    str(other.path),
                    (
                        f"retry of {members[0].algo} seed {other.seed} with the same config (hash "
                        f"{other.config_hash[:12]}); counted once: the latest COMPLETED run {members[0].path} is kept"
                    ),
                )
            )
    return kept, skipped


def _flat(value: object, prefix: str, out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flat(v, f"{prefix}{k}.", out)
    else:
        out[prefix[:-1]] = value
    return out


def _short(value: object) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else value


def label_variants(runs: Sequence[RunRecord]) -> None:
    """Give runs of one algorithm whose configs differ (beyond the split) the label ``algo[key=value, ...]``.

    ``config_diff`` holds every differing key with this run's value; the label shows up to three of them
    (then ``+N more`` and the config hash). Runs whose configs agree keep the plain label.
    """
    by_algo: dict[str, list[RunRecord]] = {}
    for r in runs:
        by_algo.setdefault(r.base_algo, []).append(r)
    for algo, members in by_algo.items():
        if len({r.config_hash for r in members}) < 2:
            continue
        flats = [_flat(strip_volatile(r.config), "", {}) for r in members]
        keys = sorted({k for f in flats for k in f})
        differing = [
            k
            for k in keys
            if len({_short(f.get(k, "<unset>")) for f in flats}) > 1
            and not all(f.get(k) == r.split for f, r in zip(flats, members))
        ]  # the split itself
        if not differing:  # only the split differs
            continue
        for r, f in zip(members, flats):
            r.config_diff = {k: f.get(k) for k in differing}
            shown = [f"{k}={_short(f.get(k, '<unset>'))}" for k in differing[:3]]
            if len(differing) > 3:
                shown.append(f"+{len(differing) - 3} more, config {r.config_hash[:8]}")
            r.algo = f"{algo}[{', '.join(shown)}]"


def run_names(sources: Sequence[Path | str]) -> list[str]:
    """The Sacred run names (``--name``) of the training runs under ``sources``, sorted."""
    names: set[str] = set()
    for path in runrecords.walk_run_dirs(Path(s) for s in sources if Path(s).is_dir()):
        try:
            run = runrecords.read_run(path)
        except (OSError, ValueError):
            continue
        exp = run.get("experiment") or {}
        if (
            str(run.get("command", "")) not in IGNORED_COMMANDS
            and Path(str(exp.get("mainfile", ""))).name != "analyze.py"
            and exp.get("name") is not None
        ):
            names.add(str(exp["name"]))
    return sorted(names)


def discover_runs(
    sources: Sequence[Path | str],
    run_name: str | Sequence[str] | None = None,
    warn: bool = True,
) -> tuple[list[RunRecord], list[Skipped]]:
    """Usable training runs under ``sources`` (optionally only those named ``run_name``).

    Returns ``(runs, skipped)``; runs are sorted by (algo, split, seed, path), one per identity (see the
    module docstring), variants labelled. With ``warn``, each skipped run is also logged as a warning, and
    so are runs of more than one code version. Missing source directories are reported as skipped entries.
    """
    names = None if run_name is None else ({run_name} if isinstance(run_name, str) else set(run_name))
    runs: list[RunRecord] = []
    skipped: list[Skipped] = []
    paths = [Path(s) for s in sources]
    for source in paths:
        if not source.is_dir():
            skipped.append(Skipped(str(source), "source directory does not exist"))
    for path in runrecords.walk_run_dirs(p for p in paths if p.is_dir()):
        try:
            run = runrecords.read_run(path)
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
            config = runrecords.read_config(path)
        except (OSError, ValueError) as e:
            skipped.append(Skipped(str(path), f"unreadable config.json ({e})"))
            continue
        problem = contract.result_problem(result)
        if problem or not isinstance(result, dict):  # (the second test only tells the type checker)
            skipped.append(Skipped(str(path), f"{status} but {problem}"))
            continue
        files = runrecords.config_files(run)
        config_file = files[0] if files else None
        algo = algo_label(result, command, config_file)
        if algo is None:
            skipped.append(Skipped(str(path), f"cannot tell the algorithm (command {command!r})"))
            continue
        seed = result.get("seed", config.get("seed"))
        if status == "RUNNING" and warn:
            logger.warning("run %s has status RUNNING but a result; included", path)
        runs.append(
            RunRecord(
                path=path,
                run=run,
                config=config,
                result=result,
                algo=algo,
                split=str(result["split"]),
                seed=int(seed) if contract.is_number(seed) else None,
                eval_dataset=result.get("eval_dataset"),
                config_file=config_file,
            )
        )
    runs, retries = deduplicate(runs)
    skipped += retries
    label_variants(runs)
    for s in skipped if warn else ():
        logger.warning("skipping run %s", s)
    versions = sorted({r.code_version for r in runs})
    if len(versions) > 1 and warn:
        logger.warning(
            "the runs come from %d code versions (%s): results of different code are mixed; "
            "see the code_version column",
            len(versions),
            ", ".join(versions),
        )
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
