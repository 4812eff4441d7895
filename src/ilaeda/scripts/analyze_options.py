"""The options of ``analyze`` as one checked object, built from its Sacred config (by the config hook and the
command alike), and the discovery of the runs they name.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ilaeda.analysis import discover_runs
from ilaeda.analysis.runs import RunRecord, Skipped, run_names, split_source_dirs
from ilaeda.contract import check_positive_int
from ilaeda.errors import IlaedaError
from ilaeda.scripts._sacred import sacred

logger = logging.getLogger(__name__)


class AnalyzeError(IlaedaError, sacred.utils.SacredError):
    """Bad input to analyze; Sacred prints it as one line, without a traceback."""

    def __init__(self, message: str) -> None:
        sacred.utils.SacredError.__init__(self, message, print_traceback=False)


def _derived(explicit: str | None, csv_output_path: str | None, suffix: str) -> Path | None:
    """The explicit path, else ``<csv stem>_<suffix>.csv`` beside ``csv_output_path``, else None."""
    if explicit:
        return Path(explicit)
    if csv_output_path:
        p = Path(csv_output_path)
        return p.with_name(f"{p.stem}_{suffix}.csv")
    return None


def _algo_map(value: object) -> dict[str, list[str]]:
    if not isinstance(value, Mapping) or not all(
        isinstance(v, (list, tuple)) and all(isinstance(a, str) for a in v) for v in value.values()
    ):
        raise AnalyzeError(
            "reference_algo_map must map each reference algo to a list of our algos, "
            "e.g. {'advEDA_released_gail': ['gail']} ('*' = all)"
        )
    return {str(k): list(v) for k, v in value.items()}


def _reference_path(reference_csv: str | None, required: bool) -> Path | None:
    if not reference_csv:
        return None
    path = Path(os.path.expanduser(reference_csv))
    if path.is_file():
        return path
    if required:
        raise AnalyzeError(f"reference results {reference_csv} not found (needed for comparison_csv)")
    logger.warning("reference results %s not found; no reference comparison", reference_csv)
    return None


def _curve_patterns(curve_keys: object) -> list[str] | None:
    if curve_keys is None:
        return None
    keys = [curve_keys] if isinstance(curve_keys, str) else curve_keys
    if not isinstance(keys, (list, tuple)) or not all(isinstance(k, str) for k in keys):
        raise AnalyzeError(f"curve_keys must be None or a list of regular expressions, not {curve_keys!r}")
    for key in keys:
        try:
            re.compile(key)
        except re.error as e:
            raise AnalyzeError(f"curve_keys: {key!r} is not a regular expression ({e})") from None
    return list(keys)


def _check_numbers(config: Mapping[str, Any]) -> None:
    table_verbosity, alpha, ddof = config["table_verbosity"], config["alpha"], config["session_std_ddof"]
    if table_verbosity not in (0, 1, 2, 3):
        raise AnalyzeError(f"table_verbosity must be 0, 1, 2 or 3, not {table_verbosity!r}")
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise AnalyzeError(f"alpha must lie in (0, 1), not {alpha!r}")
    if ddof not in (0, 1):
        raise AnalyzeError(f"session_std_ddof must be 0 or 1, not {ddof!r}")
    check_positive_int(config["bootstrap_reps"], "bootstrap_reps", minimum=0, error=AnalyzeError)
    check_positive_int(config["max_curve_plots"], "max_curve_plots", minimum=0, error=AnalyzeError)


@dataclass(frozen=True)
class AnalyzeOptions:
    """analyze's config, checked; output paths resolved (None: not written)."""

    source_dir_str: str | Sequence[str]
    sources: list[Path]
    run_name: str | None
    csv_output_path: Path | None
    #: Derived output CSVs by config key (``aggregate_csv``, ``comparison_csv``, ``pairwise_csv``,
    #: ``robust_csv``, ``improvement_csv``).
    outputs: dict[str, Path | None]
    table_verbosity: int
    print_table: bool
    reference_path: Path | None
    algo_map: dict[str, list[str]]
    alpha: float
    session_std_ddof: int
    bootstrap_reps: int
    bootstrap_seed: int
    baselines_csv: str | None
    plot_dir: str | None
    curve_keys: list[str] | None
    max_curve_plots: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AnalyzeOptions:
        """The options of ``config`` (analyze's Sacred config); AnalyzeError naming the first bad one."""
        _check_numbers(config)
        curve_keys = _curve_patterns(config["curve_keys"])
        algo_map = _algo_map(config["reference_algo_map"])
        csv_path = config["csv_output_path"]
        keys = ("aggregate_csv", "comparison_csv", "pairwise_csv", "robust_csv", "improvement_csv")
        return cls(
            source_dir_str=config["source_dir_str"],
            sources=split_source_dirs(config["source_dir_str"], config["split_str"]),
            run_name=config["run_name"],
            csv_output_path=Path(csv_path) if csv_path else None,
            outputs={k: _derived(config[k], csv_path, k.rsplit("_", 1)[0]) for k in keys},
            table_verbosity=config["table_verbosity"],
            print_table=bool(config["print_table"]),
            reference_path=_reference_path(config["reference_csv"], required=bool(config["comparison_csv"])),
            algo_map=algo_map,
            alpha=config["alpha"],
            session_std_ddof=config["session_std_ddof"],
            bootstrap_reps=config["bootstrap_reps"],
            bootstrap_seed=config["bootstrap_seed"],
            baselines_csv=config["baselines_csv"],
            plot_dir=config["plot_dir"],
            curve_keys=curve_keys,
            max_curve_plots=config["max_curve_plots"],
        )

    def check_writable(self) -> None:
        """AnalyzeError when a folder the CSVs or plots go to cannot be written."""
        from ilaeda.scripts.ingredients.logging import check_output_dir

        folders = [("csv_output_path", self.csv_output_path)] + [
            (k, self.outputs[k]) for k in ("aggregate_csv", "comparison_csv", "pairwise_csv")
        ]
        checks = [(p.parent, k) for k, p in folders if p] + (
            [(Path(self.plot_dir), "plot_dir")] if self.plot_dir else []
        )
        for folder, key in checks:
            try:
                check_output_dir(folder, key)
            except IlaedaError as e:
                raise AnalyzeError(str(e)) from None

    def discover(self, warn: bool = True) -> tuple[list[RunRecord], list[Skipped]]:
        """The usable runs, or AnalyzeError naming the problem (and the run names that exist)."""
        files = [s for s in self.sources if s.is_file()]
        if files:
            raise AnalyzeError(
                f"source_dir_str names {files[0]}, which is a file, not a folder; set source_dir_str to the folder "
                "holding the Sacred runs (e.g. output/sacred), not a file inside it"
            )
        if not self.sources or not any(s.is_dir() for s in self.sources):
            raise AnalyzeError(
                f"no source directory exists: {self.source_dir_str!r} (set source_dir_str to the folder "
                "holding the Sacred runs, e.g. output/sacred)"
            )
        runs, skipped = discover_runs(self.sources, self.run_name, warn=warn)
        if runs:
            return runs, skipped
        if self.run_name is not None:
            names = run_names(self.sources)
            known = f"run names there: {', '.join(names)}" if names else "no training run has a name there"
            raise AnalyzeError(
                f"no usable training runs named {self.run_name!r} under {self.source_dir_str!r}; {known} "
                "(set run_name to one of them, or run_name=None for every run)"
            )
        raise AnalyzeError(
            f"no usable training runs under {self.source_dir_str!r} ({len(skipped)} skipped, see the warnings)"
        )
