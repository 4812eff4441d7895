"""The session report as a Jupyter notebook (nbformat v4).

The notebook carries its data (the run's benchmark sections and the session documents, as JSON) and
re-creates every display with the project's API when run: :func:`show_headline`, :func:`show_root` and
:func:`show_session` are what its code cells call. The written notebook already holds the outputs those
calls produce (built in-process by the same functions), so it reads well before anyone runs it; it also
executes top to bottom (``jupyter nbconvert --execute`` or nbclient) given the data directory
(``$ILAEDA_DATA_DIR`` or the user cache, or ``DATA_DIR`` in its first code cell).
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ilaeda.contract import POLICY_SECTIONS
from ilaeda.report.headline import headline_frame, random_floors, released_agent_scores
from ilaeda.report.sessions import (
    ReportInput,
    SessionFile,
    SessionSection,
    build_section,
    left_out_note,
    read_session_file,
    scores_frame,
    section_html,
)
from ilaeda.report.views import root_table

if TYPE_CHECKING:
    from nbformat import NotebookNode

Bundle = dict[str, Any]


def markdown_text(text: object) -> str:
    """``text`` as literal markdown: HTML escaped (no live tag) and markdown's punctuation backslash-escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~>])", r"\\\1", html.escape(" ".join(str(text).split()), quote=False))


def _frame_bundle(frame: pd.DataFrame) -> Bundle:
    return {"text/html": frame.to_html(index=False, border=0), "text/plain": frame.to_string(index=False)}


def session_bundles(section: SessionSection) -> list[Bundle]:
    """What :func:`show_session` displays: the session's HTML (steps beside the closest reference) and two pictures."""
    ref = section.closest.reference
    return [
        {
            "text/html": section_html(section, images=False),
            "text/plain": f"{section.session.name}: {len(section.steps)} steps; closest reference {ref.name} "
            f"(EDA-Sim {section.closest.eda_sim:.3f})\n" + scores_frame(section.scores).to_string(index=False),
        },
        {
            "image/png": base64.b64encode(section.tree).decode("ascii"),
            "text/plain": f"<tree of displays of {section.session.name}>",
        },
        {
            "image/png": base64.b64encode(section.closest_tree).decode("ascii"),
            "text/plain": f"<tree of displays of {ref.name}>",
        },
    ]


def _session_file(doc: Mapping[str, Any]) -> SessionFile:
    from ilaeda.data.schema import load_schema
    from ilaeda.data.sessions import sessions_from_json

    schema = load_schema(doc["schema"])
    return SessionFile(
        Path("."), schema.name, int(doc["dataset"]), sessions_from_json(doc, schema.columns), str(doc.get("mode") or "")
    )


def _display(bundles: Sequence[Bundle]) -> None:
    from IPython.display import display

    for bundle in bundles:
        display(bundle, raw=True)


def show_session(doc: Mapping[str, Any], index: int, data_dir: str | None = None, rows: int = 5) -> None:
    """Notebook helper: replay session ``index`` of a session document and display it."""
    file = _session_file(doc)
    _display(session_bundles(build_section(file, file.sessions[index], data_dir, rows)))


def root_bundle(doc: Mapping[str, Any], data_dir: str | None = None, rows: int = 5) -> Bundle:
    table, caption = root_table(doc["schema"], int(doc["dataset"]), data_dir, rows)
    bundle = _frame_bundle(table)
    bundle["text/html"] = f"<p>The whole dataset ({caption}):</p>" + bundle["text/html"]
    return bundle


def show_root(doc: Mapping[str, Any], data_dir: str | None = None, rows: int = 5) -> None:
    """Notebook helper: the display every session of ``doc`` starts from."""
    _display([root_bundle(doc, data_dir, rows)])


def headline_table(
    result: Mapping[str, Any], schema: str, datasets: Sequence[int], data_dir: str | None = None
) -> pd.DataFrame:
    """Notebook helper: the run's headline table (both random agents are recomputed)."""
    split = result.get("split")
    return headline_frame(
        result, released_agent_scores(split) if split else {}, random_floors(schema, datasets, data_dir=data_dir)
    )


def _code(source: str, outputs: Sequence[NotebookNode] = (), count: int | None = None) -> NotebookNode:
    import nbformat

    cell: NotebookNode = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    cell.execution_count = count
    return cell


def _display_output(bundle: Bundle) -> NotebookNode:
    import nbformat

    output: NotebookNode = nbformat.v4.new_output("display_data", data=bundle, metadata={})
    return output


def build_notebook(
    inp: ReportInput,
    sections: Sequence[SessionSection],
    headline: pd.DataFrame | None,
    rows: int = 5,
) -> NotebookNode:
    """The notebook of a report (with outputs)."""
    import nbformat

    nb: NotebookNode = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    docs = [f.to_json() for f in inp.files]
    result = (
        {k: inp.result[k] for k in ("algo", "split", *POLICY_SECTIONS.values()) if k in inp.result}
        if inp.result is not None
        else None
    )
    cells = [
        nbformat.v4.new_markdown_cell(
            f"# {markdown_text(inp.title)}\n\nSource: {markdown_text(inp.source)}. Each code cell re-creates its displays from the data with "
            "ilaeda's display engine and benchmark (`ilaeda.report`). Set `DATA_DIR` below when the data are not "
            "under `$ILAEDA_DATA_DIR` or the user cache."
        )
    ]
    setup = (
        "import json\n\nfrom ilaeda.report.notebook import headline_table, show_root, show_session\n\n"
        f"DATA_DIR = {inp.data_dir!r}  # data directory (None: $ILAEDA_DATA_DIR, then the user cache)\n"
        f"ROWS = {rows}  # rows shown per display\n"
        f"RESULT = json.loads({json.dumps(json.dumps(result))})\n"
        f"SESSIONS = json.loads({json.dumps(json.dumps(docs))})"
    )
    count = 1
    cells.append(_code(setup, count=count))
    if headline is not None and result is not None:
        count += 1
        cells += [
            nbformat.v4.new_markdown_cell(
                "## Headline\n\nMean ± std over sessions on the held-out dataset(s), beside the released agent of the "
                "split and a uniformly random agent, with STOP and without (12 actions; the fair floor), 100 seeded sessions "
                "per dataset each."
            ),
            _code(
                f"headline_table(RESULT, {inp.schema!r}, {inp.eval_datasets!r}, DATA_DIR)",
                [
                    nbformat.v4.new_output(
                        "execute_result", data=_frame_bundle(headline), metadata={}, execution_count=count
                    )
                ],
                count,
            ),
        ]
    for i, file in enumerate(inp.files):
        count += 1
        cells += [
            nbformat.v4.new_markdown_cell(
                f"## {markdown_text(file.label)}" + (f"\n\n{note}" if (note := left_out_note(file, sections)) else "")
            ),
            _code(
                f"show_root(SESSIONS[{i}], DATA_DIR, ROWS)",
                [_display_output(root_bundle(docs[i], inp.data_dir, rows))],
                count,
            ),
        ]
        for section in (s for s in sections if s.file is file):
            j = file.sessions.index(section.session)
            count += 1
            cells += [
                nbformat.v4.new_markdown_cell(f"### {markdown_text(section.session.name)}"),
                _code(
                    f"show_session(SESSIONS[{i}], {j}, DATA_DIR, ROWS)",
                    [_display_output(b) for b in session_bundles(section)],
                    count,
                ),
            ]
    nb.cells = cells
    return nb


def write_notebook(nb: NotebookNode, path: str | os.PathLike[str]) -> Path:
    """Validate a notebook and write it to ``path``; returns the path."""
    import nbformat

    path = Path(path)
    nbformat.validate(nb)
    with open(path, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    return path


__all__ = [
    "build_notebook",
    "headline_table",
    "read_session_file",
    "session_bundles",
    "show_root",
    "show_session",
    "write_notebook",
]
