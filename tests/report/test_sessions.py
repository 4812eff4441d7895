"""``python -m ilaeda.report``: the HTML page (opened in headless Chromium), the notebook (executed with
nbclient), their pictures, and bad input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from browser import dump_dom, embedded_pngs, png_size, require_chromium
from nbclient import NotebookClient

from ilaeda.data.references import load_references
from ilaeda.data.sessions import action_to_json
from ilaeda.report.__main__ import main
from ilaeda.report.write import write_run_report

ACTIONS = [
    {"type": "filter", "column": "highest_layer", "operator": "EQ", "term": "ICMP"},
    {"type": "group", "column": "ip_src", "agg_column": "packet_number", "agg_func": "count"},
    {"type": "back"},
    {"type": "group", "column": "ip_dst", "agg_column": "length", "agg_func": "mean"},
    {"type": "stop"},
]


@pytest.fixture(scope="module")
def sessions_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sessions.json: a hand-made session and the first six actions of a gold reference."""
    path = tmp_path_factory.mktemp("sessions") / "sessions.json"
    ref = load_references("cyber", 1)[0]
    doc = {
        "schema": "cyber",
        "dataset": 1,
        "sessions": [
            {"name": "hand_made", "actions": ACTIONS},
            {"name": "ref_prefix", "actions": [action_to_json(a) for a in ref.actions[:6]]},
        ],
    }
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="module")
def report(sessions_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main([str(sessions_file), "--out", str(out), "--rows", "3"]) == 0
    return out


def test_the_page_is_self_contained_and_holds_tables_and_pictures(report: Path) -> None:
    html = (report / "report.html").read_text()
    assert "http://" not in html and "https://" not in html and "<script" not in html and "<link" not in html
    for text in (
        "hand_made",
        "ref_prefix",
        "Filter: keep the rows where highest_layer equals &#x27;ICMP&#x27;.",
        "Closest gold reference by EDA-Sim",
        "reference1",
        "count(packet_number)",
        "mean(length)",
    ):
        assert text in html
    pngs = embedded_pngs(html)
    assert len(pngs) == 4  # per session: its tree and its closest reference's tree
    for png in pngs:
        width, height = png_size(png)
        assert width >= 300 and height >= 150


def test_chromium_renders_the_page(report: Path) -> None:
    dom = dump_dom(require_chromium(), report / "report.html")
    assert dom.count("<table") >= 10 and dom.count('<img class="picture"') == 4
    assert "ref_prefix" in dom and "Traceback" not in dom and "Error" not in dom


def test_the_notebook_executes_and_recreates_the_displays(report: Path) -> None:
    nb = nbformat.read(report / "report.ipynb", as_version=4)
    nbformat.validate(nb)
    written = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in written)  # readable before anyone runs it
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(report)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "count(packet_number)" in html and "Closest gold reference" in html
    pictures = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert len(pictures) == 4
    import base64

    assert all(png_size(base64.b64decode(p))[0] >= 300 for p in pictures)


def test_command_line_and_bad_input(sessions_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "ilaeda.report", str(sessions_file), "--max-sessions", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    out = sessions_file.with_name("sessions_report")
    assert f"report: {out / 'report.html'}" in res.stdout and (out / "report.ipynb").is_file()
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([ACTIONS]))
    cases = {
        str(tmp_path / "missing.json"): "not found",
        str(bare): "pass --schema NAME --dataset N",
        str(tmp_path): "not a Sacred run directory",
    }
    for source, message in cases.items():
        res = subprocess.run(
            [sys.executable, "-m", "ilaeda.report", source], capture_output=True, text=True, timeout=300
        )
        assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr
    assert main([str(bare), "--schema", "cyber", "--dataset", "9"]) == 2
    not_a_record = tmp_path / "run_list"
    not_a_record.mkdir()
    (not_a_record / "run.json").write_text("[1]")
    capsys.readouterr()
    assert main([str(not_a_record)]) == 2  # once an AttributeError traceback
    assert "run.json is not a Sacred run record (not a JSON object)" in capsys.readouterr().err
    assert main([str(bare), "--schema", "cyber", "--dataset", "2", "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    assert main([str(sessions_file), "--dataset", "2"]) == 2  # its header says dataset 1
    assert "header says dataset 1 but dataset 2 was asked for" in capsys.readouterr().err
    fractional = tmp_path / "fractional.json"
    fractional.write_text(json.dumps({"schema": "cyber", "dataset": 1.5, "sessions": [ACTIONS]}))
    assert main([str(fractional)]) == 2
    assert "header says dataset 1.5, which is not a dataset number" in capsys.readouterr().err


def test_the_run_hook_warns_instead_of_failing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "sessions_stochastic_cyber1.json").write_text("{not json")
    result = {
        "algo": "gail",
        "split": "cyber_loo1",
        "session_files": {"stochastic": ["sessions_stochastic_cyber1.json"]},
    }
    assert write_run_report(result, tmp_path) is None
    assert "could not write the session report" in caplog.text
    assert not (tmp_path / "report" / "report.html").exists()


def test_names_are_escaped_in_the_notebook_and_the_sessions_capped(tmp_path: Path) -> None:
    doc = {
        "schema": "cyber",
        "dataset": 1,
        "sessions": [{"name": f"<script>alert({i})</script> #{i}", "actions": ACTIONS[:2]} for i in range(3)],
    }
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out"
    assert main([str(path), "--out", str(out), "--max-sessions", "2", "--no-headline"]) == 0
    nb = nbformat.read(out / "report.ipynb", as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "<script" not in markdown and "&lt;script&gt;alert\\(0\\)&lt;/script&gt; \\#0" in markdown
    note = "1 of the 3 sessions of this file are left out"
    assert note in markdown and note in (out / "report.html").read_text()
    assert "<script" not in (out / "report.html").read_text()


def test_a_report_details_100_sessions_unless_told(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ilaeda.report import sessions as report_sessions

    built: list[str] = []
    monkeypatch.setattr(report_sessions, "build_section", lambda file, s, *a: built.append(s.name))
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"schema": "cyber", "dataset": 1, "sessions": [ACTIONS[:1]] * 150}))
    inp = report_sessions.ReportInput("t", path, [report_sessions.read_session_file(path)])
    report_sessions.build_sections(inp)
    assert len(built) == 100
    built.clear()
    report_sessions.build_sections(inp, max_sessions=None)
    assert len(built) == 150
