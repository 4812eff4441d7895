"""Writing session reports: ``report.html`` and ``report.ipynb`` from a :class:`ReportInput`, and the hook that
every training/evaluation run calls when it finishes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilaeda.report.headline import headline
from ilaeda.report.notebook import build_notebook, write_notebook
from ilaeda.report.sessions import (
    DEFAULT_MAX_SESSIONS,
    HTML_NAME,
    NOTEBOOK_NAME,
    ReportError,
    ReportInput,
    build_sections,
    read_session_file,
    render_html,
)

if TYPE_CHECKING:
    from sacred.run import Run

logger = logging.getLogger(__name__)


def write_report(
    inp: ReportInput,
    out_dir: str | os.PathLike[str],
    rows: int = 5,
    max_sessions: int | None = DEFAULT_MAX_SESSIONS,
    with_headline: bool = True,
) -> dict[str, Path]:
    """Write ``report.html`` and ``report.ipynb`` into ``out_dir``; returns their paths.

    Each file's first ``max_sessions`` sessions are detailed (None: all); both pages say how many are left out.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(f"cannot create {out_dir}: {e.strerror or e}") from None
    sections = build_sections(inp, rows, max_sessions)
    table = (
        headline(inp.result, inp.schema, inp.eval_datasets, inp.data_dir)
        if with_headline and inp.result is not None
        else None
    )
    paths = {"html": out_dir / HTML_NAME, "notebook": out_dir / NOTEBOOK_NAME}
    try:
        paths["html"].write_text(render_html(inp, sections, table), encoding="utf-8")
        write_notebook(build_notebook(inp, sections, table, rows), paths["notebook"])
    except OSError as e:
        raise ReportError(f"cannot write the report into {out_dir}: {e.strerror or e}") from None
    return paths


def write_run_report(
    result: Mapping[str, Any],
    log_dir: str | os.PathLike[str],
    run: Run | None = None,
    data_dir: str | None = None,
    title: str = "",
) -> dict[str, Path] | None:
    """End-of-run hook: the report of a run's evaluation sessions into ``<log_dir>/report``.

    Adds both files as Sacred artifacts of ``run``. Never raises: a failure is logged as a warning and
    the run goes on (the report is a by-product).
    """
    try:
        log_dir = Path(log_dir)
        files = [
            read_session_file(log_dir / name, mode=mode)
            for mode in ("stochastic", "deterministic")
            for name in (result.get("session_files") or {}).get(mode) or []
        ]
        if not files:
            return None
        algo, split = result.get("algo") or "policy", result.get("split") or files[0].schema
        inp = ReportInput(title or f"{algo} on {split}: generated sessions", log_dir, files, dict(result), data_dir)
        paths = write_report(inp, log_dir / "report")
        if run is not None:
            for path in paths.values():
                run.add_artifact(str(path), path.name)
        print(f"session report: {paths['html']}", flush=True)
        return paths
    except Exception as e:
        logger.warning("could not write the session report into %s/report: %s: %s", log_dir, type(e).__name__, e)
        return None
