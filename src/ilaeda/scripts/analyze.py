"""Aggregate training runs into CSV tables, statistical comparisons and plots.

``python -m ilaeda.scripts.analyze analyze_imitation with source_dir_str=output/sacred run_name=run0
csv_output_path=results.csv`` (options in :mod:`ilaeda.scripts.config.analyze`). The work is done by
:mod:`ilaeda.analysis`; this module only wires Sacred config to it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ilaeda.analysis import (
    aggregate_table,
    compare_to_reference,
    discover_runs,
    load_reference,
    pairwise_comparisons,
    runs_table,
)
from ilaeda.analysis.runs import RunRecord, Skipped, run_names, split_source_dirs
from ilaeda.contract import check_positive_int
from ilaeda.errors import IlaedaError
from ilaeda.scripts._sacred import sacred
from ilaeda.scripts.config.analyze import analysis_ex

logger = logging.getLogger(__name__)


class AnalyzeError(IlaedaError, sacred.utils.SacredError):
    """Bad input to analyze; Sacred prints it as one line, without a traceback."""

    def __init__(self, message: str) -> None:
        sacred.utils.SacredError.__init__(self, message, print_traceback=False)


def _derived(explicit: str | None, csv_output_path: str | None, suffix: str) -> Path | None:
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


def _write(df: pd.DataFrame, path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False)
    except OSError as e:
        raise AnalyzeError(f"cannot write {path}: {e.strerror or e}") from None
    return str(path)


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


def _print_tables(aggregate: pd.DataFrame, comparison: pd.DataFrame) -> None:
    """Print the aggregates (stochastic policy) and the seed-level reference comparison, compactly."""
    view = aggregate[["algo", "split", "n_runs"]].copy()
    for col in aggregate.columns:
        if col.startswith("benchmark.") and col.endswith(".mean"):
            metric = col.split(".")[1]
            view[metric] = [f"{m:.3f} ± {c:.3f}" for m, c in zip(aggregate[col], aggregate[col[:-5] + ".ci95"])]
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print("Stochastic policy, per (algo, split): mean over seeds ± 95% CI half-width")
        print(view.to_string(index=False))
        if len(comparison):
            cols = [
                "algo",
                "split",
                "policy",
                "metric",
                "level",
                "ours_mean",
                "ours_n",
                "ref_mean",
                "ref_n",
                "p_value",
                "significant",
            ]
            print("\nAgainst the reference (Welch's t-test; details in the comparison CSV):")
            print(comparison[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"))


@analysis_ex.capture
def _robust_outputs(
    runs: Sequence[Any],
    csv_output_path: str | None,
    plot_dir: str | None,
    print_table: bool,
    baselines_csv: str | None,
    robust_csv: str | None,
    improvement_csv: str | None,
    bootstrap_reps: int,
    bootstrap_seed: int,
) -> tuple[dict[str, str | None], list[str]]:
    """The robust aggregates across (split × seed) runs: CSVs, performance profiles, printed table.

    Returns the files written (``robust_csv``, ``improvement_csv``, ``baselines_csv`` read) and the plots.
    """
    from ilaeda.analysis.robust import BASELINES_CSV, improvement_table, load_baselines, robust_table

    if baselines_csv is None:
        baselines_csv = str(BASELINES_CSV)
    base_path = Path(os.path.expanduser(baselines_csv)) if baselines_csv else None
    if base_path is not None and not base_path.is_file():
        logger.warning("baselines %s not found; robust aggregates of raw scores only", baselines_csv)
        base_path = None
    baselines = load_baselines(base_path) if base_path else None
    robust = robust_table(runs, baselines, bootstrap_reps, seed=bootstrap_seed)
    improvement = improvement_table(runs, baselines, bootstrap_reps, seed=bootstrap_seed)
    written = {
        "robust_csv": _write(robust, _derived(robust_csv, csv_output_path, "robust")),
        "improvement_csv": _write(improvement, _derived(improvement_csv, csv_output_path, "improvement")),
        "baselines_csv": str(base_path) if base_path else None,
    }
    plots: list[str] = []
    if plot_dir:
        from ilaeda.analysis.plots import plot_performance_profiles

        try:
            plots = [
                str(p) for p in plot_performance_profiles(runs, plot_dir, baselines, bootstrap_reps, bootstrap_seed)
            ]
        except OSError as e:
            raise AnalyzeError(f"cannot write plots to {plot_dir}: {e.strerror or e}") from None
    if print_table:
        _print_robust(robust)
    return written, plots


def _print_robust(robust: pd.DataFrame) -> None:
    """Print the normalised robust aggregates (or the raw ones without baselines), stochastic policy."""
    if not len(robust):
        return
    view = robust[robust["policy"] == "stochastic"]
    kind = "normalised" if (view["score"] == "normalised").any() else "raw"
    view = view[view["score"] == kind]
    rows = [
        {
            "algo": r.algo,
            "metric": r.metric,
            "n_runs": r.n_runs,
            "n_splits": r.n_splits,
            "IQM [95% CI]": f"{r.iqm:.3f} [{r.iqm_low:.3f}, {r.iqm_high:.3f}]",
            "mean [95% CI]": f"{r.mean:.3f} [{r.mean_low:.3f}, {r.mean_high:.3f}]",
        }
        for r in view.itertuples()
    ]
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(
            f"Stochastic policy, {kind} scores over all (split × seed) runs (stratified bootstrap; "
            "details in the robust CSV):"
        )
        print(pd.DataFrame(rows).to_string(index=False) + "\n")


@analysis_ex.command
def analyze_imitation(
    source_dir_str: str | Sequence[str],
    split_str: str,
    run_name: str | None,
    csv_output_path: str | None,
    table_verbosity: int,
    print_table: bool,
    aggregate_csv: str | None,
    comparison_csv: str | None,
    pairwise_csv: str | None,
    reference_csv: str | None,
    reference_algo_map: Mapping[str, Sequence[str]],
    alpha: float,
    session_std_ddof: int,
    bootstrap_reps: int,
    bootstrap_seed: int,
    plot_dir: str | None,
    curve_keys: Sequence[str] | None,
    max_curve_plots: int,
) -> dict[str, Any]:
    """Find runs, write the per-run, aggregate, comparison and pairwise CSVs and the plots.

    Returns a plain-JSON summary: numbers of runs and skipped runs (with reasons) and the files written.
    """
    try:
        return _analyze(**locals())
    except IlaedaError as e:
        if isinstance(e, AnalyzeError):
            raise
        raise AnalyzeError(str(e)) from None


def _check_options(
    table_verbosity: object, alpha: object, session_std_ddof: object, bootstrap_reps: object, max_curve_plots: object
) -> None:
    if table_verbosity not in (0, 1, 2, 3):
        raise AnalyzeError(f"table_verbosity must be 0, 1, 2 or 3, not {table_verbosity!r}")
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise AnalyzeError(f"alpha must lie in (0, 1), not {alpha!r}")
    if session_std_ddof not in (0, 1):
        raise AnalyzeError(f"session_std_ddof must be 0 or 1, not {session_std_ddof!r}")
    check_positive_int(bootstrap_reps, "bootstrap_reps", minimum=0, error=AnalyzeError)
    check_positive_int(max_curve_plots, "max_curve_plots", minimum=0, error=AnalyzeError)


#: The discovery made by the config hook of the current run, reused once by its command.
_DISCOVERED: list[tuple[Any, tuple[list[RunRecord], list[Skipped]]]] = []


def _discover(
    source_dir_str: str | Sequence[str], split_str: str, run_name: str | None
) -> tuple[list[RunRecord], list[Skipped]]:
    """The usable runs, or AnalyzeError naming the problem (and the run names that exist)."""
    sources = split_source_dirs(source_dir_str, split_str)
    files = [s for s in sources if s.is_file()]
    if files:
        raise AnalyzeError(
            f"source_dir_str names {files[0]}, which is a file, not a folder; set source_dir_str to the folder "
            "holding the Sacred runs (e.g. output/sacred), not a file inside it"
        )
    if not sources or not any(s.is_dir() for s in sources):
        raise AnalyzeError(
            f"no source directory exists: {source_dir_str!r} (set source_dir_str to the folder "
            "holding the Sacred runs, e.g. output/sacred)"
        )
    key = (tuple(str(s) for s in sources), run_name)
    if _DISCOVERED and _DISCOVERED[0][0] == key:
        return _DISCOVERED.pop()[1]
    runs, skipped = discover_runs(sources, run_name)
    if not runs:
        if run_name is not None:
            names = run_names(sources)
            known = f"run names there: {', '.join(names)}" if names else "no training run has a name there"
            raise AnalyzeError(
                f"no usable training runs named {run_name!r} under {source_dir_str!r}; {known} "
                "(set run_name to one of them, or run_name=None for every run)"
            )
        raise AnalyzeError(
            f"no usable training runs under {source_dir_str!r} ({len(skipped)} skipped, see the warnings)"
        )
    _DISCOVERED[:] = [(key, (runs, skipped))]
    return runs, skipped


def _check_writable(folder: Path, key: str) -> None:
    from ilaeda.scripts.ingredients.logging import check_output_dir

    try:
        check_output_dir(folder, key)
    except IlaedaError as e:
        raise AnalyzeError(str(e)) from None


@analysis_ex.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Every user error is found before the run starts (so no FAILED analyze record is left behind)."""
    if command_name != "analyze_imitation":
        return {}
    _check_options(
        config["table_verbosity"],
        config["alpha"],
        config["session_std_ddof"],
        config["bootstrap_reps"],
        config["max_curve_plots"],
    )
    _curve_patterns(config["curve_keys"])
    _algo_map(config["reference_algo_map"])
    _reference_path(config["reference_csv"], required=bool(config["comparison_csv"]))
    csv_path = config["csv_output_path"]
    for key in ("csv_output_path", "aggregate_csv", "comparison_csv", "pairwise_csv"):
        path = config[key] if key == "csv_output_path" else _derived(config[key], csv_path, key.split("_")[0])
        if path:
            _check_writable(Path(path).parent, key)
    if config["plot_dir"]:
        _check_writable(Path(config["plot_dir"]), "plot_dir")
    _DISCOVERED.clear()
    _discover(config["source_dir_str"], config["split_str"], config["run_name"])
    return {}


def _analyze(
    source_dir_str: str | Sequence[str],
    split_str: str,
    run_name: str | None,
    csv_output_path: str | None,
    table_verbosity: int,
    print_table: bool,
    aggregate_csv: str | None,
    comparison_csv: str | None,
    pairwise_csv: str | None,
    reference_csv: str | None,
    reference_algo_map: Mapping[str, Sequence[str]],
    alpha: float,
    session_std_ddof: int,
    bootstrap_reps: int,
    bootstrap_seed: int,
    plot_dir: str | None,
    curve_keys: Sequence[str] | None,
    max_curve_plots: int,
) -> dict[str, Any]:
    _check_options(table_verbosity, alpha, session_std_ddof, bootstrap_reps, max_curve_plots)
    curve_keys = _curve_patterns(curve_keys)
    algo_map = _algo_map(reference_algo_map)
    runs, skipped = _discover(source_dir_str, split_str, run_name)

    table = runs_table(runs, table_verbosity)
    aggregate = aggregate_table(runs, session_std_ddof)
    pairwise = pairwise_comparisons(runs, alpha, bootstrap_reps, bootstrap_seed)
    ref_path = _reference_path(reference_csv, required=bool(comparison_csv))
    reference = load_reference(ref_path) if ref_path else None
    comparison = (
        compare_to_reference(runs, reference, algo_map, alpha, session_std_ddof)
        if reference is not None
        else pd.DataFrame()
    )

    written = {
        "csv_output_path": _write(table, Path(csv_output_path) if csv_output_path else None),
        "aggregate_csv": _write(aggregate, _derived(aggregate_csv, csv_output_path, "aggregate")),
        "pairwise_csv": _write(pairwise, _derived(pairwise_csv, csv_output_path, "pairwise")),
        "comparison_csv": (
            _write(comparison, _derived(comparison_csv, csv_output_path, "comparison"))
            if reference is not None
            else None
        ),
    }
    robust_written, robust_plots = _robust_outputs(runs)
    written.update(robust_written)
    plots: list[str] = list(robust_plots)
    if plot_dir:
        from ilaeda.analysis.curves import run_curves
        from ilaeda.analysis.plots import plot_learning_curves, plot_metric_bars

        try:
            plots += [str(p) for p in plot_metric_bars(runs, plot_dir, reference, algo_map)]
            curves = {str(r.path): run_curves(r) for r in runs}
            plots += [str(p) for p in plot_learning_curves(runs, curves, plot_dir, curve_keys, max_curve_plots)]
        except OSError as e:
            raise AnalyzeError(f"cannot write plots to {plot_dir}: {e.strerror or e}") from None
    from ilaeda.report.grid import grid_report_beside

    written["report_html"] = grid_report_beside(csv_output_path, plot_dir, written, plots, runs)
    if print_table:
        _print_tables(aggregate, comparison)
        if written["report_html"]:
            print(f"\nGrid report: {written['report_html']}")
    return {
        "n_runs": len(runs),
        "n_skipped": len(skipped),
        "skipped": [str(s) for s in skipped],
        "reference_csv": str(ref_path) if ref_path else None,
        **written,
        "plots": plots,
    }


def _has_file_storage_option(argv: Sequence[str]) -> bool:
    """Whether ``-F``/``--file_storage`` appears among the options (before ``with``)."""
    options = argv[: argv.index("with")] if "with" in argv else argv
    return any(a == "--file_storage" or a.startswith(("--file_storage=", "-F")) for a in options)


def main_console() -> None:
    """Command-line entry: an observer under ``output/sacred/analyze`` unless -F is given; user errors are
    one ``error:`` line with exit status 2 (:func:`ilaeda.scripts.console.main_console`).
    """
    from ilaeda.scripts import console

    console.main_console(analysis_ex)


if __name__ == "__main__":  # pragma: no cover
    main_console()
