"""Session reports: what a run's agent did, as a notebook and a self-contained HTML page.

Inputs are a Sacred run directory (its ``run.json`` result and the ``sessions_<mode>_<schema><n>.json``
files the evaluation saved, found among the run's artifacts or in its ``log_dir``) or a session file
(``{"schema", "dataset", "sessions": [...]}``; a bare file needs ``schema`` and ``dataset``).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ilaeda.data.schema import load_schema
from ilaeda.data.sessions import Session, check_header, header_dataset, sessions_from_json, until_stop
from ilaeda.errors import IlaedaError, SessionFormatError
from ilaeda.report import html as H
from ilaeda.report.headline import HEADLINE_KEYS, METRIC_NAMES
from ilaeda.report.views import (
    Closest,
    Step,
    closest_reference,
    root_table,
    session_scores,
    session_steps,
    simulation,
    tree_png,
)

logger = logging.getLogger(__name__)

#: ``sessions_<mode>_<schema><dataset>.json`` as written by the policy-evaluation ingredient.
SESSION_FILE = re.compile(r"^sessions_(?P<mode>[a-z]+)_(?P<schema>[a-z_]+?)(?P<dataset>\d+)\.json$")
HTML_NAME = "report.html"
NOTEBOOK_NAME = "report.ipynb"
#: Sessions detailed per session file unless told otherwise (each costs a scoring, two pictures and tables:
#: 1,000 took 7 min and 1.1 GB).
DEFAULT_MAX_SESSIONS = 100


class ReportError(IlaedaError):
    """A report cannot be made from the given input (the message says why and what to pass)."""


@dataclass
class SessionFile:
    """One session document: its policy mode (if known), schema, dataset and sessions."""

    path: Path
    schema: str
    dataset: int
    sessions: list[Session]
    mode: str = ""

    @property
    def label(self) -> str:
        mode = f"{self.mode} policy, " if self.mode else ""
        return f"{mode}{self.schema} dataset {self.dataset}"

    def to_json(self) -> dict[str, Any]:
        from ilaeda.data.sessions import sessions_to_json

        return sessions_to_json(self.sessions, schema=self.schema, dataset=self.dataset, mode=self.mode)


@dataclass
class ReportInput:
    """Everything a report is made from."""

    title: str
    source: Path
    files: list[SessionFile]
    result: dict[str, Any] | None = None
    data_dir: str | None = None

    @property
    def schema(self) -> str:
        return self.files[0].schema

    @property
    def eval_datasets(self) -> list[int]:
        return sorted({f.dataset for f in self.files})


def _read_json(path: Path, what: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{what} {path} not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ReportError(f"cannot read {what} {path}: {e}") from None


def _name_dataset(match: re.Match[str] | None) -> int | None:
    return int(match["dataset"]) if match else None


def read_session_file(
    path: str | os.PathLike[str], schema: str | None = None, dataset: int | None = None, mode: str = ""
) -> SessionFile:
    """A session document; ``schema``/``dataset`` override (or supply) the file's header."""
    path = Path(path)
    raw = _read_json(path, "session file")
    header = raw if isinstance(raw, Mapping) else {}
    match = SESSION_FILE.match(path.name)
    try:
        named = header_dataset(raw)
        schema = schema or header.get("schema") or (match["schema"] if match else None)
        dataset = dataset if dataset is not None else (named if named is not None else _name_dataset(match))
        if schema is None or dataset is None:
            raise ReportError(
                f"{path} does not say which schema and dataset its sessions are on; pass --schema NAME --dataset N"
            )
        schema_obj = load_schema(str(schema))
        dataset = schema_obj.check_dataset(dataset)
        check_header(raw, schema_obj.name, dataset)
        sessions = sessions_from_json(raw, schema_obj.columns)
    except (SessionFormatError, ValueError, TypeError) as e:
        raise ReportError(f"{path}: {e}") from None
    if not sessions:
        raise ReportError(f"{path} holds no sessions")
    return SessionFile(
        path, schema_obj.name, dataset, sessions, mode or header.get("mode") or (match["mode"] if match else "")
    )


def _session_paths(run_dir: Path, result: Mapping[str, Any]) -> list[tuple[str, Path]]:
    names = result.get("session_files") or {}
    log_dir = Path(str(result.get("log_dir") or run_dir))
    found = []
    for mode in ("stochastic", "deterministic"):
        for name in names.get(mode) or []:
            for directory in (run_dir, log_dir):
                if (directory / name).is_file():
                    found.append((mode, directory / name))
                    break
            else:
                logger.warning(
                    "session file %s of run %s not found (looked in %s and %s)", name, run_dir, run_dir, log_dir
                )
    if not found:  # older or hand-made runs: whatever session files lie in the run directory
        found = [(m["mode"], p) for p in sorted(run_dir.glob("sessions_*.json")) if (m := SESSION_FILE.match(p.name))]
    return found


def load_run_dir(run_dir: str | os.PathLike[str]) -> ReportInput:
    """A Sacred run directory (``run.json``, ``config.json``, the session artifacts)."""
    run_dir = Path(run_dir)
    run = _read_json(run_dir / "run.json", "Sacred run record")
    if not isinstance(run, Mapping):
        raise ReportError(f"{run_dir / 'run.json'} is not a Sacred run record (not a JSON object)")
    result = run.get("result")
    if not isinstance(result, Mapping):
        raise ReportError(
            f"run {run_dir} has no result (status {run.get('status', '?')}); "
            "only completed training/evaluation runs have sessions to report"
        )
    config = _read_json(run_dir / "config.json", "Sacred config") if (run_dir / "config.json").is_file() else {}
    data_dir = (
        ((config.get("environment") or {}).get("data_dir") or config.get("data_dir"))
        if isinstance(config, Mapping)
        else None
    )
    files = [read_session_file(p, mode=mode) for mode, p in _session_paths(run_dir, result)]
    if not files:
        raise ReportError(f"run {run_dir} saved no session files (sessions_<mode>_<schema><n>.json)")
    name = (run.get("experiment") or {}).get("name", "run")
    title = f"{result.get('algo') or name} on {result.get('split') or files[0].schema}: generated sessions"
    return ReportInput(title, run_dir, files, dict(result), data_dir)


def load_input(path: str | os.PathLike[str], schema: str | None = None, dataset: int | None = None) -> ReportInput:
    """A Sacred run directory or a session file."""
    path = Path(path)
    if path.is_dir():
        if not (path / "run.json").is_file():
            raise ReportError(
                f"{path} is not a Sacred run directory (no run.json); pass a run directory "
                "such as output/sacred/<name>/<id> or a sessions JSON file"
            )
        return load_run_dir(path)
    if not path.exists():
        raise ReportError(f"{path} not found; pass a Sacred run directory or a sessions JSON file")
    file = read_session_file(path, schema, dataset)
    return ReportInput(f"Sessions of {path.name}", path, [file])


@dataclass
class SessionSection:
    """One generated session, ready to show."""

    file: SessionFile
    session: Session
    scores: dict[str, float]
    steps: list[Step]
    tree: bytes
    closest: Closest
    closest_steps: list[Step]
    closest_tree: bytes
    anchor: str = ""


def build_section(
    file: SessionFile,
    session: Session,
    data_dir: str | None = None,
    rows: int = 5,
    _trees: dict[str, bytes] | None = None,
) -> SessionSection:
    """Replay, tabulate, draw and score one session, and find its closest gold reference."""
    actions = session.actions
    kept = until_stop(actions)
    scores = session_scores(actions, file.schema, file.dataset, data_dir)
    steps = session_steps(actions, file.schema, file.dataset, data_dir, rows)
    tree = tree_png(simulation(kept, file.schema, file.dataset, data_dir), f"{session.name}: tree of displays")
    closest = closest_reference(kept, file.schema, file.dataset, data_dir)
    ref = closest.reference
    cache = _trees if _trees is not None else {}
    key = f"{file.schema}/{file.dataset}/{ref.name}"
    if key not in cache:
        cache[key] = tree_png(
            simulation(ref.actions, file.schema, file.dataset, data_dir), f"{ref.name}: tree of displays"
        )
    return SessionSection(
        file,
        session,
        scores,
        steps,
        tree,
        closest,
        session_steps(ref.actions, file.schema, file.dataset, data_dir, rows),
        cache[key],
        anchor=re.sub(r"[^A-Za-z0-9_-]", "-", f"{file.mode or 's'}-{file.dataset}-{session.name}"),
    )


def build_sections(
    inp: ReportInput, rows: int = 5, max_sessions: int | None = DEFAULT_MAX_SESSIONS
) -> list[SessionSection]:
    """Sections of the first ``max_sessions`` sessions of each file (None: every session)."""
    trees: dict[str, bytes] = {}
    out = []
    for file in inp.files:
        chosen = file.sessions if not max_sessions else file.sessions[:max_sessions]
        out += [build_section(file, s, inp.data_dir, rows, trees) for s in chosen]
    return out


def left_out_note(file: SessionFile, sections: Sequence[SessionSection]) -> str:
    """How many sessions of ``file`` the report leaves out (the session cap), or ``""`` when none."""
    shown = sum(1 for s in sections if s.file is file)
    left = len(file.sessions) - shown
    if left <= 0:
        return ""
    return (
        f"{left} of the {len(file.sessions)} sessions of this file are left out: the report details the first "
        f"{shown} (raise the cap with --max-sessions N, 0 for all)."
    )


# ------------------------------------------------------------------------------------------ HTML
def steps_html(steps: Sequence[Step], heading: str) -> str:
    """The steps of one session as HTML under ``heading``."""
    parts = [f"<h4>{H.escape(heading)}</h4>"]
    if not steps:
        parts.append('<p class="note">(no actions: the session stopped at once)</p>')
    for step in steps:
        table = H.table_html(step.table) if len(step.table.columns) else ""
        parts.append(
            f'<div class="step"><div class="words">{step.index}. {H.escape(step.words)}</div>'
            f'<div class="caption">{H.escape(step.caption)}</div>{table}</div>'
        )
    return "\n".join(parts)


def scores_frame(scores: Mapping[str, float]) -> pd.DataFrame:
    """One session's scores as a one-row table with the metrics' display names."""
    row = {METRIC_NAMES.get(k, k): scores[k] for k in HEADLINE_KEYS if k in scores}
    return pd.DataFrame([row])


def section_html(section: SessionSection, images: bool = True) -> str:
    """The HTML of one session: scores, trees side by side, steps side by side with the closest reference."""
    ref = section.closest.reference
    per_ref = pd.DataFrame([{k: round(v, 3) for k, v in section.closest.per_reference.items()}])
    return "\n".join(
        [
            f'<h3 id="{section.anchor}">{H.escape(section.session.name)} '
            f'<span class="note">({H.escape(section.file.label)})</span></h3>',
            "<h4>Benchmark scores of this session</h4>",
            H.table_html(scores_frame(section.scores)),
            f"<p>Closest gold reference by EDA-Sim: <b>{H.escape(ref.name)}</b> (EDA-Sim "
            f"{section.closest.eda_sim:.3f}). EDA-Sim against each reference:</p>",
            H.table_html(per_ref),
            *(
                [
                    '<div class="pair">',
                    f"<div>{H.img_html(section.tree, f'tree of displays of {section.session.name}', 'generated session')}</div>",
                    f"<div>{H.img_html(section.closest_tree, f'tree of displays of {ref.name}', 'closest gold reference')}"
                    "</div>",
                    "</div>",
                ]
                if images
                else []
            ),
            '<div class="pair">',
            f"<div>{steps_html(section.steps, f'Generated: {section.session.name}')}</div>",
            f"<div>{steps_html(section.closest_steps, f'Gold reference: {ref.name}')}</div>",
            "</div>",
        ]
    )


def summary_frame(sections: Sequence[SessionSection]) -> pd.DataFrame:
    """One row per session: name, policy mode, dataset, headline scores and the closest reference."""
    rows = []
    for s in sections:
        rows.append(
            {
                "session": s.session.name,
                "policy": s.file.mode or "–",
                "dataset": s.file.dataset,
                **{METRIC_NAMES.get(k, k): round(float(s.scores[k]), 3) for k in HEADLINE_KEYS},
                "closest reference": s.closest.reference.name,
            }
        )
    return pd.DataFrame(rows)


def render_html(
    inp: ReportInput,
    sections: Sequence[SessionSection],
    headline_table: pd.DataFrame | None,
    notebook_name: str | None = NOTEBOOK_NAME,
) -> str:
    """The self-contained HTML page of a report."""
    body = [
        f'<p class="meta">source: {H.escape(inp.source)}'
        + (f' · notebook: <a href="{H.escape(notebook_name)}">{H.escape(notebook_name)}</a>' if notebook_name else "")
        + "</p>"
    ]
    if headline_table is not None:
        body += [
            "<h2>Headline</h2>",
            '<p class="note">Benchmark scores on the held-out dataset(s): mean ± std over sessions, each '
            "session scored alone against the dataset's gold references. Released agent: the authors' "
            "GAIL agent of this split (benchmarking/reference_results.csv); random agent: uniformly random "
            "actions in the environment, with STOP (short sessions) and without (12 actions: the fair floor of "
            "a 12-action agent), 100 seeded sessions per dataset each. Degenerate actions (group on the primary "
            "key, empty view, repeated action) are shares of a session's actions (docs/benchmark.md).</p>",
            H.table_html(headline_table),
        ]
    body += [
        "<h2>Sessions</h2>",
        H.table_html(summary_frame(sections)),
        "<ul>"
        + "".join(
            f'<li><a href="#{s.anchor}">{H.escape(s.session.name)}</a> ({H.escape(s.file.label)})</li>'
            for s in sections
        )
        + "</ul>",
    ]
    for file in inp.files:
        table, caption = root_table(file.schema, file.dataset, inp.data_dir)
        body += [
            f"<h2>{H.escape(file.label)}</h2>",
            f"<p>Every session starts from the whole dataset ({H.escape(caption)}):</p>",
            H.table_html(table),
        ]
        note = left_out_note(file, sections)
        body += [f'<p class="note">{H.escape(note)}</p>'] if note else []
        body += [section_html(s) for s in sections if s.file is file]
    return H.page(inp.title, body)
