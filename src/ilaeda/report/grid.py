"""Analyze's grid page: one self-contained ``report.html`` built from the CSVs and plots analyze wrote.

It shows the per-(algo, split) aggregates, the comparison against the reference results with its
significance flags, the pairwise algorithm comparisons, every plot (embedded as a data URI), and one row
per run linking to that run's session report (``report.html`` among the run's Sacred artifacts, else in
``<log_dir>/report``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ilaeda.analysis.comparison import (
    COMPARISON_COLUMNS,
    COMPARISON_SHOWN,
    PAIRWISE_COLUMNS,
    PAIRWISE_SHOWN,
    shown_columns,
)
from ilaeda.contract import HEADLINE_METRICS, POLICY_SECTIONS
from ilaeda.report import html as H
from ilaeda.report.sessions import HTML_NAME

logger = logging.getLogger(__name__)

#: Comparison columns shown on the page (the CSV holds more).
COMPARISON_VIEW = tuple(shown_columns(COMPARISON_COLUMNS, COMPARISON_SHOWN))
PAIRWISE_VIEW = tuple(shown_columns(PAIRWISE_COLUMNS, PAIRWISE_SHOWN))


def run_report_path(run_dir: str | os.PathLike[str], result: Mapping[str, Any]) -> Path | None:
    """Where a run's session report lies (None when it has none)."""
    candidates = [Path(run_dir) / HTML_NAME]
    if result.get("log_dir"):
        candidates.append(Path(str(result["log_dir"])) / "report" / HTML_NAME)
    return next((p for p in candidates if p.is_file()), None)


def _read_csv(path: str | None) -> pd.DataFrame | None:
    if not path or not Path(path).is_file():
        return None
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as e:
        logger.warning("cannot read %s for the grid report: %s", path, e)
        return None


def _view(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    keep = [c for c in columns if c in frame.columns]
    return frame[keep] if keep else frame


def _table_section(path: str | None, title: str, note: str, view: Callable[[pd.DataFrame], pd.DataFrame]) -> list[str]:
    """A heading, a note and the view of the CSV at ``path``; nothing when it is absent or empty."""
    table = _read_csv(path)
    if table is None or not len(table):
        return []
    return [f"<h2>{title}</h2>", f'<p class="note">{note}</p>', H.table_html(view(table))]


def _aggregate_view(aggregate: pd.DataFrame) -> pd.DataFrame:
    """Mean ± 95% CI per metric (stochastic and deterministic policy)."""
    view = aggregate[[c for c in ("algo", "split", "n_runs") if c in aggregate.columns]].copy()
    for col in aggregate.columns:
        if (
            col.startswith(tuple(f"{s}." for s in POLICY_SECTIONS.values()))
            and col.endswith(".mean")
            and col.count(".") == 2
        ):
            section, metric, _ = col.split(".")
            ci = aggregate.get(f"{section}.{metric}.ci95")
            label = metric + (" (det.)" if section == POLICY_SECTIONS["deterministic"] else "")
            view[label] = [
                f"{m:.3f}" + (f" ± {c:.3f}" if ci is not None and pd.notna(c) else "")
                for m, c in zip(aggregate[col], ci if ci is not None else [None] * len(aggregate))
            ]
    return view


def _significance(frame: pd.DataFrame) -> pd.DataFrame:
    if "significant" in frame.columns:
        frame = frame.copy()
        frame["significant"] = frame["significant"].map(
            lambda v: "yes" if v is True or str(v).lower() == "true" else ("no" if pd.notna(v) and v != "" else "")
        )
    return frame


def render_grid(
    written: Mapping[str, str | None],
    plots: Sequence[str | os.PathLike[str]],
    runs: Sequence[Any],
    out_path: Path,
    title: str = "Grid report",
) -> str:
    """The page's HTML. ``written``: analyze's output paths by config key; ``runs``: RunRecords."""
    body: list[str] = []
    csvs = [(k, v) for k, v in written.items() if v]
    if csvs:
        body.append(
            '<p class="meta">tables: ' + " · ".join(H.link(v, out_path.parent, Path(v).name) for _, v in csvs) + "</p>"
        )
    body += _table_section(
        written.get("aggregate_csv"),
        "Results per algorithm and split",
        "Mean over seeds ± 95% CI half-width of each run's mean over its evaluation sessions on the held-out "
        "dataset; (det.) = deterministic policy.",
        _aggregate_view,
    )
    body += _table_section(
        written.get("comparison_csv"),
        "Against the reference",
        "Welch's t-test of ours against the reference results; <b>significant</b> = p below alpha. "
        "level=seeds: one number per trained agent; level=sessions: all evaluation sessions pooled.",
        lambda table: _significance(_view(table, COMPARISON_VIEW)),
    )
    body += _table_section(
        written.get("pairwise_csv"),
        "Pairwise comparisons",
        "Welch's t-test over seeds and the probability of improvement P(X &gt; Y) with its bootstrap interval.",
        lambda table: _significance(_view(table, PAIRWISE_VIEW)),
    )
    if plots:
        body.append("<h2>Plots</h2>")
        for plot in plots:
            try:
                png = Path(plot).read_bytes()
            except OSError as e:
                logger.warning("cannot embed plot %s: %s", plot, e)
                continue
            body.append(H.img_html(png, Path(plot).stem, Path(plot).name))
    rows = []
    for run in runs:
        report = run_report_path(run.path, run.result)
        link = H.link(report, out_path.parent, "session report") if report else "–"
        bench = run.result.get(POLICY_SECTIONS["stochastic"]) or {}
        rows.append(
            {
                "algo": run.algo,
                "split": run.split,
                "seed": run.seed,
                "run": str(run.path),
                **{k: f"{(bench.get(k) or {}).get('mean', float('nan')):.3f}" for k in ("length", *HEADLINE_METRICS)},
                "report": link,
            }
        )
    if rows:
        head = "".join(f"<th>{H.escape(c)}</th>" for c in rows[0])
        cells = [
            "<tr>"
            + "".join(f"<td>{H.escape(v)}</td>" for k, v in r.items() if k != "report")
            + f'<td class="left">{r["report"]}</td></tr>'
            for r in rows
        ]  # the link is our own markup
        body += [
            "<h2>Runs</h2>",
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>'
            + "".join(cells)
            + "</tbody></table></div>",
        ]
    return H.page(title, body)


def write_grid_report(
    out_path: str | os.PathLike[str],
    written: Mapping[str, str | None],
    plots: Sequence[str | os.PathLike[str]],
    runs: Sequence[Any],
    title: str = "Grid report",
) -> Path:
    """Write the page; returns its path."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(render_grid(written, plots, runs, out_path, title), encoding="utf-8")
    return out_path


def grid_report_beside(
    csv_output_path: str | None,
    plot_dir: str | None,
    written: Mapping[str, str | None],
    plots: Sequence[str | os.PathLike[str]],
    runs: Sequence[Any],
) -> str | None:
    """Analyze's hook: ``report.html`` beside the per-run CSV (else in the plot directory); None when neither
    is set. A failure is logged as a warning (the page is a by-product of the tables).
    """
    folder = Path(csv_output_path).parent if csv_output_path else (Path(plot_dir) if plot_dir else None)
    if folder is None:
        return None
    try:
        return str(write_grid_report(folder / HTML_NAME, written, plots, runs))
    except Exception as e:  # a page that cannot be written must not lose the tables already written
        logger.warning("could not write the grid report into %s: %s: %s", folder, type(e).__name__, e)
        return None
