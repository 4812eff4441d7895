"""Aggregate training runs into CSV tables, statistical comparisons and plots.

``python -m ilaeda.scripts.analyze analyze_imitation with source_dir_str=output/sacred run_name=run0
csv_output_path=results.csv`` (options in :mod:`ilaeda.scripts.config.analyze`). The work is done by
:mod:`ilaeda.analysis`; this module only wires Sacred config to it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ilaeda.analysis import aggregate_table, compare_to_reference, load_reference, pairwise_comparisons, runs_table
from ilaeda.analysis.comparison import COMPARISON_COLUMNS, COMPARISON_SHOWN, shown_columns
from ilaeda.analysis.runs import RunRecord
from ilaeda.errors import IlaedaError
from ilaeda.scripts.analyze_options import AnalyzeError, AnalyzeOptions
from ilaeda.scripts.config.analyze import analysis_ex

logger = logging.getLogger(__name__)


def _write(df: pd.DataFrame, path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False)
    except OSError as e:
        raise AnalyzeError(f"cannot write {path}: {e.strerror or e}") from None
    return str(path)


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
            terse = frozenset({"ours_std", "ref_std", "diff", "t", "note"})
            cols = shown_columns(COMPARISON_COLUMNS, COMPARISON_SHOWN, without=terse)
            print("\nAgainst the reference (Welch's t-test; details in the comparison CSV):")
            print(comparison[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"))


def _robust_outputs(runs: Sequence[RunRecord], options: AnalyzeOptions) -> tuple[dict[str, str | None], list[str]]:
    """The robust aggregates across (split × seed) runs: CSVs, performance profiles, printed table.

    Returns the files written (``robust_csv``, ``improvement_csv``, ``baselines_csv`` read) and the plots.
    """
    from ilaeda.analysis.robust import BASELINES_CSV, improvement_table, load_baselines, robust_table
    from ilaeda.analysis.stats import Bootstrap

    baselines_csv = str(BASELINES_CSV) if options.baselines_csv is None else options.baselines_csv
    reps, seed, plot_dir = options.bootstrap_reps, options.bootstrap_seed, options.plot_dir
    base_path = Path(os.path.expanduser(baselines_csv)) if baselines_csv else None
    if base_path is not None and not base_path.is_file():
        logger.warning("baselines %s not found; robust aggregates of raw scores only", baselines_csv)
        base_path = None
    baselines = load_baselines(base_path) if base_path else None
    bootstrap = Bootstrap(reps, seed=seed)
    robust = robust_table(runs, baselines, bootstrap)
    improvement = improvement_table(runs, baselines, bootstrap)
    written = {
        "robust_csv": _write(robust, options.outputs["robust_csv"]),
        "improvement_csv": _write(improvement, options.outputs["improvement_csv"]),
        "baselines_csv": str(base_path) if base_path else None,
    }
    plots: list[str] = []
    if plot_dir:
        from ilaeda.analysis.plots import plot_performance_profiles

        try:
            plots = [str(p) for p in plot_performance_profiles(runs, plot_dir, baselines, reps, seed)]
        except OSError as e:
            raise AnalyzeError(f"cannot write plots to {plot_dir}: {e.strerror or e}") from None
    if options.print_table:
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
def analyze_imitation(_config: dict[str, Any]) -> dict[str, Any]:
    """Find runs, write the per-run, aggregate, comparison and pairwise CSVs and the plots.

    Returns a plain-JSON summary: numbers of runs and skipped runs (with reasons) and the files written.
    """
    try:
        return _analyze(AnalyzeOptions.from_config(_config))
    except IlaedaError as e:
        if isinstance(e, AnalyzeError):
            raise
        raise AnalyzeError(str(e)) from None


@analysis_ex.config_hook
def validate(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Every user error is found before the run starts (so no FAILED analyze record is left behind).

    The skipped runs are named here, once; the command finds the same runs again without repeating them.
    """
    if command_name == "analyze_imitation":
        options = AnalyzeOptions.from_config(config)
        options.check_writable()
        options.discover()
    return {}


def _analyze(options: AnalyzeOptions) -> dict[str, Any]:
    runs, skipped = options.discover(warn=False)
    table = runs_table(runs, options.table_verbosity)
    aggregate = aggregate_table(runs, options.session_std_ddof)
    pairwise = pairwise_comparisons(runs, options.alpha, options.bootstrap_reps, options.bootstrap_seed)
    ref_path = options.reference_path
    reference = load_reference(ref_path) if ref_path else None
    comparison = (
        compare_to_reference(runs, reference, options.algo_map, options.alpha, options.session_std_ddof)
        if reference is not None
        else pd.DataFrame()
    )

    written = {
        "csv_output_path": _write(table, options.csv_output_path),
        "aggregate_csv": _write(aggregate, options.outputs["aggregate_csv"]),
        "pairwise_csv": _write(pairwise, options.outputs["pairwise_csv"]),
        "comparison_csv": _write(comparison, options.outputs["comparison_csv"]) if reference is not None else None,
    }
    robust_written, robust_plots = _robust_outputs(runs, options)
    written.update(robust_written)
    plots: list[str] = list(robust_plots)
    plot_dir = options.plot_dir
    if plot_dir:
        from ilaeda.analysis.curves import run_curves
        from ilaeda.analysis.plots import plot_learning_curves, plot_metric_bars

        try:
            plots += [str(p) for p in plot_metric_bars(runs, plot_dir, reference, options.algo_map)]
            curves = {str(r.path): run_curves(r) for r in runs}
            plots += [
                str(p)
                for p in plot_learning_curves(runs, curves, plot_dir, options.curve_keys, options.max_curve_plots)
            ]
        except OSError as e:
            raise AnalyzeError(f"cannot write plots to {plot_dir}: {e.strerror or e}") from None
    from ilaeda.report.grid import grid_report_beside

    csv_output_path = str(options.csv_output_path) if options.csv_output_path else None
    written["report_html"] = grid_report_beside(csv_output_path, plot_dir, written, plots, runs)
    if options.print_table:
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
