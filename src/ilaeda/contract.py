"""The names every layer agrees on: algorithms, metrics, the training result and the shared value checks.

Standard library only and free of ilaeda imports, so that ``experiments/commands.py`` (which runs with any
Python, without the package installed) can load this file by path, and importing it costs nothing.

* :data:`ALGORITHMS`: config-file name token -> :class:`Algorithm` (training script, Sacred command, trainer);
* :data:`METRIC_REGISTRY`: metric name -> :class:`Metric` (label, benchmark metric or not, headline);
  :data:`METRICS`, :data:`EXTRA_METRICS`, :data:`HEADLINE_METRICS`, :data:`METRIC_ORDER`, :data:`METRIC_LABELS`
  are views of it;
* :class:`RunResult` and :func:`result_problem`: the result a training run returns (Sacred's ``result``);
* :func:`check_positive_int`: the integer check of config values and options (positive unless ``minimum`` says).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, TypeGuard, overload


@dataclass(frozen=True)
class Algorithm:
    """One algorithm as a config-file name token selects it."""

    #: The label in results, tables and plots (the config-file name token).
    label: str
    #: The training module under ``ilaeda.scripts``.
    script: str
    #: The Sacred command of ``script`` that trains it.
    command: str
    #: The adversarial trainer class in :mod:`ilaeda.algorithms.penalty` (None: not adversarial).
    trainer: str | None = None
    #: The config turns the behaviour-cloning warm start on (``bc_warm_start.enabled``).
    warm_start: bool = False
    #: ``tune`` has a default search space for it (``SEARCH_SPACES`` in ``ilaeda/scripts/config/tune.py``);
    #: False: none, so tuning it needs ``search_space=FILE.json search_space_replace=True``.
    search_space: bool = True


#: Config-file name token -> algorithm (the first ``_``-token of a config name; the second for ``fast_*``).
ALGORITHMS: dict[str, Algorithm] = {
    a.label: a
    for a in (
        Algorithm("gail", "train_adversarial", "gail", trainer="PenalizedGAIL"),
        Algorithm("airl", "train_adversarial", "airl", trainer="PenalizedAIRL"),
        Algorithm("bc", "train_imitation", "bc"),
        Algorithm("dagger", "train_imitation", "dagger"),
        Algorithm("bcgail", "train_adversarial", "gail", trainer="PenalizedGAIL", warm_start=True),
    )
}
#: Config-file name token -> (script module, Sacred command).
SCRIPT_COMMANDS: dict[str, tuple[str, str]] = {t: (a.script, a.command) for t, a in ALGORITHMS.items()}
#: Sacred command -> algorithm label, for results that name no algorithm (warm-started variants excluded).
COMMAND_LABELS: dict[str, str] = {a.command: a.label for a in ALGORITHMS.values() if not a.warm_start}
#: Sacred command -> trainer class name, for the adversarial commands.
ADVERSARIAL_TRAINERS: dict[str, str] = {
    a.command: a.trainer for a in ALGORITHMS.values() if a.trainer is not None and not a.warm_start
}


def commands_of(script: str) -> frozenset[str]:
    """The Sacred commands of a training script that train an algorithm."""
    return frozenset(a.command for a in ALGORITHMS.values() if a.script == script)


#: Prefix of the test configs (``fast_<algo>_...``).
FAST_TOKEN = "fast"


def config_token(stem: str) -> str:
    """The algorithm token of a config-file stem: its first ``_``-token, the second for ``fast_<algo>_...``."""
    tokens = stem.split("_")
    return tokens[1] if tokens[0] == FAST_TOKEN and len(tokens) > 1 else tokens[0]


@dataclass(frozen=True)
class Metric:
    """One per-session score of a run's result, as tables, plots and reports name it."""

    #: The key in ``score_sessions`` rows and in a result section (``benchmark.<name>``).
    name: str
    #: The display name in reports.
    label: str
    #: One of the benchmark's metrics (False: a figure reported beside them, such as session length).
    benchmark: bool = True
    #: In the headline pair: the tuning objective's default, the combined normalised score of the robust
    #: tables and profiles, the learning curves and the grid page's run list.
    headline: bool = False


#: Every metric, in report order; ``ilaeda.benchmark.METRIC_FUNCTIONS`` computes each of them.
METRIC_REGISTRY: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("precision", "Precision"),
        Metric("t_bleu_1", "T-BLEU-1"),
        Metric("t_bleu_2", "T-BLEU-2", headline=True),
        Metric("t_bleu_3", "T-BLEU-3"),
        Metric("eda_sim", "EDA-Sim", headline=True),
        Metric("length", "length", benchmark=False),
        Metric("back_at_root", "back@root", benchmark=False),
    )
}
#: The benchmark's five metrics (Precision, T-BLEU-1..3, EDA-Sim), in report order.
METRICS: tuple[str, ...] = tuple(m.name for m in METRIC_REGISTRY.values() if m.benchmark)
#: Per-session figures reported beside the metrics: session length and steps spent back at the root.
EXTRA_METRICS: tuple[str, ...] = tuple(m.name for m in METRIC_REGISTRY.values() if not m.benchmark)
#: The headline pair (T-BLEU-2 and EDA-Sim).
HEADLINE_METRICS: tuple[str, ...] = tuple(m.name for m in METRIC_REGISTRY.values() if m.headline)
#: Metric order in tables and plots; other metrics follow alphabetically.
METRIC_ORDER: tuple[str, ...] = (*METRICS, *EXTRA_METRICS)
#: Display names of the metrics in reports.
METRIC_LABELS: dict[str, str] = {m.name: m.label for m in METRIC_REGISTRY.values()}
#: Result sections holding ``{metric: {"mean", "std", "n"}}``, by policy mode.
POLICY_SECTIONS: dict[str, str] = {"stochastic": "benchmark", "deterministic": "benchmark_deterministic"}
#: The keys of one metric's statistics.
STAT_KEYS: tuple[str, ...] = ("mean", "std", "n")


class MetricStats(TypedDict):
    """One metric over the evaluation sessions."""

    mean: float
    std: float
    n: float


class _RequiredResult(TypedDict):
    split: str
    benchmark: dict[str, MetricStats]


class RunResult(_RequiredResult, total=False):
    """The plain-JSON result of a training run (Sacred's ``result``); :func:`result_problem` checks it."""

    algo: str
    eval_dataset: int | list[int]
    seed: int
    benchmark_deterministic: dict[str, MetricStats]
    interestingness: dict[str, Any]
    interestingness_deterministic: dict[str, Any]
    learned_reward: dict[str, Any]
    timing: dict[str, Any]
    log_dir: str
    provenance: dict[str, Any]
    policy_path: str


def is_number(value: object) -> TypeGuard[int | float]:
    """An int or float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite_number(value: object) -> TypeGuard[int | float]:
    """An int or float, not a bool, NaN or infinite."""
    return is_number(value) and math.isfinite(value)


def _section_problem(name: str, section: object) -> str | None:
    if not isinstance(section, dict) or not section:
        return f"result has no '{name}' section"
    missing = [m for m in METRICS if m not in section]
    if missing:
        return f"{name} lacks the metric{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
    for metric, entry in section.items():
        if not isinstance(entry, dict) or not all(is_number(entry.get(k)) for k in STAT_KEYS):
            return f"{name}.{metric} is not a {{mean, std, n}} of numbers"
        bad = [k for k in STAT_KEYS if not is_finite_number(entry[k])]
        if bad:
            return f"{name}.{metric}.{bad[0]} is {entry[bad[0]]} (not a finite number)"
    return None


def result_problem(result: object) -> str | None:
    """Why ``result`` is not a :class:`RunResult`, or None.

    Every policy section present (``benchmark`` is required) must hold each metric of :data:`METRICS` as a
    ``{mean, std, n}`` of finite numbers: a NaN or a missing metric would make the tables disagree on
    which runs they count.
    """
    if not isinstance(result, dict):
        return "result is not a dict"
    for section in POLICY_SECTIONS.values():
        if section == "benchmark" or section in result:
            problem = _section_problem(section, result.get(section))
            if problem:
                return problem
    if not isinstance(result.get("split"), str):
        return "result has no 'split'"
    return None


def _int_rule(minimum: int) -> str:
    if minimum == 1:
        return "a positive integer"
    if minimum == 0:
        return "a non-negative integer"
    return f"an integer of at least {minimum}"


@overload
def check_positive_int(
    value: object,
    name: str,
    *,
    minimum: int = 1,
    error: type[Exception] = ValueError,
    none: Literal[""] = "",
    hint: str = "",
) -> int: ...
@overload
def check_positive_int(
    value: object, name: str, *, minimum: int = 1, error: type[Exception] = ValueError, none: str, hint: str = ""
) -> int | None: ...
def check_positive_int(
    value: object, name: str, *, minimum: int = 1, error: type[Exception] = ValueError, none: str = "", hint: str = ""
) -> int | None:
    """``value`` when it is an integer of at least ``minimum`` (or None, when ``none`` says what None means).

    The one integer check of config values and options. Bools, strings and floats are refused, also a
    whole float such as ``2.0`` or ``1e4`` (the message then names the integer to write). ``error`` is
    raised with one line: ``<name> must be a positive integer[ <none>], got <value>[<hint>]`` (``a non-negative
    integer`` for ``minimum=0``, ``an integer of at least <minimum>`` otherwise), plus ``; write <int>``
    for a whole float.
    """
    if value is None and none:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    fix = ""
    if isinstance(value, float) and value.is_integer() and value >= minimum:
        fix = f"; write {int(value)} (an integer, no decimal point)"
    raise error(f"{name} must be {_int_rule(minimum)}{' ' + none if none else ''}, got {value!r}{hint}{fix}")
